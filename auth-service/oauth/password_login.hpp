#pragma once
// Checking a user's password, throttled: shared by the password grant (RFC 6749 §4.3) and the
// browser login (POST /login), so that both refuse guesses by the same rules and counters
// (../shared/CONTRACT.md: "Throttled exactly like the password grant").
//
// Order, and why:
//  1. the user by e-mail, with the canonical user name (PostgreSQL lower(), user_store.hpp).
//  2. the throttle RESERVES the attempt for (IP, canonical name) and for the IP in one atomic
//     step before any password is checked: beyond the limits → throttled (even for the right
//     password), so guessing cannot go on at any speed or concurrency.
//  3. the password verified on the hashing pool; PASSWORD_HASH_QUEUE checks already waiting →
//     busy at once (the reservation is given back). An unknown user still costs one Argon2id
//     verification (no enumeration by timing).
//  4. failure → wrong_credentials (the reservation stays as the failure's count); success →
//     record_success (clears the (IP, name) counter).
//  5. a bcrypt (Laravel import) or outdated hash is rehashed to Argon2id and saved; if saving
//     fails the login still succeeds (it is retried on the next login) and a warning is logged.
// Any store failure → unavailable.
#include "auth-service/credentials/password_hasher.hpp"
#include "auth-service/domain/models.hpp"
#include "auth-service/storage/throttle_store.hpp"
#include "auth-service/storage/user_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string_view>
#include <variant>

namespace oauth::auth {

struct login_refusal {
  enum class kind {
    wrong_credentials,  // unknown user or wrong password
    throttled,          // 429, retry_after
    busy,               // the hashing queue is full: 503, retry_after
    unavailable,        // a store failed: 503
  };
  kind why = kind::wrong_credentials;
  std::chrono::seconds retry_after{0};
};

using login_outcome = std::variant<user, login_refusal>;

class password_login {
public:
  struct dependencies {
    user_store& users;
    throttle_store& throttle;
    password_hasher& hasher;
  };
  explicit password_login(dependencies deps) : deps_(deps) {}

  // `remote_address`: the client IP the throttle counts (the trusted-proxy-resolved address).
  boost::asio::awaitable<login_outcome> check(std::string_view username, std::string_view password,
                                              std::string_view remote_address);

private:
  dependencies deps_;
};

} // namespace oauth::auth
