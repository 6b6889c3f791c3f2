// The password grant against hostile input over HTTP, real PostgreSQL and Redis
// (../shared/CONTRACT.md, "Hostile input"): throttling decided atomically under concurrent
// requests, NUL characters refused, Unicode case variants throttled as one user, and the
// bounded hashing queue.
#include "tests/integration/auth_token_support.hpp"
#include "tests/support/held_worker.hpp"

#include <atomic>
#include <future>
#include <latch>

using namespace oauth;
using namespace oauth::test::auth_server;
using field = boost::beast::http::field;
using verb = boost::beast::http::verb;

namespace {

struct tally {
  std::atomic<int> evaluated{0};  // any answer but 429: the password was checked
  std::atomic<int> throttled{0};  // 429 with a Retry-After in 1..60
  std::atomic<int> odd{0};        // 429 without a usable Retry-After
};

// A password-grant request from `client_ip` (the server trusts 127.0.0.1's X-Forwarded-For):
// a fresh address per test, so no other test's attempts count against its per-IP limit.
reply token_from(std::uint16_t port, const std::string& form, const std::string& authorization,
                 const std::string& client_ip) {
  http_::request<http_::string_body> req{http_::verb::post, "/oauth/token", 11};
  req.set(http_::field::host, "127.0.0.1");
  req.set(http_::field::connection, "close");
  req.set(http_::field::content_type, "application/x-www-form-urlencoded");
  req.set(http_::field::authorization, authorization);
  req.set("X-Forwarded-For", client_ip);
  req.body() = form;
  return as_reply(oauth::test::http_exchange(port, std::move(req)));
}

// 10.x.y.z from fresh random bytes.
std::string fresh_client_ip() {
  auto bytes = random_uuid();
  return "10." + std::to_string(std::stoi(bytes.substr(0, 2), nullptr, 16)) + "." +
         std::to_string(std::stoi(bytes.substr(2, 2), nullptr, 16)) + "." +
         std::to_string(std::stoi(bytes.substr(4, 2), nullptr, 16));
}

// `count` requests at once (threads released together) from `client_ip`, each answer tallied.
template <class MakeForm>
void concurrent_logins(std::uint16_t port, const std::string& authorization, const std::string& client_ip, int count,
                       MakeForm make_form, tally& t) {
  std::latch start(count);
  std::vector<std::thread> clients;
  for (int i = 0; i < count; ++i)
    clients.emplace_back([&, i] {
      auto form = make_form(i);
      start.arrive_and_wait();
      auto r = token_from(port, form, authorization, client_ip);
      if (r.status != 429) {
        ++t.evaluated;
        return;
      }
      auto retry = r.header(field::retry_after);
      int seconds = retry.empty() ? 0 : std::stoi(retry);
      if (r.error() == "too_many_requests" && seconds >= 1 && seconds <= 60) ++t.throttled;
      else ++t.odd;
    });
  for (auto& c : clients) c.join();
}

std::string create_user_named(admin& a, const std::string& email) {
  oauth::auth::new_user spec;
  spec.email = email;
  spec.name = "Hostile";
  spec.password_hash = test_password_hash();
  spec.scopes = {"read-posts"};
  auto made = oauth::test::run(a.io, oauth::auth::create_user(a.db, spec));
  REQUIRE_MESSAGE(made.has_value(), made.error().message);
  return email;
}

} // namespace

TEST_CASE("throttle under concurrency: of 40 wrong passwords at once at most 5 are evaluated, the rest 429") {
  admin a;
  server s(std::map<std::string, std::string>{{"TRUSTED_PROXIES", "127.0.0.1"}});
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  const auto ip = fresh_client_ip();
  tally t;
  concurrent_logins(s.port(), basic(web.id, web.secret), ip, 40,
                    [&](int i) { return password_form(email, "wrong-" + std::to_string(i)); }, t);
  CHECK(t.evaluated <= 5);
  CHECK(t.evaluated >= 1);
  CHECK(t.throttled + t.evaluated == 40);
  CHECK(t.odd == 0);
  // And the right password is refused too while the user is throttled.
  check_error(token_from(s.port(), password_form(email, test_password), basic(web.id, web.secret), ip), 429,
              "too_many_requests");
}

TEST_CASE("throttle under concurrency: the per-IP limit holds for 40 different names at once") {
  admin a;
  server s(std::map<std::string, std::string>{{"THROTTLE_IP_FAILURES", "5"}, {"TRUSTED_PROXIES", "127.0.0.1"}});
  auto web = a.client({"password", "refresh_token"});
  const auto ip = fresh_client_ip();
  const auto auth = basic(web.id, web.secret);
  tally t;
  concurrent_logins(s.port(), auth, ip, 40,
                    [](int i) { return password_form("spray-" + std::to_string(i) + "@example.com", "guess"); }, t);
  CHECK(t.evaluated <= 5);
  CHECK(t.evaluated >= 1);
  CHECK(t.throttled + t.evaluated == 40);
  CHECK(t.odd == 0);
  // The decision on the per-IP limit: an innocent user behind the same address is refused too,
  // even with the right password, until the window ends (redis_throttle_store.hpp says why);
  // the same user from another address is not.
  auto innocent = a.user(test_password_hash());
  check_error(token_from(s.port(), password_form(innocent, test_password), auth, ip), 429, "too_many_requests");
  CHECK(token_from(s.port(), password_form(innocent, test_password), auth, fresh_client_ip()).status == 200);
}

