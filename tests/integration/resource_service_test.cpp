// The resource service in-process against the real PostgreSQL and Redis of scripts/services.sh,
// with its JWKS served by a tiny server of the test (common/http/server): every route and
// error of the contract, keyset pagination under concurrent inserts, key rotation, the auth
// service down, PostgreSQL down and back, CORS, and the offline AUTH_PUBLIC_KEY_FILE mode.
#include "../support/http_exchange.hpp"
#include "../support/run.hpp"
#include "../support/service_threads.hpp"
#include "../support/test_env.hpp"
#include "../support/tokens.hpp"
#include "common/encoding.hpp"
#include "common/http/responses.hpp"
#include "common/http/server.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/sign.hpp"
#include "common/log.hpp"
#include "common/pg/pool.hpp"
#include "common/time.hpp"
#include "resource-service/app.hpp"
#include "tests/support/env.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace oauth;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using http::field;
using http::status;
using http::verb;

namespace {

constexpr std::string_view issuer = "http://localhost:8081";
constexpr std::string_view audience = "posts-api";

const jwt::key& key_a() {
  static jwt::key k = jwt::key::generate(jwt::algorithm::rs256).value();
  return k;
}
const jwt::key& key_b() {
  static jwt::key k = jwt::key::generate(jwt::algorithm::es256).value();
  return k;
}
const jwt::key& foreign_key() {
  static jwt::key k = jwt::key::generate(jwt::algorithm::rs256).value();
  return k;
}

std::string jwks_of(std::initializer_list<const jwt::key*> keys) {
  jwt::key_set set;
  for (auto k : keys) set.add(k->public_key());
  return json::serialize(set.to_jwks());
}

std::string mint(const jwt::key& k, std::string_view scope, std::string_view sub = "user-1",
                 std::string_view client_id = "client-1", std::int64_t exp_offset = 3600) {
  return oauth::test::mint_access_token(k, {.issuer = issuer, .audience = audience, .sub = sub, .client_id = client_id,
                                            .scope = scope, .exp_offset = exp_offset});
}

// ---- a JWKS endpoint standing in for the auth service ------------------------------------
struct jwks_document {
  std::mutex mutex;
  std::string body;
  std::string cache_control = "max-age=300";
  std::atomic<int> hits{0};
};

asio::awaitable<http::response> serve_jwks(http::request_context&, std::shared_ptr<jwks_document> doc) {
  doc->hits.fetch_add(1);
  std::lock_guard lock(doc->mutex);
  auto res = http::text_response(status::ok, doc->body, "application/json");
  res.set(field::cache_control, doc->cache_control);
  co_return res;
}

struct jwks_server {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::shared_ptr<jwks_document> doc = std::make_shared<jwks_document>();
  std::unique_ptr<http::server> srv;
  std::thread thread;
  std::uint16_t port = 0;

  explicit jwks_server(std::string body, std::uint16_t fixed_port = 0) {
    doc->body = std::move(body);
    auto r = std::make_shared<http::router>();
    auto d = doc;
    r->add(verb::get, "/jwks.json", [d](http::request_context& ctx) { return serve_jwks(ctx, d); });
    srv = std::make_unique<http::server>(io, http::server_options{listen_address{"127.0.0.1", fixed_port}, {}, false, "jwks"}, r);
    srv->start();
    port = srv->port();
    thread = std::thread([this] { io.run(); });
  }
  void publish(std::string body) {
    std::lock_guard lock(doc->mutex);
    doc->body = std::move(body);
  }
  // Closes the port: connections are refused from now on.
  void stop() {
    if (!thread.joinable()) return;
    guard.reset();
    io.stop();
    thread.join();
    srv.reset();
  }
  ~jwks_server() { stop(); }
};

// ---- the resource service, in-process ----------------------------------------------------
struct service {
  test::service_threads threads{2};
  std::unique_ptr<resource::app> app;

