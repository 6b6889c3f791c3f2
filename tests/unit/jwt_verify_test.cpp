// sign → verify round trips, and every malformed or malicious token we can think of.
#include "common/encoding.hpp"
#include "common/jwt/detail/json.hpp"
#include "common/jwt/errors.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/key_set.hpp"
#include "common/jwt/sign.hpp"
#include "common/jwt/verify.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace oauth;
using namespace oauth::jwt;
namespace json = boost::json;

namespace {

constexpr std::int64_t now = 1'800'000'000;

// Generated once per process: RSA key generation is slow.
const key& shared_key(int which) {
  static const key keys[] = {*key::generate(algorithm::rs256), *key::generate(algorithm::es256),
                             *key::generate(algorithm::eddsa), *key::generate(algorithm::rs256)};
  return keys[which];
}

struct fixture {
  key rs = shared_key(0);
  key es = shared_key(1);
  key ed = shared_key(2);
  key attacker = shared_key(3);  // never in the key set
  key_set keys;
  verify_options opt;

  fixture() {
    keys.add(rs.public_key());
    keys.add(es.public_key());
    keys.add(ed.public_key());
    opt.issuer = "https://auth.example";
    opt.audience = "posts-api";
    opt.now = now;
    opt.allowed_algorithms = {algorithm::rs256, algorithm::es256, algorithm::eddsa};
  }

  static json::object claims() {
    return json::object{{"iss", "https://auth.example"}, {"sub", "42"},         {"aud", "posts-api"},
                        {"client_id", "client-1"},       {"scope", "read-posts"}, {"jti", "b7a4c6d0"},
                        {"iat", now},                    {"nbf", now},          {"exp", now + 3600}};
  }

  result<verified_token> check(std::string_view token) const { return verify(token, keys, opt); }
  errc error_of(std::string_view token) const {
    auto r = check(token);
    REQUIRE_FALSE(r.has_value());
    return static_cast<errc>(r.error().value());
  }
};

std::string b64(std::string_view s) { return base64url_encode(s); }

std::string header_for(const key& k, std::string_view alg = {}) {
  return R"({"alg":")" + std::string(alg.empty() ? name(k.alg()) : alg) + R"(","typ":"at+jwt","kid":")" + k.kid() +
         R"("})";
}

// A token with exactly these header and payload texts, signed by k (whatever the header says).
std::string craft(const key& signer, std::string_view header, std::string_view payload) {
  std::string input = b64(header) + "." + b64(payload);
  return input + "." + b64(create_signature(signer, input));
}

std::string craft_claims(const key& signer, const json::object& claims) {
  return craft(signer, header_for(signer), json::serialize(claims));
}

struct parts {
  std::string header, payload, signature;
};

parts split(const std::string& token) {
  auto d1 = token.find('.');
  auto d2 = token.find('.', d1 + 1);
  return {token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1), token.substr(d2 + 1)};
}

std::string join(const parts& p) { return p.header + "." + p.payload + "." + p.signature; }

// ES256 signature halves, for hand-made r and s.
std::string es_sig(const std::string& r, const std::string& s) {
  REQUIRE(r.size() == 32);
  REQUIRE(s.size() == 32);
  return r + s;
}

std::string hex_bytes(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

const std::string p256_order = hex_bytes("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

} // namespace

TEST_CASE_FIXTURE(fixture, "sign → verify round trip for RS256 ES256 and EdDSA") {
  for (const key* k : {&rs, &es, &ed}) {
    std::string token = sign(*k, claims());
    auto header = json::parse(*base64url_decode(split(token).header));
    CHECK(json::serialize(header) == R"({"alg":")" + std::string(name(k->alg())) + R"(","typ":"at+jwt","kid":")" +
                                         k->kid() + R"("})");
    auto r = check(token);
    REQUIRE_MESSAGE(r.has_value(), r.error().message());
    CHECK(r->alg == k->alg());
    CHECK(r->kid == k->kid());
    CHECK(r->sub() == "42");
    CHECK(r->client_id() == "client-1");
    CHECK(r->scope() == "read-posts");
    CHECK(r->jti() == "b7a4c6d0");
    CHECK(r->exp() == now + 3600);
    CHECK(r->iat() == now);
    CHECK(r->nbf() == now);
    CHECK(r->claims == claims());
    CHECK(r->header.at("typ").as_string() == "at+jwt");
  }
  // ES256 signatures are raw r||s: 64 bytes, 86 base64url characters.
  CHECK(split(sign(es, claims())).signature.size() == 86);
  // Ed25519 is deterministic; ECDSA is not.
  CHECK(sign(ed, claims()) == sign(ed, claims()));
  CHECK(sign(es, claims()) != sign(es, claims()));
  // Another typ can be signed (and is then refused by an access-token verifier).
  std::string jwt = sign(rs, claims(), "JWT");
  CHECK(error_of(jwt) == errc::wrong_type);
}

