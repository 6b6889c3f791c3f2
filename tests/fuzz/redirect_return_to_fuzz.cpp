// Where the browser flow sends people: redirect URI matching (auth-service/authorize/
// redirect_uri), /login's return_to (auth-service/session/return_to) and the CSP source named
// for a redirect URI (auth-service/pages csp_source_of).
// Input: two strings, the first line and the rest (a registered and a presented URI; each also
// as a return_to and as a redirect URI for the CSP).
// Invariants:
//  - redirect_uri_matches(x, x) for every x registered_redirect_uri_problem accepts; never a
//    match when the presented URI holds '#' or NUL; a match between different strings is the
//    loopback rule (http://127.0.0.1 or http://[::1] on both sides), and is symmetric;
//  - sanitize_return_to gives "/" or its input unchanged; the result is printable ASCII, never
//    starts with "//" or "/\", and percent-decoded once still starts with neither;
//  - csp_source_of gives "" or a prefix of its input without space, quote, ';', ',' or any
//    byte outside printable ASCII, and adds no directive to page_csp.
#include "auth-service/authorize/redirect_uri.hpp"
#include "auth-service/pages/pages.hpp"
#include "auth-service/session/return_to.hpp"
#include "common/encoding.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace oauth;
using namespace oauth::auth;

namespace {

bool loopback_http(std::string_view uri) { return uri.starts_with("http://127.0.0.1") || uri.starts_with("http://[::1]"); }

void check_registered(std::string_view uri) {
  if (!registered_redirect_uri_problem(uri)) FUZZ_CHECK(redirect_uri_matches(uri, uri));
}

void check_match(std::string_view registered, std::string_view presented) {
  bool m = redirect_uri_matches(registered, presented);
  if (presented.find('#') != std::string_view::npos || presented.find('\0') != std::string_view::npos ||
      presented.empty())
    FUZZ_CHECK(!m);
  if (m && registered != presented) {
    FUZZ_CHECK(loopback_http(registered) && loopback_http(presented));
    FUZZ_CHECK(redirect_uri_matches(presented, registered));
  }
}

void check_return_to(std::string_view value) {
  auto r = sanitize_return_to(value);
  FUZZ_CHECK(r == "/" || r == value);
  FUZZ_CHECK(!r.empty() && r[0] == '/');
  FUZZ_CHECK(!r.starts_with("//") && !r.starts_with("/\\"));
  for (unsigned char c : r) FUZZ_CHECK(c >= 0x21 && c <= 0x7E);
  auto decoded = percent_decode(r);
  FUZZ_CHECK(decoded.has_value());
  FUZZ_CHECK(!decoded->starts_with("//") && !decoded->starts_with("/\\"));
}

void check_csp(std::string_view uri) {
  auto source = pages::csp_source_of(uri);
  if (source.empty()) return;
  FUZZ_CHECK(uri.starts_with(source));
  for (unsigned char c : source) {
    FUZZ_CHECK(c > 0x20 && c < 0x7F);
    FUZZ_CHECK(c != '"' && c != '\'' && c != ';' && c != ',');
  }
  std::vector<std::string> targets{source};
  auto with = pages::page_csp(targets);
  auto without = pages::page_csp();
  FUZZ_CHECK(std::count(with.begin(), with.end(), ';') == std::count(without.begin(), without.end(), ';'));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto rest = oauth::fuzz::as_text(data, size);
  auto first = oauth::fuzz::take_line(rest);
  auto second = rest;

  check_registered(first);
  check_registered(second);
  check_match(first, second);
  check_match(second, first);

  check_return_to(first);
  check_return_to(second);

  check_csp(first);
  check_csp(second);
  return 0;
}