  explicit service(std::map<std::string, std::string> vars, resource::app_tuning tuning = fast_tuning()) {
    vars.emplace("DATABASE_URL", test::database_url());
    vars.emplace("REDIS_URL", test::redis_url());
    vars.emplace("THREADS", "2");
    vars.emplace("PG_QUERY_TIMEOUT_MS", "2000");
    auto config = resource::load_resource_config(test::env_of(vars));
    config.service.listen = listen_address{"127.0.0.1", 0};
    app = std::make_unique<resource::app>(threads.main(), config, tuning);
    app->migrate();
    app->start();
    threads.run(app->server());
  }
  static resource::app_tuning fast_tuning() {
    resource::app_tuning t;
    t.jwks_retry_min = 50ms;
    t.jwks_retry_max = 200ms;
    t.access_log = false;
    t.migrate_wait = 10s;
    return t;
  }
  std::uint16_t port() { return app->server().port(); }
  ~service() {
    app->stop();
    threads.stop();
    app.reset();
  }
};

std::map<std::string, std::string> jwks_env(const jwks_server& j) {
  return {{"AUTH_JWKS_URL", "http://127.0.0.1:" + std::to_string(j.port) + "/jwks.json"}};
}

// ---- a blocking HTTP client ----------------------------------------------------------------
struct reply {
  http::response res;
  unsigned status() const { return res.result_int(); }
  std::string header(field f) const {
    auto it = res.find(f);
    return it == res.end() ? std::string() : std::string(it->value());
  }
  bool has(field f) const { return res.find(f) != res.end(); }
  json::value body() const { return json::parse(res.body()); }
};

reply call(std::uint16_t port, verb method, std::string target, std::string token = {}, std::string body = {},
           std::map<std::string, std::string> headers = {}) {
  http::request req{method, target, 11};
  req.set(field::host, "127.0.0.1");
  if (!token.empty()) req.set(field::authorization, "Bearer " + token);
  for (auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == verb::post) {
    if (req.find(field::content_type) == req.end()) req.set(field::content_type, "application/json");
    req.body() = std::move(body);
  }
  return reply{test::http_exchange(port, std::move(req))};
}

reply get(std::uint16_t port, std::string target, std::string token = {}) {
  return call(port, verb::get, std::move(target), std::move(token));
}

std::string post_body(std::string_view title, std::string_view text = "body") {
  json::object o;
  o["title"] = title;
  o["body"] = text;
  return json::serialize(o);
}

using test::eventually;

void truncate_posts() {
  asio::io_context io;
  pg::pool db(io.get_executor(), pg::pool_options{test::database_url()});
  auto r = test::run(io, db.query("TRUNCATE posts"));
  REQUIRE_MESSAGE(r.has_value(), "TRUNCATE posts failed");
}

// Stops a server for a test and starts it again whatever happens: other tests need it.
struct pg_outage : test::restart_on_exit {
  pg_outage() : restart_on_exit{"pg"} { test::services("stop", "pg"); }
};
struct redis_outage : test::restart_on_exit {
  redis_outage() : restart_on_exit{"redis"} { test::services("stop", "redis"); }
};

// Waits until the service has its keys (the first JWKS fetch runs in the background) and has
// loaded its revocation list once (until then bearer requests are 503: fail closed).
void wait_ready(service& s) {
  REQUIRE(eventually([&] { return s.app->keys().loaded(); }, 5s));
  REQUIRE(eventually([&] { return s.app->revocations().loaded_once(); }, 5s));
}

} // namespace

TEST_CASE("health, readiness with postgres, redis and keys") {
  log::set_level(log::level::warn);
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  wait_ready(s);
  CHECK(get(s.port(), "/healthz").status() == 200);
  REQUIRE(eventually([&] { return get(s.port(), "/readyz").status() == 200; }));
  auto ready = get(s.port(), "/readyz").body();
  CHECK(ready.at("status") == "ok");
  CHECK(ready.at("checks").at("postgres") == "ok");
  CHECK(ready.at("checks").at("redis") == "ok");
  CHECK(ready.at("checks").at("keys") == "ok");
  auto metrics = get(s.port(), "/metrics");
  CHECK(metrics.status() == 200);
  CHECK(metrics.res.body().find("jwks_fetch_total") != std::string::npos);
}

