#include "auth-service/authorize/authorize_request.hpp"

#include "auth-service/authorize/pkce.hpp"
#include "auth-service/authorize/redirect_uri.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/encoding.hpp"

#include <array>

namespace oauth::auth {
namespace {

constexpr std::array<std::string_view, 8> authorize_parameters{
    "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "prompt"};

authorize_error no_redirect(std::string description) {
  return authorize_error{false, "invalid_request", std::move(description), {}, std::nullopt};
}

} // namespace

std::variant<authorize_request, authorize_error> validate_authorize(const http::body_params& params,
                                                                    const std::optional<client>& found) {
  // 1. What decides where errors may go: the client and its redirect URI. Each is checked for
  // repetition by name: first_repeated names whichever parameter repeats first ("state=a&
  // state=b&client_id=x&client_id=y" names state), and must not let a repeated client_id or
  // redirect_uri through to a redirect.
  auto client_id = params.get("client_id");
  if (!client_id || client_id->empty()) return no_redirect("The client_id parameter is missing.");
  for (std::string_view name : {"client_id", "redirect_uri"})
    if (params.count(name) > 1) return no_redirect("The " + std::string(name) + " parameter was sent more than once.");
  if (!found || found->revoked) return no_redirect("The client is unknown or has been revoked.");
  const client& c = *found;
  if (!c.allows_grant(grant_names::authorization_code))
    return no_redirect("The client is not registered for the authorization code grant.");

  authorize_request out;
  out.client_id = c.id;
  if (auto sent = params.get("redirect_uri")) {
    const std::string* matched = nullptr;
    for (const auto& registered : c.redirect_uris)
      if (redirect_uri_matches(registered, *sent)) matched = &registered;
    if (matched == nullptr) return no_redirect("The redirect_uri is not registered for this client.");
    out.redirect_uri = std::string(*sent);  // the loopback rule lets the port differ: answer to the one sent
    out.redirect_uri_sent = true;
  } else {
    if (c.redirect_uris.size() != 1)
      return no_redirect("The redirect_uri parameter is required (the client has several registered).");
    out.redirect_uri = c.redirect_uris.front();
  }

  // 2. From here on, errors go back to the client.
  if (auto state = params.get("state")) out.state = std::string(*state);
  auto back = [&](std::string error, std::string description) -> authorize_error {
    return authorize_error{true, std::move(error), std::move(description), out.redirect_uri, out.state};
  };
  for (auto name : authorize_parameters)
    if (params.count(name) > 1)
      return back("invalid_request", "The " + std::string(name) + " parameter was sent more than once.");

  auto response_type = params.get("response_type");
  if (!response_type || response_type->empty()) return back("invalid_request", "The response_type parameter is missing.");
  if (*response_type != "code")
    return back("unsupported_response_type", "Only response_type=code is supported.");

  if (auto prompt = params.get("prompt")) {
    if (*prompt == "none") out.prompt = prompt_value::none;
    else if (*prompt == "login") out.prompt = prompt_value::login;
    else if (*prompt == "consent") out.prompt = prompt_value::consent;
    else return back("invalid_request", "prompt must be none, login or consent.");
  }

  auto challenge = params.get("code_challenge");
  auto method = params.get("code_challenge_method");
  if (challenge) {
    if (!method) return back("invalid_request", "code_challenge_method=S256 is required with a code_challenge.");
    if (*method != "S256") return back("invalid_request", "Only the S256 code_challenge_method is supported.");
    if (!is_valid_code_challenge(*challenge))
      return back("invalid_request", "The code_challenge is not a base64url SHA-256 digest (RFC 7636 section 4.2).");
    out.code_challenge = std::string(*challenge);
  } else if (method) {
    return back("invalid_request", "code_challenge_method was sent without a code_challenge.");
  } else if (!c.confidential()) {
    return back("invalid_request", "A public client must use PKCE (code_challenge with S256).");
  }

  const auto* client_allowed = c.scopes ? &*c.scopes : nullptr;
  scope_policy policy{.allow_wildcard = false, .client_allowed = client_allowed, .user_allowed = nullptr};
  auto scopes = resolve_scopes(params.get("scope"), policy);
  if (auto* e = std::get_if<token_error>(&scopes)) return back("invalid_scope", e->description);
  out.scopes = std::move(std::get<0>(scopes));
  return out;
}

std::string with_query(std::string_view redirect_uri, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out(redirect_uri);
  char sep = out.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : params) {
    out += sep;
    out += name;
    out += '=';
    out += url_encode(value);
    sep = '&';
  }
  return out;
}

std::string error_redirect_uri(const authorize_error& e, std::string_view issuer) {
  std::vector<std::pair<std::string, std::string>> p{{"error", e.error}, {"error_description", e.description}};
  if (e.state) p.emplace_back("state", *e.state);
  p.emplace_back("iss", std::string(issuer));
  return with_query(e.redirect_uri, p);
}

std::vector<std::pair<std::string, std::string>> authorize_fields(const authorize_request& r) {
  std::vector<std::pair<std::string, std::string>> out{{"response_type", "code"}, {"client_id", r.client_id}};
  if (r.redirect_uri_sent) out.emplace_back("redirect_uri", r.redirect_uri);
  out.emplace_back("scope", join_scopes(r.scopes));
  if (r.state) out.emplace_back("state", *r.state);
  if (!r.code_challenge.empty()) {
    out.emplace_back("code_challenge", r.code_challenge);
    out.emplace_back("code_challenge_method", "S256");
  }
  if (r.prompt == prompt_value::consent) out.emplace_back("prompt", "consent");
  return out;
}

} // namespace oauth::auth
