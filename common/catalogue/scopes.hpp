#pragma once
// The one catalogue of scopes (../shared/CONTRACT.md, "Scopes"). The auth service (issuance,
// GET /oauth/scopes, metadata, the consent page), authctl (--scopes) and the resource service
// (route checks) all read it: a new scope, or a new implication, is added here and nowhere else.
#include <algorithm>
#include <array>
#include <span>
#include <string_view>

namespace oauth::catalogue {

namespace scope_ids {
inline constexpr std::string_view read_posts = "read-posts";
inline constexpr std::string_view write_posts = "write-posts";
inline constexpr std::string_view admin = "admin";
// Not a scope: the password grant and personal access tokens may ask for "*", expanded at
// issuance into every scope the user (or the creating token) may have.
inline constexpr std::string_view wildcard = "*";
} // namespace scope_ids

struct scope {
  std::string_view id;
  std::string_view description;  // shown by GET /oauth/scopes and on the consent page
  std::span<const std::string_view> implies;  // scopes a token holding this one also satisfies
};

namespace detail {
inline constexpr std::array<std::string_view, 2> admin_implies{scope_ids::read_posts, scope_ids::write_posts};
} // namespace detail

// In the order they are listed (GET /oauth/scopes, metadata, consent page).
inline constexpr std::array<scope, 3> scopes{{
    {scope_ids::read_posts, "Read posts data", {}},
    {scope_ids::write_posts, "Create or update posts", {}},
    {scope_ids::admin, "Full administrative access", detail::admin_implies},
}};

constexpr const scope* find_scope(std::string_view id) noexcept {
  for (const auto& s : scopes)
    if (s.id == id) return &s;
  return nullptr;
}

constexpr bool is_defined_scope(std::string_view id) noexcept { return find_scope(id) != nullptr; }

// Does holding `held` satisfy a check for `needed`? Itself, or a scope it implies.
constexpr bool satisfies(std::string_view held, std::string_view needed) noexcept {
  if (held == needed) return true;
  const scope* s = find_scope(held);
  return s != nullptr && std::find(s->implies.begin(), s->implies.end(), needed) != s->implies.end();
}

// Does any of `granted` satisfy `needed`? (Strings or string views.)
template <class Range>
constexpr bool any_satisfies(const Range& granted, std::string_view needed) noexcept {
  for (const auto& g : granted)
    if (satisfies(g, needed)) return true;
  return false;
}

} // namespace oauth::catalogue
