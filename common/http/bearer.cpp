#include "common/http/bearer.hpp"

#include "common/ascii.hpp"
#include "common/http/responses.hpp"

namespace oauth::http {
namespace {

bool b64token_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '+' || c == '/';
}

bool is_b64token(std::string_view t) noexcept {
  std::size_t i = 0;
  while (i < t.size() && b64token_char(t[i])) ++i;
  if (i == 0) return false;
  while (i < t.size() && t[i] == '=') ++i;
  return i == t.size();
}

bool optional_whitespace(char c) noexcept { return c == ' ' || c == '\t'; }

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

} // namespace

bearer_credentials extract_bearer(std::string_view authorization) noexcept {
  using kind = bearer_credentials::kind;
  while (!authorization.empty() && optional_whitespace(authorization.front())) authorization.remove_prefix(1);
  while (!authorization.empty() && optional_whitespace(authorization.back())) authorization.remove_suffix(1);
  auto scheme_end = authorization.find_first_of(" \t");
  if (!iequals(authorization.substr(0, scheme_end), "Bearer")) return {};
  if (scheme_end == std::string_view::npos) return {kind::malformed, {}};
  auto token = authorization.substr(scheme_end);
  if (token.front() != ' ') return {kind::malformed, {}};  // a TAB after the scheme
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (!is_b64token(token)) return {kind::malformed, {}};
  return {kind::token, token};
}

std::string www_authenticate_bearer(std::string_view realm, const bearer_challenge& c) {
  std::string out = "Bearer realm=\"";
  out += realm;
  out += '"';
  if (!c.error.empty()) append_quoted(out, "error", c.error);
  if (!c.error.empty() && !c.description.empty()) append_quoted(out, "error_description", c.description);
  if (!c.scope.empty()) append_quoted(out, "scope", c.scope);
  return out;
}

response bearer_error_response(status s, std::string_view code, std::string_view description, std::string_view realm,
                               const bearer_challenge& c) {
  auto res = error_response(s, code, description);
  res.set(field::www_authenticate, www_authenticate_bearer(realm, c));
  res.set(field::cache_control, "no-store");
  return res;
}

} // namespace oauth::http
