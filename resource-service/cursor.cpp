#include "resource-service/cursor.hpp"

#include "common/encoding.hpp"

namespace oauth::resource {
namespace {

constexpr unsigned char version = 0x01;
constexpr std::size_t wire_size = 17;
// 9999-12-31T23:59:59.999999Z
constexpr std::int64_t max_time_us = 253402300799999999;

void put64(std::string& out, std::int64_t v) {
  auto u = static_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
}

std::int64_t get64(std::string_view in) {
  std::uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  return static_cast<std::int64_t>(u);
}

} // namespace

std::string encode_cursor(const post_cursor& c) {
  std::string raw;
  raw.reserve(wire_size);
  raw.push_back(static_cast<char>(version));
  put64(raw, c.created_us);
  put64(raw, c.id);
  return base64url_encode(raw);
}

std::optional<post_cursor> decode_cursor(std::string_view text) {
  // 17 bytes are 23 base64url characters; checking first bounds the work on hostile input.
  if (text.size() != 23) return std::nullopt;
  auto raw = base64url_decode(text);
  if (!raw || raw->size() != wire_size || static_cast<unsigned char>((*raw)[0]) != version) return std::nullopt;
  post_cursor c{get64(std::string_view(*raw).substr(1, 8)), get64(std::string_view(*raw).substr(9, 8))};
  if (c.id < 1 || c.created_us < 0 || c.created_us > max_time_us) return std::nullopt;
  return c;
}

} // namespace oauth::resource
