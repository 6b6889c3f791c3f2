#include "common/jwt/detail/json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <cmath>

namespace oauth::jwt::detail {
namespace {

namespace json = boost::json;
using json_error = boost::system::error_code;

// Builds the value like boost::json::parser does, and counts the members the text contains.
struct counting_handler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::size_t members = 0;

  counting_handler(unsigned char* buffer, std::size_t size) : st(json::storage_ptr(), buffer, size) {}

  bool on_document_begin(json_error&) { return true; }
  bool on_document_end(json_error&) { return true; }
  bool on_object_begin(json_error&) { return true; }
  bool on_object_end(std::size_t n, json_error&) {
    members += n;
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json_error&) { return true; }
  bool on_array_end(std::size_t n, json_error&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json_error&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json_error&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json_error&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json_error&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json_error&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json_error&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json_error&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json_error& ec) {
    // A literal beyond double's range (1e400) reads as infinity, which no JSON text can
    // express: serialized again it would be "Infinity", not JSON. Refuse it here.
    if (!std::isfinite(d)) {
      ec = json::error::exponent_overflow;
      return false;
    }
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json_error&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json_error&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json_error&) { return true; }
  bool on_comment(json::string_view, json_error&) { return true; }
};

// Members actually kept: fewer than parsed means a name was repeated somewhere.
std::size_t count_members(const json::value& v) {
  std::size_t n = 0;
  if (auto o = v.if_object()) {
    n += o->size();
    for (const auto& kv : *o) n += count_members(kv.value());
  } else if (auto a = v.if_array()) {
    for (const auto& e : *a) n += count_members(e);
  }
  return n;
}

} // namespace

std::optional<boost::json::object> parse_object(std::string_view text) {
  json::parse_options opt;
  opt.max_depth = 16;  // JOSE headers and access-token claims are shallow
  unsigned char temp[512];
  json::basic_parser<counting_handler> p(opt, temp, sizeof temp);
  p.handler().st.reset();
  json_error ec;
  std::size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (ec || n != text.size() || !p.done()) return std::nullopt;
  json::value v = p.handler().st.release();
  if (!v.is_object()) return std::nullopt;
  if (count_members(v) != p.handler().members) return std::nullopt;
  return std::optional<json::object>(std::move(v.as_object()));
}

} // namespace oauth::jwt::detail