TEST_CASE("until the keys are loaded: protected routes and readyz answer 503, then recover by themselves") {
  // The JWKS URL points at a closed port first.
  std::uint16_t port;
  {
    jwks_server probe(jwks_of({&key_a()}));
    port = probe.port;
  }
  service s({{"AUTH_JWKS_URL", "http://127.0.0.1:" + std::to_string(port) + "/jwks.json"}});
  auto token = mint(key_a(), "read-posts");
  auto unavailable = get(s.port(), "/api/posts", token);
  CHECK(unavailable.status() == 503);
  CHECK(unavailable.body().at("error") == "temporarily_unavailable");
  CHECK(unavailable.header(field::retry_after) == "1");
  auto ready = get(s.port(), "/readyz");
  CHECK(ready.status() == 503);
  CHECK(ready.body().at("checks").at("keys") == "down");
  // No token is still a 401: nothing to verify.
  CHECK(get(s.port(), "/api/posts").status() == 401);

  jwks_server j(jwks_of({&key_a()}), port);  // the auth service comes up
  CHECK(eventually([&] { return get(s.port(), "/api/posts", token).status() == 200; }, 5s));
  CHECK(get(s.port(), "/readyz").body().at("checks").at("keys") == "ok");
}

TEST_CASE("bearer errors exactly as RFC 6750 and the contract") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  wait_ready(s);
  auto p = s.port();

  auto none = get(p, "/api/posts");
  CHECK(none.status() == 401);
  CHECK(none.header(field::www_authenticate) == "Bearer realm=\"posts\"");
  CHECK(none.body().as_object().contains("error"));
  CHECK(none.body().as_object().contains("error_description"));
  auto basic = call(p, verb::get, "/api/posts", {}, {}, {{"Authorization", "Basic dXNlcjpwYXNz"}});
  CHECK(basic.status() == 401);
  CHECK(basic.header(field::www_authenticate) == "Bearer realm=\"posts\"");

  auto expect_invalid = [&](const reply& r, std::string_view description) {
    CHECK(r.status() == 401);
    CHECK(r.header(field::www_authenticate) ==
          "Bearer realm=\"posts\", error=\"invalid_token\", error_description=\"" + std::string(description) + "\"");
    CHECK(r.body().at("error") == "invalid_token");
    CHECK(r.body().at("error_description").as_string() == description);
  };
  expect_invalid(call(p, verb::get, "/api/posts", {}, {}, {{"Authorization", "Bearer"}}), "malformed bearer token");
  expect_invalid(get(p, "/api/posts", "garbage"), "malformed token");
  expect_invalid(get(p, "/api/posts", mint(key_a(), "read-posts", "u", "c", -3600)), "token expired");
  expect_invalid(get(p, "/api/posts", mint(foreign_key(), "read-posts")), "unknown signing key");
  {
    // A foreign key that names our kid: the signature fails.
    auto now = unix_now();
    json::object c{{"iss", issuer}, {"sub", "u"}, {"aud", audience}, {"client_id", "c"}, {"jti", "j"},
                   {"scope", "read-posts"}, {"iat", now}, {"exp", now + 60}};
    std::string input = base64url_encode(json::serialize(json::object{{"alg", "RS256"}, {"typ", "at+jwt"}, {"kid", key_a().kid()}})) +
                        "." + base64url_encode(json::serialize(c));
    expect_invalid(get(p, "/api/posts", input + "." + base64url_encode(jwt::create_signature(foreign_key(), input))),
                   "signature verification failed");
  }
  {
    auto now = unix_now();
    json::object c{{"iss", issuer}, {"sub", "u"}, {"aud", "other-api"}, {"client_id", "c"}, {"jti", "j"},
                   {"scope", "read-posts"}, {"iat", now}, {"exp", now + 60}};
    expect_invalid(get(p, "/api/posts", jwt::sign(key_a(), c)), "wrong token audience");
    c["aud"] = audience;
    c["iss"] = "http://evil";
    expect_invalid(get(p, "/api/posts", jwt::sign(key_a(), c)), "wrong token issuer");
    c["iss"] = issuer;
    expect_invalid(get(p, "/api/posts", jwt::sign(key_a(), c, "JWT")), "wrong token type");
  }

  // Missing scope: 403 with the required scope.
  auto read_only = mint(key_a(), "read-posts");
  auto denied = call(p, verb::post, "/api/posts", read_only, post_body("t"));
  CHECK(denied.status() == 403);
  CHECK(denied.header(field::www_authenticate).starts_with("Bearer realm=\"posts\", error=\"insufficient_scope\""));
  CHECK(denied.header(field::www_authenticate).ends_with("scope=\"write-posts\""));
  CHECK(denied.body().at("error") == "insufficient_scope");
  auto no_read = get(p, "/api/posts", mint(key_a(), "write-posts"));
  CHECK(no_read.status() == 403);
  CHECK(no_read.header(field::www_authenticate).ends_with("scope=\"read-posts\""));
  auto not_admin = call(p, verb::delete_, "/api/posts/1", mint(key_a(), "read-posts write-posts"));
  CHECK(not_admin.status() == 403);
  CHECK(not_admin.header(field::www_authenticate).ends_with("scope=\"admin\""));
  CHECK(get(p, "/api/posts", mint(key_a(), "")).status() == 403);
}

