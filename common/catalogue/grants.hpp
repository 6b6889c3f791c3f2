#pragma once
// The one catalogue of grants a client may be registered for (../shared/CONTRACT.md, "Grants",
// "authctl"). authctl validates --grants against it, the token endpoint's handlers take their
// names and public-client rule from it, and the server metadata lists it: a new grant is
// added here and in its own handler file.
#include <array>
#include <string_view>

namespace oauth::catalogue {

namespace grant_names {
inline constexpr std::string_view password = "password";
inline constexpr std::string_view client_credentials = "client_credentials";
inline constexpr std::string_view refresh_token = "refresh_token";
inline constexpr std::string_view authorization_code = "authorization_code";
// Registration only (the personal access client); never a grant_type at the token endpoint.
inline constexpr std::string_view personal_access = "personal_access";
} // namespace grant_names

struct grant {
  std::string_view name;
  bool token_endpoint;        // a grant_type value of POST /oauth/token (listed in the metadata)
  bool public_clients;        // a public client (client_id only) may use it
  bool needs_redirect_uri;    // registration requires --redirect-uri
};

// In the order authctl lists them.
inline constexpr std::array<grant, 5> grants{{
    {grant_names::client_credentials, true, false, false},  // RFC 6749 §4.4: confidential only
    {grant_names::password, true, true, false},
    {grant_names::refresh_token, true, true, false},
    {grant_names::authorization_code, true, true, true},     // RFC 6749 §4.1, RFC 7636 for public
    {grant_names::personal_access, false, false, false},
}};

constexpr const grant* find_grant(std::string_view name) noexcept {
  for (const auto& g : grants)
    if (g.name == name) return &g;
  return nullptr;
}

} // namespace oauth::catalogue
