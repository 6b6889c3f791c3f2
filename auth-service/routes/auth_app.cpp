#include "auth-service/routes/auth_app.hpp"

#include "auth-service/credentials/password_hasher.hpp"
#include "auth-service/keys/key_manager.hpp"
#include "auth-service/oauth/client_cache.hpp"
#include "auth-service/oauth/bearer.hpp"
#include "auth-service/oauth/authorization_code_grant.hpp"
#include "auth-service/oauth/authorized_clients.hpp"
#include "auth-service/oauth/client_credentials_grant.hpp"
#include "auth-service/oauth/consent_cache.hpp"
#include "auth-service/oauth/introspection.hpp"
#include "auth-service/oauth/personal_access_tokens.hpp"
#include "auth-service/oauth/playground_client_cache.hpp"
#include "auth-service/oauth/revocation.hpp"
#include "auth-service/oauth/password_grant.hpp"
#include "auth-service/oauth/refresh_token_grant.hpp"
#include "auth-service/oauth/token_endpoint.hpp"
#include "auth-service/oauth/token_issuer.hpp"
#include "auth-service/oauth/user_cache.hpp"
#include "auth-service/routes/auth_routes.hpp"
#include "auth-service/routes/authorize_routes.hpp"
#include "auth-service/routes/first_party_routes.hpp"
#include "auth-service/routes/login_routes.hpp"
#include "auth-service/session/browser_sessions.hpp"
#include "auth-service/routes/web_routes.hpp"
#include "auth-service/storage/pg_personal_access_token_store.hpp"
#include "auth-service/storage/pg_client_store.hpp"
#include "auth-service/storage/pg_consent_store.hpp"
#include "auth-service/storage/pg_playground_client_store.hpp"
#include "auth-service/storage/redis_authorization_code_store.hpp"
#include "auth-service/storage/redis_session_store.hpp"
#include "auth-service/storage/pg_user_store.hpp"
#include "auth-service/storage/redis_refresh_token_store.hpp"
#include "auth-service/storage/redis_throttle_store.hpp"
#include "common/http/runtime.hpp"
#include "common/http/standard_routes.hpp"
#include "common/log.hpp"
#include "common/pg/pool.hpp"
#include "common/redis/client.hpp"
#include "common/revocation/durable_record.hpp"
#include "common/revocation/live_list.hpp"
#include "common/revocation/writer.hpp"

