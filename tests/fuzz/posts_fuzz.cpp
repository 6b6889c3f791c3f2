// The posts API's request readers (resource-service/post): the JSON body of POST /api/posts,
// the query of GET /api/posts and the {id} of /api/posts/{id}.
// Input: a Content-Type line, then the body (also read as a query string and as an id).
// Invariants: an accepted post has valid UTF-8 fields without NUL, within their limits and a non-blank title,
// and re-serialized as JSON it is accepted again unchanged; field errors always render; a list
// query's limit is within 1..100 and its cursor non-empty; an accepted id prints back as the
// same text.
#include "common/encoding.hpp"
#include "resource-service/post.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <string>
#include <variant>

using namespace oauth;
using namespace oauth::resource;

namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

void check_post(std::string_view content_type, std::string_view body) {
  auto result = parse_new_post(content_type, body);
  if (auto* errors = std::get_if<field_errors>(&result)) {
    FUZZ_CHECK(!errors->empty());
    auto rendered = boost::json::serialize(errors_body(*errors));
    FUZZ_CHECK(!rendered.empty());
    return;
  }
  auto* post = std::get_if<new_post>(&result);
  if (post == nullptr) return;
  FUZZ_CHECK(is_valid_utf8(post->title) && is_valid_utf8(post->body));
  auto chars = utf8_length(post->title);
  FUZZ_CHECK(chars >= 1 && chars <= max_title_chars && !blank(post->title));
  FUZZ_CHECK(post->body.size() <= max_body_bytes);
  // NUL is never stored (it would be cut short by the database): refused at validation.
  FUZZ_CHECK(post->title.find('\0') == std::string::npos && post->body.find('\0') == std::string::npos);

  boost::json::object again{{"title", post->title}, {"body", post->body}};
  auto reparsed = parse_new_post("application/json", boost::json::serialize(again));
  auto* same = std::get_if<new_post>(&reparsed);
  FUZZ_CHECK(same != nullptr && same->title == post->title && same->body == post->body);
}

void check_query(std::string_view query) {
  auto result = parse_list_query(query);
  auto* q = std::get_if<list_query>(&result);
  if (q == nullptr) return;
  FUZZ_CHECK(q->limit >= 1 && q->limit <= max_page_size);
  FUZZ_CHECK(!q->cursor || !q->cursor->empty());
}

void check_id(std::string_view text) {
  if (auto id = parse_post_id(text)) FUZZ_CHECK(*id >= 1 && std::to_string(*id) == text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = oauth::fuzz::as_text(data, size);
  auto body = text;
  auto content_type = oauth::fuzz::take_line(body);
  check_post(content_type, body);
  check_query(text);
  check_id(text);
  return 0;
}
