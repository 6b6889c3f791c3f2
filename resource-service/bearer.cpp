#include "resource-service/bearer.hpp"

#include "common/metrics.hpp"
#include "resource-service/bearer_challenge.hpp"

#include <stdexcept>

namespace oauth::resource {
namespace {

struct guard {
  std::shared_ptr<key_source> keys;
  scope_rule rule;
  http::handler next;
  std::shared_ptr<const revocation::live_list> revoked;
};

metrics::counter& outcome(std::string_view which) {
  return metrics::global().get_counter("bearer_checks_total", "Bearer token checks, by outcome.",
                                       "outcome=\"" + std::string(which) + "\"");
}

struct counters {
  metrics::counter& ok = outcome("ok");
  metrics::counter& missing = outcome("missing");
  metrics::counter& invalid = outcome("invalid_token");
  metrics::counter& scope = outcome("insufficient_scope");
  metrics::counter& unavailable = outcome("keys_unavailable");
  metrics::counter& revoked = outcome("revoked");
  metrics::counter& revocations_unavailable = outcome("revocations_unavailable");
};

counters& stats() {
  static counters c;
  return c;
}

asio::awaitable<http::response> guarded(http::request_context& ctx, std::shared_ptr<const guard> g) {
  auto credentials = extract_bearer(ctx.header(http::field::authorization));
  if (credentials.what == bearer_credentials::kind::none) {
    stats().missing.inc();
    co_return missing_token_response();
  }
  if (credentials.what == bearer_credentials::kind::malformed) {
    stats().invalid.inc();
    co_return invalid_token_response("malformed bearer token");
  }
  if (g->revoked && !g->revoked->loaded_once()) {
    stats().revocations_unavailable.inc();
    co_return revocations_unavailable_response();
  }
  auto trusted = g->keys->current();
  if (!trusted) {
    stats().unavailable.inc();
    co_return keys_unavailable_response();
  }
  auto verified = verify_access_token(credentials.token, *trusted);
  if (!verified && (verified.error() == jwt::errc::unknown_key || verified.error() == jwt::errc::algorithm_not_allowed)) {
    // Perhaps the auth service rotated to a new key (maybe of another algorithm) since our
    // last fetch: refetch, rate-limited. none/HS* never get here (unsupported_algorithm).
    auto fresh = co_await g->keys->refetch_for_unknown_kid();
    if (fresh && fresh != trusted) verified = verify_access_token(credentials.token, *fresh);
  }
  if (!verified) {
    stats().invalid.inc();
    co_return invalid_token_response(verified.error().message());
  }
  if (g->revoked && g->revoked->revoked(verified->jti(), verified->sub(), verified->client_id(), verified->iat())) {
    stats().revoked.inc();
    co_return invalid_token_response("token revoked");
  }
  if (!satisfies(g->rule, split_scope(verified->scope()))) {
    stats().scope.inc();
    co_return insufficient_scope_response(g->rule);
  }
  stats().ok.inc();
  ctx.principal = principal_from(*verified);
  co_return co_await g->next(ctx);
}

} // namespace

http::handler require_scopes(std::shared_ptr<key_source> keys, scope_rule rule, http::handler next,
                             std::shared_ptr<const revocation::live_list> revoked) {
  auto g = std::make_shared<const guard>(guard{std::move(keys), std::move(rule), std::move(next), std::move(revoked)});
  return [g](http::request_context& ctx) { return guarded(ctx, g); };
}

const access_principal& principal_of(const http::request_context& ctx) {
  auto p = std::any_cast<access_principal>(&ctx.principal);
  if (p == nullptr) throw std::logic_error("principal_of on a route without require_scopes");
  return *p;
}

} // namespace oauth::resource
