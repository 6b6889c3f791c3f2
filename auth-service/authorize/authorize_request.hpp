#pragma once
// GET /oauth/authorize's parameters checked against the client (RFC 6749 §4.1.1, §4.1.2.1;
// RFC 7636; RFC 9207; ../shared/CONTRACT.md "GET /oauth/authorize"). Pure: the route looks
// the client up and hands it in; the user-dependent checks (session, user scopes, consent)
// are the route's.
//
// Two kinds of error (§4.1.2.1):
//  - no_redirect: the client or the redirect URI cannot be trusted (client_id missing,
//    repeated, unknown, revoked or not registered for authorization_code; redirect_uri
//    repeated, not registered, or absent while the client has several) → a 400 page, never a
//    redirect: an open redirector otherwise.
//  - redirect: everything else goes back to the (verified) redirect URI with error,
//    error_description, state and iss.
// Decisions:
//  - A repeated authorize parameter is refused whatever else is repeated (each is counted by
//    name); parameters other than the authorize ones are ignored, even repeated.
//  - Only the first `state` is echoed when it is repeated (the request is refused anyway).
//  - A code_challenge without code_challenge_method is refused: RFC 7636's default is
//    "plain", which this server does not support (S256 only), and guessing would be wrong.
//  - prompt is one of none, login, consent (a single value).
//  - `*` is not a scope here: a third-party application names what it wants.
#include "auth-service/domain/models.hpp"
#include "common/http/params.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace oauth::auth {

enum class prompt_value { unspecified, none, login, consent };

struct authorize_request {
  std::string client_id;
  std::string redirect_uri;         // the one to answer to (sent, or the only registered one)
  bool redirect_uri_sent = false;   // the token request must then send it too (§4.1.3)
  std::vector<std::string> scopes;  // resolved against the client's allowance
  std::optional<std::string> state;
  std::string code_challenge;       // "" when none was sent
  prompt_value prompt = prompt_value::unspecified;
};

struct authorize_error {
  bool redirect = false;        // false: a 400 page; true: back to redirect_uri
  std::string error;            // RFC 6749 §4.1.2.1 code
  std::string description;      // human-readable, safe to show
  std::string redirect_uri;     // redirect: where to
  std::optional<std::string> state;
};

// `found`: the client record for the first client_id (nullopt: unknown). Parameters other than
// the authorize ones (csrf_token, decision) are ignored.
std::variant<authorize_request, authorize_error> validate_authorize(const http::body_params& params,
                                                                    const std::optional<client>& found);

// redirect_uri with the parameters appended to its query (RFC 6749 §4.1.2: "retain the query
// component"), each value percent-encoded.
std::string with_query(std::string_view redirect_uri, const std::vector<std::pair<std::string, std::string>>& params);

// The error redirect: error, error_description, state (when sent) and iss (RFC 9207).
std::string error_redirect_uri(const authorize_error& e, std::string_view issuer);

// The validated request as parameters again: the consent form's hidden inputs and /login's
// return_to. prompt=consent is kept (it still applies after a login); login and none are not
// (a login has just happened; none never reaches a login).
std::vector<std::pair<std::string, std::string>> authorize_fields(const authorize_request& r);

} // namespace oauth::auth
