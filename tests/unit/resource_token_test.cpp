// The access-token path exactly as the resource service runs it (make_trusted_keys +
// verify_access_token + principal_from), against valid tokens and every malformed or
// malicious token of issue 4. Keys and tokens are minted here with common/jwt.
#include "common/encoding.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/sign.hpp"
#include "common/time.hpp"
#include "resource-service/access_token.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace oauth;
using namespace oauth::resource;
namespace json = boost::json;

namespace {

constexpr std::string_view issuer = "http://localhost:8081";
constexpr std::string_view audience = "posts-api";

const jwt::key& rsa() {
  static jwt::key k = jwt::key::generate(jwt::algorithm::rs256).value();
  return k;
}
const jwt::key& ec() {
  static jwt::key k = jwt::key::generate(jwt::algorithm::es256).value();
  return k;
}
const jwt::key& ed() {
  static jwt::key k = jwt::key::generate(jwt::algorithm::eddsa).value();
  return k;
}
// Someone else's key: never in our set.
const jwt::key& attacker() {
  static jwt::key k = jwt::key::generate(jwt::algorithm::rs256).value();
  return k;
}

std::shared_ptr<const trusted_keys> trusted(std::initializer_list<const jwt::key*> keys) {
  jwt::key_set set;
  for (auto k : keys) set.add(k->public_key());
  return make_trusted_keys(std::move(set), verifier_settings{std::string(issuer), std::string(audience),
                                                              std::chrono::seconds(30)},
                           "test");
}

json::object claims(std::int64_t now = unix_now()) {
  json::object c;
  c["iss"] = issuer;
  c["sub"] = "42";
  c["aud"] = audience;
  c["client_id"] = "client-1";
  c["scope"] = "read-posts write-posts";
  c["jti"] = "jti-1";
  c["iat"] = now;
  c["nbf"] = now;
  c["exp"] = now + 3600;
  return c;
}

std::string b64(std::string_view s) { return base64url_encode(s); }

json::object header(const jwt::key& k, std::string_view alg = {}) {
  json::object h;
  h["alg"] = alg.empty() ? jwt::name(k.alg()) : alg;
  h["typ"] = "at+jwt";
  h["kid"] = k.kid();
  return h;
}

// Any header and claims, signed (or not) by `signer`.
std::string craft(const json::object& h, const json::object& c, const jwt::key* signer) {
  std::string input = b64(json::serialize(h)) + "." + b64(json::serialize(c));
  std::string sig = signer != nullptr ? jwt::create_signature(*signer, input) : std::string();
  return input + "." + b64(sig);
}

jwt::errc failure(std::string_view token, const trusted_keys& t) {
  auto r = verify_access_token(token, t);
  REQUIRE_FALSE(r.has_value());
  REQUIRE(r.error().category() == jwt::jwt_category());
  return static_cast<jwt::errc>(r.error().value());
}

bool accepted(std::string_view token, const trusted_keys& t) { return verify_access_token(token, t).has_value(); }

} // namespace

TEST_CASE("a valid RS256 access token yields the principal") {
  auto t = trusted({&rsa()});
  auto token = jwt::sign(rsa(), claims());
  auto r = verify_access_token(token, *t);
  REQUIRE(r.has_value());
  auto p = principal_from(*r);
  CHECK(p.sub == "42");
  CHECK(p.client_id == "client-1");
  CHECK(p.jti == "jti-1");
  CHECK(p.scope == "read-posts write-posts");
  CHECK(p.exp > unix_now());
}

TEST_CASE("the allowed algorithms are exactly those of the trusted keys") {
  auto only_rsa = trusted({&rsa()});
  CHECK(only_rsa->options.allowed_algorithms == std::vector<jwt::algorithm>{jwt::algorithm::rs256});
  auto all = trusted({&rsa(), &ec(), &ed()});
  CHECK(all->options.allowed_algorithms.size() == 3);
  CHECK(accepted(jwt::sign(ec(), claims()), *all));
  CHECK(accepted(jwt::sign(ed(), claims()), *all));
  CHECK(accepted(jwt::sign(rsa(), claims()), *all));
  // An ES256 token is refused when no ES256 key is trusted, whatever it names.
  CHECK(failure(jwt::sign(ec(), claims()), *only_rsa) == jwt::errc::algorithm_not_allowed);
}

TEST_CASE("alg none is refused, with or without a signature") {
  auto t = trusted({&rsa()});
  auto h = header(rsa(), "none");
  std::string unsigned_token = b64(json::serialize(h)) + "." + b64(json::serialize(claims())) + ".";
  CHECK(failure(unsigned_token, *t) == jwt::errc::malformed);
  std::string with_sig = unsigned_token + "c2ln";
  CHECK(failure(with_sig, *t) == jwt::errc::unsupported_algorithm);
  auto h2 = header(rsa(), "None");
  CHECK(failure(craft(h2, claims(), &rsa()), *t) == jwt::errc::unsupported_algorithm);
}

