#include "auth-service/config/auth_config.hpp"

#include <cctype>
#include <string_view>
#include <thread>

namespace oauth::auth {
namespace {

// "/" (same origin: an empty variable counts as unset) or http(s)://host[:port][/path]: no
// credentials, query, fragment, quotes or spaces (it is written into the playground's HTML and
// its Content-Security-Policy).
bool plausible_base_url(std::string_view url) {
  if (url == "/") return true;
  std::string_view rest;
  if (url.starts_with("http://")) rest = url.substr(7);
  else if (url.starts_with("https://")) rest = url.substr(8);
  else return false;
  if (rest.empty() || rest.front() == '/' || rest.front() == ':') return false;
  for (char ch : rest) {
    auto u = static_cast<unsigned char>(ch);
    if (!(std::isalnum(u) || ch == '.' || ch == '-' || ch == '_' || ch == '~' || ch == ':' || ch == '/' || ch == '[' ||
          ch == ']' || ch == '%'))
      return false;
  }
  return true;
}

} // namespace

auth_config load_auth_config(const env_reader& env) {
  auth_config c;
  c.service = load_service_config(env, "0.0.0.0:8081");
  c.keys_dir = env.string("AUTH_KEYS_DIR", "./var/keys");
  auto alg_text = env.string("JWT_ALG", "RS256");
  auto alg = jwt::parse_algorithm(alg_text);
  if (!alg) throw config_error("JWT_ALG: expected RS256, ES256 or EdDSA (got '" + alg_text + "')");
  c.jwt_alg = *alg;
  constexpr std::int64_t ten_years = 10LL * 366 * 24 * 3600;
  c.access_token_ttl = env.seconds("ACCESS_TOKEN_TTL", 7200, 1, ten_years);
  c.refresh_token_ttl = env.seconds("REFRESH_TOKEN_TTL", 2'592'000, 1, ten_years);
  c.personal_access_token_ttl = env.seconds("PERSONAL_ACCESS_TOKEN_TTL", 31'536'000, 1, ten_years);
  c.refresh_reuse_grace = env.seconds("REFRESH_REUSE_GRACE", 0, 0, 3600);
  // RFC 6749 §4.1.2: a code lives briefly ("maximum lifetime of 10 minutes RECOMMENDED").
  c.auth_code_ttl = env.seconds("AUTH_CODE_TTL", 60, 1, 600);
  c.session_ttl = env.seconds("SESSION_TTL", 7200, 60, ten_years);
  c.session_idle_timeout = env.seconds("SESSION_IDLE_TIMEOUT", 1800, 60, ten_years);
  c.password_client_id = env.string("OAUTH_PASSWORD_CLIENT_ID", "");
  c.password_client_secret = env.string("OAUTH_PASSWORD_CLIENT_SECRET", "");
  auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  c.password_hash_threads = static_cast<std::size_t>(env.integer("PASSWORD_HASH_THREADS", cores, 1, 256));
  c.password_hash_queue = static_cast<std::size_t>(env.integer("PASSWORD_HASH_QUEUE", 256, 1, 1'000'000));
  c.key_reload_interval = env.seconds("KEY_RELOAD_SECONDS", 30, 1, 60);
  c.throttle_ip_failures = static_cast<int>(env.integer("THROTTLE_IP_FAILURES", 50, 5, 1'000'000));
  c.playground_api_url = env.string("PLAYGROUND_API_URL", "http://localhost:8082");
  if (!plausible_base_url(c.playground_api_url))
    throw config_error("PLAYGROUND_API_URL: expected an http(s)://host[:port][/path] URL or / for the same origin (got '" +
                       c.playground_api_url + "')");
  c.trust_forwarded_proto = env.integer("TRUST_FORWARDED_PROTO", 0, 0, 1) == 1;
  return c;
}

std::string playground_redirect_uri(std::string_view issuer) {
  while (!issuer.empty() && issuer.back() == '/') issuer.remove_suffix(1);
  return std::string(issuer) + "/playground/callback";
}

} // namespace oauth::auth
