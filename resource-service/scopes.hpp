#pragma once
// Route scope rules (Passport's `scopes` = all of, `scope` = any of), checked against the
// space-separated `scope` claim of an access token (RFC 6749 §3.3, RFC 9068 §2.2.3).
// Scope ids and implications (`admin` implies `read-posts` and `write-posts`) come from the one
// catalogue, common/catalogue/scopes.hpp, that the auth service issues from.
#include "common/catalogue/scopes.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace oauth::resource {

namespace scopes = ::oauth::catalogue::scope_ids;

struct scope_rule {
  enum class kind { all_of, any_of };
  kind match = kind::all_of;
  std::vector<std::string> required;  // never empty for a protected route

  static scope_rule all_of(std::initializer_list<std::string_view> names);
  static scope_rule any_of(std::initializer_list<std::string_view> names);

  // The value of the scope="..." challenge attribute (RFC 6750 §3): the required scopes,
  // space-separated. For an any-of rule, a token with any one of them would do.
  std::string challenge() const;
};

// Splits a scope claim on spaces (RFC 6749 §3.3: scope-token *( SP scope-token )); empty
// tokens from repeated spaces are dropped.
std::vector<std::string_view> split_scope(std::string_view claim);

// One required scope against the granted ones, with the catalogue's implications.
bool grants(const std::vector<std::string_view>& granted, std::string_view needed);

// True when the granted scopes satisfy the rule.
bool satisfies(const scope_rule& rule, const std::vector<std::string_view>& granted);

} // namespace oauth::resource
