#include "auth-service/storage/refresh_token_crypto.hpp"

#include "common/digest.hpp"
#include "common/encoding.hpp"
#include "common/random.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace oauth::auth {
namespace {

constexpr std::string_view grace_label = "oauth2 refresh grace key v1";
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;

using key_bytes = std::array<unsigned char, 32>;

struct key_guard {
  key_bytes bytes{};
  ~key_guard() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

void derive_grace_key(std::string_view token, key_guard& out) { hmac_sha256(token, grace_label, out.bytes); }

struct ctx_deleter {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

} // namespace

std::string refresh_token_hash(std::string_view token) {
  const auto digest = sha256(token);
  return hex_encode(std::span<const unsigned char>(digest.data(), digest.size()));
}

std::string seal_successor(std::string_view presented_token, std::string_view successor_token) {
  key_guard key;
  derive_grace_key(presented_token, key);
  const std::string aad = refresh_token_hash(presented_token);
  const std::string nonce = random_bytes(nonce_size);

  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  std::string out(nonce_size + successor_token.size() + tag_size, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::copy(nonce.begin(), nonce.end(), out.begin());
  int n = 0;
  int total = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o + nonce_size, &n, bytes(successor_token),
                        static_cast<int>(successor_token.size())) != 1)
    throw std::runtime_error("AES-256-GCM encryption failed");
  total = n;
  if (EVP_EncryptFinal_ex(ctx.get(), o + nonce_size + total, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                          o + nonce_size + successor_token.size()) != 1)
    throw std::runtime_error("AES-256-GCM encryption failed");
  return base64url_encode(out);
}

std::optional<std::string> open_successor(std::string_view presented_token, std::string_view sealed) {
  auto raw = base64url_decode(sealed);
  if (!raw || raw->size() < nonce_size + tag_size) return std::nullopt;
  key_guard key;
  derive_grace_key(presented_token, key);
  const std::string aad = refresh_token_hash(presented_token);
  const std::size_t ct_size = raw->size() - nonce_size - tag_size;
  const auto* in = reinterpret_cast<const unsigned char*>(raw->data());

  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  std::string plain(ct_size, '\0');
  auto* p = reinterpret_cast<unsigned char*>(plain.data());
  int n = 0;
  std::array<unsigned char, tag_size> tag{};
  std::copy(in + nonce_size + ct_size, in + raw->size(), tag.begin());
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), p, &n, in + nonce_size, static_cast<int>(ct_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size), tag.data()) != 1)
    return std::nullopt;
  int final_n = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), p + n, &final_n) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }
  return plain;
}

} // namespace oauth::auth
