#pragma once
// Request parameters from an application/x-www-form-urlencoded or JSON body
// (the token endpoint accepts both; RFC 6749 §3.2 requires form encoding, JSON is a convenience).
#include "common/http/types.hpp"

#include <optional>
#include <variant>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth::http {

class body_params {
public:
  body_params() = default;
  explicit body_params(std::vector<std::pair<std::string, std::string>> items) : items_(std::move(items)) {}
  std::optional<std::string_view> get(std::string_view name) const;
  // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
  std::optional<std::string> first_repeated() const;
  // How many times `name` was sent (a rule about one parameter must not hinge on which other
  // parameter first_repeated happens to name).
  std::size_t count(std::string_view name) const;
  bool empty() const { return items_.empty(); }

private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct params_error {
  std::string description;
};

// Form or JSON by Content-Type. JSON must be a flat object; numbers and booleans become
// text, arrays of strings are joined with spaces (so "scope": ["a","b"] works).
// Returns the error description for invalid_request otherwise, and for a NUL character
// (U+0000) in any parameter name or value.
std::variant<body_params, params_error> parse_body_params(std::string_view content_type, std::string_view body);

// Media type without parameters, lower-cased: "application/json; charset=utf-8" → "application/json".
std::string media_type(std::string_view content_type);

} // namespace oauth::http