TEST_CASE_FIXTURE(fixture, "the verifier decides the algorithms: none HMAC not allowed key-bound") {
  auto payload = json::serialize(claims());
  SUBCASE("alg none, with or without a signature part") {
    std::string unsigned_token = b64(header_for(rs, "none")) + "." + b64(payload) + ".";
    CHECK(error_of(unsigned_token) == errc::malformed);
    CHECK(error_of(unsigned_token + "c2ln") == errc::unsupported_algorithm);
    CHECK(error_of(b64(R"({"alg":"None","typ":"at+jwt","kid":")" + rs.kid() + "\"}") + "." + b64(payload) + ".c2ln") ==
          errc::unsupported_algorithm);
  }
  SUBCASE("HS256 keyed with the RSA public key's PEM (key confusion)") {
    std::string input = b64(header_for(rs, "HS256")) + "." + b64(payload);
    std::string secret = rs.public_pem();
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t mac_len = 0;
    REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                      reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &mac_len));
    std::string token = input + "." + base64url_encode(std::span<const unsigned char>(mac, mac_len));
    CHECK(error_of(token) == errc::unsupported_algorithm);
  }
  SUBCASE("an algorithm the verifier does not allow") {
    opt.allowed_algorithms = {algorithm::rs256};
    CHECK(error_of(sign(es, claims())) == errc::algorithm_not_allowed);
    CHECK(error_of(sign(ed, claims())) == errc::algorithm_not_allowed);
    CHECK(check(sign(rs, claims())).has_value());
    opt.allowed_algorithms = {};
    CHECK(error_of(sign(rs, claims())) == errc::algorithm_not_allowed);
  }
  SUBCASE("default options allow RS256 only") {
    verify_options d;
    d.issuer = opt.issuer;
    d.audience = opt.audience;
    d.now = now;
    CHECK(verify(sign(rs, claims()), keys, d).has_value());
    CHECK(verify(sign(es, claims()), keys, d).error() == errc::algorithm_not_allowed);
  }
  SUBCASE("ES256 token naming the RS256 key's kid") {
    std::string token = craft(es, header_for(rs, "ES256"), payload);
    CHECK(error_of(token) == errc::key_algorithm_mismatch);
    CHECK(error_of(craft(rs, header_for(ed, "RS256"), payload)) == errc::key_algorithm_mismatch);
  }
  SUBCASE("alg missing or not a string") {
    CHECK(error_of(craft(rs, R"({"typ":"at+jwt","kid":")" + rs.kid() + "\"}", payload)) == errc::malformed);
    CHECK(error_of(craft(rs, R"({"alg":["RS256"],"typ":"at+jwt","kid":")" + rs.kid() + "\"}", payload)) ==
          errc::malformed);
  }
}

TEST_CASE_FIXTURE(fixture, "shape: stripped extra and empty parts - size limit") {
  std::string token = sign(rs, claims());
  parts p = split(token);
  CHECK(error_of(p.header + "." + p.payload) == errc::malformed);
  CHECK(error_of(p.header + "." + p.payload + ".") == errc::malformed);
  CHECK(error_of(token + ".") == errc::malformed);
  CHECK(error_of(token + "." + p.signature) == errc::malformed);  // five parts look like a JWE
  CHECK(error_of("." + p.payload + "." + p.signature) == errc::malformed);
  CHECK(error_of(p.header + ".." + p.signature) == errc::malformed);
  CHECK(error_of("") == errc::malformed);
  CHECK(error_of("..") == errc::malformed);
  CHECK(error_of("not a token") == errc::malformed);

  opt.max_token_bytes = token.size();
  CHECK(check(token).has_value());
  opt.max_token_bytes = token.size() - 1;
  CHECK(error_of(token) == errc::too_large);
  opt.max_token_bytes = 8192;
  CHECK(error_of(std::string(8193, 'a')) == errc::too_large);
  CHECK(error_of(token + std::string(8192, 'A')) == errc::too_large);
}

