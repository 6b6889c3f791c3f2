#pragma once
// The signing keys of a running auth service: the current jwt::key_store behind an atomically
// swapped shared_ptr, so request threads read it without locks held across work.
//
//  - open(): the first load; a missing, empty or unreadable AUTH_KEYS_DIR throws
//    key_manager_error whose message is the one line the service prints before it stops
//    (it names `authctl keys` / `authctl install`).
//  - request_reload() (SIGHUP) and a timer every key_reload_interval (≤ 60 s) reload the
//    directory. Reloads run on the manager's own thread, never on an I/O thread. A reload that
//    fails keeps the old keys and logs an error; one that finds the same files changes nothing.
//  - The JWKS document is serialized once per key set, not per request.
#include "auth-service/authorize/code_seal.hpp"
#include "common/jwt/algorithm.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/key_store.hpp"
#include "common/shared_snapshot.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace oauth::auth {

struct key_manager_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One loaded key set with what is derived from it.
struct key_state {
  jwt::key_store store;
  std::string jwks_json;           // {"keys":[…]} serialized
  std::string fingerprint;         // file names + kids: tells whether a reload changed anything
  std::int64_t loaded_at = 0;
  // One authorization-code sealing key per key file (code_seal.hpp): choose_sealing_key()
  // picks the one that seals; all of them open.
  std::vector<code_sealing_key> code_keys;
};

class key_manager {
public:
  key_manager(std::filesystem::path dir, jwt::algorithm alg, std::chrono::seconds reload_interval);
  ~key_manager();
  key_manager(const key_manager&) = delete;
  key_manager& operator=(const key_manager&) = delete;

  // First load, blocking (at start-up). Throws key_manager_error.
  void open();
  // Starts the periodic reload on the manager's thread.
  void start();
  // Stops the timer and the thread. Idempotent.
  void stop();

  // Thread-safe. nullptr before open().
  std::shared_ptr<const key_state> current() const noexcept { return state_.load(); }
  jwt::key signing_key() const { return current()->store.signing_key(); }

  // Asynchronous reload (SIGHUP): returns at once; the work runs on the manager's thread.
  void request_reload();
  // Blocking reload on the calling thread; true when the keys are (still) valid. Tests use it.
  bool reload_now();

  std::uint64_t reloads() const noexcept { return reloads_.load(); }        // successful loads that changed keys
  std::uint64_t failed_reloads() const noexcept { return failures_.load(); }

private:
  void arm_timer();

  std::filesystem::path dir_;
  jwt::algorithm alg_;
  std::chrono::seconds interval_;
  shared_snapshot<const key_state> state_;
  std::atomic<std::uint64_t> reloads_{0};
  std::atomic<std::uint64_t> failures_{0};
  boost::asio::thread_pool thread_{1};
  boost::asio::steady_timer timer_;
  std::atomic<bool> stopped_{false};
  // Reloads run on the manager's thread, but reload_now() may also be called from another
  // thread (tests): they must not interleave.
  std::mutex reload_mutex_;
};

} // namespace oauth::auth
