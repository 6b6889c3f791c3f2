#pragma once
// Method + path → handler. Patterns are literal segments and "{name}" parameters,
// e.g. "/api/posts/{id}". No match → 404; path matches but method doesn't → 405 with Allow.
#include "common/http/request_context.hpp"
#include "common/http/types.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::metrics {
class counter;
class histogram;
} // namespace oauth::metrics

namespace oauth::http {

using handler = std::function<asio::awaitable<response>(request_context&)>;

struct route_options {
  // Largest body accepted on this route; 0 means the server's default (HTTP_MAX_BODY_BYTES).
  std::size_t max_body_bytes = 0;
};

// Per-route metric handles, resolved once at registration.
struct route_metrics {
  std::array<metrics::counter*, 5> by_class{};  // 1xx..5xx
  metrics::histogram* latency = nullptr;
  void record(unsigned status_code, double seconds) const;
};

struct route {
  verb method;
  std::string pattern;
  std::vector<std::string> segments;  // "{id}" kept as is
  handler handle;
  route_options options;
  route_metrics stats;
};

struct match_result {
  const route* found = nullptr;
  std::vector<std::pair<std::string_view, std::string>> params;
  // When nothing matched: the methods that exist for this path (empty → 404).
  std::vector<verb> allowed;
};

class router {
public:
  router();
  // Patterns must start with '/'. Registering the same method and pattern twice is a programmer error.
  void add(verb method, std::string_view pattern, handler h, route_options options = {});
  match_result match(verb method, std::string_view path) const;
  const route_metrics& unmatched_stats() const { return unmatched_; }
  const std::vector<std::unique_ptr<route>>& routes() const { return routes_; }

private:
  std::vector<std::unique_ptr<route>> routes_;
  route_metrics unmatched_;
};

// Splits "/a/b/c" into {"a","b","c"}; a trailing slash gives an empty last segment.
std::vector<std::string_view> split_path(std::string_view path);

} // namespace oauth::http
