#pragma once
// The post resource: its JSON form and the rules for creating, listing and addressing posts
// (../shared/CONTRACT.md, "Resource service endpoints"). Pure functions, no I/O.
#include "common/http/types.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace oauth::resource {

struct post {
  std::int64_t id = 0;  // bigint identity: compact, ordered, cheap to index and to page on
  std::string title;
  std::string body;
  std::string author_sub;        // the token's sub (the client id for client-credentials tokens)
  std::string author_client_id;  // the token's client_id
  std::int64_t created_us = 0;   // microseconds since the Unix epoch (PostgreSQL's precision)
  std::int64_t updated_us = 0;
};

// {"id","title","body","author":{"sub","client_id"},"created_at","updated_at"}
boost::json::object to_json(const post& p);

// RFC 3339 UTC with microseconds, e.g. 2026-11-26T17:50:31.123456Z.
std::string format_rfc3339_micros(std::int64_t unix_micros);

// ---- POST /api/posts ----------------------------------------------------------------
inline constexpr std::size_t max_title_chars = 200;
inline constexpr std::size_t max_body_bytes = 65536;
// Route body limit: a 64 KiB body field may grow six-fold under JSON escaping (\u00XX), plus
// room for the title and the punctuation; the 422 rule is enforced on the decoded field.
inline constexpr std::size_t max_request_bytes = 6 * max_body_bytes + 8 * 1024;

struct new_post {
  std::string title;
  std::string body;
};

// field → messages, as in {"errors":{"title":["..."]}}; ordered so responses are stable.
using field_errors = std::map<std::string, std::vector<std::string>>;

struct request_error {
  http::status status;       // 400 malformed JSON, 415 not JSON
  std::string error;         // invalid_request, unsupported_media_type
  std::string description;
};

// Parses and validates a create request. Both fields are required strings of valid UTF-8;
// title 1..200 Unicode characters and not blank; body at most 65,536 bytes (may be empty);
// neither may contain U+0000.
// Content-Type, when given, must be application/json (or a +json type).
std::variant<new_post, field_errors, request_error> parse_new_post(std::string_view content_type,
                                                                   std::string_view body);

boost::json::object errors_body(const field_errors& errors);

// ---- GET /api/posts -----------------------------------------------------------------
inline constexpr int default_page_size = 20;
inline constexpr int max_page_size = 100;

struct list_query {
  int limit = default_page_size;
  std::optional<std::string> cursor;  // still encoded
};

// From the raw query string: limit is 1..100 in plain decimal; cursor non-empty. A repeated
// parameter or a malformed query string is an error too. The error string is the description.
std::variant<list_query, std::string> parse_list_query(std::string_view query);

// ---- /api/posts/{id} ----------------------------------------------------------------
// Plain decimal without sign or leading zero, 1..INT64_MAX; anything else names no post (404).
std::optional<std::int64_t> parse_post_id(std::string_view text);

} // namespace oauth::resource
