// The pagination cursor of GET /api/posts (resource-service/cursor), an opaque value the client
// sends back.
// Invariants: decoding is canonical (encode(decode(x)) == x, so one position has one spelling)
// and any cursor within the accepted range survives encode then decode. The second one is fed
// from the raw input bytes read as two big-endian int64s.
#include "resource-service/cursor.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstdint>

using namespace oauth::resource;

namespace {

std::int64_t read64(const std::uint8_t* p) {
  std::uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];
  return static_cast<std::int64_t>(u);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = oauth::fuzz::as_text(data, size);
  if (auto c = decode_cursor(text)) {
    FUZZ_CHECK(c->id >= 1 && c->created_us >= 0);
    FUZZ_CHECK(encode_cursor(*c) == text);
  }
  if (size >= 16) {
    post_cursor c{read64(data), read64(data + 8)};
    auto back = decode_cursor(encode_cursor(c));
    bool in_range = c.id >= 1 && c.created_us >= 0 && c.created_us <= 253402300799999999;
    FUZZ_CHECK(back.has_value() == in_range);
    if (back) FUZZ_CHECK(*back == c);
  }
  return 0;
}
