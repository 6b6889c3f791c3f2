#pragma once
// Exclusive use of one pooled connection; gives it back to the pool when
// destroyed or released. A connection left broken or inside a transaction block
// is closed instead of reused.
#include "common/pg/connection.hpp"

#include <chrono>
#include <iosfwd>
#include <memory>

namespace oauth::pg {

namespace detail {
class pool_state;
}

class lease {
public:
  lease() = default;
  lease(std::shared_ptr<detail::pool_state> pool, std::shared_ptr<connection> conn,
        std::chrono::milliseconds query_timeout) noexcept;
  lease(lease&& other) noexcept = default;
  lease& operator=(lease&& other) noexcept;
  ~lease();

  // The pool's query_timeout applies. After release() → errc::closed.
  boost::asio::awaitable<result<rows>> query(std::string_view sql, params values = {});
  boost::asio::awaitable<result<rows>> query(std::string_view sql, params values, std::chrono::milliseconds timeout);
  // Trusted multi-statement SQL (migrations); see connection::execute_script.
  boost::asio::awaitable<result<rows>> execute_script(std::string_view sql, std::chrono::milliseconds timeout);

  // Gives the connection back now.
  void release() noexcept;
  bool valid() const noexcept { return conn_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }
  connection* get() const noexcept { return conn_.get(); }

private:
  std::shared_ptr<detail::pool_state> pool_;
  std::shared_ptr<connection> conn_;
  std::chrono::milliseconds query_timeout_{0};
};

// "lease" or "released lease", for test output.
std::ostream& operator<<(std::ostream& os, const lease& l);

} // namespace oauth::pg
