#pragma once
// Authorization codes (RFC 6749 §4.1.2, §10.5; RFC 7636 PKCE): what `GET /oauth/authorize`
// granted, redeemed once at `POST /oauth/token` (../shared/CONTRACT.md, "Users in the browser").
// Codes are opaque 256-bit random strings; the store sees only their SHA-256.
//
// Single use with replay detection (RFC 6749 §4.1.2: "If an authorization code is used more
// than once, the authorization server MUST deny the request and SHOULD revoke ... all tokens
// previously issued based on that authorization code"). The token endpoint:
//   1. consume(): fresh → go on (check redirect URI and verifier, issue tokens); anything
//      else → invalid_grant, and on `replayed` revoke what the first exchange issued (the
//      refresh family and the access token returned with the result);
//   2. attach_tokens(): records what it issued. When a replay came between 1 and 2 (the replay
//      found nothing attached yet), attach_tokens() says so, and the endpoint revokes what it
//      just issued instead of returning it. Either way the tokens of a replayed code die.
// consume() marks the code used BEFORE the redirect URI and the verifier are checked, so a
// wrong verifier burns the code too (the client starts over). The record comes back on
// `replayed` as well, so a caller may insist on the right verifier before it revokes.
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth {

struct authorization_code_record {
  std::string client_id;
  std::string redirect_uri;        // as the authorize request had it (or the only registered one)
  bool redirect_uri_sent = false;  // the authorize request sent it: the token request must too
  std::string user_id;
  std::vector<std::string> scopes;
  std::string code_challenge;  // S256 challenge; empty: none was sent
  std::int64_t auth_time = 0;  // unix s: when the user's password was checked (the session's)
  std::int64_t expires_at = 0; // unix s: set by issue() (now + ttl); past it the code is invalid
};

enum class code_outcome {
  fresh,        // first presentation by its client, in time: the code is now used
  replayed,     // a used code presented again by its client: flagged; revoke what it issued
  invalid,      // unknown, malformed, or expired before it was used
  wrong_client, // another client's code: refused, and nothing changes
};

struct consume_result {
  code_outcome outcome = code_outcome::invalid;
  authorization_code_record record;  // fresh, replayed
  // replayed: what the first exchange issued, as attach_tokens() recorded it. Empty when it
  // has not attached yet (attach_tokens() then reports the replay) or issued no such token.
  std::string family_id;
  std::string access_token_jti;
  std::int64_t access_token_exp = 0;
};

// What the exchange will issue if the code is fresh, decided before it is consumed so that
// consume() records it in the same step (a replay at any later moment finds it): the access
// token's jti and expiry, and the refresh family id ("" when no refresh token is issued).
struct planned_tokens {
  std::string family_id;
  std::string access_jti;
  std::int64_t access_exp = 0;
};

class authorization_code_store {
public:
  virtual ~authorization_code_store() = default;
  // A new code for `record` (its expires_at is ignored: it becomes now + ttl).
  virtual boost::asio::awaitable<store_result<std::string>> issue(const authorization_code_record& record,
                                                                  std::int64_t now, std::chrono::seconds ttl) = 0;
  // Atomically: decides the outcome above and marks the code used (fresh) or replayed. Of any
  // number of concurrent presentations of one code exactly one is `fresh`. A fresh code gets
  // `planned` attached in the same step (as attach_tokens() would), when it names a jti.
  // By value: a coroutine must not hold a reference to its caller's temporary (the default
  // argument is one; ASan caught the dangling reference).
  virtual boost::asio::awaitable<store_result<consume_result>> consume(std::string_view code,
                                                                       std::string_view client_id, std::int64_t now,
                                                                       planned_tokens planned = {}) = 0;
  // Records what the fresh exchange of `code` issued (empty family: no refresh token). Returns
  // true when the code was replayed before this call (or is gone): the caller must revoke what
  // it issued and answer invalid_grant.
  virtual boost::asio::awaitable<store_result<bool>> attach_tokens(std::string_view code, std::string_view family_id,
                                                                   std::string_view access_jti,
                                                                   std::int64_t access_exp) = 0;
};

} // namespace oauth::auth
