// The pure rules of the browser flow: PKCE (RFC 7636), redirect URIs (RFC 6749 §3.1.2,
// RFC 8252 §7.3, RFC 9700 §4.1.3) and the login's return_to (CONTRACT.md, "Login session").
#include "auth-service/authorize/pkce.hpp"
#include "auth-service/authorize/redirect_uri.hpp"
#include "auth-service/session/return_to.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace oauth::auth;

namespace {

// RFC 7636 Appendix B ("…_wW1gF…": a copy that reads "…_wW-gF…" circulates; it hashes to
// 90EpwHQr…, and is tested below as a one-character change).
constexpr std::string_view rfc_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view rfc_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

// Why `uri` may not be registered, "" when it may: a failed CHECK then prints the reason.
std::string refusal(std::string_view uri) { return registered_redirect_uri_problem(uri).value_or(""); }

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

// --- Redirect URIs: matching ----------------------------------------------------------------

TEST_CASE("redirect_uri: exact byte-for-byte matching") {
  const std::string_view reg = "https://app.example.com/callback?tenant=1";
  CHECK(redirect_uri_matches(reg, "https://app.example.com/callback?tenant=1"));
  CHECK_FALSE(redirect_uri_matches(reg, "https://app.example.com/Callback?tenant=1"));   // path case
  CHECK_FALSE(redirect_uri_matches(reg, "https://APP.example.com/callback?tenant=1"));   // no host folding
  CHECK_FALSE(redirect_uri_matches(reg, "HTTPS://app.example.com/callback?tenant=1"));   // no scheme folding
  CHECK_FALSE(redirect_uri_matches(reg, "https://app.example.com/callback/?tenant=1"));  // trailing slash
  CHECK_FALSE(redirect_uri_matches(reg, "https://app.example.com/callback?tenant=2"));   // query
  CHECK_FALSE(redirect_uri_matches(reg, "https://app.example.com/callback"));            // prefix
  CHECK_FALSE(redirect_uri_matches(reg, "https://app.example.com/callback?tenant=1&x=1"));  // suffix
  CHECK_FALSE(redirect_uri_matches(reg, "https://app.example.com/callback?tenant=1#frag"));  // fragment
  CHECK_FALSE(redirect_uri_matches(reg, "https://app.example.com:443/callback?tenant=1"));  // no port rule for https
  CHECK_FALSE(redirect_uri_matches(reg, "https://app.example.com/%63allback?tenant=1"));   // no decoding
  CHECK_FALSE(redirect_uri_matches(reg, ""));

  CHECK(redirect_uri_matches("https://a.example/cb", "https://a.example/cb"));
  CHECK_FALSE(redirect_uri_matches("https://a.example/cb/", "https://a.example/cb"));
  CHECK_FALSE(redirect_uri_matches("https://a.example/cb", "https://a.example/cb/"));
  CHECK_FALSE(redirect_uri_matches("https://a.example/cb", "https://a.example/cbx"));
  CHECK_FALSE(redirect_uri_matches("https://a.example/cb", "https://a.example/c"));
  CHECK_FALSE(redirect_uri_matches("https://a.example/cb", "https://a.example.evil.com/cb"));
  CHECK_FALSE(redirect_uri_matches("https://a.example/cb#x", "https://a.example/cb#x"));  // '#' never matches
  const std::string_view with_nul("https://a.example/cb\0", 21);
  CHECK_FALSE(redirect_uri_matches(with_nul, with_nul));  // NUL never matches
  CHECK(redirect_uri_matches("com.example.app:/cb", "com.example.app:/cb"));
  CHECK_FALSE(redirect_uri_matches("com.example.app:/cb", "com.example.app:/cb2"));
}

TEST_CASE("redirect_uri: RFC 8252 §7.3 loopback IP literals match with any port") {
  CHECK(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb"));
  CHECK(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1/cb"));
  CHECK(redirect_uri_matches("http://127.0.0.1:8080/cb", "http://127.0.0.1/cb"));
  CHECK(redirect_uri_matches("http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/cb"));
  CHECK(redirect_uri_matches("http://127.0.0.1/cb?x=1", "http://127.0.0.1:1/cb?x=1"));
  CHECK(redirect_uri_matches("http://127.0.0.1", "http://127.0.0.1:65535"));
  CHECK(redirect_uri_matches("http://[::1]/cb", "http://[::1]:51004/cb"));
  CHECK(redirect_uri_matches("http://[::1]:8080/cb", "http://[::1]/cb"));

  // Everything but the port must still be identical.
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/other"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb/"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/CB"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb?x=1", "http://127.0.0.1:51004/cb?x=2"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "https://127.0.0.1:51004/cb"));
  CHECK_FALSE(redirect_uri_matches("https://127.0.0.1/cb", "https://127.0.0.1:51004/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://[::1]:51004/cb"));
  CHECK_FALSE(redirect_uri_matches("http://[::1]/cb", "http://127.0.0.1:51004/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb#x"));

  // Ports must be ports.
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:0/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:65536/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:80x/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:-1/cb"));
  CHECK_FALSE(redirect_uri_matches("http://[::1]/cb", "http://[::1]x/cb"));
}

TEST_CASE("redirect_uri: no port exemption for localhost, look-alike hosts or userinfo") {
  CHECK(redirect_uri_matches("http://localhost:8080/cb", "http://localhost:8080/cb"));
  CHECK_FALSE(redirect_uri_matches("http://localhost:8080/cb", "http://localhost:9090/cb"));
  CHECK_FALSE(redirect_uri_matches("http://localhost/cb", "http://localhost:9090/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1.evil.com:1234/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1.evil.com/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1@evil.com/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:80@evil.com/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.1/cb", "http://evil.com@127.0.0.1:80/cb"));
  CHECK_FALSE(redirect_uri_matches("http://user@127.0.0.1/cb", "http://user@127.0.0.1:80/cb"));
  CHECK_FALSE(redirect_uri_matches("http://127.0.0.2/cb", "http://127.0.0.2:80/cb"));
  CHECK_FALSE(redirect_uri_matches("http://example.com/cb", "http://example.com:80/cb"));
}

// --- Redirect URIs: registration ------------------------------------------------------------

TEST_CASE("redirect_uri: registration accepts https, loopback http and reverse-domain private-use schemes") {
  CHECK(refusal("https://app.example.com/callback") == "");
  CHECK(refusal("https://app.example.com:8443/callback?tenant=1") == "");
  CHECK(refusal("https://app.example.com") == "");
  CHECK(refusal("http://127.0.0.1/cb") == "");
  CHECK(refusal("http://127.0.0.1:8080/cb") == "");
  CHECK(refusal("http://[::1]/cb") == "");
  CHECK(refusal("http://localhost:3000/cb") == "");
  CHECK(refusal("com.example.app:/cb") == "");
  CHECK(refusal("com.example.app:/oauth2redirect/example-provider") == "");
  CHECK(refusal("https://app.example.com/a%20b") == "");
  CHECK(refusal(std::string("https://a.example/") + std::string(max_redirect_uri_length - 18, 'x')) == "");
}

TEST_CASE("redirect_uri: registration refuses fragments, relative URIs, cleartext and hostile bytes") {
  CHECK(refusal("https://app.example.com/cb#frag") != "");
  CHECK(refusal("https://app.example.com/cb#") != "");
  CHECK(refusal("/cb") != "");
  CHECK(refusal("cb") != "");
  CHECK(refusal("//app.example.com/cb") != "");
  CHECK(refusal("app.example.com/cb") != "");
  CHECK(refusal("1https://app.example.com/cb") != "");
  CHECK(refusal("") != "");
  CHECK(refusal("http://app.example.com/cb") != "");
  CHECK(refusal("http://127.0.0.1.evil.com/cb") != "");
  CHECK(refusal("http://127.0.0.1@evil.com/cb") != "");
  CHECK(refusal("https://user:pw@app.example.com/cb") != "");
  CHECK(refusal("HTTPS://app.example.com/cb") != "");
  CHECK(refusal("https:///cb") != "");
  CHECK(refusal("https:/cb") != "");
  CHECK(refusal("https://app.example.com:0/cb") != "");
  CHECK(refusal("https://app.example.com:https/cb") != "");
  CHECK(refusal("https://[::1/cb") != "");
  CHECK(refusal(std::string_view("https://app.example.com/c\0b", 27)) != "");
  CHECK(refusal("https://app.example.com/c b") != "");
  CHECK(refusal("https://app.example.com/cb\r\nX: y") != "");
  CHECK(refusal("https://app.example.com/c\tb") != "");
  CHECK(refusal("https://app.example.com/caf\xc3\xa9") != "");
  CHECK(refusal("https://app.example.com\\@evil.com/cb") != "");
  CHECK(refusal("https://app.example.com/cb<script>") != "");
  CHECK(refusal("https://app.example.com/cb%") != "");
  CHECK(refusal("https://app.example.com/cb%zz") != "");
  CHECK(refusal(std::string("https://a.example/") + std::string(max_redirect_uri_length - 17, 'x')) != "");
  // Schemes that are not a reverse domain name: the dangerous ones among them.
  CHECK(refusal("javascript:alert(1)") != "");
  CHECK(refusal("data:text/html,hi") != "");
  CHECK(refusal("file:///etc/passwd") != "");
  CHECK(refusal("myapp:/cb") != "");
  CHECK(refusal("localhost:8080/cb") != "");
}

TEST_CASE("redirect_uri: each refusal says why") {
  CHECK(refusal("https://a.example/cb#x").find("fragment") != std::string::npos);
  CHECK(refusal("/cb").find("not absolute") != std::string::npos);
  CHECK(refusal("http://a.example/cb").find("https") != std::string::npos);
  CHECK(refusal(std::string_view("https://a.example/\0", 19)).find("NUL") != std::string::npos);
  CHECK(refusal("https://a.example/a b").find("space") != std::string::npos);
  CHECK(refusal("https://a.example/a\nb").find("control") != std::string::npos);
  CHECK(refusal("myapp:/cb").find("reverse-domain") != std::string::npos);
}

// --- return_to ------------------------------------------------------------------------------

TEST_CASE("return_to: a local path on this service is kept") {
  CHECK(sanitize_return_to("/oauth/authorize?x=1") == "/oauth/authorize?x=1");
  CHECK(sanitize_return_to("/") == "/");
  // The query is not decoded: an encoded redirect_uri or state may hold "//" and '\'.
  const std::string_view authorize =
      "/oauth/authorize?client_id=a&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=%2F%2Fx%5C";
  CHECK(sanitize_return_to(authorize) == authorize);
  CHECK(sanitize_return_to("/a:b/c") == "/a:b/c");
  CHECK(sanitize_return_to("/?next=//evil") == "/?next=//evil");
  CHECK(sanitize_return_to("/a%20b") == "/a%20b");
  CHECK(sanitize_return_to("/a/%2F%2Fb") == "/a/%2F%2Fb");  // "//" not at the start stays on this origin
  std::string longest = "/" + std::string(max_return_to_length - 1, 'a');
  CHECK(sanitize_return_to(longest) == longest);
}

TEST_CASE("return_to: anything that could leave this origin becomes /") {
  for (std::string_view hostile : {"//evil.example", "/\\evil", "https://evil", "javascript:alert(1)", "/%2F/evil",
                                   "/%2f/evil", "/%5Cevil", "/%5cevil", "%2F%2Fevil", "", "evil", "/\t/evil",
                                   "/a\r\nb", "/%09/evil", "/%0a/evil", "/%00", "\\\\evil", " /evil", "/ evil",
                                   "///evil", "/a\\b", "/a?b=\\c", "/%", "/%2", "/%zz", "/x?y=%G0",
                                   "/caf\xc3\xa9", "/a\x7f"}) {
    CAPTURE(hostile);
    CHECK(sanitize_return_to(hostile) == "/");
  }
  CHECK(sanitize_return_to(std::string("/x\0y", 4)) == "/");
  CHECK(sanitize_return_to("/" + std::string(max_return_to_length, 'a')) == "/");
}
