#pragma once
// Client authentication at the token endpoint (RFC 6749 §2.3).
//
//  - client_secret_basic (§2.3.1): `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`;
//    id and secret are form-urldecoded after the base64 step, as §2.3.1 requires.
//  - client_secret_post (§2.3.1): client_id and client_secret in the body.
//  - public clients (§2.1): client_id in the body and no secret; which grants accept them is
//    the grants' decision (grant_handler::accepts_public_clients).
//  - Basic AND a body client_secret, or a body client_id differing from the Basic one →
//    invalid_request (§2.3: "MUST NOT use more than one authentication method").
//  - No credentials at all, another scheme, malformed Basic, unknown or revoked client, wrong
//    or missing secret, a secret sent for a public client → invalid_client (401).
//  - A store failure → temporarily_unavailable (503).
#include "auth-service/domain/models.hpp"
#include "auth-service/oauth/errors.hpp"
#include "auth-service/storage/client_store.hpp"
#include "common/http/params.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace oauth::auth {

enum class client_auth_method { basic, post, none };

struct presented_client {
  std::string id;
  std::optional<std::string> secret;  // nullopt: public client (method none)
  client_auth_method method = client_auth_method::none;
};

// Pure: what the request claims. `authorization` is the raw Authorization header ("" if none).
std::variant<presented_client, token_error> extract_client_credentials(std::string_view authorization,
                                                                       const http::body_params& params);

// Pure: checks a presented client against its record (nullopt: no such client).
std::variant<client, token_error> check_client(const presented_client& presented, std::optional<client> found);

// extract + lookup + check.
boost::asio::awaitable<std::variant<client, token_error>> authenticate_client(client_store& clients,
                                                                              const presented_client& presented);

} // namespace oauth::auth
