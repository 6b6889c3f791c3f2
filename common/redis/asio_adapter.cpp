#include "common/redis/asio_adapter.hpp"

#include <boost/asio/error.hpp>
#include <hiredis/async.h>

namespace oauth::redis {

struct asio_adapter::access {
  static asio_adapter* self(void* p) { return static_cast<asio_adapter*>(p); }
  static void add_read(void* p) { self(p)->want(direction::read, true); }
  static void del_read(void* p) { self(p)->want(direction::read, false); }
  static void add_write(void* p) { self(p)->want(direction::write, true); }
  static void del_write(void* p) { self(p)->want(direction::write, false); }
  static void cleanup(void* p) { self(p)->cleanup(); }
};

asio_adapter::asio_adapter(redisAsyncContext* ac, boost::asio::any_io_executor ex, int fd)
    : ac_(ac), descriptor_(std::move(ex), fd) {}

asio_adapter::~asio_adapter() {
  // Never close hiredis' fd, whatever path brought us here.
  if (descriptor_.is_open()) descriptor_.release();
}

std::shared_ptr<asio_adapter> asio_adapter::attach(redisAsyncContext* ac, boost::asio::any_io_executor ex) {
  std::shared_ptr<asio_adapter> adapter(new asio_adapter(ac, std::move(ex), ac->c.fd));
  adapter->self_ = adapter;
  ac->ev.data = adapter.get();
  ac->ev.addRead = &access::add_read;
  ac->ev.delRead = &access::del_read;
  ac->ev.addWrite = &access::add_write;
  ac->ev.delWrite = &access::del_write;
  ac->ev.cleanup = &access::cleanup;
  // A non-blocking connect completes when the socket turns writable; hiredis only notices
  // (and calls onConnect) from its write handler.
  adapter->want(direction::write, true);
  return adapter;
}

void asio_adapter::want(direction d, bool on) {
  (d == direction::read ? want_read_ : want_write_) = on;
  if (on) arm(d);
}

void asio_adapter::arm(direction d) {
  bool& armed = d == direction::read ? read_armed_ : write_armed_;
  if (armed || ac_ == nullptr) return;
  armed = true;
  auto type = d == direction::read ? boost::asio::posix::stream_descriptor::wait_read
                                   : boost::asio::posix::stream_descriptor::wait_write;
  // The handler runs on the descriptor's executor, the strand of the connection.
  descriptor_.async_wait(type, [self = shared_from_this(), d](boost::system::error_code ec) {
    self->on_ready(d, ec);
  });
}

void asio_adapter::on_ready(direction d, boost::system::error_code ec) {
  (d == direction::read ? read_armed_ : write_armed_) = false;
  if (ec == boost::asio::error::operation_aborted || ac_ == nullptr) return;
  // Any other error (say EPOLLERR) is left for hiredis to discover on the socket.
  if (d == direction::read) {
    if (want_read_) redisAsyncHandleRead(ac_);
  } else {
    if (want_write_) redisAsyncHandleWrite(ac_);
  }
  // hiredis may have freed the context (ac_ is then null); otherwise keep watching
  // whatever it still wants.
  if (ac_ != nullptr && want_read_) arm(direction::read);
  if (ac_ != nullptr && want_write_) arm(direction::write);
}

void asio_adapter::cleanup() {
  ac_ = nullptr;
  want_read_ = want_write_ = false;
  // Cancels pending waits (they complete with operation_aborted) and gives the fd back to
  // hiredis, which closes it in redisFree.
  if (descriptor_.is_open()) descriptor_.release();
  // May destroy *this when no wait is pending: touch nothing afterwards.
  auto keep = std::move(self_);
}

} // namespace oauth::redis
