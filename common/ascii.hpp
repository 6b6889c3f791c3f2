#pragma once
// Case-insensitive comparison of ASCII protocol tokens (HTTP auth schemes, Cache-Control
// directives, JOSE "typ" values): locale-free and without allocation. Bytes outside A-Z are
// compared as they are, so no non-ASCII text ever matches an ASCII token by folding.
#include <string_view>

namespace oauth {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

} // namespace oauth
