#pragma once
// Structured logging: one JSON object per line on stderr.
// Never pass a secret (password, client secret, refresh token, key) as a field.
#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace oauth::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

std::optional<level> parse_level(std::string_view text);
void set_level(level minimum);
level current_level();
// The "service" field stamped on every line.
void set_service(std::string_view name);

bool enabled(level l);
void write(level l, std::string_view message, const boost::json::object& fields = {});

// The per-request access-log line, formatted without building a JSON object (it is
// written for every request, so it is on the hot path).
struct access_entry {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  std::string_view route;
  unsigned status = 0;
  double duration_ms = 0;
  std::size_t bytes = 0;
  std::string_view remote;
};
void access(const access_entry& e);
// Writes out queued lines now (tests; before a deliberate exit).
void flush();

inline void debug(std::string_view m, const boost::json::object& f = {}) { if (enabled(level::debug)) write(level::debug, m, f); }
inline void info(std::string_view m, const boost::json::object& f = {}) { if (enabled(level::info)) write(level::info, m, f); }
inline void warn(std::string_view m, const boost::json::object& f = {}) { write(level::warn, m, f); }
inline void error(std::string_view m, const boost::json::object& f = {}) { write(level::error, m, f); }

} // namespace oauth::log
