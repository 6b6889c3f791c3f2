// grant_type=authorization_code through the token endpoint, over fake stores and real sealed
// codes (no sockets): what opens a code, what reaches the store, and the time rules, with the
// clock in the test's hand (`now` of the token request) instead of sleeping.
#include "auth-service/authorize/code_seal.hpp"
#include "auth-service/oauth/authorization_code_grant.hpp"
#include "auth-service/oauth/token_endpoint.hpp"
#include "common/encoding.hpp"
#include "common/jwt/verify.hpp"
#include "common/redis/client.hpp"
#include "common/revocation/writer.hpp"
#include "common/time.hpp"
#include "tests/support/run.hpp"
#include "tests/unit/auth_oauth_fakes.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <map>
#include <set>

using namespace oauth;
using namespace oauth::auth;
using namespace std::chrono_literals;

namespace {

// The codes' single-use state, scripted: every call is recorded.
struct fake_codes final : authorization_code_store {
  std::map<std::string, std::string, std::less<>> state;  // code → "f" | "u"
  std::vector<std::string> calls;                        // "consume", "consume+sign", "check_expired", "replayed"
  bool down = false;
  std::set<std::string, std::less<>> replays;  // codes whose replay was recorded

  boost::asio::awaitable<store_result<void>> remember(std::string_view code, std::chrono::seconds) override {
    state[std::string(code)] = "f";
    co_return store_result<void>();
  }
  boost::asio::awaitable<store_result<code_outcome>> consume(std::string_view code, std::int64_t,
                                                             std::function<void()> while_waiting) override {
    calls.push_back(while_waiting ? "consume+sign" : "consume");
    if (while_waiting) while_waiting();
    if (down) co_return store_error_of<code_outcome>(test::store_down());
    auto it = state.find(code);
    if (it == state.end()) {
      state.emplace(std::string(code), "u");  // as Redis's unconditional SET: used from then on
      replays.emplace(code);
      co_return code_outcome::forgotten;
    }
    if (it->second == "f") {
      it->second = "u";
      co_return code_outcome::fresh;
    }
    replays.emplace(code);
    co_return code_outcome::replayed;
  }
  boost::asio::awaitable<store_result<code_outcome>> check_expired(std::string_view code, std::int64_t) override {
    calls.push_back("check_expired");
    auto it = state.find(code);
    if (it == state.end()) {
      replays.emplace(code);
      co_return code_outcome::forgotten;
    }
    if (it->second == "f") co_return code_outcome::invalid;
    replays.emplace(code);
    co_return code_outcome::replayed;
  }
  boost::asio::awaitable<store_result<bool>> replayed(std::string_view code) override {
    calls.push_back("replayed");
    co_return replays.contains(code);
  }
};

struct fake_families final : refresh_family_registry {
  std::vector<std::string> revoked;
  boost::asio::awaitable<store_result<std::vector<client_family_summary>>> live_clients(std::string_view) override {
    co_return std::vector<client_family_summary>{};
  }
  boost::asio::awaitable<store_result<int>> revoke_user_client(std::string_view, std::string_view,
                                                               std::int64_t) override {
    co_return 0;
  }
  boost::asio::awaitable<store_result<bool>> revoke_family_id(std::string_view id, std::int64_t) override {
    revoked.emplace_back(id);
    co_return true;
  }
};

const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";  // RFC 7636 Appendix B
const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const std::string redirect = "https://app.example/cb";

struct fixture {
  boost::asio::io_context io;
  test::fake_clients clients;
  test::fake_users users;
  test::fake_refresh refresh;
  fake_codes codes;
  fake_families families;
  // Never started: a revocation fails at once (not_connected), as when Redis is down.
  redis::client redis{io.get_executor(), redis::client_options{}};
  revocation::writer revocations{redis};
  token_issuer issuer = test::make_test_issuer();
  std::vector<code_sealing_key> keys{derive_code_sealing_key(test::test_signing_key())};
  authorization_code_grant grant{{codes, [this] { return std::make_shared<const std::vector<code_sealing_key>>(keys); },
                                  users, refresh, families, revocations, issuer, 30 * 24h}};
  token_endpoint endpoint{clients, {&grant}};
  std::int64_t now = unix_now();

  fixture() {
    clients.clients["spa"] = test::make_client("spa", "", {"authorization_code"});
    clients.clients["spa-refresh"] = test::make_client("spa-refresh", "", {"authorization_code", "refresh_token"});
    clients.clients["other"] = test::make_client("other", "", {"authorization_code"});
    users.by_email["alice@example.com"] = test::make_user("u-alice", "alice@example.com", "x", {"read-posts"});
  }
  ~fixture() { redis.stop(); }

