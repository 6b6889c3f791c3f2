#pragma once
// Drives a hiredis async context from an Asio executor (hiredis 0.14 ships no Asio adapter).
//
// The socket is watched with posix::stream_descriptor::async_wait; hiredis' add/del hooks
// only record what it wants (they are idempotent) and a completed wait re-arms itself while
// the interest lasts. The descriptor does not own the fd: the cleanup hook release()s it,
// because redisFree closes it.
//
// Every call into the context (commands, free) and every hook runs on `ex`, which must be a
// strand or a single-threaded executor. The adapter keeps itself alive while attached and
// detaches when hiredis calls the cleanup hook (from redisAsyncFree or after an I/O error).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

#include <memory>

struct redisAsyncContext;  // hiredis

namespace oauth::redis {

class asio_adapter : public std::enable_shared_from_this<asio_adapter> {
public:
  // Installs the hooks on `ac` and asks for writability so that onConnect fires once the
  // non-blocking connect completes. Returns the adapter (it also owns itself until cleanup).
  static std::shared_ptr<asio_adapter> attach(redisAsyncContext* ac, boost::asio::any_io_executor ex);

  asio_adapter(const asio_adapter&) = delete;
  asio_adapter& operator=(const asio_adapter&) = delete;
  ~asio_adapter();

  // False once hiredis has called the cleanup hook: the context is gone.
  bool attached() const { return ac_ != nullptr; }

  struct access;  // the hooks (asio_adapter.cpp)

private:
  asio_adapter(redisAsyncContext* ac, boost::asio::any_io_executor ex, int fd);

  enum class direction { read, write };
  void want(direction d, bool on);
  void arm(direction d);
  void on_ready(direction d, boost::system::error_code ec);
  void cleanup();

  redisAsyncContext* ac_;
  boost::asio::posix::stream_descriptor descriptor_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool read_armed_ = false;
  bool write_armed_ = false;
  std::shared_ptr<asio_adapter> self_;  // alive while attached
};

} // namespace oauth::redis
