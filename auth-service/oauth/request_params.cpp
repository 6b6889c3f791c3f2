#include "auth-service/oauth/request_params.hpp"

namespace oauth::auth {

std::variant<http::body_params, token_error> parse_request_params(std::string_view content_type, std::string_view body) {
  auto parsed = http::parse_body_params(content_type, body);
  if (auto* e = std::get_if<http::params_error>(&parsed)) return make_error(oauth_errc::invalid_request, e->description);
  auto& params = std::get<http::body_params>(parsed);
  if (auto repeated = params.first_repeated())
    return make_error(oauth_errc::invalid_request, "The parameter '" + *repeated + "' is repeated (RFC 6749 section 3.1).");
  return std::move(params);
}

} // namespace oauth::auth
