#include "auth-service/session/return_to.hpp"

#include "common/encoding.hpp"

namespace oauth::auth {
namespace {

// Exactly one leading '/': "//host" and "/" + backslash + "host" leave the origin.
bool starts_as_local_path(std::string_view s) noexcept {
  return !s.empty() && s[0] == '/' && !(s.size() > 1 && (s[1] == '/' || s[1] == '\\'));
}

// The value as sent: printable ASCII, no backslash.
bool is_local_path_text(std::string_view s) noexcept {
  if (!starts_as_local_path(s)) return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7E || c == '\\') return false;
  return true;
}

// The path once decoded: no control character, no backslash (a space or a UTF-8 byte is
// harmless there, since the value itself stays encoded).
bool is_decoded_local_path(std::string_view s) noexcept {
  if (!starts_as_local_path(s)) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F || c == '\\') return false;
  return true;
}

} // namespace

std::string sanitize_return_to(std::string_view value) {
  const std::string fallback = "/";
  if (value.size() > max_return_to_length || !is_local_path_text(value)) return fallback;
  if (!percent_decode(value)) return fallback;  // a malformed escape anywhere
  // Only the path is judged decoded: the query stays opaque (the client's state).
  auto decoded_path = percent_decode(value.substr(0, value.find_first_of("?#")));
  if (!decoded_path || !is_decoded_local_path(*decoded_path)) return fallback;
  return std::string(value);
}

} // namespace oauth::auth
