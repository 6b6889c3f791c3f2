#include "common/jwt/verify.hpp"

#include "common/ascii.hpp"
#include "common/encoding.hpp"
#include "common/jwt/detail/ecdsa.hpp"
#include "common/jwt/detail/json.hpp"
#include "common/jwt/detail/openssl.hpp"
#include "common/jwt/detail/thread_contexts.hpp"
#include "common/time.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace oauth::jwt {
namespace {

namespace json = boost::json;

std::string_view view(const json::string& s) noexcept { return {s.data(), s.size()}; }

std::string_view strip_application(std::string_view t) noexcept {
  constexpr std::string_view prefix = "application/";
  if (t.size() > prefix.size() && iequals(t.substr(0, prefix.size()), prefix)) t.remove_prefix(prefix.size());
  return t;
}

bool type_allowed(std::string_view typ, const std::vector<std::string>& allowed) noexcept {
  std::string_view got = strip_application(typ);
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return iequals(got, strip_application(a)); });
}

// NumericDate (RFC 7519 §2) restricted to integral values: our issuer only emits integers, and
// refusing fractions removes any rounding question at the exp/nbf edges. Integral doubles
// (1.7e9) are accepted up to 2^53, where every double is still exact.
enum class member { absent, invalid, ok };

member numeric_date(const json::object& claims, std::string_view name, std::int64_t& out) noexcept {
  auto it = claims.find(name);
  if (it == claims.end()) return member::absent;
  const json::value& v = it->value();
  if (v.is_int64()) {
    out = v.get_int64();
    return member::ok;
  }
  if (v.is_double()) {
    double d = v.get_double();
    constexpr double limit = 9007199254740992.0;  // 2^53
    if (!std::isfinite(d) || d != std::floor(d) || d > limit || d < -limit) return member::invalid;
    out = static_cast<std::int64_t>(d);
    return member::ok;
  }
  return member::invalid;  // strings, booleans, uint64 above INT64_MAX...
}

member required_string(const json::object& claims, std::string_view name) noexcept {
  auto it = claims.find(name);
  if (it == claims.end()) return member::absent;
  auto s = it->value().if_string();
  return s != nullptr && !s->empty() ? member::ok : member::invalid;
}

std::string_view string_claim(const json::object& claims, std::string_view name) noexcept {
  auto it = claims.find(name);
  if (it == claims.end()) return {};
  auto s = it->value().if_string();
  return s != nullptr ? view(*s) : std::string_view{};
}

std::int64_t int_claim(const json::object& claims, std::string_view name) noexcept {
  std::int64_t v = 0;
  return numeric_date(claims, name, v) == member::ok ? v : 0;
}

// Keeps the time arithmetic far from overflow whatever a token or a configuration says.
std::int64_t clamp_time(std::int64_t t) noexcept {
  constexpr std::int64_t bound = std::int64_t{1} << 62;
  return std::clamp(t, -bound, bound);
}

result<void> check_claims(const json::object& c, const verify_options& opt) {
  // iss (RFC 9068 §4 step 3): exact string comparison.
  auto iss = c.find("iss");
  if (iss == c.end()) return errc::missing_claim;
  if (!iss->value().is_string()) return errc::invalid_claim;
  if (view(iss->value().get_string()) != opt.issuer) return errc::wrong_issuer;

  // aud (RFC 7519 §4.1.3): a string, or an array of strings, that names us.
  auto aud = c.find("aud");
  if (aud == c.end()) return errc::missing_claim;
  if (auto s = aud->value().if_string()) {
    if (view(*s) != opt.audience) return errc::wrong_audience;
  } else if (auto a = aud->value().if_array()) {
    bool found = false;
    for (const auto& e : *a) {
      auto es = e.if_string();
      if (es == nullptr) return errc::invalid_claim;
      found = found || view(*es) == opt.audience;
    }
    if (!found) return errc::wrong_audience;
  } else {
    return errc::invalid_claim;
  }

  const std::int64_t now = clamp_time(opt.now != 0 ? opt.now : unix_now());
  const std::int64_t leeway = std::clamp<std::int64_t>(opt.leeway.count(), 0, std::int64_t{1} << 40);
  std::int64_t exp = 0, nbf = 0, iat = 0;
  switch (numeric_date(c, "exp", exp)) {
    case member::absent: return errc::missing_claim;
    case member::invalid: return errc::invalid_claim;
    case member::ok:
      if (now >= clamp_time(exp) + leeway) return errc::expired;  // RFC 7519 §4.1.4
  }
  switch (numeric_date(c, "nbf", nbf)) {
    case member::absent: break;
    case member::invalid: return errc::invalid_claim;
    case member::ok:
      if (now < clamp_time(nbf) - leeway) return errc::not_yet_valid;  // RFC 7519 §4.1.5
  }
  switch (numeric_date(c, "iat", iat)) {
    case member::absent: break;
    case member::invalid: return errc::invalid_claim;
    case member::ok:
      if (clamp_time(iat) > now + leeway) return errc::issued_in_future;
  }

  // RFC 9068 §2.2: sub, client_id and jti are REQUIRED in an access token.
  for (std::string_view name : {"sub", "client_id", "jti"}) {
    switch (required_string(c, name)) {
      case member::absent: return errc::missing_claim;
      case member::invalid: return errc::invalid_claim;
      case member::ok: break;
    }
  }
  if (auto scope = c.find("scope"); scope != c.end() && !scope->value().is_string()) return errc::invalid_claim;
  return {};
}

} // namespace

