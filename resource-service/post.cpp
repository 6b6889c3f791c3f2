#include "resource-service/post.hpp"

#include "common/encoding.hpp"
#include "common/http/params.hpp"
#include "common/time.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace oauth::resource {
namespace json = boost::json;

std::string format_rfc3339_micros(std::int64_t unix_micros) {
  std::int64_t seconds = unix_micros / 1'000'000;
  std::int64_t micros = unix_micros % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    seconds -= 1;
  }
  std::string out = format_rfc3339(seconds);  // ...SSZ
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%06d", static_cast<int>(micros));
  out.insert(out.size() - 1, frac);
  return out;
}

json::object to_json(const post& p) {
  json::object author;
  author["sub"] = p.author_sub;
  author["client_id"] = p.author_client_id;
  json::object o;
  o["id"] = p.id;
  o["title"] = p.title;
  o["body"] = p.body;
  o["author"] = std::move(author);
  o["created_at"] = format_rfc3339_micros(p.created_us);
  o["updated_at"] = format_rfc3339_micros(p.updated_us);
  return o;
}

namespace {

bool is_json_media_type(std::string_view content_type) {
  std::string type = http::media_type(content_type);
  if (type == "application/json") return true;
  return type.starts_with("application/") && type.ends_with("+json");
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// One field: present, a string, valid UTF-8; the caller adds its own size rule.
const json::string* string_field(const json::object& o, const std::string& name, field_errors& errors) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) {
    errors[name].push_back("The " + name + " field is required.");
    return nullptr;
  }
  auto s = it->value().if_string();
  if (s == nullptr) {
    errors[name].push_back("The " + name + " field must be a string.");
    return nullptr;
  }
  if (!is_valid_utf8(std::string_view(s->data(), s->size()))) {
    errors[name].push_back("The " + name + " field must be valid UTF-8.");
    return nullptr;
  }
  // PostgreSQL text cannot hold U+0000 and the client refuses it: say so here (422) rather
  // than store the text cut short or fail with a 500.
  if (contains_nul(std::string_view(s->data(), s->size()))) {
    errors[name].push_back("The " + name + " field must not contain NUL characters.");
    return nullptr;
  }
  return s;
}

} // namespace

std::variant<new_post, field_errors, request_error> parse_new_post(std::string_view content_type,
                                                                   std::string_view body) {
  if (!content_type.empty() && !is_json_media_type(content_type))
    return request_error{http::status::unsupported_media_type, "unsupported_media_type",
                         "the request body must be application/json"};
  json::parse_options opts;
  opts.max_depth = 16;
  // Invalid UTF-8 inside a string is a validation error of that field (422), not a syntax error.
  opts.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec, {}, opts);
  if (ec) return request_error{http::status::bad_request, "invalid_request", "malformed JSON body"};
  auto obj = doc.if_object();
  if (obj == nullptr) return request_error{http::status::bad_request, "invalid_request", "the JSON body must be an object"};

  field_errors errors;
  const json::string* title = string_field(*obj, "title", errors);
  if (title != nullptr) {
    std::string_view t(title->data(), title->size());
    std::size_t chars = utf8_length(t);
    if (chars == 0 || blank(t))
      errors["title"].push_back("The title field is required.");
    else if (chars > max_title_chars)
      errors["title"].push_back("The title field must not be greater than 200 characters.");
  }
  const json::string* text = string_field(*obj, "body", errors);
  if (text != nullptr && text->size() > max_body_bytes)
    errors["body"].push_back("The body field must not be greater than 65536 bytes.");
  if (!errors.empty()) return errors;
  return new_post{std::string(title->data(), title->size()), std::string(text->data(), text->size())};
}

json::object errors_body(const field_errors& errors) {
  json::object fields;
  for (const auto& [name, messages] : errors) {
    json::array list;
    for (const auto& m : messages) list.emplace_back(m);
    fields[name] = std::move(list);
  }
  json::object out;
  out["message"] = "The given data was invalid.";
  out["errors"] = std::move(fields);
  return out;
}

std::variant<list_query, std::string> parse_list_query(std::string_view query) {
  list_query q;
  auto items = parse_form(query);
  if (!items) return std::string("malformed query string");
  bool seen_limit = false;
  for (auto& [name, value] : *items) {
    if (name == "limit") {
      if (seen_limit) return std::string("limit given more than once");
      seen_limit = true;
      int v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      bool digits = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || ec != std::errc{} || p != value.data() + value.size() || v < 1 || v > max_page_size)
        return std::string("limit must be an integer from 1 to 100");
      q.limit = v;
    } else if (name == "cursor") {
      if (q.cursor) return std::string("cursor given more than once");
      if (value.empty()) return std::string("invalid cursor");
      q.cursor = std::move(value);
    }
  }
  return q;
}

std::optional<std::int64_t> parse_post_id(std::string_view text) {
  if (text.empty() || text.size() > 19 || text.front() == '0') return std::nullopt;
  std::int64_t v = 0;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < 1) return std::nullopt;
  return v;
}

} // namespace oauth::resource
