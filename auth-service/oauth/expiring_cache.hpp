#pragma once
// The in-memory map behind the client and user caches: values kept for a fixed time after
// they were read, at most `max_entries` of them (when full, expired entries are dropped, and
// if that is not enough, all). Thread-safe (one mutex: the critical sections are a hash
// lookup or an insert). The clock is a parameter so that tests move time by hand.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace oauth::auth {

template <class Value>
class expiring_cache {
public:
  using clock = std::chrono::steady_clock;
  using clock_fn = clock::time_point (*)();

  expiring_cache(std::chrono::milliseconds ttl, std::size_t max_entries, clock_fn now)
      : ttl_(ttl), max_entries_(max_entries), now_(now) {}

  // The value read less than ttl ago, if any.
  std::optional<Value> lookup(const std::string& key) const {
    auto now = now_();
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
    return it->second.value;
  }

  void remember(const std::string& key, Value value) {
    auto now = now_();
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
      std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires <= now; });
      if (entries_.size() >= max_entries_) entries_.clear();
    }
    entries_.insert_or_assign(key, entry{std::move(value), now + ttl_});
  }

  void forget(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }

  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

private:
  struct entry {
    Value value;
    clock::time_point expires;
  };
  std::chrono::milliseconds ttl_;
  std::size_t max_entries_;
  clock_fn now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

} // namespace oauth::auth