namespace oauth::auth {
namespace {

pg::pool_options pool_options(const service_config& svc) {
  pg::pool_options po;
  po.conninfo = svc.database_url;
  po.size = static_cast<std::size_t>(svc.pg_pool_size);
  po.query_timeout = svc.pg_query_timeout;
  return po;
}

redis::client_options redis_options(const service_config& svc) {
  redis::client_options ro;
  ro.endpoint = svc.redis;
  ro.command_timeout = svc.redis_command_timeout;
  ro.identify_server = true;  // the authorization code store's single use
  return ro;
}

// The PostgreSQL record is merged at every load, as in the resource service
// (common/revocation/durable_record.hpp says why). `db` outlives the list's work: stop() stops
// the list before the members go.
revocation::live_list_options revocation_options(const service_config& svc, pg::pool& db) {
  revocation::live_list_options o;
  o.redis = redis_options(svc);
  o.record = [db = &db](std::int64_t now) { return revocation::load_durable_record(*db, now); };
  return o;
}

// "redis" is ready when Redis answers and the revocation list is in sync with it (as in the
// resource service): until then the bearer routes and introspection answer 503.
boost::asio::awaitable<bool> redis_ready(redis::client* rc, const revocation::live_list* revoked) {
  bool up = co_await rc->ping();
  co_return up && revoked->synced();
}

browser_session_options browser_session_options_from(const auth_config& c) {
  browser_session_options o;
  o.ttl = c.session_ttl;
  o.idle = c.session_idle_timeout;
  o.always_secure = c.service.issuer.starts_with("https://");
  o.trust_forwarded_proto = c.trust_forwarded_proto;
  return o;
}

// The authorization-code sealing keys of the current key set (they follow a key reload).
code_keys_source code_keys_of(const key_manager& keys) {
  return [k = &keys] {
    auto state = k->current();
    return std::shared_ptr<const std::vector<code_sealing_key>>(state, &state->code_keys);
  };
}

} // namespace

// Declaration order is construction order; destruction runs backwards, so everything is
// destroyed before what it refers to.
struct auth_app::parts {
  parts(boost::asio::io_context& io, std::vector<boost::asio::any_io_executor> redis_lanes, const auth_config& c,
        const app_tuning& t)
      : keys(c.keys_dir, c.jwt_alg, c.key_reload_interval),
        db(io.get_executor(), pool_options(c.service)),
        // No lanes: one client on `io`, which any number of threads may run.
        redis(redis_lanes.empty() ? redis::client(io.get_executor(), redis_options(c.service))
                                  : redis::client(std::move(redis_lanes), redis_options(c.service))),
        pg_clients(db),
        clients(pg_clients, t.client_cache_ttl),
        users(db),
        refresh_users(users, t.client_cache_ttl),
        refresh_tokens(redis),
        throttle(redis, throttle_limits{c.throttle_user_failures, c.throttle_ip_failures, std::chrono::seconds(60)}),
        hasher(c.password_hash_threads, c.password_hash_queue),
        issuer([k = &keys] { return k->signing_key(); }, c.service.issuer, c.service.audience, c.access_token_ttl),
        login({users, throttle, hasher}),
        password({login, refresh_tokens, issuer, c.refresh_token_ttl}),
        client_credentials(issuer),
        refreshing({refresh_tokens, issuer, c.refresh_token_ttl, c.refresh_reuse_grace, &refresh_tokens, &refresh_users}),
        revoked(io.get_executor(), revocation_options(c.service, db)),
        revocations(redis, {}, &revoked.set()),
        codes(redis),
        pg_consents(db),
        consents(pg_consents, t.client_cache_ttl),
        sessions(redis),
        browser(sessions, browser_session_options_from(c)),
        authorization_code({codes, code_keys_of(keys), refresh_users, refresh_tokens, refresh_tokens, revocations,
                            issuer, c.refresh_token_ttl}),
        endpoint(clients, {&password, &client_credentials, &refreshing, &authorization_code}),
        verifier(keys, c.service.issuer, c.service.audience, &revoked),
        personal_tokens(db),
        personal_access({verifier, personal_tokens, issuer, revocations, c.personal_access_token_ttl, clients}),
        revoke({clients, verifier, refresh_tokens, revocations}),
        introspect({clients, verifier, refresh_tokens}),
        authorized_clients({verifier, clients, consents, refresh_tokens}),
        pg_playground_client(db),
        playground_client(pg_playground_client) {
    keys.open();
    clients.watch(&revoked.set());
    refresh_users.watch(&revoked.set());
    playground_client.watch(&revoked.set());
  }

