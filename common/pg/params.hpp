#pragma once
// Statement parameters ($1, $2, ...) in text format; nullopt is SQL NULL.
// Values travel separately from the SQL text (PQsendQueryParams): never build SQL from input.
// A text value cannot hold a NUL byte: the connection refuses it (errc::invalid_parameter)
// rather than let it be cut short. Arbitrary bytes go to a bytea column as bytea_hex(bytes).
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace oauth::pg {

using params = std::vector<std::optional<std::string>>;

namespace detail {
inline std::optional<std::string> to_param(std::nullopt_t) { return std::nullopt; }
inline std::optional<std::string> to_param(std::optional<std::string> v) { return v; }
inline std::optional<std::string> to_param(std::string v) { return v; }
inline std::optional<std::string> to_param(std::string_view v) { return std::string(v); }
inline std::optional<std::string> to_param(const char* v) { return std::string(v); }
inline std::optional<std::string> to_param(bool v) { return v ? "true" : "false"; }
template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, char>)
std::optional<std::string> to_param(I v) { return std::to_string(v); }
} // namespace detail

// bytea's hex input form (a backslash, x, then two lower-case hex digits per byte): every byte,
// NUL included, reaches a bytea column intact.
inline std::string bytea_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0x0f]);
  }
  return out;
}

// args("a", std::nullopt, 42) builds a params vector. Handy inside co_await, where
// g++ 12 rejects a braced initializer list.
template <class... A>
params args(A&&... values) {
  params out;
  out.reserve(sizeof...(A));
  (out.push_back(detail::to_param(std::forward<A>(values))), ...);
  return out;
}

} // namespace oauth::pg
