// The pure rules of the browser flow: PKCE (RFC 7636).
#include "auth-service/authorize/pkce.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace oauth::auth;

namespace {

// RFC 7636 Appendix B ("…_wW1gF…": a copy that reads "…_wW-gF…" circulates; it hashes to
// 90EpwHQr…, and is tested below as a one-character change).
constexpr std::string_view rfc_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view rfc_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

} // namespace

// --- PKCE ---------------------------------------------------------------------------------

TEST_CASE("pkce: RFC 7636 Appendix B vector") {
  CHECK(is_valid_code_verifier(rfc_verifier));
  CHECK(is_valid_code_challenge(rfc_challenge));
  CHECK(s256_challenge(rfc_verifier) == rfc_challenge);
  CHECK(verify_s256(rfc_verifier, rfc_challenge));
}

TEST_CASE("pkce: one changed character in the verifier or the challenge does not verify") {
  std::string verifier(rfc_verifier);
  verifier[10] = verifier[10] == 'A' ? 'B' : 'A';
  CHECK(is_valid_code_verifier(verifier));
  CHECK_FALSE(verify_s256(verifier, rfc_challenge));
  CHECK_FALSE(verify_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW-gFWFOEjXk", rfc_challenge));
  CHECK(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW-gFWFOEjXk") == "90EpwHQr_xi9uDtjYyz5mq9Z4RekugHRqg5ijpXC3FQ");

  std::string challenge(rfc_challenge);
  challenge[0] = 'F';
  CHECK_FALSE(verify_s256(rfc_verifier, challenge));
  CHECK_FALSE(verify_s256(rfc_verifier, ""));
  CHECK_FALSE(verify_s256(rfc_verifier, std::string(rfc_challenge) + "A"));
}

TEST_CASE("pkce: code_verifier is 43 to 128 unreserved characters") {
  CHECK(is_valid_code_verifier(std::string(43, 'a')));
  CHECK(is_valid_code_verifier(std::string(128, '~')));
  CHECK(is_valid_code_verifier("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"));
  CHECK_FALSE(is_valid_code_verifier(""));
  CHECK_FALSE(is_valid_code_verifier(std::string(42, 'a')));
  CHECK_FALSE(is_valid_code_verifier(std::string(129, 'a')));
  for (char bad : std::string_view("+/= %#\t\x7f")) {
    std::string verifier(43, 'a');
    verifier[20] = bad;
    CHECK_FALSE(is_valid_code_verifier(verifier));
  }
  CHECK_FALSE(is_valid_code_verifier(std::string(42, 'a') + "\xc3\xa9"));  // non-ASCII
  CHECK_FALSE(is_valid_code_verifier(std::string(42, 'a') + std::string(1, '\0')));

  // A malformed verifier never verifies, even against its own hash.
  std::string short_verifier(42, 'a');
  CHECK_FALSE(verify_s256(short_verifier, s256_challenge(short_verifier)));
  std::string long_verifier(129, 'a');
  CHECK_FALSE(verify_s256(long_verifier, s256_challenge(long_verifier)));
  std::string spaced = std::string(42, 'a') + " ";
  CHECK_FALSE(verify_s256(spaced, s256_challenge(spaced)));
}

TEST_CASE("pkce: code_challenge is exactly 43 base64url characters, no padding") {
  CHECK(is_valid_code_challenge(s256_challenge(std::string(128, 'z'))));
  CHECK_FALSE(is_valid_code_challenge(""));
  CHECK_FALSE(is_valid_code_challenge(std::string(rfc_challenge) + "="));      // padded
  CHECK_FALSE(is_valid_code_challenge(rfc_challenge.substr(0, 42)));           // too short
  CHECK_FALSE(is_valid_code_challenge(std::string(rfc_challenge) + "A"));      // too long
  CHECK_FALSE(is_valid_code_challenge(std::string(rfc_challenge, 0, 42) + "=")); // padding in place of a character
  CHECK_FALSE(is_valid_code_challenge(std::string(rfc_challenge).replace(5, 1, "+")));  // standard base64
  CHECK_FALSE(is_valid_code_challenge(std::string(rfc_challenge).replace(5, 1, "/")));
  CHECK_FALSE(is_valid_code_challenge(std::string(rfc_challenge).replace(5, 1, ".")));
  // 43 characters whose last one carries bits past the 256th: no digest encodes to it.
  CHECK_FALSE(is_valid_code_challenge(std::string(rfc_challenge, 0, 42) + "N"));
  CHECK(is_valid_code_challenge(std::string(rfc_challenge, 0, 42) + "M"));
}