TEST_CASE_FIXTURE(fixture, "strict base64url in every part") {
  std::string token = sign(rs, claims());
  parts p = split(token);
  for (std::string bad : {"+", "/", "=", " ", "%"}) {
    parts q = p;
    q.header.insert(4, bad);
    CHECK(error_of(join(q)) == errc::bad_encoding);
  }
  parts q = p;
  q.signature += "=";
  CHECK(error_of(join(q)) == errc::bad_encoding);
  q = p;
  q.signature[5] = '+';
  CHECK(error_of(join(q)) == errc::bad_encoding);
  // A payload that is not strict base64url but carries a valid signature over its text.
  std::string input = b64(header_for(rs)) + "." + b64(json::serialize(claims())) + "==";
  CHECK(error_of(input + "." + b64(create_signature(rs, input))) == errc::bad_encoding);
}

TEST_CASE_FIXTURE(fixture, "tampered header payload or signature") {
  for (const key* k : {&rs, &es, &ed}) {
    std::string token = sign(*k, claims());
    parts p = split(token);

    json::object more = claims();
    more["sub"] = "1";  // privilege escalation attempt
    parts q = p;
    q.payload = b64(json::serialize(more));
    CHECK(error_of(join(q)) == errc::bad_signature);

    q = p;
    q.header = b64(R"({"alg":")" + std::string(name(k->alg())) + R"(","typ":"at+jwt","kid":")" + k->kid() +
                   R"(","x":1})");
    CHECK(error_of(join(q)) == errc::bad_signature);

    std::string sig = *base64url_decode(p.signature);
    for (std::size_t i : {std::size_t{0}, sig.size() / 2, sig.size() - 1}) {
      std::string bad = sig;
      bad[i] = static_cast<char>(bad[i] ^ 0x01);
      q = p;
      q.signature = b64(bad);
      CHECK(error_of(join(q)) == errc::bad_signature);
    }
    q = p;
    q.signature = b64(sig + "x");
    CHECK(error_of(join(q)) == errc::bad_signature);
    q = p;
    q.signature = b64(sig.substr(1));
    CHECK(error_of(join(q)) == errc::bad_signature);
  }
  // A valid token signed by a key that is not in the set, naming a key that is.
  CHECK(error_of(craft(attacker, header_for(rs), json::serialize(claims()))) == errc::bad_signature);
}

TEST_CASE_FIXTURE(fixture, "ES256 signature shape: exactly 64 bytes raw 0 < rs < n") {
  std::string input = b64(header_for(es)) + "." + b64(json::serialize(claims()));
  std::string good = create_signature(es, input);
  REQUIRE(good.size() == 64);
  auto with_sig = [&](const std::string& sig) { return input + "." + b64(sig); };
  CHECK(check(with_sig(good)).has_value());
  CHECK(error_of(with_sig(good.substr(0, 63))) == errc::bad_signature);
  CHECK(error_of(with_sig(good + '\0')) == errc::bad_signature);
  CHECK(error_of(with_sig(std::string(1, '\0') + good)) == errc::bad_signature);

  // The same signature DER-encoded, as OpenSSL produces it, is refused.
  auto der = [](const std::string& raw) {
    auto integer = [](std::string v) {
      while (v.size() > 1 && v[0] == '\0') v.erase(0, 1);
      if (static_cast<unsigned char>(v[0]) & 0x80) v.insert(0, 1, '\0');
      return std::string("\x02", 1) + static_cast<char>(v.size()) + v;
    };
    std::string body = integer(raw.substr(0, 32)) + integer(raw.substr(32));
    return std::string("\x30", 1) + static_cast<char>(body.size()) + body;
  };
  CHECK(error_of(with_sig(der(good))) == errc::bad_signature);

  std::string r = good.substr(0, 32), s = good.substr(32);
  std::string zero(32, '\0');
  std::string n_plus_1 = p256_order;
  n_plus_1[31] = static_cast<char>(n_plus_1[31] + 1);
  std::string n_minus_1 = p256_order;
  n_minus_1[31] = static_cast<char>(n_minus_1[31] - 1);
  std::string all_ff(32, '\xff');
  for (const auto& bad : {es_sig(zero, s), es_sig(r, zero), es_sig(zero, zero), es_sig(p256_order, s),
                          es_sig(r, p256_order), es_sig(n_plus_1, s), es_sig(r, all_ff), es_sig(n_minus_1, s)}) {
    CHECK(error_of(with_sig(bad)) == errc::bad_signature);
    CHECK(verify_signature(input, bad, es).error() == errc::bad_signature);
  }
}

