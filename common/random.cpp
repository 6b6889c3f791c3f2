#include "common/random.hpp"

#include "common/encoding.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace oauth {

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::string random_token() { return base64url_encode(random_bytes(32)); }

namespace {

std::string format_uuid(unsigned char* b) {
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(36, '-');
  std::size_t pos = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
    out[pos++] = digits[b[i] >> 4];
    out[pos++] = digits[b[i] & 15];
  }
  return out;
}

} // namespace

std::string random_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  return format_uuid(b);
}

std::string random_request_id() {
  struct pool {
    unsigned char bytes[16 * 32];
    std::size_t used = sizeof bytes;
  };
  thread_local pool p;
  if (p.used == sizeof p.bytes) {
    if (RAND_bytes(p.bytes, sizeof p.bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    p.used = 0;
  }
  unsigned char* b = p.bytes + p.used;
  p.used += 16;
  return format_uuid(b);
}

} // namespace oauth
