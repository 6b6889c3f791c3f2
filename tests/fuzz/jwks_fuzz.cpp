// JWK Set documents (common/jwt/key_set, key::from_jwk): what the resource service reads from
// the auth service's /.well-known/jwks.json and from Redis.
// Invariants: an accepted set holds public keys only, with unique kids; re-published with
// to_jwks it reads back as the same kids, algorithms and key material (RFC 7638 thumbprints).
// One exception: OpenSSL's RSA public check (SP 800-56B) runs Miller-Rabin with random bases, so
// an "n" that is no RSA modulus (many small factors) may pass once and fail the next time.
// A real key passes every time; such a set may read back as bad_key.
#include "common/jwt/key.hpp"
#include "common/jwt/key_set.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <set>
#include <string>

using namespace oauth::jwt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto set = key_set::from_jwks(oauth::fuzz::as_text(data, size));
  if (!set) return 0;
  std::set<std::string> kids;
  for (const auto& k : *set) {
    FUZZ_CHECK(!k.has_private());
    FUZZ_CHECK(kids.insert(k.kid()).second);
  }
  auto again = key_set::from_jwks(boost::json::serialize(set->to_jwks()));
  if (!again) {
    bool has_rsa = false;
    for (const auto& k : *set) has_rsa = has_rsa || k.alg() == algorithm::rs256;
    FUZZ_CHECK(has_rsa && again.error() == errc::bad_key);
    return 0;
  }
  FUZZ_CHECK(again->size() == set->size());
  auto it = again->begin();
  for (const auto& k : *set) {
    FUZZ_CHECK(it->kid() == k.kid());
    FUZZ_CHECK(it->alg() == k.alg());
    FUZZ_CHECK(thumbprint(*it) == thumbprint(k));
    ++it;
  }
  return 0;
}