TEST_CASE_FIXTURE(fixture, "typ: at+jwt or application/at+jwt case-insensitively - nothing else") {
  auto payload = json::serialize(claims());
  auto with_typ = [&](std::string_view typ_member) {
    return craft(rs, R"({"alg":"RS256",)" + std::string(typ_member) + R"("kid":")" + rs.kid() + "\"}", payload);
  };
  CHECK(check(with_typ(R"("typ":"at+jwt",)")).has_value());
  CHECK(check(with_typ(R"("typ":"application/at+jwt",)")).has_value());
  CHECK(check(with_typ(R"("typ":"AT+JWT",)")).has_value());
  CHECK(check(with_typ(R"("typ":"Application/At+Jwt",)")).has_value());
  CHECK(error_of(with_typ("")) == errc::wrong_type);
  CHECK(error_of(with_typ(R"("typ":"JWT",)")) == errc::wrong_type);
  CHECK(error_of(with_typ(R"("typ":"application/jwt",)")) == errc::wrong_type);
  CHECK(error_of(with_typ(R"("typ":"at+jwt ",)")) == errc::wrong_type);
  CHECK(error_of(with_typ(R"("typ":"application/application/at+jwt",)")) == errc::wrong_type);
  CHECK(error_of(with_typ(R"("typ":"application/",)")) == errc::wrong_type);
  CHECK(error_of(with_typ(R"("typ":null,)")) == errc::wrong_type);
  CHECK(error_of(with_typ(R"("typ":["at+jwt"],)")) == errc::wrong_type);
  opt.allowed_types = {"JWT"};
  CHECK(check(with_typ(R"("typ":"jwt",)")).has_value());
  CHECK(error_of(with_typ(R"("typ":"at+jwt",)")) == errc::wrong_type);
  opt.allowed_types = {};  // not checked at all
  CHECK(check(with_typ("")).has_value());
}

TEST_CASE_FIXTURE(fixture, "kid: required looked up only in the key set") {
  auto payload = json::serialize(claims());
  CHECK(error_of(craft(rs, R"({"alg":"RS256","typ":"at+jwt"})", payload)) == errc::unknown_key);
  CHECK(error_of(craft(rs, R"({"alg":"RS256","typ":"at+jwt","kid":7})", payload)) == errc::unknown_key);
  CHECK(error_of(craft(rs, R"({"alg":"RS256","typ":"at+jwt","kid":""})", payload)) == errc::unknown_key);
  CHECK(error_of(craft(attacker, header_for(attacker), payload)) == errc::unknown_key);
  key_set empty;
  CHECK(verify(sign(rs, claims()), empty, opt).error() == errc::unknown_key);
}

