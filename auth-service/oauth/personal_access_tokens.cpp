#include "auth-service/oauth/personal_access_tokens.hpp"

#include "auth-service/oauth/first_party_clients.hpp"

#include "auth-service/oauth/errors.hpp"
#include "auth-service/oauth/scopes.hpp"
#include "common/encoding.hpp"
#include "common/http/responses.hpp"
#include "common/log.hpp"
#include "common/revocation/writer.hpp"
#include "common/time.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace oauth::auth {
namespace {

namespace json = boost::json;

http::response validation_failed(std::string_view field, std::string message) {
  json::object body;
  body["message"] = message;
  json::object errors;
  errors[field] = json::array{json::string(message)};
  body["errors"] = std::move(errors);
  auto res = http::json_response(http::status::unprocessable_entity, body);
  res.set(http::field::cache_control, "no-store");
  return res;
}

http::response bad_request(std::string_view code, std::string_view description,
                           http::status st = http::status::bad_request) {
  auto res = http::error_response(st, code, description);
  res.set(http::field::cache_control, "no-store");
  return res;
}

http::response unavailable() {
  return to_response(make_error(oauth_errc::temporarily_unavailable, "A backing store is unavailable; retry later.",
                                std::chrono::seconds(1)));
}

// Counts UTF-8 code points (boost::json has already validated the encoding).
std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool is_json(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto mt = content_type.substr(0, semi);
  while (!mt.empty() && mt.back() == ' ') mt.remove_suffix(1);
  std::string lower(mt);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "application/json";
}

} // namespace

std::variant<pat_create_request, http::response> parse_pat_request(std::string_view content_type,
                                                                   std::string_view body) {
  if (!is_json(content_type))
    return bad_request("invalid_request", "The body must be application/json.", http::status::unsupported_media_type);
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec) return bad_request("invalid_request", "The body is not valid JSON.");
  if (!doc.is_object()) return bad_request("invalid_request", "The body must be a JSON object.");
  const auto& o = doc.as_object();
  pat_create_request out;
  const auto* name = o.if_contains("name");
  if (name == nullptr || name->is_null()) return validation_failed("name", "The name field is required.");
  if (!name->is_string()) return validation_failed("name", "The name must be a string.");
  std::string_view n = name->as_string();
  if (n.empty() || blank(n)) return validation_failed("name", "The name field is required.");
  if (code_points(n) > pat_name_max_chars)
    return validation_failed("name", "The name may not be greater than 191 characters.");
  if (contains_nul(n)) return validation_failed("name", "The name may not contain NUL characters.");
  if (has_control(n)) return validation_failed("name", "The name may not contain control characters.");
  out.name = std::string(n);
  if (const auto* scopes = o.if_contains("scopes"); scopes != nullptr && !scopes->is_null()) {
    if (!scopes->is_array()) return validation_failed("scopes", "The scopes must be an array of scope names.");
    for (const auto& s : scopes->as_array()) {
      if (!s.is_string()) return validation_failed("scopes", "The scopes must be an array of scope names.");
      if (contains_nul(s.as_string())) return validation_failed("scopes", "A scope name may not contain NUL characters.");
      std::string v(s.as_string());
      if (std::find(out.scopes.begin(), out.scopes.end(), v) == out.scopes.end()) out.scopes.push_back(std::move(v));
    }
  }
  return out;
}

std::variant<std::vector<std::string>, http::response> resolve_pat_scopes(const std::vector<std::string>& requested,
                                                                          const std::vector<std::string>& caller) {
  // CONTRACT "Scopes": `*` is every scope of the token that creates it, listed explicitly.
  if (std::find(requested.begin(), requested.end(), scope_names::wildcard) != requested.end()) {
    std::vector<std::string> all;
    for (const auto& s : caller)
      if (is_defined_scope(s) && std::find(all.begin(), all.end(), s) == all.end()) all.push_back(s);
    return all;
  }
  for (const auto& s : requested) {
    if (!is_scope_token(s) || !is_defined_scope(s))
      return bad_request("invalid_scope", "The scope '" + s + "' is not defined.");
    if (!scope_grants(caller, s))
      return bearer_insufficient_scope_response("The calling token does not hold the scope '" + s + "'.", s);
  }
  return requested;
}

boost::json::object pat_to_json(const personal_access_token_record& r) {
  json::array scopes;
  for (const auto& s : r.scopes) scopes.emplace_back(s);
  json::object o;
  o["id"] = r.id;
  o["name"] = r.name;
  o["scopes"] = std::move(scopes);
  o["created_at"] = format_rfc3339(r.created_at);
  o["expires_at"] = format_rfc3339(r.expires_at);
  return o;
}