TEST_CASE("HS256 keyed with the public key (algorithm confusion) is refused") {
  auto t = trusted({&rsa()});
  auto h = header(rsa(), "HS256");
  std::string input = b64(json::serialize(h)) + "." + b64(json::serialize(claims()));
  std::string pem = rsa().public_pem();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), pem.data(), static_cast<int>(pem.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &len);
  std::string token = input + "." + b64(std::string_view(reinterpret_cast<const char*>(mac), len));
  CHECK(failure(token, *t) == jwt::errc::unsupported_algorithm);
  auto h384 = header(rsa(), "HS512");
  CHECK(failure(craft(h384, claims(), &rsa()), *t) == jwt::errc::unsupported_algorithm);
}

TEST_CASE("stripped, tampered and foreign signatures are refused") {
  auto t = trusted({&rsa()});
  auto token = jwt::sign(rsa(), claims());
  auto dot2 = token.rfind('.');
  CHECK(failure(token.substr(0, dot2 + 1), *t) == jwt::errc::malformed);  // signature stripped
  CHECK(failure(token.substr(0, dot2), *t) == jwt::errc::malformed);      // two parts

  // Payload changed after signing (sub 42 → admin-ish values): the signature no longer matches.
  auto forged_claims = claims();
  forged_claims["scope"] = "admin";
  auto dot1 = token.find('.');
  std::string tampered = token.substr(0, dot1 + 1) + b64(json::serialize(forged_claims)) + token.substr(dot2);
  CHECK(failure(tampered, *t) == jwt::errc::bad_signature);

  // One signature bit flipped.
  std::string sig = *base64url_decode(token.substr(dot2 + 1));
  sig[10] = static_cast<char>(sig[10] ^ 0x01);
  CHECK(failure(token.substr(0, dot2 + 1) + b64(sig), *t) == jwt::errc::bad_signature);

  // Signed by another key that claims our kid.
  CHECK(failure(craft(header(rsa()), claims(), &attacker()), *t) == jwt::errc::bad_signature);
  // Truncated RSA signature.
  CHECK(failure(token.substr(0, dot2 + 1) + b64(sig.substr(0, 128)), *t) == jwt::errc::bad_signature);
}

TEST_CASE("typ must be at+jwt or application/at+jwt") {
  auto t = trusted({&rsa()});
  CHECK(accepted(jwt::sign(rsa(), claims(), "application/at+jwt"), *t));
  CHECK(accepted(jwt::sign(rsa(), claims(), "AT+JWT"), *t));
  CHECK(failure(jwt::sign(rsa(), claims(), "JWT"), *t) == jwt::errc::wrong_type);
  CHECK(failure(jwt::sign(rsa(), claims(), "id_token+jwt"), *t) == jwt::errc::wrong_type);
  auto h = header(rsa());
  h.erase("typ");
  CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::wrong_type);
  h["typ"] = 7;
  CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::wrong_type);
}

TEST_CASE("iss and aud must be ours") {
  auto t = trusted({&rsa()});
  auto c = claims();
  c["iss"] = "http://evil.example";
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::wrong_issuer);
  c = claims();
  c["iss"] = "http://localhost:8081/";  // exact comparison
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::wrong_issuer);
  c = claims();
  c["aud"] = "other-api";
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::wrong_audience);
  c["aud"] = json::array{"other-api", "posts-api"};
  CHECK(accepted(jwt::sign(rsa(), c), *t));
  c["aud"] = json::array{"other-api"};
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::wrong_audience);
}

TEST_CASE("exp, nbf and iat are checked with the clock skew") {
  auto t = trusted({&rsa()});
  auto now = unix_now();
  auto c = claims(now - 7200);
  c["exp"] = now - 31;
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::expired);
  c["exp"] = now - 10;  // within CLOCK_SKEW
  CHECK(accepted(jwt::sign(rsa(), c), *t));
  c = claims();
  c["nbf"] = now + 120;
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::not_yet_valid);
  c["nbf"] = now + 10;
  CHECK(accepted(jwt::sign(rsa(), c), *t));
  c = claims();
  c["iat"] = now + 120;
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::issued_in_future);
  c = claims();
  c["exp"] = "tomorrow";
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::invalid_claim);
  c["exp"] = 1.5e9 + 0.5;
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::invalid_claim);
}

TEST_CASE("missing claims are refused") {
  auto t = trusted({&rsa()});
  for (std::string_view name : {"iss", "aud", "exp", "sub", "client_id", "jti"}) {
    CAPTURE(name);
    auto c = claims();
    c.erase(name);
    CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::missing_claim);
  }
  auto c = claims();
  c["scope"] = json::array{"admin"};
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::invalid_claim);
  c = claims();
  c["sub"] = 42;
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::invalid_claim);
  // A token without a scope claim is valid; it simply grants nothing.
  c = claims();
  c.erase("scope");
  auto r = verify_access_token(jwt::sign(rsa(), c), *t);
  REQUIRE(r.has_value());
  CHECK(principal_from(*r).scope.empty());
}

