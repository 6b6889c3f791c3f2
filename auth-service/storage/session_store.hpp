#pragma once
// Login sessions of users in the browser (../shared/CONTRACT.md, "Login session"): the
// `oauth_session` cookie holds only a random session id; what it stands for lives here.
// A session ends at the first of: its absolute expiry (SESSION_TTL after the login), its idle
// timeout (SESSION_IDLE_TIMEOUT without a find(); an implementation may end an idle session
// up to a small slack earlier, never later), destroy(), destroy_all_for_user().
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oauth::auth {

struct login_session {
  std::string user_id;
  std::string csrf_token;  // random, per session: the hidden input of the session's forms
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t auth_time = 0;   // unix seconds: when the password was checked (OIDC auth_time)
};

struct created_session {
  std::string id;  // the cookie's value: 256 random bits, base64url (43 characters)
  login_session session;
};

class session_store {
public:
  virtual ~session_store() = default;
  // A new session for a user whose password was just checked (created_at = auth_time = now):
  // a fresh id at every login, so a session id planted before the login is worth nothing.
  virtual boost::asio::awaitable<store_result<created_session>> create(std::string_view user_id, std::int64_t now,
                                                                      std::chrono::seconds ttl,
                                                                      std::chrono::seconds idle) = 0;
  // The live session `id` names, extending its idle timeout by `idle` from now (never past its
  // absolute expiry); nullopt when there is none (unknown, ended, expired or not an id at all).
  virtual boost::asio::awaitable<store_result<std::optional<login_session>>> find(std::string_view id,
                                                                                 std::int64_t now,
                                                                                 std::chrono::seconds idle) = 0;
  // Ends one session (logout). Ending an unknown session is not an error.
  virtual boost::asio::awaitable<store_result<void>> destroy(std::string_view id) = 0;
  // Ends every session of the user ("log out everywhere", user deletion); returns how many
  // were live.
  virtual boost::asio::awaitable<store_result<std::size_t>> destroy_all_for_user(std::string_view user_id) = 0;
};

} // namespace oauth::auth
