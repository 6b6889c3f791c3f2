#pragma once
// The auth service's configuration (../shared/CONTRACT.md, "Configuration"), read by
// auth-service and authctl. A bad value throws oauth::config_error naming the variable.
#include "common/config.hpp"
#include "common/jwt/algorithm.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace oauth::auth {

struct auth_config {
  service_config service;  // LISTEN_ADDR (0.0.0.0:8081), THREADS, DATABASE_URL, REDIS_URL, AUTH_ISSUER, …
  std::filesystem::path keys_dir = "./var/keys";  // AUTH_KEYS_DIR
  jwt::algorithm jwt_alg = jwt::algorithm::rs256;  // JWT_ALG
  std::chrono::seconds access_token_ttl{7200};             // ACCESS_TOKEN_TTL
  std::chrono::seconds refresh_token_ttl{2'592'000};       // REFRESH_TOKEN_TTL
  std::chrono::seconds personal_access_token_ttl{31'536'000};  // PERSONAL_ACCESS_TOKEN_TTL
  std::chrono::seconds refresh_reuse_grace{0};             // REFRESH_REUSE_GRACE
  std::string password_client_id;                          // OAUTH_PASSWORD_CLIENT_ID
  std::string password_client_secret;                      // OAUTH_PASSWORD_CLIENT_SECRET (never logged)
  std::size_t password_hash_threads = 2;                   // PASSWORD_HASH_THREADS
  std::size_t password_hash_queue = 256;                   // PASSWORD_HASH_QUEUE (checks waiting; beyond → 503)
  std::chrono::seconds key_reload_interval{30};            // KEY_RELOAD_SECONDS (≤ 60 per the contract)
  // The browser flows (CONTRACT "Users in the browser").
  std::chrono::seconds auth_code_ttl{60};                  // AUTH_CODE_TTL
  std::chrono::seconds session_ttl{7200};                  // SESSION_TTL (absolute)
  std::chrono::seconds session_idle_timeout{1800};         // SESSION_IDLE_TIMEOUT
  int throttle_user_failures = 5;                          // per (IP, user name) per minute (contract)
  int throttle_ip_failures = 50;                           // THROTTLE_IP_FAILURES per IP per minute
  // The playground page's resource-service base URL (PLAYGROUND_API_URL; "/" = same origin,
  // behind the gateway) and whether X-Forwarded-Proto is believed for the refresh cookie's
  // Secure attribute (TRUST_FORWARDED_PROTO=1; see auth-service/routes/first_party_routes.hpp).
  std::string playground_api_url = "http://localhost:8082";
  bool trust_forwarded_proto = false;
};

auth_config load_auth_config(const env_reader& env);

// Where the playground's "Authorization code + PKCE" panel comes back to the auth service:
// <AUTH_ISSUER without trailing slashes>/playground/callback. `authctl install` registers it
// for the playground client and the page sends it as redirect_uri, so both read it here.
std::string playground_redirect_uri(std::string_view issuer);

} // namespace oauth::auth
