#include "common/jwt/key.hpp"

#include "common/digest.hpp"
#include "common/encoding.hpp"
#include "common/jwt/detail/key_impl.hpp"
#include "common/jwt/detail/openssl.hpp"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <climits>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace oauth::jwt {
namespace {

namespace json = boost::json;
using detail::bio_ptr;
using detail::bn_ptr;
using detail::pkey_ctx_ptr;
using detail::pkey_ptr;

constexpr int min_rsa_bits = 2048;
constexpr int max_rsa_bits = 8192;  // verification cost grows with the modulus; nobody needs more
constexpr std::size_t ed25519_key_bytes = 32;
constexpr std::size_t p256_coordinate_bytes = 32;


// Unsigned big-endian, minimal octets (Base64urlUInt, RFC 7518 §2).
std::string bn_to_b64(const BIGNUM* bn) {
  std::string buf(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(buf.data()));
  return base64url_encode(buf);
}

std::optional<std::string> bn_param_b64(EVP_PKEY* p, const char* name, int pad_to = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(p, name, &raw) != 1) return std::nullopt;
  bn_ptr bn(raw);
  if (pad_to == 0) return bn_to_b64(bn.get());
  std::string buf(static_cast<std::size_t>(pad_to), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(buf.data()), pad_to) != pad_to) return std::nullopt;
  return base64url_encode(buf);
}

bool has_bn_param(EVP_PKEY* p, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(p, name, &raw) != 1) return false;
  BN_clear_free(raw);
  return true;
}

bool has_private_part(EVP_PKEY* p, algorithm alg) {
  switch (alg) {
    case algorithm::rs256: return has_bn_param(p, OSSL_PKEY_PARAM_RSA_D);
    case algorithm::es256: return has_bn_param(p, OSSL_PKEY_PARAM_PRIV_KEY);
    case algorithm::eddsa: {
      std::size_t len = 0;
      return EVP_PKEY_get_raw_private_key(p, nullptr, &len) == 1 && len == ed25519_key_bytes;
    }
  }
  return false;
}

bool public_check(EVP_PKEY* p) {
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, p, nullptr));
  return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

std::string sha256_b64(std::string_view data) {
  const auto md = sha256(data);
  return base64url_encode(md);
}

// RFC 7638 §3.2: required members only, lexicographic order, no whitespace. Every value is a
// base64url string or a fixed name, so nothing needs escaping.
std::string compute_thumbprint(const key::impl& k) {
  std::string canonical;
  switch (k.alg) {
    case algorithm::rs256:
      canonical = R"({"e":")" + k.e + R"(","kty":"RSA","n":")" + k.n + R"("})";
      break;
    case algorithm::es256:
      canonical = R"({"crv":")" + k.crv + R"(","kty":"EC","x":")" + k.x + R"(","y":")" + k.y + R"("})";
      break;
    case algorithm::eddsa:
      canonical = R"({"crv":")" + k.crv + R"(","kty":"OKP","x":")" + k.x + R"("})";
      break;
  }
  return sha256_b64(canonical);
}

