// The Cookie header reader of the first-party endpoints (auth-service/routes/first_party_security).
// Input: a Cookie header.
// Invariants: a value found is a piece of the header without ';'; a token of cookie-octets
// (RFC 6265 §4.1.1) set by refresh_cookie, or placed among other cookies, reads back unchanged;
// X-Forwarded-Proto parsing never depends on anything after the first comma.
#include "auth-service/routes/first_party_security.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <chrono>
#include <cstdint>
#include <string>

using namespace oauth::auth::first_party;

namespace {

bool cookie_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
         (c >= 0x5D && c <= 0x7E);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto header = oauth::fuzz::as_text(data, size);
  if (auto value = cookie_value(header, refresh_cookie_name)) {
    FUZZ_CHECK(value->find(';') == std::string::npos);
    FUZZ_CHECK(header.find(*value) != std::string_view::npos);
  }

  std::string token;
  for (unsigned char c : header)
    if (cookie_octet(c)) token.push_back(static_cast<char>(c));
  if (!token.empty()) {
    auto set = refresh_cookie(token, std::chrono::seconds(60), true);
    FUZZ_CHECK(cookie_value(set, refresh_cookie_name) == token);
    std::string request = "theme=dark; " + std::string(refresh_cookie_name) + "=" + token + "; lang=en";
    FUZZ_CHECK(cookie_value(request, refresh_cookie_name) == token);
  }

  auto comma = header.find(',');
  if (comma != std::string_view::npos)
    FUZZ_CHECK(forwarded_https(header) == forwarded_https(header.substr(0, comma)));
  return 0;
}
