// The PostgreSQL stores and admin operations of the auth service against the real server
// (scripts/services.sh). Each test truncates the auth tables first; other components'
// tables are never touched.
#include "auth-service/credentials/client_secret.hpp"
#include "auth-service/storage/client_admin.hpp"
#include "auth-service/storage/migrations.hpp"
#include "auth-service/storage/pg_client_store.hpp"
#include "auth-service/storage/pg_user_store.hpp"
#include "auth-service/storage/purge.hpp"
#include "auth-service/storage/user_admin.hpp"
#include "common/pg/migrate.hpp"
#include "common/pg/pool.hpp"
#include "tests/support/run.hpp"
#include "tests/support/test_env.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <stdexcept>
#include <string>

namespace asio = boost::asio;
namespace pg = oauth::pg;
using namespace oauth::auth;
using asio::awaitable;
using oauth::test::run;

namespace {

template <class R>
bool ok(const R& r) {
  return r.has_value();
}

pg::pool_options options() {
  pg::pool_options o;
  o.conninfo = oauth::test::database_url();
  o.size = 4;
  return o;
}

template <class T>
T must(pg::result<T> r, std::string_view what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().code.message() + ": " + r.error().message);
  return std::move(*r);
}

awaitable<void> prepare(pg::pool& db) {
  must(co_await pg::migrate(db, migration_component, migrations()), "migrate");
  must(co_await db.query("truncate personal_access_tokens, oauth_consents, users, oauth_clients"), "truncate");
}

struct fixture {
  asio::io_context io;
  pg::pool db{io.get_executor(), options()};
  fixture() { run(io, prepare(db)); }
};

new_user user_spec(std::string email) {
  new_user u;
  u.email = std::move(email);
  u.name = "Alice";
  u.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";
  u.scopes = {"read-posts", "write-posts"};
  return u;
}

} // namespace

TEST_CASE("migrations apply once: a second run applies nothing") {
  fixture f;
  CHECK(must(run(f.io, pg::migrate(f.db, migration_component, migrations())), "migrate") == 0);
}

TEST_CASE_FIXTURE(fixture, "users: created, found by e-mail in any case and by id") {
  pg_user_store store(db);
  auto made = must(run(io, create_user(db, user_spec("Alice.Smith@Example.COM"))), "create");
  CHECK(made.id.size() == 36);
  CHECK(made.scopes == std::vector<std::string>{"read-posts", "write-posts"});

  for (const char* query : {"alice.smith@example.com", "ALICE.SMITH@EXAMPLE.COM", "Alice.Smith@Example.COM"}) {
    auto found = run(io, store.find_by_email(query));
    REQUIRE(ok(found));
    REQUIRE(found->has_value());
    CHECK((*found)->id == made.id);
    CHECK((*found)->email == "Alice.Smith@Example.COM");  // stored as given
    CHECK((*found)->name == "Alice");
    CHECK((*found)->password_hash == made.password_hash);
  }
  auto by_id = run(io, store.find_by_id(made.id));
  REQUIRE(ok(by_id));
  REQUIRE(by_id->has_value());
  CHECK((*by_id)->email == made.email);

  SUBCASE("unknown and malformed lookups are not found, not errors") {
    for (const char* id : {"00000000-0000-4000-8000-000000000000", "not-a-uuid", "", "'; drop table users; --"}) {
      auto r = run(io, store.find_by_id(id));
      REQUIRE(ok(r));
      CHECK_FALSE(r->has_value());
    }
    for (const char* email : {"bob@example.com", "", "alice.smith@example.co"}) {
      auto r = run(io, store.find_by_email(email));
      REQUIRE(ok(r));
      CHECK_FALSE(r->has_value());
    }
  }

  SUBCASE("a duplicate e-mail in another case is a unique violation") {
    auto dup = run(io, create_user(db, user_spec("alice.smith@example.com")));
    REQUIRE_FALSE(ok(dup));
    CHECK(dup.error().is_unique_violation());
  }

  SUBCASE("find_for_login: one canonical name for every spelling the lookup matches") {
    std::string canonical;
    for (const char* query : {"alice.smith@example.com", "ALICE.SMITH@EXAMPLE.COM", "Alice.Smith@Example.COM"}) {
      auto r = run(io, store.find_for_login(query));
      REQUIRE(ok(r));
      REQUIRE(r->found);
      CHECK(r->found->id == made.id);
      if (canonical.empty()) canonical = r->canonical_name;
      CHECK(r->canonical_name == canonical);
    }
    CHECK(canonical == "alice.smith@example.com");
    // An unknown name still has its canonical form (the throttle needs it).
    auto ghost = run(io, store.find_for_login("GHOST@Example.com"));
    REQUIRE(ok(ghost));
    CHECK_FALSE(ghost->found);
    CHECK(ghost->canonical_name == "ghost@example.com");
  }

  SUBCASE("the password hash is replaced") {
    REQUIRE(ok(run(io, store.update_password_hash(made.id, "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA"))));
    auto again = run(io, store.find_by_id(made.id));
    REQUIRE(ok(again));
    CHECK((*again)->password_hash == "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA");
    // Unknown or malformed ids change nothing and are not errors.
    CHECK(ok(run(io, store.update_password_hash("00000000-0000-4000-8000-000000000000", "x"))));
    CHECK(ok(run(io, store.update_password_hash("nope", "x"))));
  }
}