// Classifies the key, applies the policy and fills every cached member.
result<key::impl> make_impl(pkey_ptr pkey, bool want_private, std::optional<std::string> kid) {
  EVP_PKEY* p = pkey.get();
  key::impl k;
  if (EVP_PKEY_is_a(p, "RSA")) {
    k.alg = algorithm::rs256;
    k.bits = EVP_PKEY_get_bits(p);
    if (k.bits < min_rsa_bits || k.bits > max_rsa_bits) return errc::bad_key;
    // e odd, 65537 <= e < 2^64 (FIPS 186-5 §A.1.1 asks for at least 65537; larger is pointless).
    BIGNUM* raw_e = nullptr;
    if (EVP_PKEY_get_bn_param(p, OSSL_PKEY_PARAM_RSA_E, &raw_e) != 1) return errc::bad_key;
    bn_ptr bn_e(raw_e);
    if (!BN_is_odd(bn_e.get()) || BN_num_bits(bn_e.get()) < 17 || BN_num_bits(bn_e.get()) > 64) return errc::bad_key;
    auto n = bn_param_b64(p, OSSL_PKEY_PARAM_RSA_N);
    auto e = bn_param_b64(p, OSSL_PKEY_PARAM_RSA_E);
    if (!n || !e) return errc::bad_key;
    k.n = std::move(*n);
    k.e = std::move(*e);
  } else if (EVP_PKEY_is_a(p, "EC")) {
    k.alg = algorithm::es256;
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(p, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1)
      return errc::unsupported_key;  // e.g. explicit curve parameters
    std::string_view g(group, len);
    if (g != "prime256v1" && g != "P-256" && g != "secp256r1") return errc::unsupported_key;
    k.bits = EVP_PKEY_get_bits(p);
    k.crv = "P-256";
    auto x = bn_param_b64(p, OSSL_PKEY_PARAM_EC_PUB_X, p256_coordinate_bytes);
    auto y = bn_param_b64(p, OSSL_PKEY_PARAM_EC_PUB_Y, p256_coordinate_bytes);
    if (!x || !y || !public_check(p)) return errc::bad_key;
    k.x = std::move(*x);
    k.y = std::move(*y);
  } else if (EVP_PKEY_is_a(p, "ED25519")) {
    k.alg = algorithm::eddsa;
    k.bits = EVP_PKEY_get_bits(p);
    k.crv = "Ed25519";
    unsigned char pub[ed25519_key_bytes];
    std::size_t len = sizeof pub;
    if (EVP_PKEY_get_raw_public_key(p, pub, &len) != 1 || len != ed25519_key_bytes) return errc::bad_key;
    k.x = base64url_encode(std::span<const unsigned char>(pub, len));
  } else {
    return errc::unsupported_key;
  }
  if (k.alg == algorithm::rs256 && !public_check(p)) return errc::bad_key;
  k.has_private = want_private && has_private_part(p, k.alg);
  if (want_private && !k.has_private) return errc::bad_key;
  k.thumbprint = compute_thumbprint(k);
  k.kid = kid ? std::move(*kid) : k.thumbprint;
  k.access_token_header = detail::encode_protected_header(k.alg, "at+jwt", k.kid);
  k.pkey = std::move(pkey);
  return k;
}

int refuse_passphrase(char*, int, int, void*) { return -1; }  // encrypted PEM: refuse, never prompt

std::string drain(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) throw std::runtime_error("oauth::jwt: PEM encoding failed");
  return std::string(data, static_cast<std::size_t>(len));
}

// ---- JWK members -------------------------------------------------------------------------

enum class member_state { absent, not_string, present };

member_state get_string(const json::object& o, std::string_view name, std::string_view& out) {
  auto it = o.find(name);
  if (it == o.end()) return member_state::absent;
  auto s = it->value().if_string();
  if (s == nullptr) return member_state::not_string;
  out = std::string_view(s->data(), s->size());
  return member_state::present;
}

std::optional<std::string> decode_member(const json::object& o, std::string_view name) {
  std::string_view text;
  if (get_string(o, name, text) != member_state::present) return std::nullopt;
  return base64url_decode(text);
}

result<pkey_ptr> fromdata(const char* type, const OSSL_PARAM* params) {
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) != 1)
    return errc::bad_key;
  return pkey_ptr(raw);
}

result<pkey_ptr> rsa_from_jwk(const json::object& jwk) {
  auto n = decode_member(jwk, "n");
  auto e = decode_member(jwk, "e");
  // Minimal octets (RFC 7518 §6.3.1.1): no leading zero, so that one key has one thumbprint.
  if (!n || !e || n->empty() || e->empty() || (*n)[0] == '\0' || (*e)[0] == '\0' || e->size() > 8)
    return errc::bad_key;
  if (n->size() * 8 < static_cast<std::size_t>(min_rsa_bits) || n->size() * 8 > static_cast<std::size_t>(max_rsa_bits))
    return errc::bad_key;
  bn_ptr bn_n(BN_bin2bn(detail::bytes(*n), static_cast<int>(n->size()), nullptr));
  bn_ptr bn_e(BN_bin2bn(detail::bytes(*e), static_cast<int>(e->size()), nullptr));
  detail::param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    return errc::bad_key;
  detail::params_ptr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return errc::bad_key;
  return fromdata("RSA", params.get());
}

