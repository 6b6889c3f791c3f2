// The strict JSON reader of JWT headers and claims (common/jwt/detail/json).
// Invariants: whatever it accepts, Boost.JSON's own parser accepts with the same value (it is
// a stricter subset, never a different reading), the value has no repeated member name, and its
// serialization reads back as the same object.
#include "common/jwt/detail/json.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdint>

namespace json = boost::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = oauth::fuzz::as_text(data, size);
  auto parsed = oauth::jwt::detail::parse_object(text);
  if (!parsed) return 0;

  boost::system::error_code ec;
  json::parse_options lenient;
  lenient.max_depth = 64;
  json::value reference = json::parse(text, ec, {}, lenient);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(reference.is_object());
  FUZZ_CHECK(reference.as_object() == *parsed);

  auto again = oauth::jwt::detail::parse_object(json::serialize(*parsed));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *parsed);
  return 0;
}
