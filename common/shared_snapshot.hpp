#pragma once
// A shared_ptr that a writer replaces while readers on other threads take copies of it (keys
// after a reload): std::atomic<std::shared_ptr> with a plain mutex. libstdc++ 12's
// atomic<shared_ptr>::load releases its internal spin lock with a relaxed store after reading
// the pointer, so nothing orders that read before the next store's write: ThreadSanitizer
// reports it, and outside x86's ordering it is a real race. An uncontended mutex costs about
// what the reference count's atomic increment already costs.
#include <memory>
#include <mutex>

namespace oauth {

template <class T>
class shared_snapshot {
public:
  std::shared_ptr<T> load() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  // The replaced value is released after the lock (its destructor may be long).
  void store(std::shared_ptr<T> fresh) {
    {
      std::lock_guard lock(mutex_);
      value_.swap(fresh);
    }
  }

private:
  mutable std::mutex mutex_;
  std::shared_ptr<T> value_;
};

} // namespace oauth
