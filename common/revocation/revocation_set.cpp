#include "common/revocation/revocation_set.hpp"

#include <mutex>

namespace oauth::revocation {

bool revocation_set::add_locked(std::string_view jti, std::int64_t exp) {
  auto it = entries_.find(jti);
  if (it != entries_.end()) {
    if (exp > it->second) it->second = exp;
    return false;
  }
  entries_.emplace(std::string(jti), exp);
  return true;
}

bool revocation_set::add(std::string_view jti, std::int64_t exp) {
  std::unique_lock lock(mutex_);
  bool added = add_locked(jti, exp);
  size_.store(entries_.size(), std::memory_order_release);
  return added;
}

std::size_t revocation_set::merge(const std::vector<entry>& entries) {
  if (entries.empty()) return 0;
  std::unique_lock lock(mutex_);
  std::size_t added = 0;
  for (const auto& e : entries)
    if (add_locked(e.jti, e.exp)) ++added;
  size_.store(entries_.size(), std::memory_order_release);
  return added;
}

bool revocation_set::contains(std::string_view jti) const {
  if (size_.load(std::memory_order_acquire) == 0) {
    // An empty set answers without the lock. A concurrent add is a race the caller loses
    // either way (it may run just after this check).
    return false;
  }
  std::shared_lock lock(mutex_);
  return entries_.find(jti) != entries_.end();
}

std::size_t revocation_set::prune(std::int64_t now, std::int64_t keep_after_seconds) {
  std::unique_lock lock(mutex_);
  std::size_t removed = std::erase_if(entries_, [&](const auto& kv) { return kv.second < now - keep_after_seconds; });
  size_.store(entries_.size(), std::memory_order_release);
  return removed;
}

} // namespace oauth::revocation
