#pragma once
// CORS (Fetch standard, "CORS protocol") for CORS_ALLOWED_ORIGINS, so that the playground page
// served by the auth service can call this API with a bearer token. Exact origins only; no
// credentials mode (tokens travel in Authorization, not in cookies).
#include "common/http/types.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace oauth::resource {

class cors_policy {
public:
  explicit cors_policy(std::vector<std::string> allowed_origins);

  // Exact, case-sensitive match of the Origin header against the configured origins
  // (already normalized to lower case by the configuration).
  bool allows(std::string_view origin) const;

  // For an actual request: Access-Control-Allow-Origin echoing the origin and
  // Access-Control-Expose-Headers when the origin is allowed. Vary: Origin always, since the
  // answer depends on it. Nothing else for a disallowed or absent origin.
  void decorate(http::response& res, std::string_view origin) const;

  // OPTIONS on a path whose methods are `methods` (e.g. "GET, POST"). A CORS preflight
  // (Origin + Access-Control-Request-Method) from an allowed origin asking for one of those
  // methods gets 204 with Allow-Origin, Allow-Methods, Allow-Headers, Max-Age and Vary: Origin.
  // Any other OPTIONS gets 204 with Allow and no CORS headers.
  http::response preflight(std::string_view origin, std::string_view request_method, std::string_view methods) const;

  static constexpr std::string_view allowed_headers = "Authorization, Content-Type";
  static constexpr std::string_view exposed_headers = "WWW-Authenticate, X-Request-Id";
  static constexpr std::string_view max_age = "600";

private:
  std::vector<std::string> origins_;
};

} // namespace oauth::resource
