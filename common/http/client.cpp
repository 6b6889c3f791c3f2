#include "common/http/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cctype>
#include <charconv>

namespace oauth::http {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::optional<url> parse_http_url(std::string_view text) {
  constexpr std::string_view scheme = "http://";
  if (text.size() < scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != scheme[i]) return std::nullopt;
  text.remove_prefix(scheme.size());
  if (text.find('#') != std::string_view::npos) return std::nullopt;
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return std::nullopt;
  auto slash = text.find_first_of("/?");
  std::string_view authority = text.substr(0, slash);
  url out;
  if (slash != std::string_view::npos) {
    out.target = std::string(text.substr(slash));
    if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  }
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host;
  std::string_view port;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host = std::string(host);
  out.host_header = std::string(authority);
  return out;
}

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One exchange on a fresh connection; the deadline bounds every step.
asio::awaitable<error_code> exchange(asio::any_io_executor ex, const url& where, const request& req,
                                     const client_options& options, response& out) {
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  auto remaining = [deadline] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(1);
  };

  tcp::resolver resolver(ex);
  // The resolver has no timeout of its own; numeric hosts (the usual case) resolve at once.
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(where.host, std::to_string(where.port), use_tuple);
  if (resolve_ec) co_return resolve_ec;

  beast::tcp_stream stream(ex);
  stream.expires_after(remaining());
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
  (void)endpoint;
  if (connect_ec) co_return connect_ec;

  stream.expires_after(remaining());
  auto [write_ec, written] = co_await beast_http::async_write(stream, req, use_tuple);
  (void)written;
  if (write_ec) co_return write_ec;

  beast::flat_buffer buffer;
  beast_http::response_parser<beast_http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  stream.expires_after(remaining());
  auto [read_ec, read] = co_await beast_http::async_read(stream, buffer, parser, use_tuple);
  (void)read;
  if (read_ec) co_return read_ec;

  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  out = parser.release();
  co_return error_code{};
}

} // namespace

asio::awaitable<boost::system::result<response>> fetch(asio::any_io_executor ex, verb method, const url& where,
                                                       client_options options, std::string body,
                                                       std::string_view content_type) {
  request req{method, where.target, 11};
  req.set(field::host, where.host_header);
  req.set(field::user_agent, options.user_agent);
  req.set(field::accept, "application/json");
  req.keep_alive(false);
  if (!content_type.empty()) req.set(field::content_type, content_type);
  req.body() = std::move(body);
  if (!req.body().empty() || method == verb::post || method == verb::put || method == verb::patch)
    req.prepare_payload();
  response out;
  error_code ec = co_await exchange(ex, where, req, options, out);
  boost::system::result<response> r = std::move(out);
  if (ec) r = ec;
  co_return r;
}

} // namespace oauth::http
