#include "auth-service/routes/metadata.hpp"

#include "auth-service/domain/models.hpp"
#include "auth-service/oauth/scopes.hpp"

namespace oauth::auth {

boost::json::object authorization_server_metadata(const metadata_options& o) {
  std::string base = o.issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  boost::json::object m;
  m["issuer"] = base;
  m["token_endpoint"] = base + "/oauth/token";
  m["jwks_uri"] = base + "/.well-known/jwks.json";
  boost::json::array scopes;
  for (const auto& d : defined_scopes()) scopes.emplace_back(d.id);
  m["scopes_supported"] = std::move(scopes);
  if (o.authorization_endpoint) {
    m["authorization_endpoint"] = base + "/oauth/authorize";
    m["response_types_supported"] = boost::json::array{"code"};
    m["response_modes_supported"] = boost::json::array{"query"};
    m["code_challenge_methods_supported"] = boost::json::array{"S256"};
    m["authorization_response_iss_parameter_supported"] = true;
  } else {
    m["response_types_supported"] = boost::json::array{};
  }
  boost::json::array grants;
  for (const auto& g : catalogue::grants)
    if (g.token_endpoint) grants.emplace_back(g.name);
  m["grant_types_supported"] = std::move(grants);
  m["token_endpoint_auth_methods_supported"] =
      o.authorization_endpoint ? boost::json::array{"client_secret_basic", "client_secret_post", "none"}
                               : boost::json::array{"client_secret_basic", "client_secret_post"};
  if (o.revocation_endpoint) {
    m["revocation_endpoint"] = base + "/oauth/revoke";
    m["revocation_endpoint_auth_methods_supported"] = boost::json::array{"client_secret_basic", "client_secret_post"};
  }
  if (o.introspection_endpoint) {
    m["introspection_endpoint"] = base + "/oauth/introspect";
    m["introspection_endpoint_auth_methods_supported"] =
        boost::json::array{"client_secret_basic", "client_secret_post"};
  }
  return m;
}

boost::json::array scopes_document() {
  boost::json::array out;
  for (const auto& d : defined_scopes()) out.push_back(boost::json::object{{"id", d.id}, {"description", d.description}});
  return out;
}

} // namespace oauth::auth
