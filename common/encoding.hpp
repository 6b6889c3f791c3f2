#pragma once
// Byte encodings used at the edges: base64url (JWS, RFC 4648 §5), hex, percent-encoding.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth {

// base64url without padding (RFC 7515 §2).
std::string base64url_encode(std::span<const unsigned char> bytes);
std::string base64url_encode(std::string_view bytes);
// Strict: rejects padding, whitespace, characters outside the url-safe alphabet,
// impossible lengths (len % 4 == 1) and non-zero trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

// Standard base64 with padding (RFC 4648 §4), for HTTP Basic.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

std::string hex_encode(std::span<const unsigned char> bytes);
std::string hex_encode(std::string_view bytes);

// application/x-www-form-urlencoded component decoding ('+' is a space).
// nullopt on a malformed escape.
std::optional<std::string> form_decode(std::string_view text);
// RFC 3986 §2.1 percent-decoding, once: %HH in either case; '+' stays '+'. nullopt on a
// malformed escape ('%' not followed by two hex digits).
std::optional<std::string> percent_decode(std::string_view text);
// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
std::string url_encode(std::string_view text);

// Parses a form body or a query string into (name, value) pairs, in order.
// nullopt when any escape is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body);

// True when text is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool is_valid_utf8(std::string_view text);
// Number of code points in valid UTF-8 text.
std::size_t utf8_length(std::string_view text);

// True when text holds U+0000. No stored or compared text may (../shared/CONTRACT.md, "Hostile
// input"): PostgreSQL text cannot hold it and C APIs would read the text cut short at it.
inline bool contains_nul(std::string_view text) noexcept { return text.find('\0') != std::string_view::npos; }

// Constant-time comparison for secrets: the time depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace oauth