TEST_CASE_FIXTURE(fixture, "jku x5u jwk x5c and crit are refused never used") {
  auto payload = json::serialize(claims());
  std::string jwk = json::serialize(attacker.public_jwk());
  // The attacker's own key embedded, and its kid: the key must never be used.
  CHECK(error_of(craft(attacker,
                       R"({"alg":"RS256","typ":"at+jwt","kid":")" + attacker.kid() + R"(","jwk":)" + jwk + "}",
                       payload)) == errc::unsupported_header);
  // The same with a trusted kid, a trusted signature even: refused for carrying the member.
  for (const std::string& member : std::vector<std::string>{R"("jku":"https://evil.example/jwks.json")", R"("x5u":"https://evil.example/cert.pem")",
                             R"("x5c":["MIIB"])", R"("jwk":)" + jwk, R"("crit":["exp"])", R"("crit":[])"}) {
    std::string header = R"({"alg":"RS256","typ":"at+jwt","kid":")" + rs.kid() + "\"," + member + "}";
    CHECK(error_of(craft(rs, header, payload)) == errc::unsupported_header);
    CHECK(error_of(craft(attacker, header, payload)) == errc::unsupported_header);
  }
  // Harmless extra members are ignored.
  CHECK(check(craft(rs, R"({"alg":"RS256","typ":"at+jwt","kid":")" + rs.kid() + R"(","x5t":"abc","cty":"x"})",
                    payload))
            .has_value());
}

TEST_CASE_FIXTURE(fixture, "header and claims must be JSON objects without repeated members") {
  auto payload = json::serialize(claims());
  CHECK(error_of(craft(rs, "[]", payload)) == errc::bad_json);
  CHECK(error_of(craft(rs, "\"RS256\"", payload)) == errc::bad_json);
  CHECK(error_of(craft(rs, "{", payload)) == errc::bad_json);
  CHECK(error_of(craft(rs, header_for(rs) + " x", payload)) == errc::bad_json);
  CHECK(error_of(craft(rs, header_for(rs) + "/*c*/", payload)) == errc::bad_json);
  CHECK(error_of(craft(rs, R"({"alg":"none","alg":"RS256","typ":"at+jwt","kid":")" + rs.kid() + "\"}", payload)) ==
        errc::bad_json);
  CHECK(error_of(craft(rs, header_for(rs), "[1,2]")) == errc::bad_json);
  CHECK(error_of(craft(rs, header_for(rs), "\"claims\"")) == errc::bad_json);
  CHECK(error_of(craft(rs, header_for(rs), "null")) == errc::bad_json);
  CHECK(error_of(craft(rs, header_for(rs), "not json")) == errc::bad_json);
  CHECK(error_of(craft(rs, header_for(rs), std::string("{\"sub\":\"\xff\"}"))) == errc::bad_json);  // invalid UTF-8
  // A repeated claim: one parser would see "42", another "admin".
  std::string dup = payload;
  dup.insert(1, R"("sub":"admin",)");
  CHECK(error_of(craft(rs, header_for(rs), dup)) == errc::bad_json);
  std::string nested = payload;
  nested.insert(1, R"("ext":{"a":1,"a":2},)");
  CHECK(error_of(craft(rs, header_for(rs), nested)) == errc::bad_json);
  // Whitespace between tokens is fine.
  CHECK(check(craft(rs, " " + header_for(rs) + "\n", "\t" + payload + " ")).has_value());
}

TEST_CASE_FIXTURE(fixture, "issuer and audience") {
  auto with = [&](std::string_view name, json::value v) {
    json::object c = claims();
    c[name] = std::move(v);
    return craft_claims(rs, c);
  };
  auto without = [&](std::string_view name) {
    json::object c = claims();
    c.erase(name);
    return craft_claims(rs, c);
  };
  CHECK(error_of(with("iss", "https://evil.example")) == errc::wrong_issuer);
  CHECK(error_of(with("iss", "https://auth.example/")) == errc::wrong_issuer);
  CHECK(error_of(with("iss", "HTTPS://AUTH.EXAMPLE")) == errc::wrong_issuer);
  CHECK(error_of(with("iss", 1)) == errc::invalid_claim);
  CHECK(error_of(without("iss")) == errc::missing_claim);

  CHECK(error_of(with("aud", "other-api")) == errc::wrong_audience);
  CHECK(error_of(with("aud", json::array{"other-api", "more"})) == errc::wrong_audience);
  CHECK(error_of(with("aud", json::array{})) == errc::wrong_audience);
  CHECK(check(with("aud", json::array{"other-api", "posts-api"})).has_value());
  CHECK(check(with("aud", json::array{"posts-api"})).has_value());
  CHECK(error_of(with("aud", json::array{"posts-api", 1})) == errc::invalid_claim);
  CHECK(error_of(with("aud", json::object{{"posts-api", true}})) == errc::invalid_claim);
  CHECK(error_of(with("aud", nullptr)) == errc::invalid_claim);
  CHECK(error_of(without("aud")) == errc::missing_claim);

  verify_options o = opt;
  o.issuer.clear();
  CHECK_THROWS_AS((void)verify(sign(rs, claims()), keys, o), std::invalid_argument);
  o = opt;
  o.audience.clear();
  CHECK_THROWS_AS((void)verify(sign(rs, claims()), keys, o), std::invalid_argument);
}

