#pragma once
// Documents the auth service publishes (pure builders; the routes serve them precomputed).
//  - RFC 8414 authorization server metadata.
//  - GET /oauth/scopes: [{"id","description"}] (Passport's /oauth/scopes).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauth::auth {

struct metadata_options {
  std::string issuer;  // AUTH_ISSUER, without a trailing slash
  // Only endpoints that exist are advertised (RFC 8414 §2: OPTIONAL members).
  bool revocation_endpoint = false;
  bool introspection_endpoint = false;
  // GET /oauth/authorize (code flow with PKCE S256, RFC 9207's iss in responses).
  bool authorization_endpoint = false;
};

// RFC 8414 §2. Without the authorization endpoint, response_types_supported is [] (the
// member is REQUIRED; an empty list is the truthful value). The device authorization
// endpoint is listed once it exists. grant_types_supported: the grant catalogue's
// token-endpoint grants.
boost::json::object authorization_server_metadata(const metadata_options& o);

boost::json::array scopes_document();

} // namespace oauth::auth
