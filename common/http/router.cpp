#include "common/http/router.hpp"

#include "common/encoding.hpp"
#include "common/metrics.hpp"

#include <stdexcept>

namespace oauth::http {
namespace {

route_metrics make_stats(std::string_view label) {
  auto& reg = metrics::global();
  route_metrics m;
  std::string route_label = "route=\"" + metrics::escape_label(label) + "\"";
  static constexpr const char* classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  for (std::size_t i = 0; i < 5; ++i)
    m.by_class[i] = &reg.get_counter("http_requests_total", "HTTP requests served, by route and status class.",
                                     route_label + ",code=\"" + classes[i] + "\"");
  m.latency = &reg.get_histogram("http_request_duration_seconds", "Time from full request to response written.",
                                 route_label);
  return m;
}

bool is_parameter(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

} // namespace

void route_metrics::record(unsigned status_code, double seconds) const {
  unsigned cls = status_code / 100;
  if (cls >= 1 && cls <= 5 && by_class[cls - 1] != nullptr) by_class[cls - 1]->inc();
  if (latency != nullptr) latency->observe(seconds);
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

router::router() : unmatched_(make_stats("unmatched")) {}

void router::add(verb method, std::string_view pattern, handler h, route_options options) {
  if (!pattern.starts_with('/')) throw std::logic_error("route pattern must start with '/': " + std::string(pattern));
  for (const auto& r : routes_)
    if (r->method == method && r->pattern == pattern)
      throw std::logic_error("route registered twice: " + std::string(pattern));
  auto r = std::make_unique<route>();
  r->method = method;
  r->pattern = pattern;
  for (auto s : split_path(pattern)) r->segments.emplace_back(s);
  r->handle = std::move(h);
  r->options = options;
  r->stats = make_stats(pattern);
  routes_.push_back(std::move(r));
}

match_result router::match(verb method, std::string_view path) const {
  match_result result;
  auto parts = split_path(path);
  for (const auto& r : routes_) {
    if (r->segments.size() != parts.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& seg = r->segments[i];
      if (is_parameter(seg)) {
        ok = !parts[i].empty();
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    if (r->method != method) {
      result.allowed.push_back(r->method);
      continue;
    }
    std::vector<std::pair<std::string_view, std::string>> params;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = r->segments[i];
      if (!is_parameter(seg)) continue;
      auto decoded = form_decode(parts[i]);
      if (!decoded) {
        ok = false;
        break;
      }
      params.emplace_back(std::string_view(seg).substr(1, seg.size() - 2), std::move(*decoded));
    }
    if (!ok) continue;
    result.found = r.get();
    result.params = std::move(params);
    result.allowed.clear();
    return result;
  }
  return result;
}

} // namespace oauth::http
