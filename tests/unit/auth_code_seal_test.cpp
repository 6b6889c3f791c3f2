// Sealed authorization codes (auth-service/authorize/code_seal.hpp): what a code carries comes
// back whole, only under a key of ours, from no altered code, and nothing of it is readable.
#include "auth-service/authorize/code_seal.hpp"
#include "common/encoding.hpp"

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace oauth::auth;

namespace {

oauth::jwt::key new_key(oauth::jwt::algorithm alg = oauth::jwt::algorithm::es256) {
  auto k = oauth::jwt::key::generate(alg);
  REQUIRE(k.has_value());
  return *k;
}

authorization_code_record sample() {
  authorization_code_record r;
  r.client_id = "7f1c1c8e-4f7a-4a52-9d0e-0c1c2b3a4d5e";
  r.redirect_uri = "https://app.example/cb?x=1&y=2";
  r.redirect_uri_sent = true;
  r.user_id = "0b9e5c1e-2d3f-4a5b-8c7d-6e5f4a3b2c1d";
  r.scopes = {"read-posts", "write-posts"};
  r.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  r.auth_time = 1'764'000'000;
  r.expires_at = 1'764'000'060;
  return r;
}

std::vector<code_sealing_key> keys_of(const oauth::jwt::key& k) { return {derive_code_sealing_key(k)}; }

} // namespace

TEST_CASE("code seal: what is sealed opens whole, and the redirect URI compares exactly") {
  const auto keys = keys_of(new_key());
  const auto rec = sample();
  const std::string code = seal_authorization_code(rec, keys[0]);
  CHECK(code.size() < 400);  // 315 for two UUIDs, two scopes and a challenge
  CHECK(oauth::base64url_decode(code).has_value());
  auto opened = open_authorization_code(code, keys);
  REQUIRE(opened.has_value());
  const auto& r = opened->record;
  CHECK(r.client_id == rec.client_id);
  CHECK(r.redirect_uri.empty());  // only its digest travels
  CHECK(r.redirect_uri_sent);
  CHECK(r.user_id == rec.user_id);
  CHECK(r.scopes == rec.scopes);
  CHECK(r.code_challenge == rec.code_challenge);
  CHECK(r.auth_time == rec.auth_time);
  CHECK(r.expires_at == rec.expires_at);
  CHECK(opened->redirect_uri_matches("https://app.example/cb?x=1&y=2"));
  CHECK_FALSE(opened->redirect_uri_matches("https://app.example/cb?x=1&y=2&z"));
  CHECK_FALSE(opened->redirect_uri_matches("https://app.example/CB?x=1&y=2"));
  CHECK_FALSE(opened->redirect_uri_matches("https://app.example/cb?x=1&y=2/"));
  CHECK_FALSE(opened->redirect_uri_matches(""));

  // Empty fields, negative and large times, many scopes, a long redirect URI (the code does not grow with it).
  authorization_code_record bare;
  bare.client_id = "c";
  bare.user_id = "u";
  bare.auth_time = -5;
  bare.expires_at = INT64_MAX;
  bare.redirect_uri = std::string(4000, 'x');
  auto b = open_authorization_code(seal_authorization_code(bare, keys[0]), keys);
  REQUIRE(b.has_value());
  CHECK_FALSE(b->record.redirect_uri_sent);
  CHECK(b->record.scopes.empty());
  CHECK(b->record.code_challenge.empty());
  CHECK(b->record.auth_time == -5);
  CHECK(b->record.expires_at == INT64_MAX);
  CHECK(b->redirect_uri_matches(std::string(4000, 'x')));
  CHECK(seal_authorization_code(bare, keys[0]).size() < 200);
}

TEST_CASE("code seal: codes are random and nothing of the grant is readable in them") {
  const auto keys = keys_of(new_key());
  const auto rec = sample();
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(seal_authorization_code(rec, keys[0]));
  CHECK(seen.size() == 200);  // a fresh 192-bit nonce each time
  for (const auto& code : seen) {
    auto raw = oauth::base64url_decode(code);
    REQUIRE(raw.has_value());
    for (const std::string& part : {rec.client_id, rec.user_id, rec.code_challenge, std::string("read-posts"),
                                    std::string("app.example")})
      CHECK(raw->find(part) == std::string::npos);
  }
}

TEST_CASE("code seal: any changed byte, a foreign key, other shapes and NUL bytes do not open") {
  const auto key = new_key();
  const auto keys = keys_of(key);
  const std::string code = seal_authorization_code(sample(), keys[0]);
  auto raw = *oauth::base64url_decode(code);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto changed = raw;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    CHECK_MESSAGE(!open_authorization_code(oauth::base64url_encode(changed), keys).has_value(), "byte " << i);
  }
  CHECK_FALSE(open_authorization_code(oauth::base64url_encode(raw.substr(0, raw.size() - 1)), keys).has_value());
  CHECK_FALSE(open_authorization_code(oauth::base64url_encode(raw + "x"), keys).has_value());
  CHECK_FALSE(open_authorization_code(code, keys_of(new_key())).has_value());  // another service's key
  auto same_selector = keys[0];  // the selector matches, the secret does not: the AEAD refuses
  same_selector.secret[31] ^= 0x80;
  CHECK_FALSE(open_authorization_code(code, std::vector<code_sealing_key>{same_selector}).has_value());
  CHECK_FALSE(open_authorization_code(code, {}).has_value());

  std::string with_nul = code;
  with_nul[7] = '\0';
  for (const std::string& bad : {std::string(), std::string("garbage"), code + std::string(1, '\0'), with_nul,
                                 code + "=", code.substr(0, 40), std::string(5000, 'A'), code + code, " " + code})
    CHECK_FALSE(open_authorization_code(bad, keys).has_value());
  CHECK(open_authorization_code(code, keys).has_value());  // the original still does
}

