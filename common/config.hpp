#pragma once
// Configuration from environment variables (../shared/CONTRACT.md, "Configuration").
// A bad value throws config_error whose message is one line naming the variable;
// main() prints it and exits non-zero, so a service never starts half configured.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct listen_address {
  std::string host;
  std::uint16_t port = 0;
};

struct redis_endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  int db = 0;
  std::string username;  // empty: AUTH <password> (the default user); else AUTH <username> <password> (an ACL user)
  std::string password;  // empty: no AUTH
};

// Parses "host:port" / "[::1]:port"; nullopt when malformed.
std::optional<listen_address> parse_listen_address(std::string_view text);
// Parses redis://[[user]:password@]host[:port][/db]; nullopt when malformed. Userinfo without
// a colon is a password. User and password are percent-decoded (%40 is '@'; a '%' not
// followed by two hex digits is malformed).
std::optional<redis_endpoint> parse_redis_url(std::string_view text);

// Reads variables through a lookup function so that tests need not touch the process environment.
class env_reader {
public:
  using lookup_fn = std::function<std::optional<std::string>(std::string_view)>;
  env_reader();  // the process environment
  explicit env_reader(lookup_fn lookup);

  std::optional<std::string> raw(std::string_view name) const;
  std::string string(std::string_view name, std::string_view fallback) const;
  std::int64_t integer(std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  std::chrono::seconds seconds(std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  listen_address listen(std::string_view name, std::string_view fallback) const;
  redis_endpoint redis(std::string_view name, std::string_view fallback) const;
  // Comma- or space-separated list; empty entries dropped.
  std::vector<std::string> list(std::string_view name, std::string_view fallback) const;

private:
  lookup_fn lookup_;
};

// Limits and timeouts of the HTTP server; every one deliberate and configurable.
struct http_limits {
  std::size_t max_header_bytes = 8 * 1024;          // HTTP_MAX_HEADER_BYTES → 431
  std::size_t max_body_bytes = 64 * 1024;           // HTTP_MAX_BODY_BYTES default per route → 413
  std::chrono::milliseconds header_timeout{10'000}; // HTTP_HEADER_TIMEOUT_MS: whole header must arrive
  std::chrono::milliseconds body_timeout{30'000};   // HTTP_BODY_TIMEOUT_MS
  std::chrono::milliseconds idle_timeout{60'000};   // HTTP_IDLE_TIMEOUT_MS between keep-alive requests
  std::chrono::milliseconds handler_timeout{30'000};// HTTP_HANDLER_TIMEOUT_MS
  std::size_t max_connections = 10'000;              // HTTP_MAX_CONNECTIONS
  std::size_t max_requests_per_connection = 0;       // 0: unlimited
  // TRUSTED_PROXIES: addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is
  // believed (the client address feeds throttling and the access log). Empty: trust none.
  std::vector<std::string> trusted_proxies;
};

// True for "10.0.0.0/8", "127.0.0.1", "::1/128" and the like.
bool is_address_range(std::string_view text);

// What both services read.
struct service_config {
  listen_address listen;
  int threads = 1;
  std::string database_url;
  redis_endpoint redis;
  std::string redis_url;
  std::string issuer;
  std::string audience;
  std::chrono::seconds shutdown_drain{10};
  http_limits http;
  int pg_pool_size = 8;
  std::chrono::milliseconds pg_query_timeout{5'000};
  std::chrono::milliseconds redis_command_timeout{2'000};
  std::string log_level = "info";
};

service_config load_service_config(const env_reader& env, std::string_view default_listen);

} // namespace oauth
