#include "common/redis/script.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace oauth::redis {

script::script(std::string lua) : source_(std::move(lua)) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(source_.data(), source_.size(), md, &len, EVP_sha1(), nullptr) != 1)
    throw std::runtime_error("redis script: SHA-1 failed");
  static constexpr char hex[] = "0123456789abcdef";
  sha1_.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    sha1_.push_back(hex[md[i] >> 4]);
    sha1_.push_back(hex[md[i] & 0x0f]);
  }
}

} // namespace oauth::redis
