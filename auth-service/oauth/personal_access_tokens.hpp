#pragma once
// Personal access tokens (Passport's createToken; ../shared/CONTRACT.md, "Auth service
// endpoints"):
//   POST   /oauth/personal-access-tokens       {"name","scopes"} → 201 {"id","name","scopes",
//                                              "created_at","expires_at","token"}
//   GET    /oauth/personal-access-tokens       → {"data":[{"id","name","scopes","created_at","expires_at"}]}
//   DELETE /oauth/personal-access-tokens/{id}  → 204
// each authenticated by the bearer access token of a USER (bearer.hpp).
//
// Decisions:
//  - A personal access token is an RFC 9068 access token like any other: client_id = the
//    personal access client made by `authctl install`, sub = the user, jti = the record's id,
//    lifetime PERSONAL_ACCESS_TOKEN_TTL, no refresh token. The token string is shown once.
//  - A client-credentials token (sub == client_id: no user) → 403 access_denied.
//  - scopes: an array of scope names (absent: none). `*` means every scope of the calling
//    token (expanded, so the new token lists them). A name that is not a defined scope → 400
//    invalid_scope; a defined scope the calling token does not hold (`admin` implies
//    read-posts and write-posts) → 403 insufficient_scope.
//  - name: required string, 1..191 characters (Unicode code points, Passport's column width),
//    not blank, no control characters → otherwise 422 {"message","errors":{"name":[…]}}
//    (Laravel's validation shape, as the posts API). Malformed JSON, or a body that is not a
//    JSON object → 400 invalid_request. Only application/json bodies (415 otherwise).
//  - DELETE: only the owner; someone else's token and an unknown id are the same 404 (no
//    oracle for other users' ids). Deleting an already revoked token of one's own is 204 again
//    (idempotent; the revocation is announced again, which heals a failed announcement). The
//    row is marked revoked FIRST, then the jti goes to the revocation list; when Redis is down
//    the answer is 503 temporarily_unavailable and a retry completes it.
//  - GET lists only live tokens (not revoked, not expired), newest first, never token strings.
//  - Times are RFC 3339 UTC (seconds).
#include "auth-service/oauth/bearer.hpp"
#include "auth-service/oauth/token_issuer.hpp"
#include "auth-service/storage/client_store.hpp"
#include "auth-service/storage/personal_access_token_store.hpp"
#include "common/http/router.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

namespace oauth::revocation {
class writer;
}

namespace oauth::auth {

inline constexpr std::size_t pat_name_max_chars = 191;
inline constexpr std::size_t pat_body_limit = 16 * 1024;

struct pat_create_request {
  std::string name;
  std::vector<std::string> scopes;  // as requested ("*" possibly among them)
};

// Pure: the POST body → request, or the 400/415/422 response.
std::variant<pat_create_request, http::response> parse_pat_request(std::string_view content_type,
                                                                   std::string_view body);

// Pure: the scopes to grant (explicit, no `*`), or 400 invalid_scope / 403 insufficient_scope.
std::variant<std::vector<std::string>, http::response> resolve_pat_scopes(const std::vector<std::string>& requested,
                                                                          const std::vector<std::string>& caller);

// Pure: {"id","name","scopes","created_at","expires_at"}.
boost::json::object pat_to_json(const personal_access_token_record& r);

class personal_access_tokens_endpoint {
public:
  struct dependencies {
    const access_token_verifier& verifier;
    personal_access_token_store& store;
    const token_issuer& issuer;
    revocation::writer& revocations;
    std::chrono::seconds ttl;  // PERSONAL_ACCESS_TOKEN_TTL
    client_store& clients;     // creation is for first-party applications' tokens only
  };
  explicit personal_access_tokens_endpoint(dependencies deps) : deps_(deps) {}

  boost::asio::awaitable<http::response> create(http::request_context& ctx);
  boost::asio::awaitable<http::response> list(http::request_context& ctx);
  boost::asio::awaitable<http::response> remove(http::request_context& ctx);

private:
  dependencies deps_;
};

// Registers the three routes; `endpoint` must outlive the router.
void add_personal_access_token_routes(http::router& r, personal_access_tokens_endpoint& endpoint);

} // namespace oauth::auth