TEST_CASE_FIXTURE(fixture, "exp nbf and iat with leeway edges") {
  auto with = [&](std::string_view name, json::value v) {
    json::object c = claims();
    c[name] = std::move(v);
    return craft_claims(ed, c);
  };
  // exp: valid while now < exp + leeway.
  CHECK(check(with("exp", now + 1)).has_value());
  CHECK(check(with("exp", now)).has_value());
  CHECK(check(with("exp", now - 29)).has_value());
  CHECK(error_of(with("exp", now - 30)) == errc::expired);
  CHECK(error_of(with("exp", now - 100000)) == errc::expired);
  CHECK(error_of(with("exp", -1)) == errc::expired);
  CHECK(error_of(with("exp", std::numeric_limits<std::int64_t>::min())) == errc::expired);
  // nbf: valid once now >= nbf - leeway.
  CHECK(check(with("nbf", now + 30)).has_value());
  CHECK(error_of(with("nbf", now + 31)) == errc::not_yet_valid);
  CHECK(error_of(with("nbf", std::numeric_limits<std::int64_t>::max())) == errc::not_yet_valid);
  // iat: at most leeway in the future.
  CHECK(check(with("iat", now + 30)).has_value());
  CHECK(error_of(with("iat", now + 31)) == errc::issued_in_future);
  CHECK(check(with("iat", 0)).has_value());
  CHECK(check(with("exp", std::numeric_limits<std::int64_t>::max())).has_value());

  opt.leeway = std::chrono::seconds(0);
  CHECK(error_of(with("exp", now)) == errc::expired);
  CHECK(check(with("exp", now + 1)).has_value());
  CHECK(error_of(with("nbf", now + 1)) == errc::not_yet_valid);
  CHECK(check(with("nbf", now)).has_value());
  CHECK(error_of(with("iat", now + 1)) == errc::issued_in_future);

  // now = 0 means the real clock: a token made for 2027 is not valid today... or is it expired?
  opt.now = 0;
  opt.leeway = std::chrono::seconds(30);
  json::object fresh = claims();
  std::int64_t t = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  fresh["iat"] = t;
  fresh["nbf"] = t;
  fresh["exp"] = t + 60;
  CHECK(check(craft_claims(ed, fresh)).has_value());
  fresh["exp"] = t - 60;
  CHECK(error_of(craft_claims(ed, fresh)) == errc::expired);
}

TEST_CASE_FIXTURE(fixture, "NumericDate must be an integer") {
  auto with_raw = [&](std::string_view name, std::string_view raw) {
    json::object c = claims();
    c.erase(name);
    std::string text = json::serialize(c);
    std::string member = "\"";  // appended: "lit" + string trips g++ 12's -O3 -Wrestrict false positive
    member.append(name).append("\":").append(raw).append(",");
    text.insert(1, member);
    return craft(rs, header_for(rs), text);
  };
  CHECK(error_of(with_raw("exp", "1800003600.5")) == errc::invalid_claim);
  CHECK(error_of(with_raw("exp", "\"1800003600\"")) == errc::invalid_claim);
  CHECK(error_of(with_raw("exp", "true")) == errc::invalid_claim);
  CHECK(error_of(with_raw("exp", "null")) == errc::invalid_claim);
  CHECK(error_of(with_raw("exp", "1e300")) == errc::invalid_claim);
  CHECK(error_of(with_raw("exp", "18446744073709551615")) == errc::invalid_claim);
  CHECK(error_of(with_raw("nbf", "1.5")) == errc::invalid_claim);
  CHECK(error_of(with_raw("iat", "\"now\"")) == errc::invalid_claim);
  // Integral values written as floating point are still integers.
  CHECK(check(with_raw("exp", "1800003600.0")).has_value());
  CHECK(check(with_raw("exp", "1.8000036e9")).has_value());
}

