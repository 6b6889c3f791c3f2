#include "common/config.hpp"
#include "tests/support/env.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace oauth;

namespace {
using oauth::test::env_of;

std::string error_of(const std::map<std::string, std::string>& vars) {
  try {
    load_service_config(env_of(vars), "0.0.0.0:8081");
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}
} // namespace

TEST_CASE("defaults follow the contract") {
  auto c = load_service_config(env_of({}), "0.0.0.0:8081");
  CHECK(c.listen.host == "0.0.0.0");
  CHECK(c.listen.port == 8081);
  CHECK(c.threads >= 1);
  CHECK(c.database_url == "postgresql://127.0.0.1:5432/oauth");
  CHECK(c.redis.host == "127.0.0.1");
  CHECK(c.redis.port == 6379);
  CHECK(c.redis.db == 0);
  CHECK(c.issuer == "http://localhost:8081");
  CHECK(c.audience == "posts-api");
  CHECK(c.shutdown_drain == std::chrono::seconds(10));
}

TEST_CASE("values are read from the environment") {
  auto c = load_service_config(env_of({{"LISTEN_ADDR", "[::1]:9000"},
                                       {"THREADS", "3"},
                                       {"REDIS_URL", "redis://:s3cret@redis.local:6380/2"},
                                       {"SHUTDOWN_DRAIN_SECONDS", "0"},
                                       {"HTTP_MAX_CONNECTIONS", "7"}}),
                               "0.0.0.0:8081");
  CHECK(c.listen.host == "::1");
  CHECK(c.listen.port == 9000);
  CHECK(c.threads == 3);
  CHECK(c.redis.host == "redis.local");
  CHECK(c.redis.port == 6380);
  CHECK(c.redis.db == 2);
  CHECK(c.redis.password == "s3cret");
  CHECK(c.shutdown_drain == std::chrono::seconds(0));
  CHECK(c.http.max_connections == 7);
}

TEST_CASE("a bad value names the variable in one line") {
  CHECK(error_of({{"THREADS", "many"}}).starts_with("THREADS: expected an integer"));
  CHECK(error_of({{"THREADS", "0"}}).starts_with("THREADS: expected an integer between 1 and 256"));
  CHECK(error_of({{"THREADS", "4x"}}).starts_with("THREADS:"));
  CHECK(error_of({{"LISTEN_ADDR", "8081"}}).starts_with("LISTEN_ADDR: expected host:port"));
  CHECK(error_of({{"LISTEN_ADDR", "0.0.0.0:99999"}}).starts_with("LISTEN_ADDR:"));
  CHECK(error_of({{"DATABASE_URL", "mysql://x"}}).starts_with("DATABASE_URL:"));
  CHECK(error_of({{"SHUTDOWN_DRAIN_SECONDS", "-1"}}).starts_with("SHUTDOWN_DRAIN_SECONDS:"));
  CHECK(error_of({{"LOG_LEVEL", "loud"}}).starts_with("LOG_LEVEL:"));
  for (auto& [k, v] : std::map<std::string, std::string>{{"THREADS", "x"}, {"LISTEN_ADDR", "x"}})
    CHECK(error_of({{k, v}}).find('\n') == std::string::npos);
}

TEST_CASE("a malformed REDIS_URL is refused without echoing its password") {
  auto message = error_of({{"REDIS_URL", "redis://:hunter2@host:notaport/0"}});
  CHECK(message.starts_with("REDIS_URL:"));
  CHECK(message.find("hunter2") == std::string::npos);
  CHECK(error_of({{"REDIS_URL", "http://host"}}).starts_with("REDIS_URL:"));
  CHECK(error_of({{"REDIS_URL", "redis://host/16"}}).starts_with("REDIS_URL:"));
  message = error_of({{"REDIS_URL", "redis://:hunter%2@host"}});  // a malformed escape
  CHECK(message.starts_with("REDIS_URL:"));
  CHECK(message.find("hunter") == std::string::npos);
  CHECK(message.find("percent-encoded") != std::string::npos);
}

TEST_CASE("redis URLs") {
  auto a = parse_redis_url("redis://127.0.0.1:56379/15");
  REQUIRE(a);
  CHECK(a->port == 56379);
  CHECK(a->db == 15);
  auto b = parse_redis_url("redis://cache");
  REQUIRE(b);
  CHECK(b->host == "cache");
  CHECK(b->port == 6379);
  auto c = parse_redis_url("redis://user:pw@[::1]:7000/1");
  REQUIRE(c);
  CHECK(c->host == "::1");
  CHECK(c->port == 7000);
  CHECK(c->username == "user");
  CHECK(c->password == "pw");
  auto d = parse_redis_url("redis://:p:w@cache/2");  // the default user (docker-compose.yml's form)
  REQUIRE(d);
  CHECK(d->username.empty());
  CHECK(d->password == "p:w");
  auto e = parse_redis_url("redis://secret@cache");  // no colon: a password
  REQUIRE(e);
  CHECK(e->username.empty());
  CHECK(e->password == "secret");
  CHECK_FALSE(parse_redis_url("redis://"));
  CHECK_FALSE(parse_redis_url("redis://h:0"));

  // User and password are percent-decoded after the split: any byte can be written.
  auto f = parse_redis_url("redis://app%3Aone:p%40ss%3Aw%2Fo%25rd%00x@cache/3");
  REQUIRE(f);
  CHECK(f->username == "app:one");
  CHECK(f->password == std::string("p@ss:w/o%rd\0x", 13));
  CHECK(f->host == "cache");
  CHECK(f->db == 3);
  auto g = parse_redis_url("redis://%3Apass@cache");  // no colon of its own: still a password
  REQUIRE(g);
  CHECK(g->username.empty());
  CHECK(g->password == ":pass");
  // A '%' that starts no escape is refused, not guessed at.
  CHECK_FALSE(parse_redis_url("redis://:100%@cache"));
  CHECK_FALSE(parse_redis_url("redis://:%zz@cache"));
  CHECK_FALSE(parse_redis_url("redis://u%4:p@cache"));
}

TEST_CASE("lists split on commas and spaces") {
  auto e = env_of({{"CORS_ALLOWED_ORIGINS", "http://a, http://b  http://c,"}});
  CHECK(e.list("CORS_ALLOWED_ORIGINS", "") == std::vector<std::string>{"http://a", "http://b", "http://c"});
  CHECK(e.list("MISSING", "x,y") == std::vector<std::string>{"x", "y"});
}

TEST_CASE("an empty variable counts as unset") {
  auto c = load_service_config(env_of({{"THREADS", ""}, {"AUTH_ISSUER", ""}}), "0.0.0.0:8082");
  CHECK(c.issuer == "http://localhost:8081");
  CHECK(c.listen.port == 8082);
}

TEST_CASE("AUTH_ISSUER loses a trailing slash: one spelling for metadata, iss claims and RFC 9207") {
  CHECK(load_service_config(env_of({{"AUTH_ISSUER", "https://auth.example/"}}), "0.0.0.0:8081").issuer ==
        "https://auth.example");
  CHECK(load_service_config(env_of({{"AUTH_ISSUER", "https://auth.example/tenant//"}}), "0.0.0.0:8081").issuer ==
        "https://auth.example/tenant");
  CHECK(load_service_config(env_of({{"AUTH_ISSUER", "https://auth.example"}}), "0.0.0.0:8081").issuer ==
        "https://auth.example");
}

TEST_CASE("TRUSTED_PROXIES is a list of addresses or ranges") {
  auto c = load_service_config(env_of({{"TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"}}), "0.0.0.0:8081");
  CHECK(c.http.trusted_proxies == std::vector<std::string>{"10.0.0.0/8", "127.0.0.1"});
  CHECK(error_of({{"TRUSTED_PROXIES", "10.0.0.0/8,gateway"}}).starts_with("TRUSTED_PROXIES:"));
  CHECK(load_service_config(env_of({}), "0.0.0.0:8081").http.trusted_proxies.empty());
}