TEST_CASE("unknown, missing and hostile kids find no key") {
  auto t = trusted({&rsa()});
  auto h = header(rsa());
  h["kid"] = "not-a-key-we-know";
  CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::unknown_key);
  h["kid"] = "../../../../etc/passwd";
  CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::unknown_key);
  h["kid"] = "' OR 1=1 --";
  CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::unknown_key);
  h["kid"] = std::string(2000, 'k');
  CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::unknown_key);
  h["kid"] = 12345;
  CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::unknown_key);
  h.erase("kid");
  CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::unknown_key);
}

TEST_CASE("jku, x5u, jwk, x5c and crit headers are refused, even with a good kid") {
  auto t = trusted({&rsa()});
  json::object jwk = attacker().public_jwk();
  for (std::string_view name : {"jku", "x5u", "jwk", "x5c", "crit"}) {
    CAPTURE(name);
    auto h = header(rsa());
    if (name == "jwk")
      h[name] = jwk;
    else if (name == "x5c" || name == "crit")
      h[name] = json::array{"exp"};
    else
      h[name] = "http://evil.example/jwks.json";
    CHECK(failure(craft(h, claims(), &rsa()), *t) == jwt::errc::unsupported_header);
    // Signed by the attacker's key it carries: refused all the same.
    auto h2 = h;
    h2["kid"] = attacker().kid();
    CHECK(failure(craft(h2, claims(), &attacker()), *t) == jwt::errc::unsupported_header);
  }
}

TEST_CASE("a key is used only with its own algorithm") {
  auto t = trusted({&rsa(), &ec()});
  // ES256 named, but the kid is the RSA key's.
  auto h = header(rsa(), "ES256");
  CHECK(failure(craft(h, claims(), &ec()), *t) == jwt::errc::key_algorithm_mismatch);
  auto h2 = header(ec(), "RS256");
  CHECK(failure(craft(h2, claims(), &rsa()), *t) == jwt::errc::key_algorithm_mismatch);
}

TEST_CASE("ES256 signatures of the wrong length or shape are refused") {
  auto t = trusted({&ec()});
  auto token = jwt::sign(ec(), claims());
  auto dot2 = token.rfind('.');
  std::string sig = *base64url_decode(token.substr(dot2 + 1));
  REQUIRE(sig.size() == 64);
  std::string input = token.substr(0, dot2 + 1);
  CHECK(failure(input + b64(sig.substr(0, 63)), *t) == jwt::errc::bad_signature);
  CHECK(failure(input + b64(sig + "A"), *t) == jwt::errc::bad_signature);
  CHECK(failure(input + b64(std::string(64, '\0')), *t) == jwt::errc::bad_signature);  // r = s = 0
  // A DER-encoded signature (what OpenSSL produces natively) is not the JWS form.
  std::string der = "\x30\x44\x02\x20" + sig.substr(0, 32) + "\x02\x20" + sig.substr(32);
  CHECK(failure(input + b64(der), *t) == jwt::errc::bad_signature);
  // r and s swapped.
  CHECK(failure(input + b64(sig.substr(32) + sig.substr(0, 32)), *t) == jwt::errc::bad_signature);
}

TEST_CASE("oversized tokens and bad base64url are refused before any crypto") {
  auto t = trusted({&rsa()});
  auto c = claims();
  c["pad"] = std::string(9000, 'x');
  CHECK(failure(jwt::sign(rsa(), c), *t) == jwt::errc::too_large);

  auto token = jwt::sign(rsa(), claims());
  auto dot1 = token.find('.');
  auto dot2 = token.rfind('.');
  CHECK(failure(token + "=", *t) == jwt::errc::bad_encoding);                                    // padding
  CHECK(failure(token.substr(0, dot2 + 1) + "a+b/" + token.substr(dot2 + 5), *t) == jwt::errc::bad_encoding);  // base64, not base64url
  CHECK(failure("e30!." + token.substr(dot1 + 1), *t) == jwt::errc::bad_encoding);
  CHECK(failure("a" + token, *t) == jwt::errc::bad_json);  // shifted header: decodes to bytes that are not JSON
  CHECK(failure(b64("not json") + token.substr(dot1), *t) == jwt::errc::bad_json);
  CHECK(failure(b64("[1,2]") + token.substr(dot1), *t) == jwt::errc::bad_json);
  CHECK(failure(b64("{\"alg\":\"RS256\",\"alg\":\"none\"}") + token.substr(dot1), *t) == jwt::errc::bad_json);
  CHECK(failure("a.b.c.d.e", *t) == jwt::errc::malformed);  // JWE shape
  CHECK(failure("", *t) == jwt::errc::malformed);
  CHECK(failure("..", *t) == jwt::errc::malformed);
}
