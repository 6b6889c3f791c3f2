#include "common/log.hpp"

#include "common/time.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <unistd.h>

namespace oauth::log {
namespace {

std::atomic<int> minimum_level{static_cast<int>(level::info)};
std::mutex service_mutex;
std::string service_name = "oauth";

std::string_view level_name(level l) {
  switch (l) {
  case level::debug: return "debug";
  case level::info: return "info";
  case level::warn: return "warn";
  case level::error: return "error";
  }
  return "info";
}

} // namespace

std::optional<level> parse_level(std::string_view text) {
  if (text == "debug") return level::debug;
  if (text == "info") return level::info;
  if (text == "warn" || text == "warning") return level::warn;
  if (text == "error") return level::error;
  return std::nullopt;
}

void set_level(level minimum) { minimum_level.store(static_cast<int>(minimum), std::memory_order_relaxed); }
level current_level() { return static_cast<level>(minimum_level.load(std::memory_order_relaxed)); }

void set_service(std::string_view name) {
  std::lock_guard lock(service_mutex);
  service_name = name;
}

bool enabled(level l) { return static_cast<int>(l) >= minimum_level.load(std::memory_order_relaxed); }

void write(level l, std::string_view message, const boost::json::object& fields) {
  if (!enabled(l)) return;
  boost::json::object line;
  line.reserve(fields.size() + 4);
  line["ts"] = format_rfc3339_millis(system_now());
  line["level"] = level_name(l);
  {
    std::lock_guard lock(service_mutex);
    line["service"] = service_name;
  }
  line["msg"] = message;
  for (const auto& [key, value] : fields) line[key] = value;
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  // One write(2) per line keeps lines from interleaving across threads.
  const char* data = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n <= 0) return;  // stderr gone: nothing sensible left to report to
    data += n;
    left -= static_cast<size_t>(n);
  }
}

} // namespace oauth::log