TEST_CASE("NUL: a user name or password with U+0000 is invalid_request, also after the user is throttled") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  auto email = a.user(test_password_hash());
  const auto auth = basic(web.id, web.secret);
  for (int i = 0; i < 5; ++i) check_error(token(s.port(), password_form(email, "wrong"), auth), 400, "invalid_grant");
  check_error(token(s.port(), password_form(email, test_password), auth), 429, "too_many_requests");
  // Before: libpq read the name up to the NUL (found the user), the throttle keyed the whole
  // name (not throttled) → 200 and a token.
  auto nul_name = token(s.port(), "grant_type=password&username=" + url_encode(email) + "%00z1&password=" +
                                      url_encode(test_password), auth);
  check_error(nul_name, 400, "invalid_request");
  // The same in a JSON body, and in the password and the scope.
  auto json_nul = request(s.port(), verb::post, "/oauth/token",
                          R"({"grant_type":"password","username":")" + email + R"(\u0000z2","password":")" +
                              test_password + "\"}",
                          "application/json", auth);
  check_error(json_nul, 400, "invalid_request");
  auto other = a.user(test_password_hash());
  check_error(token(s.port(), password_form(other, test_password + std::string(1, '\0') + "x"), auth), 400,
              "invalid_request");
  check_error(token(s.port(), password_form(other, test_password, std::string("read-posts\0", 11)), auth), 400,
              "invalid_request");
  // The untouched user still logs in: none of these counted against them.
  CHECK(token(s.port(), password_form(other, test_password), auth).status == 200);
  // Other OAuth endpoints read their parameters the same way.
  check_error(request(s.port(), verb::post, "/oauth/revoke", "token=abc%00def", "application/x-www-form-urlencoded", auth),
              400, "invalid_request");
  check_error(token(s.port(), "grant_type=client_credentials", basic(std::string("web\0", 4), web.secret)), 400,
              "invalid_request");
}

TEST_CASE("Unicode case variants of a user name are one throttle key, as they are one user") {
  admin a;
  server s;
  auto web = a.client({"password", "refresh_token"});
  const auto id = random_uuid();
  auto email = create_user_named(a, "ünïcödé-" + id + "@example.com");
  const std::string shouted = "ÜNÏCÖDÉ-" + id + "@EXAMPLE.COM";
  const auto auth = basic(web.id, web.secret);
  // The lookup matches the variant (PostgreSQL lower()), so it must be throttled as the user.
  for (int i = 0; i < 5; ++i) check_error(token(s.port(), password_form(shouted, "wrong"), auth), 400, "invalid_grant");
  check_error(token(s.port(), password_form(email, test_password), auth), 429, "too_many_requests");
  check_error(token(s.port(), password_form("Ünïcödé-" + id + "@Example.com", test_password), auth), 429,
              "too_many_requests");
}

TEST_CASE("PASSWORD_HASH_QUEUE: a check beyond the waiting ones → 503 + Retry-After at once; then it recovers") {
  admin a;
  server s(std::map<std::string, std::string>{{"PASSWORD_HASH_QUEUE", "1"}, {"PASSWORD_HASH_THREADS", "1"}});
  auto web = a.client({"password", "refresh_token"});
  auto first = a.user(test_password_hash());
  auto second = a.user(test_password_hash());
  const auto auth = basic(web.id, web.secret);

  auto& hasher = s.app->hasher();
  std::future<reply> queued, second_login;  // declared first: the hold is released before they are awaited
  oauth::test::held_worker hold(hasher.executor());  // the only worker is busy
  queued = std::async(std::launch::async, [&] { return token(s.port(), password_form(first, test_password), auth); });
  REQUIRE(oauth::test::eventually([&] { return hasher.waiting() == 1; }));  // it waits in the queue

  // "At once": it must not wait for the held worker. Were it queued, it would finish only after
  // the release below; the 30 s deadline keeps such a failure from hanging the test.
  second_login = std::async(std::launch::async, [&] { return token(s.port(), password_form(second, test_password), auth); });
  const bool answered = second_login.wait_for(30s) == std::future_status::ready;
  CHECK_MESSAGE(answered, "the check beyond the queue waited for a worker");
  hold.release();
  auto refused = second_login.get();
  check_error(refused, 503, "temporarily_unavailable");
  CHECK(std::stoi(refused.header(field::retry_after)) >= 1);

  CHECK(queued.get().status == 200);
  // The refused attempt was not counted against its user, and the queue has room again.
  CHECK(token(s.port(), password_form(second, test_password), auth).status == 200);
}
