// Form bodies, query strings and the token endpoint's body parameters (common/encoding's
// parse_form / form_decode, common/http/params).
// Input: a Content-Type line, then the body.
// Invariants: a parsed form re-serialized with url_encode parses to the same pairs;
// form_decode(url_encode(x)) == x for any bytes; media_type is idempotent; for a form body
// body_params holds exactly parse_form's pairs (first value wins in get, first_repeated names
// a name that really repeats).
#include "common/encoding.hpp"
#include "common/http/params.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <variant>

using namespace oauth;

namespace {

std::string serialize(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out;
  for (const auto& [k, v] : items) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

void check_form(std::string_view body) {
  auto items = parse_form(body);
  if (!items) return;
  auto again = parse_form(serialize(*items));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *items);
}

void check_body_params(std::string_view content_type, std::string_view body) {
  auto type = http::media_type(content_type);
  FUZZ_CHECK(http::media_type(type) == type);

  auto result = http::parse_body_params(content_type, body);
  auto* params = std::get_if<http::body_params>(&result);
  if (params == nullptr) return;
  if (auto repeated = params->first_repeated()) FUZZ_CHECK(params->get(*repeated).has_value());
  if (type != "application/x-www-form-urlencoded") return;
  auto items = parse_form(body);
  FUZZ_CHECK(items.has_value());
  std::set<std::string> seen;
  for (const auto& [k, v] : *items) {
    if (!seen.insert(k).second) continue;
    auto got = params->get(k);
    FUZZ_CHECK(got.has_value() && *got == v);
  }
  FUZZ_CHECK(params->first_repeated().has_value() == (seen.size() != items->size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = oauth::fuzz::as_text(data, size);
  auto decoded = form_decode(url_encode(text));
  FUZZ_CHECK(decoded.has_value() && *decoded == text);

  check_form(text);
  auto rest = text;
  auto content_type = oauth::fuzz::take_line(rest);
  check_form(rest);
  check_body_params(content_type, rest);
  return 0;
}
