#pragma once
// Pub/sub on a dedicated connection. It SUBSCRIBEs after every (re)connect and calls
// on_subscribed once all channels are confirmed: the owner reloads its full state there,
// so nothing published while the connection was down is missed.
//
// Both callbacks run on the subscriber's strand, from inside hiredis: keep them short and
// non-blocking (post real work elsewhere); the string_views are valid only during the call.
// An exception escaping a callback is logged and swallowed.
#include "common/redis/client_options.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::redis {

class subscriber {
public:
  using message_handler = std::function<void(std::string_view channel, std::string_view message)>;
  using subscribed_handler = std::function<void()>;

  subscriber(boost::asio::any_io_executor ex, client_options opts, std::vector<std::string> channels,
             message_handler on_message, subscribed_handler on_subscribed);
  ~subscriber();  // stop()s; no callback runs after the executor processed the stop
  subscriber(const subscriber&) = delete;
  subscriber& operator=(const subscriber&) = delete;

  void start();
  void stop();  // idempotent; a stopped subscriber cannot be started again

  // Connected and all channels subscribed.
  bool connected() const;
  // Successful subscriptions since start() (on_subscribed calls).
  std::uint64_t subscriptions() const;

  class impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace oauth::redis
