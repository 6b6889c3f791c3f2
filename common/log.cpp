#include "common/log.hpp"

#include "common/time.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
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

void write_all(const std::string& text) {
  const char* data = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n <= 0) return;  // stderr gone: nothing sensible left to report to
    data += n;
    left -= static_cast<size_t>(n);
  }
}

// Info and debug lines (the access log: one per request) are gathered and written by a
// background thread at most every 50 ms or per 64 KiB, instead of one write(2) per line.
// Warnings and errors are written at once, after whatever was queued before them.
class line_writer {
public:
  line_writer() : thread_([this] { run(); }) {}
  ~line_writer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    flush_locked_out();
  }

  void queue(std::string&& line) {
    bool full;
    {
      std::lock_guard lock(mutex_);
      pending_.append(line);
      full = pending_.size() >= flush_bytes;
    }
    if (full) wake_.notify_one();
  }

  void flush() { write_now(std::string()); }

  void write_now(const std::string& line) {
    std::lock_guard order(write_mutex_);
    std::string batch;
    {
      std::lock_guard lock(mutex_);
      batch.swap(pending_);
    }
    batch.append(line);
    write_all(batch);
  }

private:
  static constexpr std::size_t flush_bytes = 64 * 1024;

  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(50),
                     [this] { return stopping_ || pending_.size() >= flush_bytes; });
      if (pending_.empty()) continue;
      std::string batch;
      batch.swap(pending_);
      lock.unlock();
      {
        std::lock_guard order(write_mutex_);
        write_all(batch);
      }
      lock.lock();
    }
  }

  void flush_locked_out() {
    std::lock_guard order(write_mutex_);
    write_all(pending_);
    pending_.clear();
  }

  std::mutex mutex_;
  std::mutex write_mutex_;  // keeps batches in order
  std::condition_variable wake_;
  std::string pending_;
  bool stopping_ = false;
  std::thread thread_;
};

line_writer& writer() {
  static line_writer instance;
  return instance;
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

namespace {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  // Runs of characters that need no escape are appended in one go.
  auto plain = [](unsigned char c) { return c >= 0x20 && c != 0x7f && c != '"' && c != '\\'; };
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t run = i;
    while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    i = run + 1;
    unsigned char c = static_cast<unsigned char>(s[run]);
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (c < 0x20 || c == 0x7f) {
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
  }
  out.push_back('"');
}

// The access log's timestamp without snprintf and gmtime on every request: the text up to the
// seconds is kept per thread and re-made when the second changes.
void append_timestamp_millis(std::string& out) {
  struct cached_second {
    std::int64_t second = -1;
    std::string text;  // "2026-11-26T20:45:26."
  };
  thread_local cached_second cache;
  auto now = system_now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::int64_t second = ms / 1000;
  if (second != cache.second) {
    cache.text = format_rfc3339_millis(now);
    cache.text.resize(20);  // keep "YYYY-MM-DDTHH:MM:SS."
    cache.second = second;
  }
  out += cache.text;
  int millis = static_cast<int>(ms % 1000);
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
}

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 24 characters hold any 64-bit number
  out.append(buf, end);
}

} // namespace

void access(const access_entry& e) {
  if (!enabled(level::info)) return;
  std::string line;
  line.reserve(320);
  line += "{\"ts\":\"";
  append_timestamp_millis(line);
  line += "\",\"level\":\"info\",\"service\":";
  {
    std::lock_guard lock(service_mutex);
    append_json_string(line, service_name);
  }
  line += ",\"msg\":\"request\",\"request_id\":";
  append_json_string(line, e.request_id);
  line += ",\"method\":";
  append_json_string(line, e.method);
  line += ",\"path\":";
  append_json_string(line, e.path);
  line += ",\"route\":";
  append_json_string(line, e.route);
  line += ",\"status\":";
  append_number(line, e.status);
  // Milliseconds with three decimals, as "%.3f" would print them.
  auto micros = static_cast<std::uint64_t>(std::llround(std::max(e.duration_ms, 0.0) * 1000.0));
  line += ",\"duration_ms\":";
  append_number(line, micros / 1000);
  line += '.';
  line += static_cast<char>('0' + micros / 100 % 10);
  line += static_cast<char>('0' + micros / 10 % 10);
  line += static_cast<char>('0' + micros % 10);
  line += ",\"bytes\":";
  append_number(line, e.bytes);
  line += ",\"remote\":";
  append_json_string(line, e.remote);
  line += "}\n";
  writer().queue(std::move(line));
}

void flush() { writer().flush(); }

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
  if (l >= level::warn)
    writer().write_now(text);
  else
    writer().queue(std::move(text));
}

} // namespace oauth::log
