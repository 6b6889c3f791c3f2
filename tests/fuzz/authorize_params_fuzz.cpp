// GET /oauth/authorize's parameters (auth-service/authorize/authorize_request), as the route
// reads them: the query string → http::parse_body_params → validate_authorize, against a fixed
// confidential client (three redirect URIs, one a loopback) and a fixed public client (one
// loopback URI), each standing for whatever client_id names, and against no client at all.
// Input: a query string.
// Invariants:
//  - a no-redirect error carries no redirect_uri and no state; an unknown client never redirects;
//  - a redirect error's redirect_uri is one the client registered, or one that matches a
//    registered one by the loopback rule (and is the one sent, or the only one registered);
//    its state is the first one sent; error_redirect_uri only appends unreserved characters,
//    '%', '=' and '&' to it (nothing that could end a Location header or add a fragment);
//  - client_id or redirect_uri sent more than once is always a no-redirect error;
//  - success implies: response_type=code, redirect_uri_matches, no authorize parameter
//    repeated, PKCE for the public client, scopes the client may have; and authorize_fields,
//    sent again, validates to the same request.
#include "auth-service/authorize/authorize_request.hpp"
#include "auth-service/authorize/pkce.hpp"
#include "auth-service/authorize/redirect_uri.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/encoding.hpp"
#include "common/http/params.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <variant>

using namespace oauth;
using namespace oauth::auth;

namespace {

constexpr std::string_view issuer = "https://auth.example";
constexpr std::string_view authorize_parameters[] = {"response_type", "client_id",      "redirect_uri",
                                                     "scope",         "state",          "code_challenge",
                                                     "code_challenge_method", "prompt"};

client make(std::string id, bool confidential, std::optional<std::vector<std::string>> scopes,
            std::vector<std::string> redirect_uris) {
  client c;
  c.id = std::move(id);
  c.name = c.id;
  c.secret_hash = confidential ? "$argon2id$fake" : "";
  c.grants = {"authorization_code", "refresh_token"};
  c.scopes = std::move(scopes);
  c.redirect_uris = std::move(redirect_uris);
  return c;
}

const client& confidential_client() {
  static const client c = make("conf", true, std::vector<std::string>{"read-posts"},
                               {"https://app.example/cb", "http://127.0.0.1:8080/cb?x=1", "com.example.app:/cb"});
  return c;
}

const client& public_client() {
  static const client c = make("pub", false, std::nullopt, {"http://[::1]/cb"});
  return c;
}

bool matches_registered(const client& c, std::string_view uri) {
  for (const auto& r : c.redirect_uris)
    if (redirect_uri_matches(r, uri)) return true;
  return false;
}

bool is_appended_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '%' || c == '=' || c == '&';
}

// What a redirect appends to the redirect URI: '?' or '&', then only encoded pairs.
void check_appended(std::string_view redirect_uri, std::string_view full) {
  FUZZ_CHECK(full.starts_with(redirect_uri));
  auto tail = full.substr(redirect_uri.size());
  FUZZ_CHECK(!tail.empty() && (tail[0] == '?' || tail[0] == '&'));
  for (unsigned char c : tail.substr(1)) FUZZ_CHECK(is_appended_char(c));
}

void check(const http::body_params& params, const std::map<std::string, int>& counts, const client& c) {
  auto count = [&](std::string_view name) {
    auto it = counts.find(std::string(name));
    return it == counts.end() ? 0 : it->second;
  };
  auto result = validate_authorize(params, c);

  if (auto* e = std::get_if<authorize_error>(&result)) {
    if (!e->redirect) {
      FUZZ_CHECK(e->redirect_uri.empty());
      FUZZ_CHECK(!e->state.has_value());
      FUZZ_CHECK(e->error == "invalid_request");
      return;
    }
    FUZZ_CHECK(count("client_id") == 1 && count("redirect_uri") <= 1);
    FUZZ_CHECK(matches_registered(c, e->redirect_uri));
    auto sent = params.get("redirect_uri");
    FUZZ_CHECK(sent ? e->redirect_uri == *sent : (c.redirect_uris.size() == 1 && e->redirect_uri == c.redirect_uris[0]));
    auto state = params.get("state");
    FUZZ_CHECK(e->state.has_value() == state.has_value());
    if (state) FUZZ_CHECK(*e->state == *state);
    FUZZ_CHECK(e->error == "invalid_request" || e->error == "unsupported_response_type" || e->error == "invalid_scope");
    check_appended(e->redirect_uri, error_redirect_uri(*e, issuer));
    return;
  }

  const auto& r = std::get<authorize_request>(result);
  FUZZ_CHECK(params.get("response_type") == "code");
  for (auto name : authorize_parameters) FUZZ_CHECK(count(name) <= 1);
  FUZZ_CHECK(matches_registered(c, r.redirect_uri));
  FUZZ_CHECK(r.redirect_uri_sent == params.get("redirect_uri").has_value());
  if (!r.redirect_uri_sent) FUZZ_CHECK(c.redirect_uris.size() == 1 && r.redirect_uri == c.redirect_uris[0]);
  if (!c.confidential()) FUZZ_CHECK(!r.code_challenge.empty());
  if (!r.code_challenge.empty()) FUZZ_CHECK(is_valid_code_challenge(r.code_challenge));
  for (const auto& s : r.scopes) {
    FUZZ_CHECK(is_defined_scope(s));
    if (c.scopes) FUZZ_CHECK(scope_grants(*c.scopes, s));
  }
  check_appended(r.redirect_uri, with_query(r.redirect_uri, {{"code", "x"}, {"iss", std::string(issuer)}}));

  // The consent form's hidden inputs and /login's return_to carry the request again.
  std::string again;
  for (const auto& [k, v] : authorize_fields(r)) again += (again.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
  auto reparsed = http::parse_body_params("application/x-www-form-urlencoded", again);
  FUZZ_CHECK(std::holds_alternative<http::body_params>(reparsed));
  auto second = validate_authorize(std::get<http::body_params>(reparsed), c);
  FUZZ_CHECK(std::holds_alternative<authorize_request>(second));
  const auto& s = std::get<authorize_request>(second);
  FUZZ_CHECK(s.client_id == r.client_id && s.redirect_uri == r.redirect_uri && s.redirect_uri_sent == r.redirect_uri_sent);
  FUZZ_CHECK(s.scopes == r.scopes && s.state == r.state && s.code_challenge == r.code_challenge);
  FUZZ_CHECK(s.prompt == (r.prompt == prompt_value::consent ? prompt_value::consent : prompt_value::unspecified));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto query = oauth::fuzz::as_text(data, size);
  auto parsed = http::parse_body_params("application/x-www-form-urlencoded", query);
  auto* params = std::get_if<http::body_params>(&parsed);
  if (params == nullptr) return 0;
  std::map<std::string, int> counts;
  if (auto items = parse_form(query))
    for (const auto& [k, v] : *items) ++counts[k];

  // No client record (unknown client_id): never a redirect.
  auto unknown = validate_authorize(*params, std::nullopt);
  FUZZ_CHECK(std::holds_alternative<authorize_error>(unknown));
  FUZZ_CHECK(!std::get<authorize_error>(unknown).redirect && std::get<authorize_error>(unknown).redirect_uri.empty());

  check(*params, counts, confidential_client());
  check(*params, counts, public_client());
  return 0;
}