TEST_CASE("posts: create, get, list, delete - client-credentials authors - admin implies read and write") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  truncate_posts();
  wait_ready(s);
  auto p = s.port();
  auto writer = mint(key_a(), "read-posts write-posts", "user-7", "client-web");

  auto created = call(p, verb::post, "/api/posts", writer, post_body("Hello", "First post"));
  REQUIRE(created.status() == 201);
  auto post = created.body().as_object();
  CHECK(post.at("title") == "Hello");
  CHECK(post.at("body") == "First post");
  CHECK(post.at("author").at("sub") == "user-7");
  CHECK(post.at("author").at("client_id") == "client-web");
  auto created_at = std::string(post.at("created_at").as_string());
  CHECK(created_at.size() == 27);  // 2026-11-26T17:50:31.123456Z
  CHECK(created_at.ends_with("Z"));
  CHECK(post.at("updated_at") == post.at("created_at"));
  auto id = post.at("id").as_int64();
  CHECK(created.header(field::location) == "/api/posts/" + std::to_string(id));
  CHECK(created.header(field::content_type) == "application/json");

  auto fetched = get(p, "/api/posts/" + std::to_string(id), writer);
  CHECK(fetched.status() == 200);
  CHECK(fetched.body() == created.body());

  // Client credentials: sub is the client id, nothing assumes a user.
  auto machine = mint(key_a(), "write-posts read-posts", "svc-client", "svc-client");
  auto by_machine = call(p, verb::post, "/api/posts", machine, post_body("From a machine"));
  REQUIRE(by_machine.status() == 201);
  CHECK(by_machine.body().at("author").at("sub") == "svc-client");
  CHECK(by_machine.body().at("author").at("client_id") == "svc-client");

  // admin implies write-posts and read-posts.
  auto admin = mint(key_a(), "admin");
  auto by_admin = call(p, verb::post, "/api/posts", admin, post_body("By admin"));
  REQUIRE(by_admin.status() == 201);

  auto list = get(p, "/api/posts", admin);
  REQUIRE(list.status() == 200);
  auto data = list.body().at("data").as_array();
  REQUIRE(data.size() == 3);
  CHECK(data[0].at("title") == "By admin");  // newest first
  CHECK(data[2].at("title") == "Hello");
  CHECK(list.body().at("next_cursor").is_null());

  // 404s: unknown, malformed, zero, too large.
  for (std::string bad : std::vector<std::string>{"999999999", "abc", "0", "-1", "1.5", "99999999999999999999", "%41"}) {
    CAPTURE(bad);
    auto r = get(p, "/api/posts/" + bad, writer);
    CHECK(r.status() == 404);
    CHECK(r.body().at("error") == "not_found");
  }

  auto deleted = call(p, verb::delete_, "/api/posts/" + std::to_string(id), admin);
  CHECK(deleted.status() == 204);
  CHECK(deleted.res.body().empty());
  CHECK(call(p, verb::delete_, "/api/posts/" + std::to_string(id), admin).status() == 404);
  CHECK(call(p, verb::delete_, "/api/posts/nope", admin).status() == 404);
  CHECK(get(p, "/api/posts/" + std::to_string(id), writer).status() == 404);

  // Methods the contract does not define.
  CHECK(call(p, verb::put, "/api/posts/1", admin, post_body("x")).status() == 405);
}

