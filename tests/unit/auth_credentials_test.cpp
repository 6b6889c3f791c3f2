#include "auth-service/credentials/client_secret.hpp"
#include "auth-service/credentials/password_hasher.hpp"

#include "tests/support/held_worker.hpp"
#include "tests/support/run.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>
#include <sodium.h>

#include <optional>
#include <vector>

#include <thread>

using namespace oauth::auth;

TEST_CASE("client secrets: keyed hash, salted, verified in constant time") {
  auto secret = generate_client_secret();
  CHECK(secret.size() == 43);  // 32 bytes, base64url
  auto stored = hash_client_secret(secret);
  CHECK(stored.starts_with("hmac-sha256$"));
  CHECK(stored.find(secret) == std::string::npos);
  CHECK(verify_client_secret(secret, stored));
  CHECK_FALSE(verify_client_secret(secret + "x", stored));
  CHECK_FALSE(verify_client_secret("", stored));
  CHECK(hash_client_secret(secret) != stored);  // a new salt each time
  CHECK_FALSE(verify_client_secret(secret, "plain"));
  CHECK_FALSE(verify_client_secret(secret, "hmac-sha256$abc"));
  CHECK_FALSE(verify_client_secret(secret, "hmac-sha256$!!$!!"));
}

TEST_CASE("passwords: Argon2id with OWASP parameters") {
  auto h = hash_password_now("correct horse");
  CHECK(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
  auto good = verify_password_now("correct horse", h);
  CHECK(good.ok);
  CHECK_FALSE(good.needs_rehash);
  CHECK_FALSE(verify_password_now("Correct horse", h).ok);
}

TEST_CASE("passwords: Laravel bcrypt ($2y$) hashes verify and ask for a rehash") {
  // Laravel's well-known factory hash of "password".
  const std::string laravel = "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi";
  auto ok = verify_password_now("password", laravel);
  CHECK(ok.ok);
  CHECK(ok.needs_rehash);
  CHECK_FALSE(verify_password_now("passw0rd", laravel).ok);
}

TEST_CASE("passwords: weaker Argon2 parameters ask for a rehash") {
  // A real Argon2id hash with cheaper parameters than ours (m=4096 KiB, t=1): it verifies,
  // and the caller is told to store a hash with the current parameters.
  char weak[crypto_pwhash_STRBYTES];
  REQUIRE(crypto_pwhash_str_alg(weak, "pw", 2, 1, 4096 * 1024, crypto_pwhash_ALG_ARGON2ID13) == 0);
  REQUIRE(std::string_view(weak).starts_with("$argon2id$v=19$m=4096,t=1,"));
  auto checked = verify_password_now("pw", weak);
  CHECK(checked.ok);
  CHECK(checked.needs_rehash);
  CHECK_FALSE(verify_password_now("pW", weak).ok);

  // A hash with our own parameters needs none.
  auto fresh = verify_password_now("pw", hash_password_now("pw"));
  CHECK(fresh.ok);
  CHECK_FALSE(fresh.needs_rehash);

  // A truncated hash fails closed rather than crash.
  CHECK_FALSE(verify_password_now("pw", "$argon2id$v=19$m=4096,t=1,p=1$").ok);
}

TEST_CASE("passwords: an unknown or empty hash fails and still costs a hash") {
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(verify_password_now("anything", "").ok);
  CHECK_FALSE(verify_password_now("anything", "garbage").ok);
  // Two dummy Argon2id verifications at m=19 MiB cannot be instant; this guards against
  // an early return, not speed (no upper bound is asserted).
  CHECK(std::chrono::steady_clock::now() - start > std::chrono::milliseconds(5));
}

TEST_CASE("password_hasher runs on its pool and resumes on the caller's executor") {
  boost::asio::io_context io;
  password_hasher hasher(2);
  auto io_thread = std::this_thread::get_id();
  auto check = [](password_hasher& h, std::thread::id expected) -> boost::asio::awaitable<bool> {
    auto hash = co_await h.hash("s3cret");
    bool back_home = std::this_thread::get_id() == expected;
    auto result = co_await h.verify("s3cret", hash);
    back_home = back_home && std::this_thread::get_id() == expected;
    co_return result && result->ok && back_home;
  };
  CHECK(oauth::test::run(io, check(hasher, io_thread)));
}

TEST_CASE("password_hasher: beyond max_waiting queued checks, verify refuses at once") {
  boost::asio::io_context io;
  const auto stored = hash_password_now("pw");
  password_hasher hasher(1, 2);  // one worker, two checks may wait
  oauth::test::held_worker hold(hasher.executor());

  std::vector<std::optional<password_check>> queued;
  for (int i = 0; i < 2; ++i)
    boost::asio::co_spawn(io, hasher.verify("pw", stored), [&](std::exception_ptr e, std::optional<password_check> r) {
      CHECK_FALSE(e);
      queued.push_back(r);
    });
  io.poll();  // both run up to their hand-over to the (busy) pool
  REQUIRE(hasher.waiting() == 2);
  CHECK(queued.empty());

  // The third is refused without waiting for the held worker.
  CHECK_FALSE(oauth::test::run(io, hasher.verify("pw", stored)));
  CHECK(hasher.waiting() == 2);

  hold.release();
  io.restart();
  for (int i = 0; i < 1200 && queued.size() < 2; ++i) io.run_one_for(std::chrono::milliseconds(50));
  REQUIRE(queued.size() == 2);
  CHECK((queued[0] && queued[0]->ok && queued[1] && queued[1]->ok));
  CHECK(hasher.waiting() == 0);
  // The queue has room again.
  auto again = oauth::test::run(io, hasher.verify("pw", stored));
  CHECK((again && again->ok));
}