result<void> verify_signature(std::string_view signing_input, std::string_view signature, const key& k) {
  detail::error_queue_guard guard;
  EVP_PKEY* pkey = k.native_handle();
  bool prehashed = false;  // RS256 and ES256 sign a SHA-256 digest
  detail::der_signature der;
  switch (k.alg()) {
    case algorithm::rs256:
      // PKCS#1 v1.5 signatures are exactly the modulus size (RFC 8017 §8.2.2 step 1).
      if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey))) return errc::bad_signature;
      prehashed = true;
      break;
    case algorithm::es256: {
      auto converted = detail::es256_raw_to_der(signature);
      if (!converted) return errc::bad_signature;
      der = *converted;
      signature = der.view();
      prehashed = true;
      break;
    }
    case algorithm::eddsa:
      if (signature.size() != 64) return errc::bad_signature;
      break;
  }
  if (prehashed) {  // hash here, then verify the digest with the prepared context
    EVP_PKEY_CTX* prepared = detail::thread_verify_context(pkey, k.alg());
    if (prepared == nullptr) return errc::bad_key;
    unsigned char digest[32];
    if (!detail::sha256(signing_input, digest)) throw std::bad_alloc();
    if (EVP_PKEY_verify(prepared, detail::bytes(signature), signature.size(), digest, sizeof digest) != 1)
      return errc::bad_signature;
    return {};
  }
  // Ed25519 signs the message itself (no prehash): one-shot DigestVerify.
  detail::md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey) != 1) return errc::bad_key;
  if (EVP_DigestVerify(ctx.get(), detail::bytes(signature), signature.size(), detail::bytes(signing_input),
                       signing_input.size()) != 1)
    return errc::bad_signature;
  return {};
}

result<verified_token> verify(std::string_view token, const key_set& keys, const verify_options& opt) {
  if (opt.issuer.empty() || opt.audience.empty())
    throw std::invalid_argument("oauth::jwt::verify: issuer and audience must be configured");
  if (token.size() > opt.max_token_bytes) return errc::too_large;

  // Compact serialization: exactly three parts (RFC 7515 §7.1). A JWE has five; an unsecured
  // JWS has an empty third part: both are refused here.
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return errc::malformed;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return errc::malformed;
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_b64 = token.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty() || signature_b64.empty()) return errc::malformed;

  auto header_json = base64url_decode(header_b64);
  if (!header_json) return errc::bad_encoding;
  auto header = detail::parse_object(*header_json);
  if (!header) return errc::bad_json;

  // alg (RFC 8725 §3.1): the verifier decides which algorithms it accepts.
  auto alg_it = header->find("alg");
  if (alg_it == header->end() || !alg_it->value().is_string()) return errc::malformed;
  auto alg = parse_algorithm(view(alg_it->value().get_string()));
  if (!alg) return errc::unsupported_algorithm;  // none, HS256, RS512...
  if (std::find(opt.allowed_algorithms.begin(), opt.allowed_algorithms.end(), *alg) == opt.allowed_algorithms.end())
    return errc::algorithm_not_allowed;

  // Keys come only from the configured key set: a header that points at a key (jku, x5u) or
  // carries one (jwk, x5c) is refused rather than ignored, and so is any crit extension
  // (RFC 7515 §4.1.11: we understand none).
  for (std::string_view name : {"crit", "jku", "x5u", "jwk", "x5c"})
    if (header->contains(name)) return errc::unsupported_header;

  if (!opt.allowed_types.empty()) {
    auto typ = header->find("typ");
    if (typ == header->end() || !typ->value().is_string()) return errc::wrong_type;
    if (!type_allowed(view(typ->value().get_string()), opt.allowed_types)) return errc::wrong_type;
  }

  auto kid_it = header->find("kid");
  if (kid_it == header->end() || !kid_it->value().is_string()) return errc::unknown_key;
  std::string_view kid = view(kid_it->value().get_string());
  const key* k = keys.find(kid);
  if (k == nullptr) return errc::unknown_key;
  if (k->alg() != *alg) return errc::key_algorithm_mismatch;  // the key is bound to one algorithm

  auto signature = base64url_decode(signature_b64);
  if (!signature) return errc::bad_encoding;
  if (auto r = verify_signature(token.substr(0, dot2), *signature, *k); !r) return r.error();

  // Only now is the payload worth reading.
  auto payload_json = base64url_decode(payload_b64);
  if (!payload_json) return errc::bad_encoding;
  auto claims = detail::parse_object(*payload_json);
  if (!claims) return errc::bad_json;
  if (auto r = check_claims(*claims, opt); !r) return r.error();

  verified_token out;
  out.kid = std::string(kid);
  out.alg = *alg;
  out.header = std::move(*header);
  out.claims = std::move(*claims);
  return out;
}

std::string_view verified_token::sub() const noexcept { return string_claim(claims, "sub"); }
std::string_view verified_token::client_id() const noexcept { return string_claim(claims, "client_id"); }
std::string_view verified_token::jti() const noexcept { return string_claim(claims, "jti"); }
std::string_view verified_token::scope() const noexcept { return string_claim(claims, "scope"); }
std::int64_t verified_token::exp() const noexcept { return int_claim(claims, "exp"); }
std::int64_t verified_token::iat() const noexcept { return int_claim(claims, "iat"); }
std::int64_t verified_token::nbf() const noexcept { return int_claim(claims, "nbf"); }

} // namespace oauth::jwt