TEST_CASE("create validation: 422 per field, 400 malformed JSON, body size rules") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  wait_ready(s);
  auto p = s.port();
  auto writer = mint(key_a(), "write-posts");

  auto invalid = call(p, verb::post, "/api/posts", writer, R"({"title":"","body":5})");
  CHECK(invalid.status() == 422);
  auto errors = invalid.body().at("errors").as_object();
  CHECK(errors.at("title").as_array().size() == 1);
  CHECK(errors.at("body").at(0) == "The body field must be a string.");
  auto missing = call(p, verb::post, "/api/posts", writer, "{}");
  CHECK(missing.status() == 422);
  CHECK(missing.body().at("errors").as_object().size() == 2);
  auto long_title = call(p, verb::post, "/api/posts", writer, post_body(std::string(201, 'x')));
  CHECK(long_title.status() == 422);
  CHECK(long_title.body().at("errors").as_object().contains("title"));
  auto bad_utf8 = call(p, verb::post, "/api/posts", writer, "{\"title\":\"a\xff\",\"body\":\"b\"}");
  CHECK(bad_utf8.status() == 422);
  CHECK(bad_utf8.body().at("errors").as_object().contains("title"));

  auto malformed = call(p, verb::post, "/api/posts", writer, R"({"title": "x", )");
  CHECK(malformed.status() == 400);
  CHECK(malformed.body().at("error") == "invalid_request");
  CHECK(call(p, verb::post, "/api/posts", writer, "[1]").status() == 400);

  // Exactly 64 KiB of body is fine; one byte more is 422.
  CHECK(call(p, verb::post, "/api/posts", writer, post_body("big", std::string(65536, 'b'))).status() == 201);
  auto too_big = call(p, verb::post, "/api/posts", writer, post_body("big", std::string(65537, 'b')));
  CHECK(too_big.status() == 422);
  CHECK(too_big.body().at("errors").as_object().contains("body"));
  // 64 KiB of characters that JSON escapes six-fold still fits the route's body limit.
  std::string escaped = R"({"title":"esc","body":")";
  for (int i = 0; i < 65536; ++i) escaped += "\\u0001";
  escaped += "\"}";
  CHECK(call(p, verb::post, "/api/posts", writer, escaped).status() == 201);
  // Far beyond the route limit: 413 from the server.
  CHECK(call(p, verb::post, "/api/posts", writer, post_body("huge", std::string(500'000, 'b'))).status() == 413);
}

TEST_CASE("create: a NUL in the title or the body → 422 naming the field, never a truncated 201 or a 500") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  wait_ready(s);
  auto p = s.port();
  auto writer = mint(key_a(), "write-posts");

  auto body_nul = call(p, verb::post, "/api/posts", writer, R"({"title":"t","body":"abc\u0000secret"})");
  CHECK(body_nul.status() == 422);
  CHECK(body_nul.body().at("errors").as_object().contains("body"));
  auto title_nul = call(p, verb::post, "/api/posts", writer, R"({"title":"\u0000x","body":"b"})");
  CHECK(title_nul.status() == 422);
  CHECK(title_nul.body().at("errors").as_object().contains("title"));
  // The same text without the NUL is stored whole.
  auto whole = call(p, verb::post, "/api/posts", writer, R"({"title":"t","body":"abc\u0001secret"})");
  REQUIRE(whole.status() == 201);
  CHECK(whole.body().at("body") == "abc\x01secret");
}

TEST_CASE("list: limit and cursor validation, pages, next_cursor null on the last page") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  truncate_posts();
  wait_ready(s);
  auto p = s.port();
  auto token = mint(key_a(), "read-posts write-posts");
  for (int i = 0; i < 25; ++i) {
    std::string title = "p";  // appended: "lit" + string trips g++ 12's -O3 -Wrestrict false positive
    title += std::to_string(i);
    REQUIRE(call(p, verb::post, "/api/posts", token, post_body(title)).status() == 201);
  }

  auto first = get(p, "/api/posts", token);
  REQUIRE(first.status() == 200);
  CHECK(first.body().at("data").as_array().size() == 20);  // default limit
  auto cursor = std::string(first.body().at("next_cursor").as_string());
  auto second = get(p, "/api/posts?cursor=" + cursor, token);
  REQUIRE(second.status() == 200);
  CHECK(second.body().at("data").as_array().size() == 5);
  CHECK(second.body().at("next_cursor").is_null());
  CHECK(get(p, "/api/posts?limit=100", token).body().at("data").as_array().size() == 25);
  CHECK(get(p, "/api/posts?limit=25", token).body().at("next_cursor").is_null());
  CHECK(get(p, "/api/posts?limit=1", token).body().at("data").as_array().size() == 1);

  for (std::string bad : std::vector<std::string>{"limit=0", "limit=101", "limit=abc", "limit=-5", "limit=", "limit=1&limit=2", "cursor=",
                          "cursor=garbage", "cursor=" + cursor + "x", "cursor=AAAAAAAAAAAAAAAAAAAAAAA"}) {
    CAPTURE(bad);
    auto r = get(p, "/api/posts?" + bad, token);
    CHECK(r.status() == 400);
    CHECK(r.body().at("error") == "invalid_request");
  }
}

TEST_CASE("pagination covers every post exactly once while posts are being inserted") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  truncate_posts();
  wait_ready(s);
  auto p = s.port();
  auto token = mint(key_a(), "read-posts write-posts");
  std::set<std::int64_t> before;
  for (int i = 0; i < 60; ++i) {
    auto r = call(p, verb::post, "/api/posts", token, post_body("seed " + std::to_string(i)));
    REQUIRE(r.status() == 201);
    before.insert(r.body().at("id").as_int64());
  }

  std::atomic<bool> stop{false};
  std::atomic<int> inserted{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w)
    writers.emplace_back([&] {
      while (!stop) {
        if (call(p, verb::post, "/api/posts", token, post_body("concurrent")).status() == 201) inserted.fetch_add(1);
      }
    });

  std::vector<std::int64_t> seen;
  std::vector<std::string> times;
  std::string next;
  int pages = 0;
  for (;;) {
    auto r = get(p, "/api/posts?limit=7" + (next.empty() ? std::string() : "&cursor=" + next), token);
    REQUIRE(r.status() == 200);
    ++pages;
    auto page = r.body();
    for (const auto& item : page.at("data").as_array()) {
      seen.push_back(item.at("id").as_int64());
      times.emplace_back(item.at("created_at").as_string());
    }
    if (page.at("next_cursor").is_null()) break;
    next = std::string(page.at("next_cursor").as_string());
    std::this_thread::sleep_for(5ms);  // let the writers interleave
  }
  stop = true;
  for (auto& t : writers) t.join();
  CHECK(inserted.load() > 0);
  CHECK(pages >= 9);

  std::set<std::int64_t> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size());  // nothing twice
  for (auto id : before) CHECK(unique.count(id) == 1);  // everything that existed, once
  // Strictly newest first by (created_at, id).
  for (std::size_t i = 1; i < seen.size(); ++i) {
    bool ordered = times[i - 1] > times[i] || (times[i - 1] == times[i] && seen[i - 1] > seen[i]);
    CHECK(ordered);
  }
}