TEST_CASE_FIXTURE(fixture, "users: Unicode case variants are one user for create, lookup and canonical name") {
  pg_user_store store(db);
  // Ä/ä, Ö/ö, Σ/σ: beyond ASCII, where an ASCII-only lower-casing would tell them apart.
  auto made = must(run(io, create_user(db, user_spec("ÄÖ.Σ@Example.com"))), "create");
  const std::string lower = "äö.σ@example.com";
  auto a = run(io, store.find_for_login(made.email));
  auto b = run(io, store.find_for_login(lower));
  REQUIRE(ok(a));
  REQUIRE(ok(b));
  REQUIRE(a->found);
  REQUIRE(b->found);
  CHECK(b->found->id == made.id);
  CHECK(a->canonical_name == b->canonical_name);
  CHECK(a->canonical_name == lower);
  // `authctl user create` goes through the same index: the other spelling is a duplicate.
  auto dup = run(io, create_user(db, user_spec(lower)));
  REQUIRE_FALSE(ok(dup));
  CHECK(dup.error().is_unique_violation());
}

TEST_CASE_FIXTURE(fixture, "clients: confidential and public, scopes, revocation, listing") {
  pg_client_store store(db);
  new_client spec;
  spec.name = "web app";
  spec.grants = {"client_credentials", "refresh_token"};
  spec.scopes = std::vector<std::string>{"read-posts"};
  auto conf = must(run(io, create_client(db, spec)), "create");
  CHECK(conf.record.confidential());
  CHECK_FALSE(conf.secret.empty());
  CHECK(conf.record.secret_hash.find(conf.secret) == std::string::npos);
  CHECK(verify_client_secret(conf.secret, conf.record.secret_hash));

  new_client pub;
  pub.name = "spa";
  pub.grants = {"password", "refresh_token"};
  pub.confidential = false;
  auto pub_made = must(run(io, create_client(db, pub)), "create public");
  CHECK(pub_made.secret.empty());

  auto found = run(io, store.find(conf.record.id));
  REQUIRE(ok(found));
  REQUIRE(found->has_value());
  const client& c = **found;
  CHECK(c.name == "web app");
  CHECK(c.grants == spec.grants);
  REQUIRE(c.scopes.has_value());
  CHECK(*c.scopes == std::vector<std::string>{"read-posts"});
  CHECK(c.allows_grant("client_credentials"));
  CHECK_FALSE(c.allows_grant("password"));
  CHECK_FALSE(c.revoked);
  CHECK(c.created_at > 1'600'000'000);
  CHECK(verify_client_secret(conf.secret, c.secret_hash));

  auto p = run(io, store.find(pub_made.record.id));
  REQUIRE(ok(p));
  REQUIRE(p->has_value());
  CHECK_FALSE((*p)->confidential());
  CHECK_FALSE((*p)->scopes.has_value());  // any defined scope

  for (const char* id : {"00000000-0000-4000-8000-000000000000", "123", "", "x' or '1'='1"}) {
    auto r = run(io, store.find(id));
    REQUIRE(ok(r));
    CHECK_FALSE(r->has_value());
  }

  CHECK(must(run(io, revoke_client(db, conf.record.id)), "revoke") == revoke_outcome::revoked);
  CHECK(must(run(io, revoke_client(db, conf.record.id)), "revoke") == revoke_outcome::already_revoked);
  CHECK(must(run(io, revoke_client(db, "00000000-0000-4000-8000-000000000000")), "revoke") ==
        revoke_outcome::not_found);
  CHECK(must(run(io, revoke_client(db, "junk")), "revoke") == revoke_outcome::not_found);
  auto revoked = run(io, store.find(conf.record.id));
  REQUIRE(ok(revoked));
  CHECK((*revoked)->revoked);

  auto all = must(run(io, list_clients(db)), "list");
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == conf.record.id);
  CHECK(all[0].revoked);
  CHECK(all[1].id == pub_made.record.id);
}

