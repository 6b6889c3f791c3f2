#pragma once
// Input rules of authctl (pure; unit-tested). Each check returns nullopt when the input is
// acceptable, otherwise the one-line message authctl prints.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::authctl {

// The scopes the platform defines (../shared/CONTRACT.md "Scopes"; the token server's list is
// auth-service/oauth/scopes.hpp).
std::span<const std::string_view> known_scopes() noexcept;
// Grants a client may be registered for.
std::span<const std::string_view> known_grants() noexcept;

// "a,b" or "a b" → {"a","b"}: trimmed, empty entries dropped, duplicates removed (order kept).
std::vector<std::string> split_list(std::string_view text);

std::optional<std::string> check_grants(const std::vector<std::string>& grants, bool public_client);
std::optional<std::string> check_scopes(const std::vector<std::string>& scopes);
std::optional<std::string> check_client_name(std::string_view name);
// --redirect-uri: each acceptable for registration (authorize/redirect_uri.hpp); at least one
// when a grant of the catalogue needs one (authorization_code).
std::optional<std::string> check_redirect_uris(const std::vector<std::string>& uris,
                                               const std::vector<std::string>& grants);
std::optional<std::string> check_email(std::string_view email);
std::optional<std::string> check_user_name(std::string_view name);
std::optional<std::string> check_password(std::string_view password);
// A hash to import: bcrypt "$2y$"/"$2b$"/"$2a$" with cost 04..31 and 53 characters of
// salt+digest (what Laravel's Hash::make stores), or an Argon2id "$argon2id$v=19$…" string.
std::optional<std::string> check_password_hash(std::string_view hash);
// --bits: 2048, 3072 or 4096.
std::optional<int> parse_rsa_bits(std::string_view text);

} // namespace oauth::authctl
