#include "auth-service/credentials/password_hasher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <crypt.h>
#include <sys/resource.h>
#include <unistd.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace oauth::auth {
namespace {

constexpr unsigned long long ops_limit = 2;
constexpr std::size_t mem_limit = 19u * 1024u * 1024u;

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)ready;
}

const std::string& dummy_hash() {
  static const std::string hash = hash_password_now("not a real password: equalises timing");
  return hash;
}

bool is_bcrypt(std::string_view h) {
  return h.size() == 60 && (h.starts_with("$2y$") || h.starts_with("$2b$") || h.starts_with("$2a$"));
}

password_check verify_argon2(std::string_view password, const std::string& stored) {
  password_check out;
  out.ok = crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
  if (out.ok) out.needs_rehash = crypto_pwhash_str_needs_rehash(stored.c_str(), ops_limit, mem_limit) != 0;
  return out;
}

} // namespace

std::string hash_password_now(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit, mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("Argon2id hashing failed (out of memory)");
  return out;
}

password_check verify_password_now(std::string_view password, std::string_view stored_hash) {
  ensure_sodium();
  if (stored_hash.starts_with("$argon2id$") || stored_hash.starts_with("$argon2i$"))
    return verify_argon2(password, std::string(stored_hash));
  if (is_bcrypt(stored_hash)) {
    // libxcrypt verifies Laravel's $2y$ hashes; crypt_rn is reentrant.
    crypt_data data;
    std::memset(&data, 0, sizeof data);
    std::string pw(password);
    std::string setting(stored_hash);
    const char* computed = crypt_rn(pw.c_str(), setting.c_str(), &data, sizeof data);
    password_check out;
    out.ok = computed != nullptr && computed[0] != '*' && std::strlen(computed) == stored_hash.size() &&
             sodium_memcmp(computed, stored_hash.data(), stored_hash.size()) == 0;
    out.needs_rehash = out.ok;
    sodium_memzero(&data, sizeof data);
    return out;
  }
  verify_argon2(password, dummy_hash());
  return {};
}

password_hasher::password_hasher(std::size_t threads, std::size_t max_waiting)
    : max_waiting_(max_waiting), work_(pool_.get_executor()) {
  ensure_sodium();
  (void)dummy_hash();
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
    threads_.emplace_back([this] {
      // Linux applies a thread id given to setpriority to that thread only. Failure (e.g.
      // no permission) only loses the preference, so it is not an error.
      (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
      pool_.run();
    });
  }
}

password_hasher::~password_hasher() {
  work_.reset();
  pool_.stop();
  for (auto& t : threads_) t.join();
}

// Coroutines spawned on the worker pool; the caller awaits them with use_awaitable and so
// resumes on its own executor. (A bare `co_await post(pool, use_awaitable)` would not move
// the work: the completion runs on the awaiting coroutine's executor.)
static boost::asio::awaitable<std::string> hash_on_pool(std::string password) {
  std::string out = hash_password_now(password);
  sodium_memzero(password.data(), password.size());
  co_return out;
}

boost::asio::awaitable<password_check> password_hasher::verify_on_pool(std::atomic<std::size_t>& waiting,
                                                                       std::string password, std::string stored_hash) {
  waiting.fetch_sub(1);  // a worker has it: no longer waiting
  auto out = verify_password_now(password, stored_hash);
  sodium_memzero(password.data(), password.size());
  co_return out;
}

boost::asio::awaitable<std::string> password_hasher::hash(std::string password) {
  co_return co_await boost::asio::co_spawn(pool_, hash_on_pool(std::move(password)), boost::asio::use_awaitable);
}

boost::asio::awaitable<std::optional<password_check>> password_hasher::verify(std::string password,
                                                                              std::string stored_hash) {
  // Reserve a place in the queue first, so concurrent callers cannot all pass a check.
  if (waiting_.fetch_add(1) >= max_waiting_) {
    waiting_.fetch_sub(1);
    sodium_memzero(password.data(), password.size());
    co_return std::nullopt;
  }
  co_return co_await boost::asio::co_spawn(pool_, verify_on_pool(waiting_, std::move(password), std::move(stored_hash)),
                                           boost::asio::use_awaitable);
}

} // namespace oauth::auth