TEST_CASE_FIXTURE(fixture, "install clients: made once, then found again without secrets") {
  auto first = must(run(io, ensure_install_clients(db)), "install");
  CHECK(first.password_client_created);
  CHECK(first.personal_access_client_created);
  CHECK_FALSE(first.password_client.secret.empty());
  CHECK(first.password_client.record.password_client);
  CHECK(first.password_client.record.allows_grant("password"));
  CHECK(first.password_client.record.allows_grant("refresh_token"));
  CHECK_FALSE(first.password_client.record.scopes.has_value());
  CHECK(first.personal_access_client.record.personal_access_client);
  CHECK(first.personal_access_client.record.allows_grant("personal_access"));

  auto second = must(run(io, ensure_install_clients(db)), "install again");
  CHECK_FALSE(second.password_client_created);
  CHECK_FALSE(second.personal_access_client_created);
  CHECK(second.password_client.secret.empty());
  CHECK(second.password_client.record.id == first.password_client.record.id);
  CHECK(second.personal_access_client.record.id == first.personal_access_client.record.id);
  CHECK(must(run(io, list_clients(db)), "list").size() == 2);

  // A revoked password client is replaced by a new one.
  must(run(io, revoke_client(db, first.password_client.record.id)), "revoke");
  auto third = must(run(io, ensure_install_clients(db)), "install after revoke");
  CHECK(third.password_client_created);
  CHECK(third.password_client.record.id != first.password_client.record.id);
  CHECK_FALSE(third.personal_access_client_created);
}

TEST_CASE_FIXTURE(fixture, "purge removes a revoked client only once it was revoked longer ago than its tokens can live") {
  new_client spec;
  spec.name = "old";
  spec.grants = {"client_credentials"};
  auto old_client = must(run(io, create_client(db, spec)), "create");
  auto recent = must(run(io, create_client(db, spec)), "create");
  auto live = must(run(io, create_client(db, spec)), "create");
  must(run(io, revoke_client(db, old_client.record.id)), "revoke");
  must(run(io, revoke_client(db, recent.record.id)), "revoke");
  must(run(io, db.query("update oauth_clients set revoked_at = now() - interval '31 days' where id = $1::uuid",
                        pg::args(old_client.record.id))),
       "backdate");

  purge_policy policy{std::chrono::seconds(30 * 24 * 3600)};
  auto counts = must(run(io, purge(db, policy)), "purge");
  // One count per step; revoked clients are the last step (personal access tokens come first).
  REQUIRE(counts.size() >= 1);
  CHECK(counts.back().what == "revoked_clients");
  CHECK(counts.back().removed == 1);

  pg_client_store store(db);
  CHECK_FALSE(run(io, store.find(old_client.record.id))->has_value());
  CHECK(run(io, store.find(recent.record.id))->has_value());
  CHECK(run(io, store.find(live.record.id))->has_value());
  CHECK(must(run(io, purge(db, policy)), "purge again").back().removed == 0);
}

TEST_CASE("PostgreSQL unreachable: the stores return an error, not a crash") {
  asio::io_context io;
  pg::pool_options o;
  o.conninfo = "postgresql://oauth@127.0.0.1:1/oauth_test";
  o.connect_timeout = std::chrono::milliseconds(500);
  o.acquire_timeout = std::chrono::milliseconds(500);
  pg::pool db(io.get_executor(), o);
  pg_client_store clients(db);
  pg_user_store users(db);
  CHECK_FALSE(ok(run(io, clients.find("00000000-0000-4000-8000-000000000000"))));
  CHECK_FALSE(ok(run(io, users.find_by_email("a@b.c"))));
  CHECK_FALSE(ok(run(io, users.find_by_id("00000000-0000-4000-8000-000000000000"))));
  CHECK_FALSE(ok(run(io, users.update_password_hash("00000000-0000-4000-8000-000000000000", "x"))));
}
