#pragma once
// Refresh tokens (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).
// Tokens are opaque 256-bit random strings; the store sees only their SHA-256.
#include "auth-service/domain/models.hpp"
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace oauth::auth {

enum class rotation_outcome {
  rotated,      // the token was live: it is now dead and `successor` is live
  grace_replay, // a repeat within REFRESH_REUSE_GRACE: the same successor is returned again
  reused,       // an already rotated token: the whole family is now revoked
  invalid,      // unknown, expired or revoked
  wrong_client, // the token belongs to another client (nothing is changed)
};

struct rotation_request {
  std::string presented_token;  // plaintext, as the client sent it (only hashed inside the store)
  std::string successor_token;  // a fresh random token to become live when rotation happens
  std::string client_id;
  std::string access_token_jti;       // of the access token issued with the successor
  std::int64_t access_token_exp = 0;  // its expiry, so a family revocation can revoke it too
  std::int64_t now = 0;
  std::chrono::seconds grace{0};
  std::chrono::seconds ttl{0};  // lifetime of the successor
};

struct rotation_result {
  rotation_outcome outcome = rotation_outcome::invalid;
  refresh_grant_record record;  // the presented token's grant (rotated, grace_replay)
  // rotated: the successor_token passed in; grace_replay: the successor issued by the
  // first rotation (recovered from the store, where it is kept only encrypted under a key
  // derived from the presented token).
  std::string successor_token;
};

class refresh_token_store {
public:
  virtual ~refresh_token_store() = default;
  // Stores a new token starting a new family (password grant). The access token's jti and
  // expiry are remembered with the family.
  virtual boost::asio::awaitable<store_result<void>> issue(std::string_view token, const refresh_grant_record& record,
                                                           std::string_view access_token_jti,
                                                           std::int64_t access_token_exp) = 0;
  // Atomically: checks the presented token and rotates it, replays within the grace window,
  // or detects reuse and revokes the family.
  virtual boost::asio::awaitable<store_result<rotation_result>> rotate(const rotation_request& request) = 0;
};

} // namespace oauth::auth
