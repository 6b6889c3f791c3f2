#pragma once
// Connection settings shared by the client and the subscriber.
#include "common/config.hpp"

#include <chrono>

namespace oauth::redis {

struct client_options {
  oauth::redis_endpoint endpoint;  // AUTH with endpoint.password (if any), SELECT endpoint.db
  std::chrono::milliseconds command_timeout{2000};
  // TCP connect plus AUTH/SELECT/PING handshake.
  std::chrono::milliseconds connect_timeout{2000};
  // Reconnect backoff bounds (see backoff.hpp). At most a second between attempts: after an
  // outage the service answers again within a second of Redis (the chaos harness holds it to
  // 2 s); one connection attempt a second per process costs Redis nothing.
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{1000};
  // This many command timeouts in a row, with no reply in between, mean the server is
  // unresponsive: the connection is torn down and re-established.
  unsigned timeouts_before_reconnect = 3;
  // The handshake also reads who the server is (INFO server and replication), which
  // client::eval_with_server_id needs: the Redis user then needs the INFO command. Client
  // connections only; a subscriber never asks.
  bool identify_server = false;
};

} // namespace oauth::redis