  key_manager keys;
  pg::pool db;
  redis::client redis;
  pg_client_store pg_clients;
  client_cache clients;
  pg_user_store users;
  user_cache refresh_users;  // what a refresh re-reads (deleted? scopes narrowed?)
  redis_refresh_token_store refresh_tokens;
  redis_throttle_store throttle;
  password_hasher hasher;
  token_issuer issuer;
  password_login login;  // the password grant's and POST /login's throttled check
  password_grant password;
  client_credentials_grant client_credentials;
  refresh_token_grant refreshing;
  // Revocation (common/revocation), personal access tokens, RFC 7009 and RFC 7662.
  revocation::live_list revoked;
  revocation::writer revocations;
  // The browser flows: authorization codes, remembered consent, login sessions, the code grant.
  redis_authorization_code_store codes;
  pg_consent_store pg_consents;
  consent_cache consents;  // authorize's remembered-consent check without a PostgreSQL round trip
  redis_session_store sessions;
  browser_sessions browser;
  authorization_code_grant authorization_code;
  token_endpoint endpoint;
  access_token_verifier verifier;
  pg_personal_access_token_store personal_tokens;
  personal_access_tokens_endpoint personal_access;
  revocation_endpoint revoke;
  introspection_endpoint introspect;
  authorized_clients_endpoint authorized_clients;
  // The token playground's public client (its "Authorization code + PKCE" panel).
  pg_playground_client_store pg_playground_client;
  playground_client_cache playground_client;
  std::unique_ptr<http::server> server;
};

auth_app::auth_app(boost::asio::io_context& io, auth_config config, app_tuning tuning)
    : auth_app(io, {}, std::move(config), tuning) {}

auth_app::auth_app(http::io_contexts& contexts, auth_config config, app_tuning tuning)
    : auth_app(contexts.main(), contexts.executors(), std::move(config), tuning) {}

auth_app::auth_app(boost::asio::io_context& io, std::vector<boost::asio::any_io_executor> redis_lanes,
                   auth_config config, app_tuning tuning)
    : io_(io), config_(std::move(config)), tuning_(tuning),
      parts_(std::make_unique<parts>(io, std::move(redis_lanes), config_, tuning_)) {
  auto routes = std::make_shared<http::router>();
  pg::pool* db = &parts_->db;
  redis::client* rc = &parts_->redis;
  const revocation::live_list* revoked = &parts_->revoked;
  http::add_standard_routes(*routes, {
                                         {"postgres", [db] { return db->ping(); }},
                                         {"redis", [rc, revoked] { return redis_ready(rc, revoked); }},
                                     });
  add_auth_routes(*routes, parts_->keys, parts_->endpoint,
                  metadata_options{.issuer = config_.service.issuer, .revocation_endpoint = true,
                                   .introspection_endpoint = true, .authorization_endpoint = true});
  add_revocation_routes(*routes, parts_->revoke, parts_->introspect);
  add_personal_access_token_routes(*routes, parts_->personal_access);
  add_first_party_routes(*routes, parts_->endpoint, first_party_options_from(config_), &parts_->refresh_tokens);
  add_web_routes(*routes, web_options_from(config_), parts_->playground_client);
  const auto trusted = first_party_options_from(config_).trusted_origins;
  add_login_routes(*routes, parts_->login, parts_->browser, {trusted});
  add_authorize_routes(*routes, authorize_dependencies{parts_->clients, parts_->refresh_users, parts_->consents,
                                                       parts_->codes, code_keys_of(parts_->keys),
                                                       config_.key_reload_interval + std::chrono::seconds(5),
                                                       parts_->browser, config_.service.issuer, config_.auth_code_ttl,
                                                       trusted});
  add_authorized_clients_routes(*routes, parts_->authorized_clients);
  http::server_options so{config_.service.listen, config_.service.http, tuning_.access_log, "auth-service"};
  parts_->server = std::make_unique<http::server>(io_, so, routes);
}

auth_app::~auth_app() { stop(); }

void auth_app::start() {
  parts_->redis.start();
  parts_->revoked.start();
  parts_->keys.start();
  parts_->server->hold_accept_until([revoked = &parts_->revoked] { return revoked->loaded_once(); },
                                    tuning_.ready_wait);
  parts_->server->start();
  log::info("auth-service listening", {{"address", config_.service.listen.host},
                                       {"port", parts_->server->port()},
                                       {"issuer", config_.service.issuer},
                                       {"alg", std::string(jwt::name(config_.jwt_alg))}});
}

void auth_app::stop() {
  if (!parts_) return;
  parts_->keys.stop();
  parts_->revoked.stop();
  parts_->redis.stop();
}

void auth_app::reload_keys() { parts_->keys.request_reload(); }

http::server& auth_app::server() { return *parts_->server; }
key_manager& auth_app::keys() { return parts_->keys; }
client_cache& auth_app::clients() { return parts_->clients; }
pg::pool& auth_app::db() { return parts_->db; }
redis::client& auth_app::redis() { return parts_->redis; }
password_hasher& auth_app::hasher() { return parts_->hasher; }
bool auth_app::revocations_loaded() const { return parts_->revoked.loaded_once(); }

} // namespace oauth::auth
