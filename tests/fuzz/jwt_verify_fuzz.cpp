// JWT verification (common/jwt/verify) on hostile tokens, with real keys made at start-up.
//
// Two kinds of input:
//  - "S" + key letter (r RS256, e ES256, d EdDSA) + header JSON + "\n" + claims JSON: the harness
//    signs header.claims with that key, so the checks after the signature (claims, types, kid
//    lookup against a validly signed token) are reached. Invariants: a token verifies only under
//    the kid of the key that signed it, with that key's algorithm, and only with claims that pass
//    every rule; flipping one signature bit makes it fail.
//  - anything else: the bytes are the token. Nothing can verify without a private key, so
//    success is a forgery.
#include "common/encoding.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/key_set.hpp"
#include "common/jwt/sign.hpp"
#include "common/jwt/verify.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace oauth;
using namespace oauth::jwt;

namespace {

constexpr std::int64_t now = 1'800'000'000;

struct signer {
  key private_key;
  std::string kid;  // fixed, so that seeds can name it: "rs", "es", "ed"
};

// The verifier's set holds the public halves under fixed kids (from_jwk keeps a JWK's kid).
key with_kid(const key& k, const std::string& kid) {
  auto jwk = k.public_jwk();
  jwk["kid"] = kid;
  auto pub = key::from_jwk(jwk);
  if (!pub) std::abort();
  return *pub;
}

struct fixture {
  signer rs{*key::generate(algorithm::rs256), "rs"};
  signer es{*key::generate(algorithm::es256), "es"};
  signer ed{*key::generate(algorithm::eddsa), "ed"};
  key_set keys;
  verify_options options;

  fixture() {
    for (const signer* s : {&rs, &es, &ed}) keys.add(with_kid(s->private_key, s->kid));
    options.issuer = "https://auth.example";
    options.audience = "posts-api";
    options.now = now;
    options.allowed_algorithms = {algorithm::rs256, algorithm::es256, algorithm::eddsa};
  }

  const signer& pick(char letter) const {
    if (letter == 'r') return rs;
    if (letter == 'd') return ed;
    return es;
  }
};

const fixture& shared() {
  static const fixture f;
  return f;
}

void check_verified(const verified_token& t, const verify_options& o) {
  FUZZ_CHECK(!t.sub().empty() && !t.client_id().empty() && !t.jti().empty());
  FUZZ_CHECK(t.exp() + o.leeway.count() > o.now);
  FUZZ_CHECK(t.nbf() - o.leeway.count() <= o.now);
  FUZZ_CHECK(t.iat() <= o.now + o.leeway.count());
  auto iss = t.claims.find("iss");
  FUZZ_CHECK(iss != t.claims.end() && iss->value().is_string() && iss->value().get_string() == o.issuer);
  for (std::string_view forbidden : {"crit", "jku", "x5u", "jwk", "x5c"}) FUZZ_CHECK(!t.header.contains(forbidden));
}

void signed_input(const fixture& f, char letter, std::string_view rest) {
  const signer& s = f.pick(letter);
  auto header = oauth::fuzz::take_line(rest);
  std::string signing_input = base64url_encode(header) + "." + base64url_encode(rest);
  std::string signature = create_signature(s.private_key, signing_input);
  std::string token = signing_input + "." + base64url_encode(signature);

  auto result = verify(token, f.keys, f.options);
  if (!result) return;
  // Verified: it must be under the signer's own kid and algorithm.
  FUZZ_CHECK(result->kid == s.kid);
  FUZZ_CHECK(result->alg == s.private_key.alg());
  check_verified(*result, f.options);

  // One flipped bit in the signature must break it.
  signature[signature.size() / 2] = static_cast<char>(signature[signature.size() / 2] ^ 0x01);
  std::string tampered = signing_input + "." + base64url_encode(signature);
  auto again = verify(tampered, f.keys, f.options);
  FUZZ_CHECK(!again && again.error() == errc::bad_signature);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fixture& f = shared();
  auto text = oauth::fuzz::as_text(data, size);
  if (text.size() >= 2 && text[0] == 'S') {
    signed_input(f, text[1], text.substr(2));
    return 0;
  }
  auto result = verify(text, f.keys, f.options);
  FUZZ_CHECK(!result);  // a token nobody signed verified: a forgery
  return 0;
}
