#include "resource-service/cors.hpp"

#include <algorithm>

namespace oauth::resource {
namespace {

bool lists_method(std::string_view methods, std::string_view method) {
  while (!methods.empty()) {
    auto comma = methods.find(',');
    auto item = methods.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == method) return true;  // methods are case-sensitive (RFC 9110 §9.1)
    if (comma == std::string_view::npos) break;
    methods.remove_prefix(comma + 1);
  }
  return false;
}

} // namespace

cors_policy::cors_policy(std::vector<std::string> allowed_origins) : origins_(std::move(allowed_origins)) {}

bool cors_policy::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void cors_policy::decorate(http::response& res, std::string_view origin) const {
  res.set(http::field::vary, "Origin");
  if (!allows(origin)) return;
  res.set(http::field::access_control_allow_origin, origin);
  res.set(http::field::access_control_expose_headers, exposed_headers);
}

http::response cors_policy::preflight(std::string_view origin, std::string_view request_method,
                                      std::string_view methods) const {
  http::response res{http::status::no_content, 11};
  std::string allow = "OPTIONS, " + std::string(methods);
  res.set(http::field::allow, allow);
  res.set(http::field::vary, "Origin");
  if (allows(origin) && !request_method.empty() && lists_method(methods, request_method)) {
    res.set(http::field::access_control_allow_origin, origin);
    res.set(http::field::access_control_allow_methods, methods);
    res.set(http::field::access_control_allow_headers, allowed_headers);
    res.set(http::field::access_control_max_age, max_age);
  }
  res.prepare_payload();
  return res;
}

} // namespace oauth::resource