TEST_CASE_FIXTURE(fixture, "sub client_id and jti are required strings - scope a string if present") {
  for (std::string_view name : {"sub", "client_id", "jti"}) {
    CAPTURE(name);
    json::object c = claims();
    c.erase(name);
    CHECK(error_of(craft_claims(rs, c)) == errc::missing_claim);
    c[name] = 42;
    CHECK(error_of(craft_claims(rs, c)) == errc::invalid_claim);
    c[name] = "";
    CHECK(error_of(craft_claims(rs, c)) == errc::invalid_claim);
  }
  json::object c = claims();
  c.erase("exp");
  CHECK(error_of(craft_claims(rs, c)) == errc::missing_claim);
  c = claims();
  c.erase("scope");
  auto r = check(craft_claims(rs, c));
  REQUIRE(r.has_value());
  CHECK(r->scope().empty());
  c["scope"] = json::array{"read-posts"};
  CHECK(error_of(craft_claims(rs, c)) == errc::invalid_claim);
  c = claims();
  c.erase("iat");
  c.erase("nbf");
  r = check(craft_claims(rs, c));
  REQUIRE(r.has_value());
  CHECK(r->iat() == 0);
}

TEST_CASE_FIXTURE(fixture, "error messages never echo the token") {
  json::object c = claims();
  c["iss"] = "<script>alert(1)</script>";
  auto r = check(craft_claims(rs, c));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message() == "wrong token issuer");
}

TEST_CASE_FIXTURE(fixture, "concurrent signing and verification with shared keys") {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const key& k = t % 3 == 0 ? rs : t % 3 == 1 ? es : ed;
      for (int i = 0; i < 50; ++i) {
        json::object c = claims();
        c["jti"] = std::to_string(t * 1000 + i);
        auto r = verify(sign(k, c), keys, opt);
        if (!r || r->jti() != std::to_string(t * 1000 + i)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
}

TEST_CASE_FIXTURE(fixture, "cached verification contexts: more keys than the cache holds, never mixed up") {
  // The verifier keeps a prepared context per key and thread (8 at most): cycle through 12
  // ES256 keys and the RS256 key, and check every signature against the right key only.
  std::vector<key> many;
  for (int i = 0; i < 12; ++i) many.push_back(*key::generate(algorithm::es256));
  for (const auto& k : many) keys.add(k.public_key());
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < many.size(); ++i) {
      const key& signer = many[i];
      const key& other = many[(i + 1) % many.size()];
      CHECK(check(craft_claims(signer, claims())).has_value());
      // Signed by `signer`, presented under the other key's kid: refused with that key.
      CHECK(error_of(craft(signer, header_for(other), json::serialize(claims()))) == errc::bad_signature);
      // A failure leaves the cached context usable: the next good token still verifies.
      CHECK(check(craft_claims(other, claims())).has_value());
      CHECK(check(craft_claims(rs, claims())).has_value());
      CHECK(error_of(craft(attacker, header_for(rs), json::serialize(claims()))) == errc::bad_signature);
    }
  }
}

// Found by tests/fuzz/jose_json_fuzz: a number literal beyond double's range read as infinity,
// so an accepted header or claims object could not be serialized back as JSON.
TEST_CASE("JOSE JSON: numbers beyond double's range are refused, the largest finite one is kept") {
  CHECK_FALSE(detail::parse_object(R"({"exp":1e400})").has_value());
  CHECK_FALSE(detail::parse_object(R"({"n":-9223372036854775e308})").has_value());
  CHECK_FALSE(detail::parse_object(R"({"a":[1,{"b":2e999}]})").has_value());
  auto largest = detail::parse_object(R"({"d":1.7976931348623157e308,"u":18446744073709551615})");
  REQUIRE(largest.has_value());
  CHECK(largest->at("d").as_double() == 1.7976931348623157e308);

  fixture f;
  auto header = base64url_encode(std::string_view(R"({"alg":"ES256","typ":"at+jwt","kid":"x","pad":1e400})"));
  CHECK(f.error_of(header + ".e30.AAAA") == errc::bad_json);
}