result<pkey_ptr> ec_from_jwk(const json::object& jwk) {
  auto x = decode_member(jwk, "x");
  auto y = decode_member(jwk, "y");
  // Full-size coordinates (RFC 7518 §6.2.1.2).
  if (!x || !y || x->size() != p256_coordinate_bytes || y->size() != p256_coordinate_bytes) return errc::bad_key;
  std::string point = '\x04' + *x + *y;  // uncompressed SEC1 point
  char group[] = "P-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  return fromdata("EC", params);  // import rejects points off the curve; make_impl checks fully
}

result<pkey_ptr> okp_from_jwk(const json::object& jwk) {
  auto x = decode_member(jwk, "x");
  if (!x || x->size() != ed25519_key_bytes) return errc::bad_key;
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, detail::bytes(*x), x->size());
  if (raw == nullptr) return errc::bad_key;
  return pkey_ptr(raw);
}

} // namespace

// ---- key ---------------------------------------------------------------------------------

result<key> key::generate(algorithm alg, int rsa_bits) {
  detail::error_queue_guard guard;
  EVP_PKEY* raw = nullptr;
  switch (alg) {
    case algorithm::rs256:
      if (rsa_bits != 2048 && rsa_bits != 3072 && rsa_bits != 4096) return errc::bad_key;
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits));
      break;
    case algorithm::es256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case algorithm::eddsa: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  if (raw == nullptr) throw std::runtime_error("oauth::jwt: key generation failed");
  auto k = make_impl(pkey_ptr(raw), true, std::nullopt);
  if (!k) return k.error();
  return key(std::make_shared<const impl>(std::move(*k)));
}

result<key> key::from_pem(std::string_view pem) {
  detail::error_queue_guard guard;
  if (pem.empty() || pem.size() > INT_MAX) return errc::bad_key;
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw std::bad_alloc();
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, nullptr);
  bool is_private = raw != nullptr;
  if (raw == nullptr) {
    bio.reset(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) throw std::bad_alloc();
    raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, refuse_passphrase, nullptr);
  }
  if (raw == nullptr) return errc::bad_key;
  auto k = make_impl(pkey_ptr(raw), is_private, std::nullopt);
  if (!k) return k.error();
  return key(std::make_shared<const impl>(std::move(*k)));
}

result<key> key::from_jwk(const boost::json::object& jwk) {
  detail::error_queue_guard guard;
  std::string_view kty, alg_name, crv, use, kid;
  if (get_string(jwk, "kty", kty) != member_state::present) return errc::bad_key;
  if (kty != "RSA" && kty != "EC" && kty != "OKP") return errc::unsupported_key;
  // A published key must never carry private material (RFC 7517 §4, §6.3.2, §6.2.2, §6.4).
  for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
    if (jwk.contains(priv)) return errc::bad_key;

  switch (get_string(jwk, "use", use)) {
    case member_state::absent: break;
    case member_state::not_string: return errc::bad_key;
    case member_state::present:
      if (use != "sig") return errc::unsupported_key;  // "enc" keys are not ours to use
  }
  if (auto it = jwk.find("key_ops"); it != jwk.end()) {
    auto ops = it->value().if_array();
    if (ops == nullptr) return errc::bad_key;
    bool verify = false;
    for (const auto& op : *ops) {
      if (!op.is_string()) return errc::bad_key;
      verify = verify || op.get_string() == "verify";
    }
    if (!verify) return errc::unsupported_key;
  }

  switch (get_string(jwk, "alg", alg_name)) {
    case member_state::absent: return errc::unsupported_key;  // no algorithm to bind the key to
    case member_state::not_string: return errc::bad_key;
    case member_state::present: break;
  }
  auto alg = parse_algorithm(alg_name);
  if (!alg) return errc::unsupported_key;

  std::optional<std::string> explicit_kid;
  switch (get_string(jwk, "kid", kid)) {
    case member_state::absent: break;
    case member_state::not_string: return errc::bad_key;
    case member_state::present:
      if (kid.empty()) return errc::bad_key;
      explicit_kid = std::string(kid);
  }

  result<pkey_ptr> pkey = errc::unsupported_key;
  if (kty == "RSA") {
    if (*alg != algorithm::rs256) return errc::key_algorithm_mismatch;
    pkey = rsa_from_jwk(jwk);
  } else {
    auto crv_state = get_string(jwk, "crv", crv);
    if (crv_state == member_state::absent || crv_state == member_state::not_string) return errc::bad_key;
    if (kty == "EC") {
      if (crv != "P-256") return *alg == algorithm::es256 ? errc::key_algorithm_mismatch : errc::unsupported_key;
      if (*alg != algorithm::es256) return errc::key_algorithm_mismatch;
      pkey = ec_from_jwk(jwk);
    } else {
      if (crv != "Ed25519") return *alg == algorithm::eddsa ? errc::key_algorithm_mismatch : errc::unsupported_key;
      if (*alg != algorithm::eddsa) return errc::key_algorithm_mismatch;
      pkey = okp_from_jwk(jwk);
    }
  }
  if (!pkey) return pkey.error();
  auto k = make_impl(std::move(*pkey), false, std::move(explicit_kid));
  if (!k) return k.error();
  if (k->alg != *alg) return errc::key_algorithm_mismatch;
  return key(std::make_shared<const impl>(std::move(*k)));
}

