#pragma once
// FUZZ_CHECK(cond): an invariant of a harness. A violated invariant aborts, so libFuzzer
// records the input as a crash (and -fsanitize builds print the stack).
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                        \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond);      \
      std::abort();                                                                             \
    }                                                                                           \
  } while (false)

namespace oauth::fuzz {

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits off the first line (without its '\n'); the rest follows the newline. Harnesses that
// take two inputs (a header and a body) read them this way so seeds stay readable text.
inline std::string_view take_line(std::string_view& text) {
  auto nl = text.find('\n');
  auto line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  return line;
}

} // namespace oauth::fuzz
