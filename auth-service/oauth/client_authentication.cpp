#include "auth-service/oauth/client_authentication.hpp"

#include "auth-service/credentials/client_secret.hpp"
#include "auth-service/oauth/grant.hpp"
#include "common/ascii.hpp"
#include "common/encoding.hpp"


namespace oauth::auth {
namespace {

token_error client_failed(std::string description) {
  return make_error(oauth_errc::invalid_client, std::move(description));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 7617 §2 credentials, with the RFC 6749 §2.3.1 form-urlencoding of both halves.
std::variant<presented_client, token_error> parse_basic(std::string_view authorization) {
  auto text = trim(authorization);
  auto sp = text.find(' ');
  if (sp == std::string_view::npos || !iequals(text.substr(0, sp), "Basic"))
    return client_failed("Unsupported client authentication scheme: use HTTP Basic or client_secret_post.");
  auto decoded = base64_decode(trim(text.substr(sp + 1)));
  if (!decoded) return client_failed("Malformed HTTP Basic credentials.");
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return client_failed("Malformed HTTP Basic credentials.");
  auto id = form_decode(std::string_view(*decoded).substr(0, colon));
  auto secret = form_decode(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret || id->empty()) return client_failed("Malformed HTTP Basic credentials.");
  // The body's parameters are refused with a NUL (http::parse_body_params); these too.
  if (contains_nul(*id) || contains_nul(*secret))
    return make_error(oauth_errc::invalid_request, "The HTTP Basic credentials contain a NUL character.");
  return presented_client{std::move(*id), std::move(*secret), client_auth_method::basic};
}

} // namespace

std::variant<presented_client, token_error> extract_client_credentials(std::string_view authorization,
                                                                       const http::body_params& params) {
  auto body_id = params.get("client_id");
  auto body_secret = params.get("client_secret");
  if (!trim(authorization).empty()) {
    auto basic = parse_basic(authorization);
    if (auto* p = std::get_if<presented_client>(&basic)) {
      if (body_secret)
        return make_error(oauth_errc::invalid_request,
                          "Use one client authentication method: HTTP Basic or client_secret in the body, not both.");
      // A body client_id naming the same client is harmless (some libraries always send it).
      if (body_id && *body_id != p->id)
        return make_error(oauth_errc::invalid_request, "client_id in the body differs from the HTTP Basic one.");
    }
    return basic;
  }
  if (!body_id || body_id->empty()) {
    if (body_secret) return make_error(oauth_errc::invalid_request, "client_secret without client_id.");
    return client_failed("Client authentication is required (HTTP Basic or client_id/client_secret).");
  }
  if (body_secret) return presented_client{std::string(*body_id), std::string(*body_secret), client_auth_method::post};
  return presented_client{std::string(*body_id), std::nullopt, client_auth_method::none};
}

std::variant<client, token_error> check_client(const presented_client& presented, std::optional<client> found) {
  static const std::string generic = "Client authentication failed.";
  if (!found || found->revoked) {
    // Spend the same HMAC as a real check, so unknown ids are not told apart by timing.
    static const std::string dummy = hash_client_secret("dummy secret: equalises timing");
    if (presented.secret) (void)verify_client_secret(*presented.secret, dummy);
    return client_failed(generic);
  }
  if (found->confidential()) {
    if (!presented.secret || !verify_client_secret(*presented.secret, found->secret_hash)) return client_failed(generic);
  } else if (presented.secret && !presented.secret->empty()) {
    // A public client has no secret (Basic with an empty password is accepted as "none");
    // a secret presented means a confused or forged request.
    return client_failed(generic);
  }
  return std::move(*found);
}

boost::asio::awaitable<std::variant<client, token_error>> authenticate_client(client_store& clients,
                                                                              const presented_client& presented) {
  auto found = co_await clients.find(presented.id);
  if (!found) co_return store_unavailable();
  co_return check_client(presented, std::move(*found));
}

} // namespace oauth::auth
