// The strict JSON reader of JWT headers and claims (common/jwt/detail/json).
// Invariants: whatever it accepts, Boost.JSON's own parser accepts with the same value (it is
// a stricter subset, never a different reading), the value has no repeated member name, and its
// serialization reads back as the same object (doubles within a few ulps: Boost.JSON 1.81's
// default number parsing is not correctly rounded, so "1.8442036857337202E50" reads back two
// ulps away; our reader adds no error of its own).
#include "common/jwt/detail/json.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace json = boost::json;

namespace {

bool same(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) {
    double x = a.get_double(), y = b.get_double();
    return std::abs(x - y) <= 4 * std::numeric_limits<double>::epsilon() * std::max(std::abs(x), std::abs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      auto it = y.find(kv.key());
      if (it == y.end() || !same(kv.value(), it->value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same(x[i], y[i])) return false;
    return true;
  }
  return a == b;
}

} // namespace

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
  FUZZ_CHECK(same(json::value(*again), json::value(*parsed)));
  return 0;
}