TEST_CASE("concurrent reads of distinct posts each get their own post (batched lookups)") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  truncate_posts();
  wait_ready(s);
  auto p = s.port();
  auto token = mint(key_a(), "read-posts write-posts");
  std::map<std::int64_t, std::string> titles;
  for (int i = 0; i < 12; ++i) {
    auto r = call(p, verb::post, "/api/posts", token, post_body("post " + std::to_string(i)));
    REQUIRE(r.status() == 201);
    titles[r.body().at("id").as_int64()] = "post " + std::to_string(i);
  }
  std::atomic<int> wrong{0};
  std::atomic<int> ok{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 6; ++t)
    readers.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round)
        for (auto& [id, title] : titles) {
          auto r = get(p, "/api/posts/" + std::to_string(id + (t == 0 && round == 0 ? 1000000 : 0)), token);
          if (t == 0 && round == 0) {
            (r.status() == 404 ? ok : wrong).fetch_add(1);
            continue;
          }
          auto body = r.body();
          bool good = r.status() == 200 && body.at("id").as_int64() == id && body.at("title").as_string() == title;
          (good ? ok : wrong).fetch_add(1);
        }
    });
  for (auto& t : readers) t.join();
  CHECK(wrong.load() == 0);
  CHECK(ok.load() == 6 * 10 * 12);
}

