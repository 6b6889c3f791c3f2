#pragma once
// Authorization codes at rest (RFC 6749 §4.1.2, §10.5; ../shared/CONTRACT.md "Users in the
// browser"): the single-use state of every code, under its SHA-256. The grant a code stands for
// travels sealed in the code itself (authorize/code_seal.hpp); the store never sees it.
//
// A code is remembered `fresh` when `GET /oauth/authorize` issues it. Its exchange consumes it:
//   fresh     → used, outcome fresh: exactly one of any number of concurrent consumes;
//   used      → outcome replayed (RFC 6749 §4.1.2: "If an authorization code is used more than
//               once, the authorization server MUST deny the request and SHOULD revoke ... all
//               tokens previously issued based on that authorization code"). The replay is
//               recorded (for the replay window, never undone) BEFORE consume() answers;
//   no state  → outcome forgotten, and used from then on. The state of a code we issued (the
//               caller opened its seal) is gone only when the store lost it (a restart, a
//               failover, an eviction), so the code may have been exchanged before: refused
//               and handled as a replay (recorded the same way; its tokens revoked). A code is
//               fresh only while its fresh state is there;
//   malformed → invalid (no code of ours), without asking the store.
// Durability (redis_authorization_code_store.hpp): neither state need survive a restart of the
// store (a code it forgets can no longer be exchanged: the user starts again; one presented
// again after the restart is a forgotten one, revoked like a replay), but a fresh state must
// never come back from one.
// What the first exchange issued is derived from the code (issued_ids_of_code(), authorize/code_seal.hpp), so a replay
// revokes it without reading anything back. The one race left: an exchange that creates a
// refresh family after its consume, while a replay revoked that family before it existed. So
// that exchange asks replayed() once the family exists, and revokes what it just issued when a
// replay was recorded in between: either the replay saw the family, or the exchange sees the
// replay.
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

namespace oauth::auth {

enum class code_outcome {
  fresh,     // first presentation: the code is now used
  replayed,  // used before: refused, and what it issued is to be revoked
  forgotten, // its state is gone (see above): refused, and handled as a replay
  invalid,   // malformed, or expired without having been used
};

class authorization_code_store {
public:
  virtual ~authorization_code_store() = default;
  // Remembers a newly issued code as fresh for `ttl` (its validity) plus the replay window.
  virtual boost::asio::awaitable<store_result<void>> remember(std::string_view code, std::chrono::seconds ttl) = 0;
  // Atomically decides the outcome above and marks the code used. `while_waiting` (optional)
  // runs once the command is on its way, before its answer is awaited (redis::client::command):
  // the exchange signs its access token there. By value: a coroutine must not hold a reference
  // to its caller's temporary.
  // `expires_at` (unix s) is the code's own expiry (an unexpired code: expired ones go to
  // check_expired): the used state is kept until the replay window after it.
  virtual boost::asio::awaitable<store_result<code_outcome>> consume(std::string_view code, std::int64_t expires_at,
                                                                     std::function<void()> while_waiting = {}) = 0;
  // For a code presented after its expiry (`expires_at`, unix s), which must not become used:
  // replayed when it was used, forgotten when its state is gone within the replay window after
  // its expiry (both recorded as by consume()), otherwise invalid.
  virtual boost::asio::awaitable<store_result<code_outcome>> check_expired(std::string_view code,
                                                                           std::int64_t expires_at) = 0;
  // Whether a replay of `code` has been recorded.
  virtual boost::asio::awaitable<store_result<bool>> replayed(std::string_view code) = 0;
};

} // namespace oauth::auth
