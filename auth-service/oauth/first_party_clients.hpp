#pragma once
// Routes only first-party applications may call with a user's token (../shared/CONTRACT.md,
// "Authorized applications"): creating personal access tokens and managing authorized
// applications. A token issued to any other client — a third-party app the user approved for
// read-posts, say — must not mint itself a long-lived token or revoke other apps' access.
// First-party: the password client, the personal access client, clients created with
// --first-party (client::is_first_party).
#include "auth-service/oauth/bearer.hpp"
#include "auth-service/storage/client_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>

namespace oauth::auth {

// nullopt when the token's client is first-party and not revoked; otherwise the answer: 403
// with WWW-Authenticate: Bearer error="insufficient_scope" and JSON error access_denied, or
// 503 when the client store is down.
boost::asio::awaitable<std::optional<http::response>> refuse_unless_first_party(client_store& clients,
                                                                                const bearer_principal& caller);

} // namespace oauth::auth