TEST_CASE("key rotation: a new kid is picked up without restart - unknown-kid refetches are rate-limited") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  wait_ready(s);
  auto p = s.port();
  CHECK(get(p, "/api/posts", mint(key_a(), "read-posts")).status() == 200);

  // The auth service adds an ES256 key and signs with it.
  j.publish(jwks_of({&key_a(), &key_b()}));
  auto hits = j.doc->hits.load();
  // Several requests with the new kid at once share one refetch.
  std::atomic<int> accepted{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&] {
      if (get(p, "/api/posts", mint(key_b(), "read-posts")).status() == 200) accepted.fetch_add(1);
    });
  for (auto& t : clients) t.join();
  CHECK(accepted.load() == 8);
  CHECK(j.doc->hits.load() == hits + 1);
  CHECK(get(p, "/api/posts", mint(key_a(), "read-posts")).status() == 200);

  // A flood of tokens with made-up kids: at most one more fetch per interval (10 s here).
  hits = j.doc->hits.load();
  for (int i = 0; i < 40; ++i) {
    auto r = get(p, "/api/posts", mint(foreign_key(), "read-posts"));
    CHECK(r.status() == 401);
  }
  CHECK(j.doc->hits.load() - hits <= 1);
}

TEST_CASE("the auth service down: cached keys keep working") {
  jwks_server j(jwks_of({&key_a()}));
  auto tuning = service::fast_tuning();
  tuning.unknown_kid_interval = 100ms;
  service s(jwks_env(j), tuning);
  wait_ready(s);
  auto p = s.port();
  j.stop();
  auto token = mint(key_a(), "read-posts");
  for (int i = 0; i < 5; ++i) CHECK(get(p, "/api/posts", token).status() == 200);
  // An unknown kid tries a refetch, which fails fast; the token is refused, the keys stay.
  std::this_thread::sleep_for(150ms);
  auto started = std::chrono::steady_clock::now();
  CHECK(get(p, "/api/posts", mint(key_b(), "read-posts")).status() == 401);
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  CHECK(get(p, "/api/posts", token).status() == 200);
  CHECK(get(p, "/readyz").body().at("checks").at("keys") == "ok");
}

TEST_CASE("PostgreSQL down: 503, readyz down, and recovery without restart") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  wait_ready(s);
  auto p = s.port();
  auto token = mint(key_a(), "read-posts write-posts");
  REQUIRE(get(p, "/api/posts", token).status() == 200);
  {
    pg_outage outage;
    auto list = get(p, "/api/posts", token);
    CHECK(list.status() == 503);
    CHECK(list.body().at("error") == "temporarily_unavailable");
    CHECK(get(p, "/api/posts/1", token).status() == 503);
    CHECK(call(p, verb::post, "/api/posts", token, post_body("during outage")).status() == 503);
    auto ready = get(p, "/readyz");
    CHECK(ready.status() == 503);
    CHECK(ready.body().at("checks").at("postgres") == "down");
    // Token checks do not need the database.
    CHECK(get(p, "/api/posts").status() == 401);
  }
  CHECK(eventually([&] { return get(p, "/api/posts", token).status() == 200; }, 15s));
  CHECK(call(p, verb::post, "/api/posts", token, post_body("after outage")).status() == 201);
  CHECK(eventually([&] { return get(p, "/readyz").status() == 200; }, 10s));
}

