#pragma once
#include "common/http/types.hpp"

#include <any>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth::http {

// What a handler gets: the request, its path parameters and the connection facts.
struct request_context {
  const request& req;
  std::string_view path;   // without the query string
  std::string_view query;  // after '?', raw
  std::vector<std::pair<std::string_view, std::string>> params;  // "{id}" → value (percent-decoded)
  std::string request_id;
  std::string remote_address;
  // Set by middleware for the handler (e.g. the verified bearer token).
  std::any principal;

  std::string_view param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return {};
  }
  // First value of a query parameter, decoded; nullopt when absent or malformed.
  std::optional<std::string> query_param(std::string_view name) const;
  std::string_view header(field f) const {
    auto it = req.find(f);
    return it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
  }
  // A header Beast has no field enum for (Sec-Fetch-Site, X-Forwarded-Proto...); "" when absent.
  std::string_view header(std::string_view name) const {
    auto it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
  }
};

} // namespace oauth::http
