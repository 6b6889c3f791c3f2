#include "common/http/params.hpp"

#include "common/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace oauth::http {

std::optional<std::string_view> body_params::get(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::string> body_params::first_repeated() const {
  std::set<std::string_view> seen;
  for (const auto& [k, v] : items_)
    if (!seen.insert(k).second) return k;
  return std::nullopt;
}

std::size_t body_params::count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [&](const auto& item) { return item.first == name; }));
}

std::string media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto t = content_type.substr(0, semi);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  std::string out(t);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

namespace {

using items = std::vector<std::pair<std::string, std::string>>;

std::variant<items, params_error> parse_items(std::string_view content_type, std::string_view body) {
  auto type = media_type(content_type);
  if (type == "application/x-www-form-urlencoded" || (type.empty() && body.empty())) {
    auto form = parse_form(body);
    if (!form) return params_error{"malformed form body"};
    return std::move(*form);
  }
  if (type == "application/json") {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec || !value.is_object()) return params_error{"body must be a JSON object"};
    items out;
    for (const auto& [k, v] : value.as_object()) {
      std::string text;
      if (v.is_string()) {
        text = v.as_string();
      } else if (v.is_int64() || v.is_uint64() || v.is_double() || v.is_bool()) {
        text = boost::json::serialize(v);
      } else if (v.is_null()) {
        continue;
      } else if (v.is_array()) {
        for (const auto& e : v.as_array()) {
          if (!e.is_string()) return params_error{"parameter " + std::string(k) + " must be a string"};
          if (!text.empty()) text.push_back(' ');
          text.append(e.as_string());
        }
      } else {
        return params_error{"parameter " + std::string(k) + " must be a string"};
      }
      out.emplace_back(std::string(k), std::move(text));
    }
    return out;
  }
  return params_error{"unsupported content type: use application/x-www-form-urlencoded or application/json"};
}

} // namespace

std::variant<body_params, params_error> parse_body_params(std::string_view content_type, std::string_view body) {
  auto parsed = parse_items(content_type, body);
  if (auto* e = std::get_if<params_error>(&parsed)) return std::move(*e);
  auto& pairs = std::get<items>(parsed);
  // Every parameter of every endpoint (CONTRACT "Hostile input"): with a NUL, a check and a
  // store could see two different names (libpq reads C strings, the throttle key would not).
  for (const auto& [name, value] : pairs) {
    if (contains_nul(name)) return params_error{"a parameter name contains a NUL character"};
    if (contains_nul(value)) return params_error{"parameter " + name + " contains a NUL character"};
  }
  return body_params(std::move(pairs));
}

} // namespace oauth::http