TEST_CASE("code seal: a code sealed before a key rotation opens while the old key stays") {
  const auto old_key = new_key();
  const auto new_key_ = new_key(oauth::jwt::algorithm::rs256);
  const auto before = keys_of(old_key);
  const std::string code = seal_authorization_code(sample(), before[0]);
  // After the rotation the new key seals and the old one is second: both kinds of code open.
  std::vector<code_sealing_key> after{derive_code_sealing_key(new_key_), derive_code_sealing_key(old_key)};
  CHECK(open_authorization_code(code, after).has_value());
  CHECK(open_authorization_code(seal_authorization_code(sample(), after[0]), after).has_value());
  // The old key file removed: its codes are dead.
  CHECK_FALSE(open_authorization_code(code, std::vector<code_sealing_key>{after[0]}).has_value());
}

TEST_CASE("code seal: the key is derived the same from the same key file, differently from another") {
  const auto key = new_key();
  auto reloaded = oauth::jwt::key::from_pem(key.private_pem());
  REQUIRE(reloaded.has_value());
  const auto a = derive_code_sealing_key(key);
  const auto b = derive_code_sealing_key(*reloaded);
  CHECK(a.secret == b.secret);
  CHECK(a.selector == b.selector);
  const auto c = derive_code_sealing_key(new_key());
  CHECK(a.secret != c.secret);
  // A replica with the same key file opens the code.
  const std::string code = seal_authorization_code(sample(), a);
  CHECK(open_authorization_code(code, std::vector<code_sealing_key>{b}).has_value());
}

TEST_CASE("code seal: fields beyond the format are refused, not truncated") {
  const auto keys = keys_of(new_key());
  auto rec = sample();
  rec.client_id = std::string(256, 'c');
  CHECK_THROWS_AS(seal_authorization_code(rec, keys[0]), std::length_error);
  rec = sample();
  rec.scopes.assign(200, "write-posts");  // 2,399 bytes: the code would be too long to open
  CHECK_THROWS_AS(seal_authorization_code(rec, keys[0]), std::length_error);
  rec = sample();
  rec.code_challenge = std::string(255, 'x');
  CHECK(open_authorization_code(seal_authorization_code(rec, keys[0]), keys)->record.code_challenge.size() == 255);
}

TEST_CASE("code seal: what a code's exchange issues is named by the code, and reveals neither it nor its hash") {
  const std::string code = "some-code-text";
  const auto ids = issued_ids_of_code(code);
  CHECK(ids.access_token_jti == issued_ids_of_code(code).access_token_jti);  // a replay finds the same
  CHECK(ids.refresh_family_id == issued_ids_of_code(code).refresh_family_id);
  CHECK(ids.access_token_jti != ids.refresh_family_id);
  const auto other = issued_ids_of_code("some-code-texu");
  CHECK(other.access_token_jti != ids.access_token_jti);
  CHECK(other.refresh_family_id != ids.refresh_family_id);
  for (const auto& id : {ids.access_token_jti, ids.refresh_family_id}) {
    REQUIRE(id.size() == 36);  // a version-4 UUID's shape, as every other jti and family id
    CHECK(id[8] == '-');
    CHECK(id[14] == '4');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    CHECK(id.find("some-code") == std::string::npos);
  }
}

TEST_CASE("code seal: a new key seals only once every replica has had time to load it") {
  // Replicas reload AUTH_KEYS_DIR every KEY_RELOAD_SECONDS: a code sealed with a key one of them
  // does not hold yet would not open there.
  const std::int64_t now = 1'764'000'000;
  const auto delay = std::chrono::seconds(35);
  auto k = [](std::int64_t created) {
    code_sealing_key key;
    key.created_at = created;
    key.selector[0] = static_cast<unsigned char>(created & 0xff);
    return key;
  };
  const std::vector<code_sealing_key> rotated{k(now - 86'400), k(now - 10)};  // the new one is 10 s old
  CHECK(choose_sealing_key(rotated, now, delay).created_at == now - 86'400);
  CHECK(choose_sealing_key(rotated, now + 25, delay).created_at == now - 10);  // 35 s later
  const std::vector<code_sealing_key> three{k(now - 3'000), k(now - 100), k(now - 5)};
  CHECK(choose_sealing_key(three, now, delay).created_at == now - 100);  // the newest old enough
  const std::vector<code_sealing_key> fresh_install{k(now - 2)};
  CHECK(choose_sealing_key(fresh_install, now, delay).created_at == now - 2);  // the only key
  const std::vector<code_sealing_key> all_new{k(now - 3), k(now - 1)};
  CHECK(choose_sealing_key(all_new, now, delay).created_at == now - 3);  // none old enough: the oldest
  const std::vector<code_sealing_key> unnamed{k(0), k(now - 1)};  // a file name without a time
  CHECK(choose_sealing_key(unnamed, now, delay).created_at == 0);
  CHECK_THROWS_AS(choose_sealing_key(std::vector<code_sealing_key>{}, now, delay), std::invalid_argument);
}
