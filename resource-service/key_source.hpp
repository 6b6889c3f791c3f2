#pragma once
// Where the verification keys come from, kept current in the background:
//   AUTH_PUBLIC_KEY_FILE set  → that one key, loaded at start, never fetched (fully offline);
//   otherwise                 → the JWKS at AUTH_JWKS_URL, fetched at start (retried with
//                               backoff until it works), refreshed after Cache-Control max-age
//                               (bounded), and refetched on an unknown kid at most once per
//                               unknown_kid_interval. A failed fetch keeps the cached keys.
// The snapshot is swapped atomically: a request loads one shared_ptr and never waits on a fetch,
// except for the rate-limited unknown-kid refetch, which concurrent requests share.
#include "common/http/client.hpp"
#include "resource-service/access_token.hpp"
#include "resource-service/key_refresh.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace oauth::resource {

namespace asio = boost::asio;

struct key_source_options {
  verifier_settings verifier;
  std::optional<std::string> public_key_pem;  // AUTH_PUBLIC_KEY_FILE's content
  http::url jwks_url;
  refresh_bounds refresh;
  std::chrono::milliseconds unknown_kid_interval{10'000};
  std::chrono::milliseconds retry_min{250};
  std::chrono::milliseconds retry_max{30'000};
  http::client_options fetch{std::chrono::milliseconds(5000), 16 * 1024, 512 * 1024, "resource-service"};
};

class key_source {
public:
  key_source(boost::asio::any_io_executor ex, key_source_options options);
  ~key_source();
  key_source(const key_source&) = delete;
  key_source& operator=(const key_source&) = delete;

  // File mode: loads the key now (std::runtime_error if unusable). JWKS mode: starts the
  // background fetch loop and returns at once.
  void start();
  // Ends the background loop (idempotent).
  void stop();

  // The current snapshot; nullptr until the first successful load.
  std::shared_ptr<const trusted_keys> current() const noexcept;
  bool loaded() const noexcept { return current() != nullptr; }

  // A token named a kid we do not have: refetch the JWKS if the rate limit allows, or wait for
  // the refetch already under way, and return the snapshot then current. Returns nullptr when
  // no refetch was made (file mode, or rate-limited): the token is then refused.
  boost::asio::awaitable<std::shared_ptr<const trusted_keys>> refetch_for_unknown_kid();

  // Fetch attempts so far (tests, metrics).
  std::uint64_t fetch_count() const noexcept;

  struct state;

private:
  std::shared_ptr<state> state_;
};

} // namespace oauth::resource
