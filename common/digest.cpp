#include "common/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace oauth {

sha256_digest sha256(std::string_view data) {
  sha256_digest digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1 || len != digest.size())
    throw std::runtime_error("SHA-256 failed");
  return digest;
}

void hmac_sha256(std::string_view key, std::string_view data, std::span<unsigned char, 32> out) {
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out.data(), &len) == nullptr ||
      len != out.size())
    throw std::runtime_error("HMAC-SHA-256 failed");
}

sha256_digest hmac_sha256(std::string_view key, std::string_view data) {
  sha256_digest mac{};
  hmac_sha256(key, data, mac);
  return mac;
}

} // namespace oauth
