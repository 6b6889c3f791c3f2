#pragma once
// Scopes (RFC 6749 §3.3) and the rules for granting them (../shared/CONTRACT.md, "Scopes").
//
// Decisions:
//  - Syntax is strict, as §3.3 writes it: scope-token *( SP scope-token ), scope-token =
//    1*( %x21 / %x23-5B / %x5D-7E ). Leading, trailing or doubled spaces → invalid_scope.
//    Repeated tokens are collapsed (the request order is kept otherwise).
//  - An ABSENT (or empty) scope parameter grants NO scopes, as Laravel Passport does (its
//    default scope is empty). §3.3 lets a server apply a pre-defined default; least privilege
//    is ours: a client that wants a scope asks for it. The response then says "scope":"".
//    The refresh grant is the exception (RFC 6749 §6): absent means "the scopes originally
//    granted".
//  - `*` is allowed only in the password grant, alone; it is expanded at issuance into every
//    defined scope that both the user and the client may have (so `scope` claims always list
//    scopes explicitly).
//  - `admin` implies `read-posts` and `write-posts` (the catalogue's `implies`): at route checks
//    (scope_grants), and when checking what a client or user may have (an allowance of `admin`
//    covers the other two).
#include "auth-service/oauth/errors.hpp"
#include "common/catalogue/scopes.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace oauth::auth {

// The scopes themselves (ids, descriptions, implications) are the one catalogue in
// common/catalogue/scopes.hpp; this file holds the rules for requesting and granting them.
using scope_definition = ::oauth::catalogue::scope;
namespace scope_names = ::oauth::catalogue::scope_ids;

// The defined scopes, in the order they are listed (GET /oauth/scopes, metadata).
std::span<const scope_definition> defined_scopes() noexcept;
bool is_defined_scope(std::string_view id) noexcept;

// RFC 6749 §3.3 scope-token characters.
bool is_scope_token(std::string_view token) noexcept;

// Splits the scope parameter strictly; nullopt when malformed. "" → empty list.
std::optional<std::vector<std::string>> parse_scope(std::string_view text);
std::string join_scopes(const std::vector<std::string>& scopes);

// Route check: does a token holding `granted` satisfy `required`? The catalogue's
// implications apply; the resource service uses the same catalogue function.
bool scope_grants(std::span<const std::string> granted, std::string_view required) noexcept;

// What may be asked for. nullopt allowances mean "any defined scope".
struct scope_policy {
  bool allow_wildcard = false;                           // password grant only
  const std::vector<std::string>* client_allowed = nullptr;  // nullptr: any defined scope
  const std::vector<std::string>* user_allowed = nullptr;    // nullptr: no user (client credentials)
};

// The scopes to grant for a request's scope parameter (nullopt: absent), or invalid_scope.
std::variant<std::vector<std::string>, token_error> resolve_scopes(std::optional<std::string_view> requested,
                                                                   const scope_policy& policy);

// RFC 6749 §6: a refresh may only narrow. `requested` nullopt → the original scopes.
std::variant<std::vector<std::string>, token_error> narrow_scopes(std::optional<std::string_view> requested,
                                                                  const std::vector<std::string>& original);

} // namespace oauth::auth
