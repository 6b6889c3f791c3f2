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
};

// RFC 8414 §2. There is no authorization endpoint (no code or implicit flow), so
// authorization_endpoint is omitted and response_types_supported is [] (the member is
// REQUIRED; an empty list is the truthful value).
boost::json::object authorization_server_metadata(const metadata_options& o);

boost::json::array scopes_document();

} // namespace oauth::auth
