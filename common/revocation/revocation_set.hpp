#pragma once
// The in-memory set of revoked access-token jtis a verifier checks on every request.
//
// Besides jtis it holds cutoffs (protocol.hpp, "Cutoff entries"): per subject and per client,
// "every token issued at or before T". revoked() checks all three with hash lookups on
// string_views (no allocation) under one shared lock.
//
// Hot path: contains() is one hash lookup under a shared lock (readers never block each
// other); an atomic size lets an empty set skip even that. Writers (messages, loads, pruning)
// take the lock exclusively and are rare. Entries remember their exp and are dropped by
// prune() once exp + `keep_after` has passed (by then the token fails its exp check anyway).
// Pure: no I/O, unit-tested.
#include "common/revocation/protocol.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace oauth::revocation {

class revocation_set {
public:
  // Adds (or keeps the later exp of) an entry; returns whether the jti was new.
  bool add(std::string_view jti, std::int64_t exp);
  // Adds many under one lock (a load or a family message); returns how many were new.
  std::size_t merge(const std::vector<entry>& entries);
  bool contains(std::string_view jti) const;
  // The token's jti is revoked, or its subject or client was cut off at or after its iat.
  bool revoked(std::string_view jti, std::string_view sub, std::string_view client_id, std::int64_t iat) const;
  // The client was revoked (a cutoff for it is held): the auth service's client cache asks.
  bool client_cut_off(std::string_view client_id) const;
  bool subject_cut_off(std::string_view sub) const;
  // Removes entries with exp < now - keep_after_seconds; returns how many.
  std::size_t prune(std::int64_t now, std::int64_t keep_after_seconds = retention_seconds);
  std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

private:
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct cutoff_value {
    std::int64_t before = 0;
    std::int64_t exp = 0;
  };
  using cutoff_map = std::unordered_map<std::string, cutoff_value, string_hash, std::equal_to<>>;
  bool add_locked(std::string_view jti, std::int64_t exp);
  void publish_size_locked();

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::int64_t, string_hash, std::equal_to<>> entries_;
  cutoff_map subjects_;
  cutoff_map clients_;
  std::atomic<std::size_t> size_{0};
};

} // namespace oauth::revocation
