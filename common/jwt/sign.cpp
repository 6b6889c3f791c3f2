#include "common/jwt/sign.hpp"

#include "common/encoding.hpp"
#include "common/jwt/detail/ecdsa.hpp"
#include "common/jwt/detail/key_impl.hpp"
#include "common/jwt/detail/openssl.hpp"
#include "common/jwt/detail/thread_contexts.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace oauth::jwt {
namespace {

// Large enough for an 8192-bit RSA signature, a DER ECDSA signature and an Ed25519 signature.
using signature_buffer = std::array<unsigned char, 1024>;

// Writes the raw JWS signature into out and returns its length.
std::size_t sign_into(const key& k, std::string_view input, signature_buffer& out) {
  if (!k.has_private()) throw std::invalid_argument("oauth::jwt::sign: the key has no private part");
  detail::error_queue_guard guard;
  EVP_PKEY* pkey = k.native_handle();
  std::size_t len = out.size();
  if (k.alg() == algorithm::eddsa) {  // Ed25519 signs the message itself: one-shot DigestSign
    detail::md_ctx_ptr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey) != 1 ||
        EVP_DigestSign(ctx.get(), out.data(), &len, detail::bytes(input), input.size()) != 1)
      throw std::runtime_error("oauth::jwt::sign: signing failed");
    return len;
  }
  // RS256, ES256: this thread's prepared context signs the SHA-256 digest.
  EVP_PKEY_CTX* ctx = detail::thread_sign_context(pkey, k.alg());
  unsigned char digest[32];
  if (ctx == nullptr || !detail::sha256(input, digest) || EVP_PKEY_sign(ctx, out.data(), &len, digest, sizeof digest) != 1)
    throw std::runtime_error("oauth::jwt::sign: signing failed");
  if (k.alg() != algorithm::es256) return len;
  auto raw = detail::es256_der_to_raw(std::string_view(reinterpret_cast<const char*>(out.data()), len));
  if (!raw) throw std::runtime_error("oauth::jwt::sign: unexpected ECDSA signature");
  std::copy(raw->begin(), raw->end(), out.begin());
  return raw->size();
}

std::size_t encoded_size(std::size_t n) { return (n * 4 + 2) / 3; }

} // namespace

namespace detail {

std::string encode_protected_header(algorithm alg, std::string_view typ, std::string_view kid) {
  std::string header;
  header.reserve(40 + typ.size() + kid.size());
  header += R"({"alg":")";
  header += name(alg);
  header += R"(","typ":)";
  header += boost::json::serialize(boost::json::string_view(typ.data(), typ.size()));
  header += R"(,"kid":)";
  header += boost::json::serialize(boost::json::string_view(kid.data(), kid.size()));
  header += '}';
  return base64url_encode(header);
}

} // namespace detail

std::string create_signature(const key& k, std::string_view signing_input) {
  signature_buffer buf;
  std::size_t len = sign_into(k, signing_input, buf);
  return std::string(reinterpret_cast<const char*>(buf.data()), len);
}

std::string sign(const key& k, const boost::json::object& claims, std::string_view typ) {
  const std::string& cached = k.internals().access_token_header;
  std::string other;
  if (typ != "at+jwt") other = detail::encode_protected_header(k.alg(), typ, k.kid());
  const std::string& header = typ == "at+jwt" ? cached : other;

  std::string payload = boost::json::serialize(claims);
  std::string token;
  token.reserve(header.size() + 2 + encoded_size(payload.size()) + encoded_size(std::max<std::size_t>(static_cast<std::size_t>(k.bits()) / 8, 64)));
  token += header;
  token += '.';
  token += base64url_encode(payload);

  signature_buffer buf;
  std::size_t len = sign_into(k, token, buf);
  token += '.';
  token += base64url_encode(std::span<const unsigned char>(buf.data(), len));
  return token;
}

} // namespace oauth::jwt
