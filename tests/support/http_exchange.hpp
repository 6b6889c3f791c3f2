#pragma once
// One blocking HTTP/1.1 exchange with a service under test on 127.0.0.1: connect, send the
// request as it is, read one response (a 15 s receive timeout keeps a hung server from hanging
// the suite). Each test file builds the requests it needs on top of it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>

#include <cstdint>

namespace oauth::test {

inline boost::beast::http::response<boost::beast::http::string_body>
http_exchange(std::uint16_t port, boost::beast::http::request<boost::beast::http::string_body> req) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  timeval tv{15, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  req.prepare_payload();
  boost::beast::http::write(socket, req);
  boost::beast::flat_buffer buffer;
  boost::beast::http::response<boost::beast::http::string_body> res;
  boost::beast::http::read(socket, buffer, res);
  return res;
}

} // namespace oauth::test
