// Published test vectors: RFC 7515 Appendix A.2 (RS256) and A.3 (ES256), RFC 8037 Appendix A
// (Ed25519), RFC 7638 §3.1 (JWK thumbprint).
#include "common/encoding.hpp"
#include "common/jwt/errors.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/sign.hpp"
#include "common/jwt/verify.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <string>

using namespace oauth;
using namespace oauth::jwt;

namespace {

// RFC 7515 §A.1–A.3 share this payload: {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
constexpr std::string_view rfc7515_payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

// RFC 7515 §A.2.1 RSA public key (n, e).
constexpr std::string_view rfc7515_a2_n =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-"
    "SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-"
    "KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr std::string_view rfc7515_a2_header = "eyJhbGciOiJSUzI1NiJ9";  // {"alg":"RS256"}
constexpr std::string_view rfc7515_a2_signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdb"
    "F9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_"
    "eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5A"
    "XLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

// RFC 7515 §A.3.1 EC P-256 public key.
constexpr std::string_view rfc7515_a3_x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view rfc7515_a3_y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr std::string_view rfc7515_a3_header = "eyJhbGciOiJFUzI1NiJ9";  // {"alg":"ES256"}
constexpr std::string_view rfc7515_a3_signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 8037 §A.1/§A.2 Ed25519 key, §A.3 thumbprint, §A.4 signature.
constexpr std::string_view rfc8037_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr std::string_view rfc8037_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr std::string_view rfc8037_thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
constexpr std::string_view rfc8037_signing_input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr std::string_view rfc8037_signature =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 7638 §3.1 (the RFC 7517 §A.1 RSA key).
constexpr std::string_view rfc7638_n =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
    "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdA"
    "ZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
    "kEgU8awapJzKnqDKgw";
constexpr std::string_view rfc7638_thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

std::string b64d(std::string_view s) {
  auto d = base64url_decode(s);
  REQUIRE(d.has_value());
  return *d;
}

std::string flip_bit(std::string s, std::size_t byte, int bit = 0) {
  s[byte] = static_cast<char>(s[byte] ^ (1 << bit));
  return s;
}

std::string signing_input(std::string_view header) { return std::string(header) + "." + std::string(rfc7515_payload); }

// An Ed25519 private key as PKCS#8 PEM from its 32-byte seed (RFC 8410 §7).
std::string ed25519_pem(std::string_view seed) {
  std::string der("\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20", 16);
  der += seed;
  return "-----BEGIN PRIVATE KEY-----\n" + base64_encode(der) + "\n-----END PRIVATE KEY-----\n";
}

key jwk_key(std::string_view json) {
  auto k = key::from_jwk(boost::json::parse(json).as_object());
  REQUIRE_MESSAGE(k.has_value(), k.error().message());
  return *k;
}

} // namespace

TEST_CASE("RFC 7515 A.2: RS256 published signature verifies one changed bit does not") {
  key k = jwk_key(R"({"kty":"RSA","alg":"RS256","e":"AQAB","n":")" + std::string(rfc7515_a2_n) + R"("})");
  CHECK(k.alg() == algorithm::rs256);
  CHECK(k.bits() == 2048);
  std::string input = signing_input(rfc7515_a2_header);
  std::string sig = b64d(rfc7515_a2_signature);
  CHECK(sig.size() == 256);
  CHECK(verify_signature(input, sig, k).has_value());
  for (std::size_t i : {std::size_t{0}, std::size_t{100}, sig.size() - 1})
    CHECK(verify_signature(input, flip_bit(sig, i), k).error() == errc::bad_signature);
  CHECK(verify_signature(flip_bit(input, 30, 1), sig, k).error() == errc::bad_signature);
  CHECK(verify_signature(input, sig.substr(1), k).error() == errc::bad_signature);
}

TEST_CASE("RFC 7515 A.3: ES256 published signature verifies (raw r||s) DER and changed bits do not") {
  key k = jwk_key(R"({"kty":"EC","crv":"P-256","alg":"ES256","x":")" + std::string(rfc7515_a3_x) + R"(","y":")" +
                  std::string(rfc7515_a3_y) + R"("})");
  CHECK(k.alg() == algorithm::es256);
  std::string input = signing_input(rfc7515_a3_header);
  std::string sig = b64d(rfc7515_a3_signature);
  REQUIRE(sig.size() == 64);
  CHECK(verify_signature(input, sig, k).has_value());
  CHECK(verify_signature(input, flip_bit(sig, 5), k).error() == errc::bad_signature);
  CHECK(verify_signature(input, flip_bit(sig, 40), k).error() == errc::bad_signature);
  CHECK(verify_signature(flip_bit(input, 3, 2), sig, k).error() == errc::bad_signature);
}

TEST_CASE("RFC 8037 A: Ed25519 key thumbprint and deterministic signature") {
  auto k = key::from_pem(ed25519_pem(b64d(rfc8037_d)));
  REQUIRE(k.has_value());
  CHECK(k->alg() == algorithm::eddsa);
  CHECK(k->has_private());
  CHECK(k->public_jwk().at("x").as_string() == rfc8037_x);
  CHECK(thumbprint(*k) == rfc8037_thumbprint);  // §A.3
  CHECK(k->kid() == rfc8037_thumbprint);

  std::string expected = b64d(rfc8037_signature);
  CHECK(create_signature(*k, rfc8037_signing_input) == expected);  // §A.4
  CHECK(verify_signature(rfc8037_signing_input, expected, *k).has_value());  // §A.5

  key pub = jwk_key(R"({"kty":"OKP","crv":"Ed25519","alg":"EdDSA","x":")" + std::string(rfc8037_x) + R"("})");
  CHECK(thumbprint(pub) == rfc8037_thumbprint);
  CHECK_FALSE(pub.has_private());
  CHECK(verify_signature(rfc8037_signing_input, expected, pub).has_value());
  CHECK(verify_signature(rfc8037_signing_input, flip_bit(expected, 63, 7), pub).error() == errc::bad_signature);
  CHECK(verify_signature(rfc8037_signing_input, expected.substr(0, 63), pub).error() == errc::bad_signature);
}

TEST_CASE("RFC 7638 3.1: JWK thumbprint - a JWK's own kid is kept") {
  key with_kid = jwk_key(R"({"kty":"RSA","n":")" + std::string(rfc7638_n) +
                         R"(","e":"AQAB","alg":"RS256","kid":"2011-04-29"})");
  CHECK(thumbprint(with_kid) == rfc7638_thumbprint);
  CHECK(with_kid.kid() == "2011-04-29");
  key without_kid = jwk_key(R"({"kty":"RSA","n":")" + std::string(rfc7638_n) + R"(","e":"AQAB","alg":"RS256"})");
  CHECK(without_kid.kid() == rfc7638_thumbprint);
  CHECK(without_kid.public_jwk().at("kid").as_string() == rfc7638_thumbprint);
}
