#pragma once
// User passwords: Argon2id through libsodium (OWASP: m = 19 MiB, t = 2, p = 1), with
// Laravel's bcrypt ($2y$) hashes still accepted so imported users keep their passwords
// (callers rehash them to Argon2id after a successful login). Hashing is slow on purpose,
// so the coroutine forms run on a worker pool, never on an I/O thread.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace oauth::auth {

struct password_check {
  bool ok = false;
  bool needs_rehash = false;  // ok, but bcrypt or weaker Argon2 parameters than ours
};

// Blocking forms, for authctl and for the worker pool.
std::string hash_password_now(std::string_view password);
// An empty or unrecognised stored hash still costs one Argon2id verification (against a
// dummy hash), so an unknown user name cannot be told apart by timing.
password_check verify_password_now(std::string_view password, std::string_view stored_hash);

class password_hasher {
public:
  static constexpr std::size_t default_max_waiting = 256;  // PASSWORD_HASH_QUEUE

  // `max_waiting`: how many verifications may wait for a worker; beyond it verify() refuses
  // at once instead of queueing (a login flood must not make every login wait behind it).
  explicit password_hasher(std::size_t threads, std::size_t max_waiting = default_max_waiting);
  ~password_hasher();
  password_hasher(const password_hasher&) = delete;
  password_hasher& operator=(const password_hasher&) = delete;

  // Both resume on the caller's executor. hash() is not bounded: it runs only after a
  // successful verification (rehash) and for admin work.
  boost::asio::awaitable<std::string> hash(std::string password);
  // nullopt, without waiting, when max_waiting verifications are already queued.
  boost::asio::awaitable<std::optional<password_check>> verify(std::string password, std::string stored_hash);

  // Verifications queued and not yet started on a worker.
  std::size_t waiting() const noexcept { return waiting_.load(); }
  // The workers' executor: tests occupy the workers through it to fill the queue.
  boost::asio::io_context::executor_type executor() noexcept { return pool_.get_executor(); }

private:
  static boost::asio::awaitable<password_check> verify_on_pool(std::atomic<std::size_t>& waiting, std::string password,
                                                               std::string stored_hash);

  const std::size_t max_waiting_;
  std::atomic<std::size_t> waiting_{0};
  // Worker threads run at a lower scheduling priority (nice +10) than the I/O threads, so
  // a burst of logins cannot starve token issuance and other requests of CPU.
  boost::asio::io_context pool_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

} // namespace oauth::auth
