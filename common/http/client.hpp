#pragma once
// A small asynchronous HTTP/1.1 client (plain http), for service-to-service calls such as
// fetching the auth service's JWKS. One request per connection; every step bounded:
//   the whole exchange (resolve, connect, write, read) by client_options::timeout,
//   the response header by max_header_bytes, the body by max_body_bytes.
#include "common/http/types.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oauth::http {

// An absolute http:// URL split into what a request needs.
struct url {
  std::string host;   // without brackets for IPv6 literals
  std::uint16_t port = 80;
  std::string target = "/";  // path and query
  // "host" or "host:port" for the Host header (brackets kept for IPv6)
  std::string host_header;
};

// Parses http://host[:port][/path][?query]. Refuses other schemes, user info, fragments,
// empty hosts and bad ports.
std::optional<url> parse_http_url(std::string_view text);

struct client_options {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::string user_agent = "oauth-platform";
};

// errors come back as error codes: asio/beast errors (timeout, connection_refused,
// body_limit, host_not_found...) and never as exceptions.
boost::asio::awaitable<boost::system::result<response>> fetch(boost::asio::any_io_executor ex, verb method,
                                                              const url& where, client_options options = {},
                                                              std::string body = {},
                                                              std::string_view content_type = {});

// GET convenience.
inline boost::asio::awaitable<boost::system::result<response>> get(boost::asio::any_io_executor ex, const url& where,
                                                                   client_options options = {}) {
  return fetch(std::move(ex), verb::get, where, std::move(options));
}

} // namespace oauth::http
