#pragma once
// One blocking HTTP/1.1 exchange with a service under test on 127.0.0.1: connect, send the
// request as it is, read one response. Every read is bounded (15 s by default), so a hung
// server fails the test instead of hanging the suite. Each test file builds the requests it
// needs on top of it.
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>

#include <poll.h>

#include <chrono>
#include <cstdint>

namespace oauth::test {

// A SyncReadStream over a connected socket whose reads wait at most `timeout`. SO_RCVTIMEO
// would not do: on EAGAIN asio's blocking read waits in poll(2) with no timeout, so the read
// waits here, in poll(2), itself.
struct bounded_stream {
  boost::asio::ip::tcp::socket& socket;
  std::chrono::milliseconds timeout{15'000};

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    pollfd p{socket.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
      ec = boost::asio::error::timed_out;
      return 0;
    }
    return socket.read_some(buffers, ec);
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    auto n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
};

inline boost::beast::http::response<boost::beast::http::string_body>
http_exchange(std::uint16_t port, boost::beast::http::request<boost::beast::http::string_body> req) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  req.prepare_payload();
  boost::beast::http::write(socket, req);
  boost::beast::flat_buffer buffer;
  boost::beast::http::response<boost::beast::http::string_body> res;
  bounded_stream in{socket};
  boost::beast::http::read(in, buffer, res);
  return res;
}

} // namespace oauth::test
