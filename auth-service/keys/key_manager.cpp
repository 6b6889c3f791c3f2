#include "auth-service/keys/key_manager.hpp"

#include "common/log.hpp"
#include "common/time.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <mutex>

namespace oauth::auth {
namespace {

std::shared_ptr<const key_state> make_state(jwt::key_store store) {
  std::string fingerprint;
  for (std::size_t i = 0; i < store.files().size(); ++i)
    fingerprint += store.files()[i].filename().string() + "=" + store.keys()[i].kid() + ";";
  fingerprint += "sign=" + store.signing_key().kid();
  auto jwks = boost::json::serialize(store.public_keys().to_jwks());
  std::vector<code_sealing_key> code_keys;
  for (std::size_t i = 0; i < store.keys().size(); ++i)
    code_keys.push_back(
        derive_code_sealing_key(store.keys()[i], jwt::key_store::file_time(store.files()[i]).value_or(0)));
  return std::make_shared<const key_state>(
      key_state{std::move(store), std::move(jwks), std::move(fingerprint), unix_now(), std::move(code_keys)});
}

} // namespace

key_manager::key_manager(std::filesystem::path dir, jwt::algorithm alg, std::chrono::seconds reload_interval)
    : dir_(std::move(dir)), alg_(alg), interval_(reload_interval), timer_(thread_.get_executor()) {}

key_manager::~key_manager() { stop(); }

void key_manager::open() {
  auto loaded = jwt::key_store::load(dir_, alg_);
  if (!loaded)
    throw key_manager_error("AUTH_KEYS_DIR: " + loaded.error().message() +
                            " (create the signing key with `authctl keys`, or run `authctl install`)");
  state_.store(make_state(std::move(*loaded)));
  auto s = current();
  log::info("signing keys loaded", {{"dir", dir_.string()},
                                    {"keys", s->store.keys().size()},
                                    {"signing_kid", s->store.signing_key().kid()},
                                    {"alg", std::string(jwt::name(s->store.signing_key().alg()))}});
}

bool key_manager::reload_now() {
  std::lock_guard lock(reload_mutex_);
  auto loaded = jwt::key_store::load(dir_, alg_);
  if (!loaded) {
    ++failures_;
    log::error("key reload failed: keeping the current keys", {{"error", loaded.error().message()}});
    return false;
  }
  auto fresh = make_state(std::move(*loaded));
  auto old = current();
  if (old && old->fingerprint == fresh->fingerprint) return true;
  state_.store(fresh);
  ++reloads_;
  log::info("signing keys reloaded", {{"keys", fresh->store.keys().size()},
                                      {"signing_kid", fresh->store.signing_key().kid()},
                                      {"previous_signing_kid", old ? old->store.signing_key().kid() : std::string()}});
  return true;
}

void key_manager::request_reload() {
  if (stopped_) return;
  boost::asio::post(thread_, [this] { reload_now(); });
}

void key_manager::start() { boost::asio::post(thread_, [this] { arm_timer(); }); }

void key_manager::arm_timer() {
  if (stopped_) return;
  timer_.expires_after(interval_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    reload_now();
    arm_timer();
  });
}

void key_manager::stop() {
  if (stopped_.exchange(true)) return;
  boost::asio::post(thread_, [this] { timer_.cancel(); });
  thread_.join();
}

} // namespace oauth::auth
