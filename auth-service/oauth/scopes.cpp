#include "auth-service/oauth/scopes.hpp"

#include "common/scope_list.hpp"

#include <algorithm>
#include <array>

namespace oauth::auth {
namespace {

constexpr const auto& definitions = catalogue::scopes;

bool contains(std::span<const std::string> list, std::string_view s) noexcept {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// An allowance list covers s when it names s or names admin and s is implied by it.
bool covers(const std::vector<std::string>* allowed, std::string_view s) noexcept {
  if (allowed == nullptr) return true;
  return scope_grants(*allowed, s);
}

} // namespace

std::span<const scope_definition> defined_scopes() noexcept { return definitions; }

bool is_defined_scope(std::string_view id) noexcept { return catalogue::is_defined_scope(id); }

bool is_scope_token(std::string_view token) noexcept {
  if (token.empty()) return false;
  for (unsigned char c : token)
    if (!(c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E))) return false;
  return true;
}

std::optional<std::vector<std::string>> parse_scope(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (true) {
    auto sp = text.find(' ', start);
    auto token = text.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start);
    if (!is_scope_token(token)) return std::nullopt;
    if (!contains(out, token)) out.emplace_back(token);
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return out;
}

std::string join_scopes(const std::vector<std::string>& scopes) { return join_scope_list(scopes); }

bool scope_grants(std::span<const std::string> granted, std::string_view required) noexcept {
  return catalogue::any_satisfies(granted, required);
}

std::variant<std::vector<std::string>, token_error> resolve_scopes(std::optional<std::string_view> requested,
                                                                   const scope_policy& policy) {
  auto parsed = parse_scope(requested.value_or(""));
  if (!parsed) return make_error(oauth_errc::invalid_scope, "The scope parameter is malformed (RFC 6749 section 3.3).");
  auto& scopes = *parsed;

  if (contains(scopes, scope_names::wildcard)) {
    if (!policy.allow_wildcard)
      return make_error(oauth_errc::invalid_scope, "The scope '*' may only be requested with the password grant.");
    if (scopes.size() != 1) return make_error(oauth_errc::invalid_scope, "The scope '*' must be requested alone.");
    std::vector<std::string> expanded;
    for (const auto& d : definitions)
      if (covers(policy.client_allowed, d.id) && policy.user_allowed != nullptr && covers(policy.user_allowed, d.id))
        expanded.emplace_back(d.id);
    return expanded;
  }

  for (const auto& s : scopes) {
    if (!is_defined_scope(s)) return make_error(oauth_errc::invalid_scope, "The scope '" + s + "' is not defined.");
    if (!covers(policy.client_allowed, s))
      return make_error(oauth_errc::invalid_scope, "The client may not request the scope '" + s + "'.");
    if (policy.user_allowed != nullptr && !covers(policy.user_allowed, s))
      return make_error(oauth_errc::invalid_scope, "The user may not be granted the scope '" + s + "'.");
  }
  return std::move(scopes);
}

std::variant<std::vector<std::string>, token_error> narrow_scopes(std::optional<std::string_view> requested,
                                                                  const std::vector<std::string>& original) {
  if (!requested || requested->empty()) return original;
  auto parsed = parse_scope(*requested);
  if (!parsed) return make_error(oauth_errc::invalid_scope, "The scope parameter is malformed (RFC 6749 section 3.3).");
  for (const auto& s : *parsed) {
    if (s == scope_names::wildcard)
      return make_error(oauth_errc::invalid_scope, "The scope '*' may only be requested with the password grant.");
    if (!is_defined_scope(s)) return make_error(oauth_errc::invalid_scope, "The scope '" + s + "' is not defined.");
    // RFC 6749 §6: "MUST NOT include any scope not originally granted".
    if (!scope_grants(original, s))
      return make_error(oauth_errc::invalid_scope, "The scope '" + s + "' was not granted originally.");
  }
  return std::move(*parsed);
}

} // namespace oauth::auth
