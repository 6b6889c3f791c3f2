#pragma once
// What the client reads from `INFO server` and `INFO replication` at a connection's handshake.
#include <optional>
#include <string>
#include <string_view>

namespace oauth::redis {

// The value of the first line of `info` that starts with `field` + ":", when it is 40
// lower-case hex digits (run_id, master_replid); else nullopt.
std::optional<std::string> hex_id_from_info(std::string_view info, std::string_view field);

} // namespace oauth::redis