boost::asio::awaitable<http::response> personal_access_tokens_endpoint::create(http::request_context& ctx) {
  auto who = deps_.verifier.authenticate(ctx.header(http::field::authorization));
  if (auto* r = std::get_if<http::response>(&who)) co_return std::move(*r);
  const auto& caller = std::get<bearer_principal>(who);
  if (!caller.has_user())
    co_return bearer_forbidden_response("A client-credentials token has no user: it cannot manage personal access tokens.");
  if (auto refused = co_await refuse_unless_first_party(deps_.clients, caller)) co_return std::move(*refused);

  auto parsed = parse_pat_request(ctx.header(http::field::content_type), ctx.req.body());
  if (auto* r = std::get_if<http::response>(&parsed)) co_return std::move(*r);
  auto& request = std::get<pat_create_request>(parsed);
  auto scopes = resolve_pat_scopes(request.scopes, caller.scopes);
  if (auto* r = std::get_if<http::response>(&scopes)) co_return std::move(*r);

  auto client_id = co_await deps_.store.personal_access_client_id();
  if (!client_id) co_return unavailable();
  if (!*client_id) {
    log::error("personal access token refused: no personal access client (run `authctl install`)",
               {{"request_id", ctx.request_id}});
    co_return to_response(make_error(oauth_errc::server_error, "The personal access client is not installed."));
  }

  // jti and expiry first: the record is stored before the token exists.
  auto claims = deps_.issuer.prepare(caller.sub, **client_id, std::get<0>(std::move(scopes)), unix_now());
  claims.expires_at = claims.issued_at + deps_.ttl.count();
  personal_access_token_record record{claims.jti, claims.subject, claims.client_id, request.name,
                                      claims.scopes, claims.issued_at, claims.expires_at, std::nullopt};
  auto stored = co_await deps_.store.create(record);
  if (!stored) co_return unavailable();
  auto token = deps_.issuer.sign(claims);
  auto body = pat_to_json(record);
  body["token"] = std::move(token.token);
  auto res = http::json_response(http::status::created, body);
  set_no_store(res);
  log::info("personal access token created", {{"request_id", ctx.request_id}, {"id", record.id}, {"user", record.user_id}});
  co_return res;
}

boost::asio::awaitable<http::response> personal_access_tokens_endpoint::list(http::request_context& ctx) {
  auto who = deps_.verifier.authenticate(ctx.header(http::field::authorization));
  if (auto* r = std::get_if<http::response>(&who)) co_return std::move(*r);
  const auto& caller = std::get<bearer_principal>(who);
  if (!caller.has_user())
    co_return bearer_forbidden_response("A client-credentials token has no user: it has no personal access tokens.");
  auto found = co_await deps_.store.list_live(caller.sub, unix_now());
  if (!found) co_return unavailable();
  json::array data;
  for (const auto& r : *found) data.push_back(pat_to_json(r));
  json::object body;
  body["data"] = std::move(data);
  auto res = http::json_response(http::status::ok, body);
  set_no_store(res);
  co_return res;
}

boost::asio::awaitable<http::response> personal_access_tokens_endpoint::remove(http::request_context& ctx) {
  auto who = deps_.verifier.authenticate(ctx.header(http::field::authorization));
  if (auto* r = std::get_if<http::response>(&who)) co_return std::move(*r);
  const auto& caller = std::get<bearer_principal>(who);
  if (!caller.has_user())
    co_return bearer_forbidden_response("A client-credentials token has no user: it has no personal access tokens.");
  auto revoked = co_await deps_.store.revoke(ctx.param("id"), caller.sub);
  if (!revoked) co_return unavailable();
  if (!*revoked) co_return bad_request("not_found", "No such personal access token.", http::status::not_found);
  const auto& record = **revoked;
  std::vector<revocation::entry> entries{{record.id, record.expires_at}};
  auto announced = co_await deps_.revocations.revoke(std::move(entries));
  if (!announced) co_return unavailable();
  log::info("personal access token revoked", {{"request_id", ctx.request_id}, {"id", record.id}});
  http::response res{http::status::no_content, 11};
  set_no_store(res);
  co_return res;
}

void add_personal_access_token_routes(http::router& r, personal_access_tokens_endpoint& endpoint) {
  auto* e = &endpoint;
  r.add(http::verb::post, "/oauth/personal-access-tokens", [e](http::request_context& ctx) { return e->create(ctx); },
        http::route_options{.max_body_bytes = pat_body_limit});
  r.add(http::verb::get, "/oauth/personal-access-tokens", [e](http::request_context& ctx) { return e->list(ctx); });
  r.add(http::verb::delete_, "/oauth/personal-access-tokens/{id}",
        [e](http::request_context& ctx) { return e->remove(ctx); });
}

} // namespace oauth::auth
