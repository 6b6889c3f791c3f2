#include "resource-service/access_token.hpp"

#include <algorithm>

namespace oauth::resource {

std::shared_ptr<const trusted_keys> make_trusted_keys(jwt::key_set keys, const verifier_settings& settings,
                                                      std::string source) {
  auto t = std::make_shared<trusted_keys>();
  t->options.issuer = settings.issuer;
  t->options.audience = settings.audience;
  t->options.leeway = settings.clock_skew;
  t->options.allowed_algorithms.clear();
  for (const auto& k : keys)
    if (std::find(t->options.allowed_algorithms.begin(), t->options.allowed_algorithms.end(), k.alg()) ==
        t->options.allowed_algorithms.end())
      t->options.allowed_algorithms.push_back(k.alg());
  t->keys = std::move(keys);
  t->source = std::move(source);
  return t;
}

jwt::result<jwt::verified_token> verify_access_token(std::string_view token, const trusted_keys& trusted) {
  return jwt::verify(token, trusted.keys, trusted.options);
}

access_principal principal_from(const jwt::verified_token& token) {
  access_principal p;
  p.sub = std::string(token.sub());
  p.client_id = std::string(token.client_id());
  p.jti = std::string(token.jti());
  p.scope = std::string(token.scope());
  p.exp = token.exp();
  return p;
}

} // namespace oauth::resource
