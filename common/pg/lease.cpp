#include "common/pg/lease.hpp"

#include "common/pg/pool_state.hpp"

#include <ostream>

namespace oauth::pg {
namespace asio = boost::asio;

lease::lease(std::shared_ptr<detail::pool_state> pool, std::shared_ptr<connection> conn,
             std::chrono::milliseconds query_timeout) noexcept
    : pool_(std::move(pool)), conn_(std::move(conn)), query_timeout_(query_timeout) {}

lease& lease::operator=(lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::move(other.pool_);
    conn_ = std::move(other.conn_);
    query_timeout_ = other.query_timeout_;
  }
  return *this;
}

std::ostream& operator<<(std::ostream& os, const lease& l) { return os << (l ? "lease" : "released lease"); }

lease::~lease() { release(); }

void lease::release() noexcept {
  if (conn_ && pool_) pool_->release(std::move(conn_));
  conn_.reset();
  pool_.reset();
}

asio::awaitable<result<rows>> lease::query(std::string_view sql, params values) {
  return query(sql, std::move(values), query_timeout_);
}

asio::awaitable<result<rows>> lease::query(std::string_view sql, params values, std::chrono::milliseconds timeout) {
  if (!conn_) co_return make_error(errc::closed);
  auto c = conn_;
  co_return co_await c->query(sql, std::move(values), timeout);
}

asio::awaitable<result<rows>> lease::execute_script(std::string_view sql, std::chrono::milliseconds timeout) {
  if (!conn_) co_return make_error(errc::closed);
  auto c = conn_;
  co_return co_await c->execute_script(sql, timeout);
}

} // namespace oauth::pg