  std::string issue(std::string client = "spa", std::int64_t expires_at = 0) {
    authorization_code_record r;
    r.client_id = std::move(client);
    r.redirect_uri = redirect;
    r.redirect_uri_sent = true;
    r.user_id = "u-alice";
    r.scopes = {"read-posts", "write-posts"};  // write-posts: the user no longer has it
    r.code_challenge = challenge;
    r.auth_time = now - 10;
    r.expires_at = expires_at != 0 ? expires_at : now + 60;
    std::string code = seal_authorization_code(r, keys[0]);
    codes.state[code] = "f";
    return code;
  }
  grant_result exchange(const std::string& code, std::string client = "spa", std::int64_t at = 0,
                        std::string v = verifier, std::string uri = redirect) {
    std::string body = "grant_type=authorization_code&client_id=" + client + "&code=" + url_encode(code);
    if (!v.empty()) body += "&code_verifier=" + v;
    if (!uri.empty()) body += "&redirect_uri=" + url_encode(uri);
    token_request_input in{"application/x-www-form-urlencoded", "", body, "198.51.100.7", at != 0 ? at : now};
    return test::run(io, endpoint.process(in));
  }
};

oauth_errc failure(const grant_result& r) {
  REQUIRE_MESSAGE(std::holds_alternative<token_error>(r), "expected an error, got a token");
  return std::get<token_error>(r).code;
}

} // namespace

TEST_CASE_FIXTURE(fixture, "code grant: a fresh code is signed during its consume, with the jti the code names") {
  const auto code = issue();
  auto r = exchange(code);
  REQUIRE_MESSAGE(std::holds_alternative<token_response>(r), std::get<token_error>(r).description);
  const auto& t = std::get<token_response>(r);
  CHECK(codes.calls == std::vector<std::string>{"consume+sign"});
  CHECK_FALSE(t.refresh_token.has_value());
  CHECK(t.scopes == std::vector<std::string>{"read-posts"});  // narrowed to what the user still has
  jwt::key_set ks;
  ks.add(test::test_signing_key().public_key());
  auto v = jwt::verify(t.access_token, ks, {.issuer = test::test_issuer, .audience = test::test_audience});
  REQUIRE(v.has_value());
  CHECK(v->sub() == "u-alice");
  CHECK(v->client_id() == "spa");
  CHECK(v->jti() == issued_ids_of_code(code).access_token_jti);
  // Used: a replay. Its revocation needs Redis, down in this fixture: 503, never a token.
  CHECK(failure(exchange(code)) == oauth_errc::temporarily_unavailable);
  CHECK(families.revoked == std::vector<std::string>{issued_ids_of_code(code).refresh_family_id});
}

TEST_CASE_FIXTURE(fixture, "code grant: a code whose state the store lost is refused and handled as a replay") {
  // Redis restarted (or failed over) after this code was issued, and maybe after its exchange.
  const auto code = issue();
  codes.state.erase(code);
  // What it may have issued is revoked (Redis down in this fixture: 503, never a token).
  CHECK(failure(exchange(code)) == oauth_errc::temporarily_unavailable);
  CHECK(families.revoked == std::vector<std::string>{issued_ids_of_code(code).refresh_family_id});
  CHECK(codes.state[code] == "u");
  // Past its expiry too, within the replay window.
  const auto late = issue("spa", now + 60);
  codes.state.erase(late);
  CHECK(failure(exchange(late, "spa", now + 120)) == oauth_errc::temporarily_unavailable);
  CHECK(families.revoked.size() == 2);
  CHECK(codes.calls.back() == "check_expired");
}

TEST_CASE_FIXTURE(fixture, "code grant: at its expiry a code is refused and not consumed, a used one is a replay") {
  const auto code = issue("spa", now + 60);
  CHECK(failure(exchange(code, "spa", now + 60)) == oauth_errc::invalid_grant);
  CHECK(codes.calls == std::vector<std::string>{"check_expired"});
  CHECK(codes.state[code] == "f");
  // One second earlier it is still good.
  REQUIRE(std::holds_alternative<token_response>(exchange(code, "spa", now + 59)));
  // Presented again after its expiry: a replay, so what it issued is revoked (Redis down here:
  // the revocation fails, and so does the answer, with 503 rather than a silent invalid_grant).
  auto late = exchange(code, "spa", now + 300);
  CHECK(failure(late) == oauth_errc::temporarily_unavailable);
  CHECK(families.revoked == std::vector<std::string>{issued_ids_of_code(code).refresh_family_id});
}

