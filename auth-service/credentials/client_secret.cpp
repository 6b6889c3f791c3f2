#include "auth-service/credentials/client_secret.hpp"

#include "common/digest.hpp"
#include "common/encoding.hpp"
#include "common/random.hpp"

namespace oauth::auth {
namespace {

constexpr std::string_view scheme = "hmac-sha256$";

std::string mac(std::string_view salt, std::string_view secret) {
  const auto out = hmac_sha256(salt, secret);
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

} // namespace

std::string generate_client_secret() { return random_token(); }

std::string hash_client_secret(std::string_view secret) {
  std::string salt = random_bytes(16);
  return std::string(scheme) + base64url_encode(salt) + "$" + base64url_encode(mac(salt, secret));
}

bool verify_client_secret(std::string_view secret, std::string_view stored) {
  if (!stored.starts_with(scheme)) return false;
  stored.remove_prefix(scheme.size());
  auto dollar = stored.find('$');
  if (dollar == std::string_view::npos) return false;
  auto salt = base64url_decode(stored.substr(0, dollar));
  auto expected = base64url_decode(stored.substr(dollar + 1));
  if (!salt || !expected || expected->size() != 32) return false;
  return constant_time_equal(mac(*salt, secret), *expected);
}

} // namespace oauth::auth
