#pragma once
// Read-only lookup and revocation of refresh tokens, for /oauth/introspect (RFC 7662),
// /oauth/revoke (RFC 7009) and the refresh grant's scope check before rotation. Kept apart
// from refresh_token_store so that the grants' narrow interface stays what it was.
#include "auth-service/domain/models.hpp"
#include "auth-service/storage/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace oauth::auth {

enum class refresh_token_state {
  live,     // may be used now
  rotated,  // already used (presenting it again is reuse)
  revoked,  // its family is revoked
  expired,
};

struct refresh_token_info {
  refresh_grant_record record;
  refresh_token_state state = refresh_token_state::live;
};

enum class refresh_revoke_outcome {
  revoked,       // the family is revoked now (or already was), with its access tokens
  unknown,       // no such token (never issued, or expired and gone): nothing to do
  wrong_client,  // issued to another client: nothing changed
};

class refresh_token_inspector {
public:
  virtual ~refresh_token_inspector() = default;
  // Never rotates, never revokes. nullopt: unknown (or expired and already evicted).
  virtual boost::asio::awaitable<store_result<std::optional<refresh_token_info>>> lookup(std::string_view token,
                                                                                          std::int64_t now) = 0;
  // RFC 7009 §2.1: revokes the token's whole family and every access token issued from it,
  // when the token belongs to client_id.
  virtual boost::asio::awaitable<store_result<refresh_revoke_outcome>> revoke_family(std::string_view token,
                                                                                     std::string_view client_id,
                                                                                     std::int64_t now) = 0;
};

} // namespace oauth::auth
