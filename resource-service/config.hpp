#pragma once
// The resource service's configuration: what both services read (common/config.hpp) plus
// the key source, clock skew and CORS origins (../shared/CONTRACT.md, "Configuration").
#include "common/config.hpp"
#include "common/http/client.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace oauth::resource {

struct resource_config {
  service_config service;
  // AUTH_JWKS_URL; ignored when public_key_file is set.
  http::url jwks_url;
  std::string jwks_url_text;
  // AUTH_PUBLIC_KEY_FILE: a PEM public key used instead of the JWKS (fully offline).
  std::optional<std::string> public_key_file;
  std::string public_key_pem;  // its content, read at start-up
  std::chrono::seconds clock_skew{30};  // CLOCK_SKEW
  std::vector<std::string> cors_allowed_origins;  // CORS_ALLOWED_ORIGINS, exact origins
};

// Throws config_error (one line naming the variable) for a bad value: an unparsable URL or
// number, a missing or unusable key file, an origin that is not scheme://host[:port].
resource_config load_resource_config(const env_reader& env);

} // namespace oauth::resource
