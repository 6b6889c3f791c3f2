#include "common/config.hpp"
#include "common/encoding.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdlib>
#include <thread>

namespace oauth {
namespace {

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  auto v = parse_int(text);
  if (!v || *v < 1 || *v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*v);
}

[[noreturn]] void fail(std::string_view name, std::string_view what, std::string_view value) {
  throw config_error(std::string(name) + ": " + std::string(what) + " (got '" + std::string(value) + "')");
}

} // namespace

std::optional<listen_address> parse_listen_address(std::string_view text) {
  listen_address out;
  std::string_view port_text;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  auto port = parse_port(port_text);
  if (!port) return std::nullopt;
  out.port = *port;
  return out;
}

std::optional<redis_endpoint> parse_redis_url(std::string_view text) {
  constexpr std::string_view scheme = "redis://";
  if (!text.starts_with(scheme)) return std::nullopt;
  text.remove_prefix(scheme.size());
  redis_endpoint out;
  if (auto at = text.rfind('@'); at != std::string_view::npos) {
    // Split first, then percent-decode each part (RFC 3986 §3.2.1, as redis-cli and the
    // client libraries do): a password may then hold any byte, ':' and '@' included.
    auto userinfo = text.substr(0, at);
    auto colon = userinfo.find(':');
    std::optional<std::string> user, password;
    if (colon == std::string_view::npos) {
      user = std::string();
      password = percent_decode(userinfo);
    } else {
      user = percent_decode(userinfo.substr(0, colon));
      password = percent_decode(userinfo.substr(colon + 1));
    }
    if (!user || !password) return std::nullopt;  // a '%' not followed by two hex digits
    out.username = std::move(*user);
    out.password = std::move(*password);
    text.remove_prefix(at + 1);
  }
  std::string_view hostport = text;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    hostport = text.substr(0, slash);
    auto db_text = text.substr(slash + 1);
    if (!db_text.empty()) {
      auto db = parse_int(db_text);
      if (!db || *db < 0 || *db > 15) return std::nullopt;
      out.db = static_cast<int>(*db);
    }
  }
  if (hostport.empty()) return std::nullopt;
  if (hostport.starts_with('[')) {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(hostport.substr(1, close - 1));
    auto rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return std::nullopt;
      auto port = parse_port(rest.substr(1));
      if (!port) return std::nullopt;
      out.port = *port;
    }
  } else if (auto colon = hostport.find(':'); colon != std::string_view::npos) {
    out.host = std::string(hostport.substr(0, colon));
    auto port = parse_port(hostport.substr(colon + 1));
    if (!port) return std::nullopt;
    out.port = *port;
  } else {
    out.host = std::string(hostport);
  }
  if (out.host.empty()) return std::nullopt;
  return out;
}

bool is_address_range(std::string_view text) {
  auto slash = text.find('/');
  std::string address(text.substr(0, slash));
  unsigned char buf[16];
  int max = 0;
  if (inet_pton(AF_INET, address.c_str(), buf) == 1) max = 32;
  else if (inet_pton(AF_INET6, address.c_str(), buf) == 1) max = 128;
  else return false;
  if (slash == std::string_view::npos) return true;
  auto prefix = parse_int(text.substr(slash + 1));
  return prefix && *prefix >= 0 && *prefix <= max;
}

env_reader::env_reader()
    : lookup_([](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      }) {}

env_reader::env_reader(lookup_fn lookup) : lookup_(std::move(lookup)) {}

std::optional<std::string> env_reader::raw(std::string_view name) const {
  auto v = lookup_(name);
  // An empty variable counts as unset, as shells make it easy to export one by accident.
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::string env_reader::string(std::string_view name, std::string_view fallback) const {
  auto v = raw(name);
  return v ? *v : std::string(fallback);
}

std::int64_t env_reader::integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                                 std::int64_t max) const {
  auto v = raw(name);
  if (!v) return fallback;
  auto n = parse_int(*v);
  if (!n) fail(name, "expected an integer", *v);
  if (*n < min || *n > max)
    fail(name, "expected an integer between " + std::to_string(min) + " and " + std::to_string(max), *v);
  return *n;
}

std::chrono::seconds env_reader::seconds(std::string_view name, std::int64_t fallback, std::int64_t min,
                                         std::int64_t max) const {
  return std::chrono::seconds(integer(name, fallback, min, max));
}

