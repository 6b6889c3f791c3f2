#include "common/revocation/revocation_set.hpp"

#include <algorithm>
#include <mutex>

namespace oauth::revocation {

bool revocation_set::add_locked(std::string_view member, std::int64_t exp) {
  if (auto c = parse_cutoff(member)) {
    auto& map = c->what == cutoff::kind::subject ? subjects_ : clients_;
    auto it = map.find(c->id);
    if (it != map.end()) {
      // A later cutoff covers every token an earlier one does.
      bool widened = c->before > it->second.before;
      it->second.before = std::max(it->second.before, c->before);
      it->second.exp = std::max(it->second.exp, exp);
      return widened;
    }
    map.emplace(std::string(c->id), cutoff_value{c->before, exp});
    return true;
  }
  auto it = entries_.find(member);
  if (it != entries_.end()) {
    if (exp > it->second) it->second = exp;
    return false;
  }
  entries_.emplace(std::string(member), exp);
  return true;
}

void revocation_set::publish_size_locked() {
  size_.store(entries_.size() + subjects_.size() + clients_.size(), std::memory_order_release);
}

bool revocation_set::add(std::string_view jti, std::int64_t exp) {
  std::unique_lock lock(mutex_);
  bool added = add_locked(jti, exp);
  publish_size_locked();
  return added;
}

std::size_t revocation_set::merge(const std::vector<entry>& entries) {
  if (entries.empty()) return 0;
  std::unique_lock lock(mutex_);
  std::size_t added = 0;
  for (const auto& e : entries)
    if (add_locked(e.jti, e.exp)) ++added;
  publish_size_locked();
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

bool revocation_set::revoked(std::string_view jti, std::string_view sub, std::string_view client_id,
                             std::int64_t iat) const {
  if (size_.load(std::memory_order_acquire) == 0) return false;
  std::shared_lock lock(mutex_);
  if (entries_.find(jti) != entries_.end()) return true;
  if (!subjects_.empty()) {
    auto it = subjects_.find(sub);
    if (it != subjects_.end() && iat <= it->second.before) return true;
  }
  if (!clients_.empty()) {
    auto it = clients_.find(client_id);
    if (it != clients_.end() && iat <= it->second.before) return true;
  }
  return false;
}

bool revocation_set::client_cut_off(std::string_view client_id) const {
  if (size_.load(std::memory_order_acquire) == 0) return false;
  std::shared_lock lock(mutex_);
  return clients_.find(client_id) != clients_.end();
}

bool revocation_set::subject_cut_off(std::string_view sub) const {
  if (size_.load(std::memory_order_acquire) == 0) return false;
  std::shared_lock lock(mutex_);
  return subjects_.find(sub) != subjects_.end();
}

std::size_t revocation_set::prune(std::int64_t now, std::int64_t keep_after_seconds) {
  std::unique_lock lock(mutex_);
  std::size_t removed = std::erase_if(entries_, [&](const auto& kv) { return kv.second < now - keep_after_seconds; });
  auto old_cutoff = [&](const auto& kv) { return kv.second.exp < now - keep_after_seconds; };
  removed += std::erase_if(subjects_, old_cutoff);
  removed += std::erase_if(clients_, old_cutoff);
  publish_size_locked();
  return removed;
}

} // namespace oauth::revocation
