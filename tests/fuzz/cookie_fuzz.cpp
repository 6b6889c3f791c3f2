// The Cookie header reader of the first-party endpoints (auth-service/routes/first_party_security).
// Input: a Cookie header.
// Invariants: a value found is a piece of the header without ';'; a token of cookie-octets
// (RFC 6265 §4.1.1) set by refresh_cookie, or placed among other cookies, reads back unchanged;
// X-Forwarded-Proto parsing never depends on anything after the first comma.
#include "auth-service/routes/first_party_security.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

using namespace oauth::auth::first_party;

namespace {

bool cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
         (c >= 0x5D && c <= 0x7E);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto header = oauth::fuzz::as_text(data, size);
  // The input as one or more Cookie headers, one per line.
  std::vector<std::string_view> headers;
  for (std::string_view rest = header;;) {
    auto nl = rest.find('\n');
    headers.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  auto found = find_single_cookie(headers, refresh_cookie_name);
  if (found.what == single_cookie::kind::one) {
    FUZZ_CHECK(found.value.find(';') == std::string::npos);
    FUZZ_CHECK(header.find(found.value) != std::string_view::npos);
  } else {
    FUZZ_CHECK(found.value.empty());
  }
  // The same headers twice: never a single cookie once one was there (cookie tossing).
  if (found.what != single_cookie::kind::absent) {
    std::vector<std::string_view> twice(headers);
    twice.insert(twice.end(), headers.begin(), headers.end());
    FUZZ_CHECK(find_single_cookie(twice, refresh_cookie_name).what == single_cookie::kind::repeated);
  }

  std::string token;
  for (unsigned char c : header)
    if (cookie_octet(c)) token.push_back(static_cast<char>(c));
  if (!token.empty()) {
    auto set = refresh_cookie(token, std::chrono::seconds(60), true);
    std::string_view set_view = set;
    auto from_set = find_single_cookie(std::span(&set_view, 1), refresh_cookie_name);
    FUZZ_CHECK(from_set.what == single_cookie::kind::one && from_set.value == token);
    std::string request = "theme=dark; " + std::string(refresh_cookie_name) + "=" + token + "; lang=en";
    std::string_view request_view = request;
    auto from_request = find_single_cookie(std::span(&request_view, 1), refresh_cookie_name);
    FUZZ_CHECK(from_request.what == single_cookie::kind::one && from_request.value == token);
  }

  auto comma = header.find(',');
  if (comma != std::string_view::npos)
    FUZZ_CHECK(forwarded_https(header) == forwarded_https(header.substr(0, comma)));
  return 0;
}
