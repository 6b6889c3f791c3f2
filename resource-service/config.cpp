#include "resource-service/config.hpp"

#include "common/http/origin.hpp"
#include "common/jwt/key.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace oauth::resource {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error("AUTH_PUBLIC_KEY_FILE: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

resource_config load_resource_config(const env_reader& env) {
  resource_config c;
  c.service = load_service_config(env, "0.0.0.0:8082");

  c.jwks_url_text = env.string("AUTH_JWKS_URL", "http://127.0.0.1:8081/.well-known/jwks.json");
  auto url = http::parse_http_url(c.jwks_url_text);
  if (!url) throw config_error("AUTH_JWKS_URL: expected an http:// URL (got '" + c.jwks_url_text + "')");
  c.jwks_url = std::move(*url);

  if (auto file = env.raw("AUTH_PUBLIC_KEY_FILE"); file && !file->empty()) {
    c.public_key_file = *file;
    c.public_key_pem = read_file(*file);
    auto k = jwt::key::from_pem(c.public_key_pem);
    if (!k) throw config_error("AUTH_PUBLIC_KEY_FILE: " + *file + ": " + k.error().message());
  }

  c.clock_skew = env.seconds("CLOCK_SKEW", 30, 0, 3600);

  auto issuer_origin = http::origin_of(c.service.issuer);
  auto origins = env.list("CORS_ALLOWED_ORIGINS", issuer_origin ? *issuer_origin : std::string());
  for (const auto& o : origins) {
    auto normal = http::origin_of(o);
    // An origin is scheme://host[:port] and nothing more (RFC 6454 §6.1).
    if (!normal || normal->size() != o.size())
      throw config_error("CORS_ALLOWED_ORIGINS: expected scheme://host[:port] origins (got '" + o + "')");
    c.cors_allowed_origins.push_back(*normal);
  }
  return c;
}

} // namespace oauth::resource
