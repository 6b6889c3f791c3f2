#pragma once
// What the client reads from `INFO server` at a connection's handshake.
#include <optional>
#include <string>
#include <string_view>

namespace oauth::redis {

// The value of the first line starting "run_id:", when it is 40 lower-case hex digits (the
// identity of a Redis process: drawn at random at every start); else nullopt.
std::optional<std::string> run_id_from_info(std::string_view info);

} // namespace oauth::redis
