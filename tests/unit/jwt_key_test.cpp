// Keys, PEM and JWK round trips, JWK strictness, key sets and JWKS documents.
#include "common/encoding.hpp"
#include "common/jwt/errors.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/key_set.hpp"
#include "common/jwt/sign.hpp"
#include "common/jwt/verify.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>
#include <string>

using namespace oauth;
using namespace oauth::jwt;
namespace json = boost::json;

namespace {

key gen(algorithm alg, int bits = 2048) {
  auto k = key::generate(alg, bits);
  REQUIRE(k.has_value());
  return *k;
}

// A PEM written by OpenSSL directly, for key types our generate() refuses to make.
std::string foreign_pem(EVP_PKEY* p, bool encrypted = false) {
  BIO* bio = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  if (encrypted)
    PEM_write_bio_PKCS8PrivateKey(bio, p, EVP_aes_256_cbc(), pass, 6, nullptr, nullptr);
  else
    PEM_write_bio_PrivateKey(bio, p, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(p);
  return out;
}

json::object jwk_of(const key& k) { return k.public_jwk(); }

errc jwk_error(const json::object& o) {
  auto k = key::from_jwk(o);
  REQUIRE_FALSE(k.has_value());
  return static_cast<errc>(k.error().value());
}

std::string b64(std::string_view s) { return base64url_encode(s); }

} // namespace

TEST_CASE("algorithm names are exact") {
  CHECK(parse_algorithm("RS256") == algorithm::rs256);
  CHECK(parse_algorithm("ES256") == algorithm::es256);
  CHECK(parse_algorithm("EdDSA") == algorithm::eddsa);
  for (auto bad : {"rs256", "none", "HS256", "RS512", "EDDSA", "Ed25519", "", "RS256 "}) CHECK_FALSE(parse_algorithm(bad));
  CHECK(name(algorithm::rs256) == "RS256");
  CHECK(name(algorithm::es256) == "ES256");
  CHECK(name(algorithm::eddsa) == "EdDSA");
}

TEST_CASE("error messages are fixed client-safe sentences") {
  CHECK(make_error_code(errc::expired).message() == "token expired");
  CHECK(make_error_code(errc::bad_signature).message() == "signature verification failed");
  CHECK(make_error_code(errc::unknown_key).message() == "unknown signing key");
  boost::system::error_code ec = errc::wrong_audience;
  CHECK(ec == errc::wrong_audience);
  CHECK(ec.category().name() == std::string("oauth.jwt"));
}

TEST_CASE("generate: the three algorithms kid is the thumbprint") {
  for (auto alg : {algorithm::rs256, algorithm::es256, algorithm::eddsa}) {
    key k = gen(alg);
    CHECK(k.alg() == alg);
    CHECK(k.has_private());
    CHECK(k.kid() == thumbprint(k));
    CHECK(k.kid().size() == 43);  // base64url of 32 bytes
  }
  CHECK(gen(algorithm::rs256).bits() == 2048);
  CHECK(gen(algorithm::es256).bits() == 256);
  CHECK(key::generate(algorithm::rs256, 1024).error() == errc::bad_key);
  CHECK(key::generate(algorithm::rs256, 2047).error() == errc::bad_key);
  CHECK(key::generate(algorithm::rs256, 3072)->bits() == 3072);
  CHECK(gen(algorithm::eddsa).kid() != gen(algorithm::eddsa).kid());
}

TEST_CASE("PEM round trip: private PKCS#8 and public SPKI") {
  for (auto alg : {algorithm::rs256, algorithm::es256, algorithm::eddsa}) {
    key k = gen(alg);
    std::string priv = k.private_pem();
    CHECK(priv.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    auto again = key::from_pem(priv);
    REQUIRE(again.has_value());
    CHECK(again->has_private());
    CHECK(again->alg() == alg);
    CHECK(again->kid() == k.kid());
    CHECK(again->private_pem() == priv);

    std::string pub = k.public_pem();
    CHECK(pub.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    auto public_only = key::from_pem(pub);
    REQUIRE(public_only.has_value());
    CHECK_FALSE(public_only->has_private());
    CHECK(public_only->kid() == k.kid());
    CHECK_THROWS_AS((void)public_only->private_pem(), std::logic_error);
    CHECK_THROWS_AS((void)create_signature(*public_only, "x"), std::invalid_argument);

    // A signature by the private key verifies with the public one.
    CHECK(verify_signature("abc", create_signature(*again, "abc"), *public_only).has_value());

    key stripped = k.public_key();
    CHECK_FALSE(stripped.has_private());
    CHECK(stripped.kid() == k.kid());
    CHECK(stripped.public_pem() == pub);
  }
}

TEST_CASE("PEM refusals: weak RSA other curves encrypted garbage") {
  CHECK(key::from_pem(foreign_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024}))).error() == errc::bad_key);
  CHECK(key::from_pem(foreign_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"))).error() == errc::unsupported_key);
  CHECK(key::from_pem(foreign_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"))).error() == errc::unsupported_key);
  CHECK(key::from_pem(foreign_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), true)).error() == errc::bad_key);
  // Traditional (SEC1) EC private key PEM is read too.
  auto sec1 = key::from_pem(foreign_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")));
  CHECK(sec1.has_value());
  CHECK(key::from_pem("").error() == errc::bad_key);
  CHECK(key::from_pem("not a key").error() == errc::bad_key);
  CHECK(key::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").error() == errc::bad_key);
}

TEST_CASE("JWK round trip for the three algorithms") {
  for (auto alg : {algorithm::rs256, algorithm::es256, algorithm::eddsa}) {
    key k = gen(alg);
    json::object jwk = jwk_of(k);
    CHECK(jwk.at("alg").as_string() == name(alg));
    CHECK(jwk.at("use").as_string() == "sig");
    CHECK(jwk.at("kid").as_string() == k.kid());
    for (auto priv : {"d", "p", "q", "dp", "dq", "qi"}) CHECK_FALSE(jwk.contains(priv));
    auto back = key::from_jwk(jwk);
    REQUIRE(back.has_value());
    CHECK(back->alg() == alg);
    CHECK(back->kid() == k.kid());
    CHECK_FALSE(back->has_private());
    CHECK(back->public_jwk() == jwk);
    CHECK(back->public_pem() == k.public_pem());
    CHECK(verify_signature("payload", create_signature(k, "payload"), *back).has_value());
  }
  json::object ec = jwk_of(gen(algorithm::es256));
  CHECK(ec.at("crv").as_string() == "P-256");
  CHECK(base64url_decode(ec.at("x").as_string())->size() == 32);
  CHECK(base64url_decode(ec.at("y").as_string())->size() == 32);
  json::object rsa = jwk_of(gen(algorithm::rs256));
  CHECK(rsa.at("e").as_string() == "AQAB");
  CHECK(base64url_decode(rsa.at("n").as_string())->size() == 256);
}

TEST_CASE("JWK strictness") {
  // Once per process: every SUBCASE re-runs this body, and RSA key generation is slow.
  static const json::object rsa = jwk_of(gen(algorithm::rs256));
  static const json::object ec = jwk_of(gen(algorithm::es256));
  static const json::object okp = jwk_of(gen(algorithm::eddsa));

  SUBCASE("alg is required and must agree with kty/crv") {
    auto o = rsa;
    o.erase("alg");
    CHECK(jwk_error(o) == errc::unsupported_key);
    o["alg"] = "ES256";
    CHECK(jwk_error(o) == errc::key_algorithm_mismatch);
    o["alg"] = "RS512";
    CHECK(jwk_error(o) == errc::unsupported_key);
    o["alg"] = 5;
    CHECK(jwk_error(o) == errc::bad_key);
    auto e = ec;
    e["alg"] = "RS256";
    CHECK(jwk_error(e) == errc::key_algorithm_mismatch);
    e["alg"] = "ES256";
    e["crv"] = "P-384";
    CHECK(jwk_error(e) == errc::key_algorithm_mismatch);
    e["alg"] = "ES384";
    CHECK(jwk_error(e) == errc::unsupported_key);
    auto x = okp;
    x["alg"] = "ES256";
    CHECK(jwk_error(x) == errc::key_algorithm_mismatch);
    x["alg"] = "EdDSA";
    x["crv"] = "X25519";
    CHECK(jwk_error(x) == errc::key_algorithm_mismatch);
  }
  SUBCASE("private members are refused") {
    for (auto member : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
      auto o = rsa;
      o[member] = "AQAB";
      CHECK(jwk_error(o) == errc::bad_key);
    }
    auto e = ec;
    e["d"] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
    CHECK(jwk_error(e) == errc::bad_key);
  }
  SUBCASE("use and key_ops") {
    auto o = rsa;
    o["use"] = "enc";
    CHECK(jwk_error(o) == errc::unsupported_key);
    o["use"] = "whatever";
    CHECK(jwk_error(o) == errc::unsupported_key);
    o.erase("use");
    CHECK(key::from_jwk(o).has_value());  // use is optional
    o["key_ops"] = json::array{"sign"};
    CHECK(jwk_error(o) == errc::unsupported_key);
    o["key_ops"] = json::array{"verify"};
    CHECK(key::from_jwk(o).has_value());
    o["key_ops"] = "verify";
    CHECK(jwk_error(o) == errc::bad_key);
  }
  SUBCASE("kty") {
    CHECK(jwk_error(json::object{{"kty", "oct"}, {"k", "AAAA"}, {"alg", "HS256"}}) == errc::unsupported_key);
    auto o = rsa;
    o.erase("kty");
    CHECK(jwk_error(o) == errc::bad_key);
  }
  SUBCASE("RSA modulus: minimal encoding, at least 2048 bits") {
    auto n = *base64url_decode(rsa.at("n").as_string());
    auto o = rsa;
    o["n"] = b64(std::string(1, '\0') + n);  // leading zero octet
    CHECK(jwk_error(o) == errc::bad_key);
    o["n"] = b64(n.substr(0, 128));  // 1024 bits
    CHECK(jwk_error(o) == errc::bad_key);
    o["n"] = std::string(rsa.at("n").as_string()) + "=";  // not strict base64url
    CHECK(jwk_error(o) == errc::bad_key);
    o["n"] = rsa.at("n");
    o["e"] = "AAEAAQ";  // leading zero in e
    CHECK(jwk_error(o) == errc::bad_key);
    o["e"] = "Aw";  // e = 3: below 65537
    CHECK(jwk_error(o) == errc::bad_key);
    o["e"] = "AQAA";  // even
    CHECK(jwk_error(o) == errc::bad_key);
  }
  SUBCASE("EC: full-size coordinates of a point on the curve") {
    auto y = *base64url_decode(ec.at("y").as_string());
    auto o = ec;
    y[31] = static_cast<char>(y[31] ^ 1);
    o["y"] = b64(y);
    CHECK(jwk_error(o) == errc::bad_key);
    o = ec;
    o["x"] = b64(base64url_decode(ec.at("x").as_string())->substr(1));
    CHECK(jwk_error(o) == errc::bad_key);
    o = ec;
    o.erase("y");
    CHECK(jwk_error(o) == errc::bad_key);
    o = ec;
    o.erase("crv");
    CHECK(jwk_error(o) == errc::bad_key);
  }
  SUBCASE("OKP: 32-byte x") {
    auto o = okp;
    o["x"] = b64(std::string(31, 'a'));
    CHECK(jwk_error(o) == errc::bad_key);
  }
  SUBCASE("kid must be a non-empty string") {
    auto o = okp;
    o["kid"] = 7;
    CHECK(jwk_error(o) == errc::bad_key);
    o["kid"] = "";
    CHECK(jwk_error(o) == errc::bad_key);
  }
}

TEST_CASE("key_set: lookup first kid wins JWKS without private members") {
  key a = gen(algorithm::es256);
  key b = gen(algorithm::eddsa);
  key_set set;
  CHECK(set.empty());
  CHECK(set.add(a));
  CHECK(set.add(b));
  CHECK_FALSE(set.add(a));
  CHECK(set.size() == 2);
  REQUIRE(set.find(a.kid()) != nullptr);
  CHECK(set.find(a.kid())->kid() == a.kid());
  CHECK(set.find("nope") == nullptr);
  CHECK(set.find("") == nullptr);
  std::size_t n = 0;
  for (const key& k : set) n += k.has_private() ? 1 : 0;
  CHECK(n == 2);

  std::string jwks = json::serialize(set.to_jwks());
  CHECK(jwks.find("\"d\"") == std::string::npos);
  auto parsed = key_set::from_jwks(jwks);
  REQUIRE(parsed.has_value());
  CHECK(parsed->size() == 2);
  CHECK(parsed->find(b.kid()) != nullptr);
  CHECK_FALSE(parsed->find(b.kid())->has_private());
  CHECK(parsed->to_jwks() == set.to_jwks());
}

TEST_CASE("from_jwks: skips keys it does not use refuses broken documents and keys") {
  key a = gen(algorithm::rs256);
  key b = gen(algorithm::es256);
  json::object enc = a.public_jwk();
  enc["use"] = "enc";
  enc["kid"] = "enc-key";
  json::object rs512 = b.public_jwk();
  rs512["alg"] = "ES512";
  rs512["kid"] = "other";
  json::object no_alg = b.public_jwk();
  no_alg.erase("alg");
  no_alg["kid"] = "no-alg";
  json::object oct{{"kty", "oct"}, {"k", "c2VjcmV0"}, {"alg", "HS256"}, {"kid", "hmac"}};
  json::object dup = b.public_jwk();
  dup["kid"] = a.kid();  // same kid as the first key: ignored
  json::array keys{a.public_jwk(), enc, rs512, no_alg, oct, dup, b.public_jwk()};
  auto set = key_set::from_jwks(json::serialize(json::object{{"keys", keys}}));
  REQUIRE(set.has_value());
  CHECK(set->size() == 2);
  REQUIRE(set->find(a.kid()) != nullptr);
  CHECK(set->find(a.kid())->alg() == algorithm::rs256);
  CHECK(set->find(b.kid()) != nullptr);
  CHECK(set->find("enc-key") == nullptr);
  CHECK(set->find("hmac") == nullptr);

  CHECK(key_set::from_jwks(R"({"keys":[]})")->empty());
  CHECK(key_set::from_jwks("").error() == errc::bad_json);
  CHECK(key_set::from_jwks("not json").error() == errc::bad_json);
  CHECK(key_set::from_jwks("[]").error() == errc::bad_json);
  CHECK(key_set::from_jwks("{}").error() == errc::malformed);
  CHECK(key_set::from_jwks(R"({"keys":{}})").error() == errc::malformed);
  CHECK(key_set::from_jwks(R"({"keys":[1]})").error() == errc::malformed);
  CHECK(key_set::from_jwks(R"({"keys":[],"keys":[]})").error() == errc::bad_json);  // duplicate member

  json::object leaked = b.public_jwk();
  leaked["d"] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
  CHECK(key_set::from_jwks(json::serialize(json::object{{"keys", json::array{a.public_jwk(), leaked}}})).error() ==
        errc::bad_key);
}