listen_address env_reader::listen(std::string_view name, std::string_view fallback) const {
  auto text = string(name, fallback);
  auto parsed = parse_listen_address(text);
  if (!parsed) fail(name, "expected host:port", text);
  return *parsed;
}

redis_endpoint env_reader::redis(std::string_view name, std::string_view fallback) const {
  auto text = string(name, fallback);
  auto parsed = parse_redis_url(text);
  // The URL may carry a password: never echo it back.
  if (!parsed) throw config_error(std::string(name) + ": expected redis://[[user]:password@]host[:port][/db], user and password percent-encoded");
  return *parsed;
}

std::vector<std::string> env_reader::list(std::string_view name, std::string_view fallback) const {
  auto text = string(name, fallback);
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

service_config load_service_config(const env_reader& env, std::string_view default_listen) {
  service_config c;
  c.listen = env.listen("LISTEN_ADDR", default_listen);
  auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  c.threads = static_cast<int>(env.integer("THREADS", cores, 1, 256));
  c.database_url = env.string("DATABASE_URL", "postgresql://127.0.0.1:5432/oauth");
  if (!c.database_url.starts_with("postgresql://") && !c.database_url.starts_with("postgres://"))
    throw config_error("DATABASE_URL: expected a postgresql:// URI");
  c.redis_url = env.string("REDIS_URL", "redis://127.0.0.1:6379/0");
  c.redis = env.redis("REDIS_URL", "redis://127.0.0.1:6379/0");
  c.issuer = env.string("AUTH_ISSUER", "http://localhost:8081");
  // One spelling everywhere: the metadata's issuer, the tokens' iss claim, the resource
  // service's check and RFC 9207's iss must be identical strings, so a trailing slash is
  // dropped here, once, for both services.
  while (c.issuer.size() > 1 && c.issuer.back() == '/') c.issuer.pop_back();
  c.audience = env.string("TOKEN_AUDIENCE", "posts-api");
  c.shutdown_drain = env.seconds("SHUTDOWN_DRAIN_SECONDS", 10, 0, 3600);
  c.http.max_header_bytes = static_cast<std::size_t>(env.integer("HTTP_MAX_HEADER_BYTES", 8 * 1024, 1024, 1 << 20));
  c.http.max_body_bytes = static_cast<std::size_t>(env.integer("HTTP_MAX_BODY_BYTES", 64 * 1024, 1024, 64 << 20));
  c.http.header_timeout = std::chrono::milliseconds(env.integer("HTTP_HEADER_TIMEOUT_MS", 10'000, 10, 3'600'000));
  c.http.body_timeout = std::chrono::milliseconds(env.integer("HTTP_BODY_TIMEOUT_MS", 30'000, 10, 3'600'000));
  c.http.idle_timeout = std::chrono::milliseconds(env.integer("HTTP_IDLE_TIMEOUT_MS", 60'000, 10, 3'600'000));
  c.http.handler_timeout = std::chrono::milliseconds(env.integer("HTTP_HANDLER_TIMEOUT_MS", 30'000, 10, 3'600'000));
  c.http.max_connections = static_cast<std::size_t>(env.integer("HTTP_MAX_CONNECTIONS", 10'000, 1, 1'000'000));
  c.http.trusted_proxies = env.list("TRUSTED_PROXIES", "");
  for (const auto& range : c.http.trusted_proxies)
    if (!is_address_range(range)) fail("TRUSTED_PROXIES", "expected IP addresses or CIDR ranges", range);
  c.pg_pool_size = static_cast<int>(env.integer("PG_POOL_SIZE", 8, 1, 1000));
  c.pg_query_timeout = std::chrono::milliseconds(env.integer("PG_QUERY_TIMEOUT_MS", 5'000, 10, 600'000));
  c.redis_command_timeout = std::chrono::milliseconds(env.integer("REDIS_COMMAND_TIMEOUT_MS", 2'000, 10, 600'000));
  c.log_level = env.string("LOG_LEVEL", "info");
  if (!c.log_level.empty() && c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
      c.log_level != "error")
    fail("LOG_LEVEL", "expected debug, info, warn or error", c.log_level);
  return c;
}

} // namespace oauth