TEST_CASE("Redis down: readyz reports it, the posts API keeps serving") {
  jwks_server j(jwks_of({&key_a()}));
  service s(jwks_env(j));
  wait_ready(s);
  auto p = s.port();
  REQUIRE(eventually([&] { return get(p, "/readyz").status() == 200; }));
  {
    redis_outage outage;
    CHECK(eventually([&] {
      auto r = get(p, "/readyz");
      return r.status() == 503 && r.body().at("checks").at("redis") == "down";
    }));
    CHECK(get(p, "/api/posts", mint(key_a(), "read-posts")).status() == 200);
  }
  CHECK(eventually([&] { return get(p, "/readyz").status() == 200; }, 15s));
}

TEST_CASE("CORS: preflight and actual responses for allowed origins only") {
  jwks_server j(jwks_of({&key_a()}));
  auto env = jwks_env(j);
  env["CORS_ALLOWED_ORIGINS"] = "http://localhost:8081 https://app.example";
  service s(env);
  wait_ready(s);
  auto p = s.port();

  auto pre = call(p, verb::options, "/api/posts", {}, {},
                  {{"Origin", "http://localhost:8081"}, {"Access-Control-Request-Method", "POST"},
                   {"Access-Control-Request-Headers", "authorization, content-type"}});
  CHECK(pre.status() == 204);
  CHECK(pre.header(field::access_control_allow_origin) == "http://localhost:8081");
  CHECK(pre.header(field::access_control_allow_methods) == "GET, POST");
  CHECK(pre.header(field::access_control_allow_headers) == "Authorization, Content-Type");
  CHECK(pre.header(field::access_control_max_age) == "600");
  CHECK(pre.header(field::vary) == "Origin");
  auto pre_item = call(p, verb::options, "/api/posts/5", {}, {},
                       {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "DELETE"}});
  CHECK(pre_item.status() == 204);
  CHECK(pre_item.header(field::access_control_allow_methods) == "GET, DELETE");

  auto foreign = call(p, verb::options, "/api/posts", {}, {},
                      {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  CHECK_FALSE(foreign.has(field::access_control_allow_origin));
  CHECK_FALSE(foreign.has(field::access_control_allow_methods));
  CHECK_FALSE(foreign.has(field::access_control_allow_headers));

  auto actual = call(p, verb::get, "/api/posts", mint(key_a(), "read-posts"), {}, {{"Origin", "http://localhost:8081"}});
  CHECK(actual.status() == 200);
  CHECK(actual.header(field::access_control_allow_origin) == "http://localhost:8081");
  CHECK(actual.header(field::vary) == "Origin");
  // Errors carry CORS headers too, so the page can read them.
  auto unauth = call(p, verb::get, "/api/posts", {}, {}, {{"Origin", "http://localhost:8081"}});
  CHECK(unauth.status() == 401);
  CHECK(unauth.header(field::access_control_allow_origin) == "http://localhost:8081");
  CHECK(unauth.header(field::access_control_expose_headers).find("WWW-Authenticate") != std::string::npos);
  auto other = call(p, verb::get, "/api/posts", mint(key_a(), "read-posts"), {}, {{"Origin", "http://evil.example"}});
  CHECK(other.status() == 200);
  CHECK_FALSE(other.has(field::access_control_allow_origin));
}

TEST_CASE("AUTH_PUBLIC_KEY_FILE: fully offline, the JWKS is never fetched") {
  auto path = std::filesystem::temp_directory_path() / ("resource-test-key-" + std::to_string(::getpid()) + ".pem");
  {
    std::ofstream out(path);
    out << key_a().public_pem();
  }
  std::uint16_t closed;
  {
    jwks_server probe(jwks_of({&key_a()}));
    closed = probe.port;
  }
  service s({{"AUTH_PUBLIC_KEY_FILE", path.string()},
             {"AUTH_JWKS_URL", "http://127.0.0.1:" + std::to_string(closed) + "/jwks.json"}});
  std::filesystem::remove(path);
  CHECK(s.app->keys().loaded());
  wait_ready(s);  // the revocation list too
  auto p = s.port();
  CHECK(get(p, "/api/posts", mint(key_a(), "read-posts")).status() == 200);
  CHECK(get(p, "/api/posts", mint(key_b(), "read-posts")).status() == 401);
  CHECK(get(p, "/api/posts", mint(foreign_key(), "read-posts")).status() == 401);
  CHECK(s.app->keys().fetch_count() == 0);
}
