#include "resource-service/bearer_challenge.hpp"

#include "common/http/responses.hpp"

#include <cctype>

namespace oauth::resource {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// RFC 6750 §2.1 b64token characters; plain ranges (std::isalnum is a locale-aware libc call
// per character, on every request).
bool b64token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '+' || c == '/';
}

bool is_b64token(std::string_view t) {
  std::size_t i = 0;
  while (i < t.size() && b64token_char(t[i])) ++i;
  if (i == 0) return false;
  while (i < t.size() && t[i] == '=') ++i;
  return i == t.size();
}

void append_quoted(std::string& out, std::string_view name, std::string_view value) {
  out += ", ";
  out += name;
  out += "=\"";
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    bool allowed = u >= 0x20 && u <= 0x7e && c != '"' && c != '\\';
    out += allowed ? c : ' ';
  }
  out += '"';
}

http::response with_challenge(http::status s, std::string_view code, std::string_view description,
                              const challenge& c) {
  auto res = http::error_response(s, code, description);
  res.set(http::field::www_authenticate, www_authenticate(c));
  res.set(http::field::cache_control, "no-store");
  return res;
}

} // namespace

bearer_credentials extract_bearer(std::string_view authorization) {
  // Optional whitespace around a field value is not part of it (RFC 9110 §5.5).
  while (!authorization.empty() && (authorization.front() == ' ' || authorization.front() == '\t'))
    authorization.remove_prefix(1);
  while (!authorization.empty() && (authorization.back() == ' ' || authorization.back() == '\t'))
    authorization.remove_suffix(1);
  if (authorization.empty()) return {};
  auto sp = authorization.find(' ');
  std::string_view scheme = authorization.substr(0, sp);
  if (!iequals(scheme, "Bearer")) return {};
  if (sp == std::string_view::npos) return {bearer_credentials::kind::malformed, {}};
  std::string_view token = authorization.substr(sp + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);  // 1*SP
  if (!is_b64token(token)) return {bearer_credentials::kind::malformed, {}};
  return {bearer_credentials::kind::token, token};
}

std::string www_authenticate(const challenge& c) {
  std::string out = "Bearer realm=\"";
  out += realm;
  out += '"';
  if (!c.error.empty()) append_quoted(out, "error", c.error);
  if (!c.description.empty()) append_quoted(out, "error_description", c.description);
  if (!c.scope.empty()) append_quoted(out, "scope", c.scope);
  return out;
}

http::response missing_token_response() {
  return with_challenge(http::status::unauthorized, "unauthorized", "a bearer access token is required", {});
}

http::response invalid_token_response(std::string_view description) {
  return with_challenge(http::status::unauthorized, "invalid_token", description,
                        {.error = "invalid_token", .description = description, .scope = {}});
}

http::response insufficient_scope_response(const scope_rule& rule) {
  std::string needed = rule.challenge();
  std::string description = (rule.match == scope_rule::kind::any_of && rule.required.size() > 1
                                 ? "the access token needs one of the scopes: "
                                 : "the access token needs the scope: ") +
                            needed;
  return with_challenge(http::status::forbidden, "insufficient_scope", description,
                        {.error = "insufficient_scope", .description = description, .scope = needed});
}

http::response keys_unavailable_response() {
  auto res = http::error_response(http::status::service_unavailable, "temporarily_unavailable",
                                  "token verification keys are not loaded yet");
  res.set(http::field::retry_after, "1");
  return res;
}

http::response revocations_unavailable_response() {
  auto res = http::error_response(http::status::service_unavailable, "temporarily_unavailable",
                                  "the revocation list is not loaded yet");
  res.set(http::field::retry_after, "1");
  return res;
}

} // namespace oauth::resource
