#pragma once
// In-memory stores for the grant tests: no sockets, scripted outcomes, recorded calls.
#include "auth-service/oauth/token_issuer.hpp"
#include "auth-service/storage/client_store.hpp"
#include "auth-service/storage/refresh_token_store.hpp"
#include "auth-service/storage/throttle_store.hpp"
#include "auth-service/storage/user_store.hpp"
#include "common/jwt/key.hpp"

#include <boost/system/errc.hpp>

#include <map>
#include <string>
#include <vector>

namespace oauth::test {

inline boost::system::error_code store_down() {
  return boost::system::errc::make_error_code(boost::system::errc::connection_refused);
}

struct fake_clients final : auth::client_store {
  std::map<std::string, auth::client, std::less<>> clients;
  bool down = false;
  int finds = 0;
  boost::asio::awaitable<auth::store_result<std::optional<auth::client>>> find(std::string_view id) override {
    ++finds;
    if (down) co_return store_down();
    auto it = clients.find(id);
    if (it == clients.end()) co_return std::optional<auth::client>{};
    co_return std::optional<auth::client>{it->second};
  }
};

struct fake_users final : auth::user_store {
  std::map<std::string, auth::user, std::less<>> by_email;
  bool down = false;
  bool update_down = false;
  std::vector<std::pair<std::string, std::string>> updates;  // (user id, new hash)
  boost::asio::awaitable<auth::store_result<std::optional<auth::user>>> find_by_email(std::string_view email) override {
    if (down) co_return store_down();
    auto it = by_email.find(email);
    if (it == by_email.end()) co_return std::optional<auth::user>{};
    co_return std::optional<auth::user>{it->second};
  }
  // Canonical name: ASCII lower case is enough for these tests (PostgreSQL decides for real).
  boost::asio::awaitable<auth::store_result<auth::login_subject>> find_for_login(std::string_view name) override {
    if (down) co_return store_down();
    auth::login_subject out;
    for (char c : name) out.canonical_name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    if (auto it = by_email.find(name); it != by_email.end()) out.found = it->second;
    co_return out;
  }
  int id_finds = 0;
  boost::asio::awaitable<auth::store_result<std::optional<auth::user>>> find_by_id(std::string_view id) override {
    ++id_finds;
    if (down) co_return store_down();
    for (auto& [e, u] : by_email)
      if (u.id == id) co_return std::optional<auth::user>{u};
    co_return std::optional<auth::user>{};
  }
  boost::asio::awaitable<auth::store_result<void>> update_password_hash(std::string_view user_id,
                                                                        std::string new_hash) override {
    if (update_down) co_return store_down();
    updates.emplace_back(std::string(user_id), new_hash);
    for (auto& [e, u] : by_email)
      if (u.id == user_id) u.password_hash = new_hash;
    co_return boost::system::result<void, boost::system::error_code>{};
  }
};

struct fake_throttle final : auth::throttle_store {
  auth::throttle_state state;  // every reserve() answers this
  bool down = false;
  int reservations = 0, successes = 0, cancels = 0;
  std::string last_ip, last_user;
  boost::asio::awaitable<auth::store_result<auth::throttle_state>> reserve(std::string_view ip,
                                                                           std::string_view username) override {
    ++reservations;
    last_ip = ip;
    last_user = username;
    if (down) co_return store_down();
    co_return state;
  }
  boost::asio::awaitable<auth::store_result<void>> record_success(std::string_view, std::string_view) override {
    if (down) co_return store_down();
    ++successes;
    co_return boost::system::result<void, boost::system::error_code>{};
  }
  boost::asio::awaitable<auth::store_result<void>> cancel(std::string_view, std::string_view) override {
    if (down) co_return store_down();
    ++cancels;
    co_return boost::system::result<void, boost::system::error_code>{};
  }
};

struct fake_refresh final : auth::refresh_token_store {
  bool down = false;
  struct issued_entry {
    std::string token;
    auth::refresh_grant_record record;
    std::string jti;
    std::int64_t exp;
  };
  std::vector<issued_entry> issued;
  std::vector<auth::rotation_request> rotations;
  // What rotate() answers next.
  auth::rotation_outcome outcome = auth::rotation_outcome::rotated;
  auth::refresh_grant_record record;
  std::string replay_successor = "the-first-successor";

  boost::asio::awaitable<auth::store_result<void>> issue(std::string_view token, const auth::refresh_grant_record& r,
                                                         std::string_view jti, std::int64_t exp) override {
    if (down) co_return store_down();
    issued.push_back({std::string(token), r, std::string(jti), exp});
    co_return boost::system::result<void, boost::system::error_code>{};
  }
  boost::asio::awaitable<auth::store_result<auth::rotation_result>> rotate(const auth::rotation_request& request) override {
    if (down) co_return store_down();
    rotations.push_back(request);
    auth::rotation_result r;
    r.outcome = outcome;
    if (outcome == auth::rotation_outcome::rotated || outcome == auth::rotation_outcome::grace_replay) r.record = record;
    if (outcome == auth::rotation_outcome::reused) r.record.family_id = record.family_id;
    if (outcome == auth::rotation_outcome::rotated) r.successor_token = request.successor_token;
    if (outcome == auth::rotation_outcome::grace_replay) r.successor_token = replay_successor;
    co_return r;
  }
};

inline auth::client make_client(std::string id, std::string secret_hash, std::vector<std::string> grants,
                                std::optional<std::vector<std::string>> scopes = std::nullopt) {
  auth::client c;
  c.id = std::move(id);
  c.name = c.id;
  c.secret_hash = std::move(secret_hash);
  c.grants = std::move(grants);
  c.scopes = std::move(scopes);
  return c;
}

inline auth::user make_user(std::string id, std::string email, std::string hash, std::vector<std::string> scopes) {
  auth::user u;
  u.id = std::move(id);
  u.email = std::move(email);
  u.name = u.email;
  u.password_hash = std::move(hash);
  u.scopes = std::move(scopes);
  return u;
}

// One RSA key for the whole test binary (generation takes a while).
inline const jwt::key& test_signing_key() {
  static const jwt::key k = jwt::key::generate(jwt::algorithm::rs256).value();
  return k;
}

inline const std::string test_issuer = "http://auth.test";
inline const std::string test_audience = "posts-api";

inline auth::token_issuer make_test_issuer(const jwt::key& k = test_signing_key()) {
  return auth::token_issuer([k] { return k; }, test_issuer, test_audience, std::chrono::seconds(7200));
}

} // namespace oauth::test
