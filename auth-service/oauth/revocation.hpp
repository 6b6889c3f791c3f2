#pragma once
// POST /oauth/revoke (RFC 7009), client-authenticated exactly as at the token endpoint
// (client_secret_basic, client_secret_post; a public client by its client_id, since RFC 7009
// §2.1 lets public clients revoke their own tokens). Also the client-authenticated request
// parsing that /oauth/introspect shares.
//
// Decisions:
//  - The token's kind is recognised by its shape, so token_type_hint (§2.1) is only a hint we
//    do not need: a JWS compact serialization (two dots) is an access token, anything else a
//    refresh token (ours are 43-character base64url strings without dots). An unknown hint value
//    is ignored, not an error (§2.1: the server "MUST extend its search").
//  - Refresh token (current or already rotated) of the caller → its whole family is revoked
//    and every access token issued from it goes on the revocation list (CONTRACT).
//  - Access token (one of our JWTs, signature valid, at most 300 s past exp) of the caller →
//    its jti goes on the revocation list until exp (+ retention). A personal access token can
//    only be revoked through DELETE /oauth/personal-access-tokens/{id} (its client, the
//    personal access client, has no secret anyone holds).
//  - Unknown, malformed, expired, or not one of ours → 200 and nothing happens (§2.2: "invalid
//    tokens do not cause an error response").
//  - A token issued to ANOTHER client → 400 unauthorized_client, nothing revoked. §2.1: the
//    server "verifies whether the token was issued to the client making the revocation
//    request. If this validation fails, the request is refused and the client is informed of
//    the error" (fosite and Keycloak answer unauthorized_client the same way).
//  - Redis unavailable → 503 temporarily_unavailable with Retry-After (§2.2.1): the token was
//    NOT revoked and the client should retry.
//  - 200 has an empty body; every response carries Cache-Control: no-store.
#include "auth-service/oauth/bearer.hpp"
#include "auth-service/oauth/errors.hpp"
#include "auth-service/storage/client_store.hpp"
#include "auth-service/storage/refresh_token_inspector.hpp"
#include "common/http/params.hpp"
#include "common/http/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string_view>
#include <variant>

namespace oauth::revocation {
class writer;
}

namespace oauth::auth {

inline constexpr std::size_t revocation_body_limit = 16 * 1024;

// A client-authenticated request at /oauth/revoke or /oauth/introspect: the parameters and the
// authenticated client.
struct client_request {
  http::body_params params;
  client caller;
};
boost::asio::awaitable<std::variant<client_request, token_error>> authenticate_client_request(
    client_store& clients, std::string_view content_type, std::string_view authorization, std::string_view body);

// Pure: what the presented token looks like.
enum class token_shape { jwt, opaque, malformed };
token_shape shape_of(std::string_view token) noexcept;

// Pure: RFC 7009 §2.1 for an access token, given the verification outcome.
enum class access_revocation { revoke, ignore, wrong_client };
access_revocation decide_access_revocation(bool verified, std::string_view token_client_id,
                                           std::string_view caller_id) noexcept;

// 200, empty body, no-store.
http::response revocation_ok();

class revocation_endpoint {
public:
  struct dependencies {
    client_store& clients;
    const access_token_verifier& verifier;
    refresh_token_inspector& refresh_tokens;
    revocation::writer& revocations;
  };
  explicit revocation_endpoint(dependencies deps) : deps_(deps) {}

  boost::asio::awaitable<http::response> handle(http::request_context& ctx);

private:
  dependencies deps_;
};

} // namespace oauth::auth