TEST_CASE_FIXTURE(fixture, "code grant: another client's code, a changed code, another deployment's code: refused untouched") {
  const auto code = issue();
  CHECK(failure(exchange(code, "other")) == oauth_errc::invalid_grant);
  std::string changed = code;
  changed[20] = changed[20] == 'A' ? 'B' : 'A';
  CHECK(failure(exchange(changed)) == oauth_errc::invalid_grant);
  authorization_code_record r;
  r.client_id = "spa";
  r.user_id = "u-alice";
  r.expires_at = now + 60;
  auto foreign_key = derive_code_sealing_key(jwt::key::generate(jwt::algorithm::es256).value());
  CHECK(failure(exchange(seal_authorization_code(r, foreign_key), "spa", 0, "", "")) == oauth_errc::invalid_grant);
  auto same_selector = keys[0];  // a key that claims to be ours: the AEAD decides, not the selector
  same_selector.secret[0] ^= 0x01;
  CHECK(failure(exchange(seal_authorization_code(r, same_selector), "spa", 0, "", "")) == oauth_errc::invalid_grant);
  CHECK(failure(exchange("garbage\x01")) == oauth_errc::invalid_grant);
  CHECK(codes.calls.empty());  // none of them reached the store
  CHECK(std::holds_alternative<token_response>(exchange(code)));  // the owner's code was not burned
}

TEST_CASE_FIXTURE(fixture, "code grant: a wrong verifier or redirect URI burns the code, and nothing is signed") {
  const auto a = issue();
  CHECK(failure(exchange(a, "spa", 0, std::string(43, 'a'))) == oauth_errc::invalid_grant);
  CHECK(codes.calls == std::vector<std::string>{"consume"});
  // The right verifier is too late: a replay (503 here, where the revocation cannot reach Redis).
  CHECK(failure(exchange(a)) == oauth_errc::temporarily_unavailable);
  CHECK(codes.calls == std::vector<std::string>{"consume", "consume+sign"});
  const auto b = issue();
  CHECK(failure(exchange(b, "spa", 0, verifier, "https://app.example/other")) == oauth_errc::invalid_grant);
  CHECK(codes.state[b] == "u");
  const auto c = issue();
  CHECK(failure(exchange(c, "spa", 0, verifier, "")) == oauth_errc::invalid_grant);  // the authorize request sent one
  CHECK(codes.state[c] == "u");
}

TEST_CASE_FIXTURE(fixture, "code grant: a store down answers 503, and the user store down leaves the code unused") {
  const auto code = issue();
  users.down = true;
  CHECK(failure(exchange(code)) == oauth_errc::temporarily_unavailable);
  CHECK(codes.calls.empty());
  users.down = false;
  codes.down = true;
  CHECK(failure(exchange(code)) == oauth_errc::temporarily_unavailable);
  codes.down = false;
  CHECK(std::holds_alternative<token_response>(exchange(code)));
  // The user deleted since: refused, and the code used up.
  const auto orphan = issue();
  users.by_email.clear();
  CHECK(failure(exchange(orphan)) == oauth_errc::invalid_grant);
  CHECK(codes.state[orphan] == "u");
}

TEST_CASE_FIXTURE(fixture, "code grant: the refresh family is the code's, and a replay seen after it is created withholds every token") {
  const auto code = issue("spa-refresh");
  auto r = exchange(code, "spa-refresh");
  REQUIRE(std::holds_alternative<token_response>(r));
  CHECK(std::get<token_response>(r).refresh_token.has_value());
  REQUIRE(refresh.issued.size() == 1);
  CHECK(refresh.issued[0].record.family_id == issued_ids_of_code(code).refresh_family_id);
  CHECK(refresh.issued[0].jti == issued_ids_of_code(code).access_token_jti);
  CHECK(codes.calls == std::vector<std::string>{"consume+sign", "replayed"});

  // A replay came between the consume and the family: the exchange revokes what it issued
  // (here Redis is down for the access token's revocation, so the answer is 503) and hands out nothing.
  const auto raced = issue("spa-refresh");
  codes.replays.insert(raced);
  auto lost = exchange(raced, "spa-refresh");
  CHECK(failure(lost) == oauth_errc::temporarily_unavailable);
  CHECK(families.revoked.back() == issued_ids_of_code(raced).refresh_family_id);
}