algorithm key::alg() const noexcept { return impl_->alg; }
const std::string& key::kid() const noexcept { return impl_->kid; }
bool key::has_private() const noexcept { return impl_->has_private; }
int key::bits() const noexcept { return impl_->bits; }
EVP_PKEY* key::native_handle() const noexcept { return impl_->pkey.get(); }

std::string key::private_pem() const {
  if (!impl_->has_private) throw std::logic_error("oauth::jwt::key::private_pem: public key");
  detail::error_queue_guard guard;
  bio_ptr bio(BIO_new(BIO_s_secmem()));  // wiped when freed
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("oauth::jwt: PEM encoding failed");
  return drain(bio.get());
}

std::string key::public_pem() const {
  detail::error_queue_guard guard;
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1)
    throw std::runtime_error("oauth::jwt: PEM encoding failed");
  return drain(bio.get());
}

boost::json::object key::public_jwk() const {
  const impl& k = *impl_;
  json::object o;
  switch (k.alg) {
    case algorithm::rs256:
      o["kty"] = "RSA";
      o["n"] = k.n;
      o["e"] = k.e;
      break;
    case algorithm::es256:
      o["kty"] = "EC";
      o["crv"] = k.crv;
      o["x"] = k.x;
      o["y"] = k.y;
      break;
    case algorithm::eddsa:
      o["kty"] = "OKP";
      o["crv"] = k.crv;
      o["x"] = k.x;
      break;
  }
  o["alg"] = name(k.alg);
  o["use"] = "sig";
  o["kid"] = k.kid;
  return o;
}

key key::public_key() const {
  if (!impl_->has_private) return *this;
  detail::error_queue_guard guard;
  OSSL_PARAM* raw_params = nullptr;
  if (EVP_PKEY_todata(impl_->pkey.get(), EVP_PKEY_PUBLIC_KEY, &raw_params) != 1)
    throw std::runtime_error("oauth::jwt: public key export failed");
  detail::params_ptr params(raw_params);
  const char* type = impl_->alg == algorithm::rs256 ? "RSA" : impl_->alg == algorithm::es256 ? "EC" : "ED25519";
  auto pkey = fromdata(type, params.get());
  if (!pkey) throw std::runtime_error("oauth::jwt: public key import failed");
  auto copy = std::make_shared<impl>();
  copy->pkey = std::move(*pkey);
  copy->alg = impl_->alg;
  copy->bits = impl_->bits;
  copy->kid = impl_->kid;
  copy->thumbprint = impl_->thumbprint;
  copy->n = impl_->n;
  copy->e = impl_->e;
  copy->crv = impl_->crv;
  copy->x = impl_->x;
  copy->y = impl_->y;
  copy->access_token_header = impl_->access_token_header;
  return key(std::move(copy));
}

std::string thumbprint(const key& k) { return k.internals().thumbprint; }

} // namespace oauth::jwt
