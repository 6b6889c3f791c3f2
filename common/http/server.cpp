#include "common/http/server.hpp"

#include "common/encoding.hpp"
#include "common/http/responses.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/random.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>
#include <tuple>
#include <variant>

#include <linux/filter.h>
#include <sys/socket.h>

namespace oauth::http {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// How long the drain lets a connection accepted just before the signal send its first request.
constexpr std::chrono::seconds fresh_connection_grace{1};

metrics::gauge& connections_gauge() {
  static auto& g = metrics::global().get_gauge("http_connections_active", "Open HTTP connections.");
  return g;
}
metrics::counter& refused_counter() {
  static auto& c = metrics::global().get_counter("http_connections_refused_total",
                                                 "Connections refused because HTTP_MAX_CONNECTIONS was reached.");
  return c;
}
metrics::counter& limit_counter(std::string_view which) {
  return metrics::global().get_counter("http_limit_rejections_total", "Requests refused by a server limit.",
                                       "limit=\"" + std::string(which) + "\"");
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

std::string allow_header(const std::vector<verb>& methods) {
  std::string out;
  for (auto m : methods) {
    if (!out.empty()) out += ", ";
    out += beast_http::to_string(m);
  }
  return out;
}

bool peer_left(const error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset;
}

// RFC 9110 §6.5.1: trailer fields are not merged into the header section unless their
// definition allows it, and no route here reads trailers. Beast's parser appends them to the
// head's fields, where a trailer could add an Authorization, a Cookie or an X-Forwarded-For
// after the head was read: everything after the head's `head_fields` fields is dropped.
void drop_trailer_fields(request& req, std::size_t head_fields) {
  auto it = req.begin();
  for (std::size_t i = 0; i < head_fields && it != req.end(); ++i) ++it;
  while (it != req.end()) it = req.erase(it);
}

response header_too_large(std::string_view what, std::size_t limit) {
  return error_response(status::request_header_fields_too_large, "request_header_fields_too_large",
                        std::string(what) + " exceed " + std::to_string(limit) + " bytes");
}

response body_too_large(std::size_t limit) {
  return error_response(status::payload_too_large, "payload_too_large",
                        "request body exceeds " + std::to_string(limit) + " bytes");
}

response malformed() { return error_response(status::bad_request, "invalid_request", "malformed HTTP request"); }

// The status line and fields of a response, as HTTP/1.1 puts them on the wire. Serialized
// here into a buffer the session reuses, then written with the body in one gathered write:
// Beast's generic serializer (buffer views nested five deep) cost about 1 µs per response.
void serialize_head(const response& res, std::string& out) {
  out.clear();
  out += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char code[4] = {static_cast<char>('0' + res.result_int() / 100 % 10), static_cast<char>('0' + res.result_int() / 10 % 10),
                  static_cast<char>('0' + res.result_int() % 10), ' '};
  out.append(code, sizeof code);
  auto reason = res.reason();
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& f : res) {
    auto name = f.name_string();
    auto value = f.value();
    out.append(name.data(), name.size());
    out += ": ";
    out.append(value.data(), value.size());
    out += "\r\n";
  }
  out += "\r\n";
}

} // namespace

std::optional<std::string> request_context::query_param(std::string_view name) const {
  auto items = parse_form(query);
  if (!items) return std::nullopt;
  for (auto& [k, v] : *items)
    if (k == name) return std::move(v);
  return std::nullopt;
}

namespace {

// A handler's run, apart from its connection so that the connection can answer for it once
// HTTP_HANDLER_TIMEOUT_MS has passed. It owns the request (the context's views point into
// it) and lives as long as the handler, which may outlive the connection's interest.
struct handler_call {
  explicit handler_call(request r) : req(std::move(r)) {}
  request req;
  std::optional<request_context> ctx;
  response res;
  std::exception_ptr error;
  bool finished = false;
  // The connection's coroutine, while it waits: resumed in place, since whoever wakes it runs
  // on the connection's executor.
  struct waiter_base {
    virtual ~waiter_base() = default;
    virtual void resume() = 0;
  };
  template <class Handler>
  struct waiter_of : waiter_base {
    explicit waiter_of(Handler h) : handler(std::move(h)) {}
    void resume() override { std::move(handler)(); }
    Handler handler;
  };
  std::unique_ptr<waiter_base> waiter;

  void wake() {
    if (auto w = std::move(waiter)) w->resume();
  }
};

} // namespace

// A request read off the wire, with what the steps after the read need.
struct server::incoming {
  std::shared_ptr<handler_call> call;  // owns the request
  match_result match;
  std::string_view path;   // into call->req
  std::string_view query;  // into call->req
  std::string request_id;
  std::string remote_address;
  std::chrono::steady_clock::time_point started;

  const request& req() const { return call->req; }
};

// One connection. Its steps run on its executor; the sweeper and the drain reach it only by
// posting there.
class server::session : public deadline_sweeper::entry {
public:
  // Why no request came: `answer` (when set) goes to the peer before the connection closes.
  struct no_request {
    std::optional<response> answer;
  };
  template <class T>
  using read_result = std::variant<T, no_request>;

  session(server& srv, tcp::socket socket);

  asio::awaitable<bool> wait_for_request();
  asio::awaitable<read_result<incoming>> read_request();
  asio::awaitable<std::size_t> write_response(response& res, error_code& ec);
  asio::awaitable<void> refuse_and_close(response res);
  void close();

  // Stops what the connection waits for: a handler (the connection answers for it) or I/O.
  void cut_off();
  // During the drain: a connection between requests is closed, and so is one that was
  // accepted but has sent nothing for `fresh_grace` (its client connected just before the
  // signal; its first request, if it comes now, is still answered).
  void close_if_idle(std::chrono::steady_clock::duration fresh_grace) {
    if (busy_ || !open_) return;
    if (served > 0 || std::chrono::steady_clock::now() - accepted_at_ >= fresh_grace) stream_.cancel();
  }

  std::size_t served = 0;  // requests answered on this connection
  std::shared_ptr<handler_call> waiting;  // the handler call it waits for, if any

protected:
  void expire() override { cut_off(); }

private:
  asio::awaitable<read_result<request>> read_body(beast_http::request_parser<beast_http::empty_body>& head_parser,
                                                  std::size_t head_bytes, std::size_t body_limit);
  incoming describe(request req, match_result match, std::chrono::steady_clock::time_point started) const;

  server& srv_;
  const http_limits& limits_;
  beast::tcp_stream stream_;
  // Capped at the header limit: only what the parser has not consumed sits here (a head, a
  // chunk-size line with its extensions, trailers); bodies go to the request as they arrive.
  beast::flat_buffer buffer_;
  std::string response_head_;  // the response's status line and fields, reused across requests
  std::optional<asio::ip::address> peer_ip_;
  std::string peer_address_;
  bool busy_ = false;  // a request is being read or handled
  bool open_ = true;
  std::chrono::steady_clock::time_point accepted_at_ = std::chrono::steady_clock::now();
};

server::session::session(server& srv, tcp::socket socket)
    : entry(socket.get_executor()),
      srv_(srv),
      limits_(srv.options_.limits),
      stream_(std::move(socket)),
      buffer_(srv.options_.limits.max_header_bytes) {
  error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    peer_ip_ = remote.address();
    peer_address_ = peer_ip_->to_string();
  }
}

void server::session::cut_off() {
  if (waiting) {
    auto call = std::move(waiting);
    waiting.reset();
    call->wake();
  } else if (open_) {
    stream_.cancel();
  }
}

// Idle keep-alive: waits for the first byte of the next request.
asio::awaitable<bool> server::session::wait_for_request() {
  busy_ = false;
  if (buffer_.size() != 0) co_return true;  // pipelined
  expires_after(limits_.idle_timeout);
  auto room = std::min<std::size_t>(4096, buffer_.max_size());
  auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(room), use_tuple);
  if (ec) co_return false;
  buffer_.commit(n);
  co_return true;
}

// The head, its limits, then the body (when there is one).
asio::awaitable<server::session::read_result<server::incoming>> server::session::read_request() {
  busy_ = true;
  auto started = std::chrono::steady_clock::now();

  beast_http::request_parser<beast_http::empty_body> head_parser;
  head_parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  expires_after(limits_.header_timeout);
  auto [ec, head_bytes] = co_await beast_http::async_read_header(stream_, buffer_, head_parser, use_tuple);
  if (ec == beast_http::error::header_limit || ec == beast_http::error::buffer_overflow) {
    limit_counter("header_bytes").inc();
    co_return no_request{header_too_large("request header fields", limits_.max_header_bytes)};
  }
  if (ec && timed_out()) {
    limit_counter("header_timeout").inc();
    co_return no_request{};
  }
  if (peer_left(ec) || ec == asio::error::operation_aborted) co_return no_request{};
  if (ec) co_return no_request{malformed()};

  const auto& head = head_parser.get();
  std::string_view target(head.target().data(), head.target().size());
  auto match = srv_.router_->match(head.method(), target.substr(0, target.find('?')));
  std::size_t body_limit = limits_.max_body_bytes;
  if (match.found != nullptr && match.found->options.max_body_bytes != 0)
    body_limit = match.found->options.max_body_bytes;
  if (auto declared = head_parser.content_length(); declared && *declared > body_limit) {
    limit_counter("body_bytes").inc();
    co_return no_request{body_too_large(body_limit)};
  }

  if (head_parser.is_done()) {
    // No body (GET, DELETE...): the request is its header; no second parser, no body read
    // (an async_read that has nothing to do still costs a trip through the scheduler).
    auto bodiless = head_parser.release();
    co_return describe(request(std::move(static_cast<beast_http::request_header<>&>(bodiless))), std::move(match),
                       started);
  }
  auto body = co_await read_body(head_parser, head_bytes, body_limit);
  if (auto* failure = std::get_if<no_request>(&body)) co_return std::move(*failure);
  co_return describe(std::move(std::get<request>(body)), std::move(match), started);
}

asio::awaitable<server::session::read_result<request>> server::session::read_body(
    beast_http::request_parser<beast_http::empty_body>& head_parser, std::size_t head_bytes, std::size_t body_limit) {
  beast_http::request_parser<beast_http::string_body> parser(std::move(head_parser));
  parser.body_limit(body_limit);
  // Chunk extensions are metadata like the head: all of a request's together share the
  // header limit with it (the capped buffer bounds each line; this bounds their sum).
  std::size_t metadata_left = limits_.max_header_bytes > head_bytes ? limits_.max_header_bytes - head_bytes : 0;
  auto count_extensions = [&metadata_left](std::uint64_t, std::string_view extensions, error_code& ec) {
    if (extensions.size() > metadata_left) {
      ec = beast_http::error::header_limit;
      return;
    }
    metadata_left -= extensions.size();
  };
  parser.on_chunk_header(count_extensions);
  // Only a chunked body can end with trailer fields, which Beast's parser appends to the head's.
  std::optional<std::size_t> head_fields;
  if (parser.chunked()) head_fields = static_cast<std::size_t>(std::distance(parser.get().begin(), parser.get().end()));

  if (beast::iequals(parser.get()[field::expect], "100-continue")) {
    beast_http::response<beast_http::empty_body> cont{status::continue_, 11};
    expires_after(limits_.body_timeout);
    auto [ec, n] = co_await beast_http::async_write(stream_, cont, use_tuple);
    if (ec) co_return no_request{};
  }
  expires_after(limits_.body_timeout);
  auto [ec, n] = co_await beast_http::async_read(stream_, buffer_, parser, use_tuple);
  if (ec == beast_http::error::body_limit) {
    limit_counter("body_bytes").inc();
    co_return no_request{body_too_large(body_limit)};
  }
  if (ec == beast_http::error::header_limit || ec == beast_http::error::buffer_overflow) {
    limit_counter("header_bytes").inc();
    co_return no_request{header_too_large("chunk extensions or trailers", limits_.max_header_bytes)};
  }
  if (ec && timed_out()) {
    limit_counter("body_timeout").inc();
    co_return no_request{};
  }
  if (peer_left(ec)) co_return no_request{};
  if (ec) co_return no_request{malformed()};
  auto req = parser.release();
  if (head_fields) drop_trailer_fields(req, *head_fields);
  co_return req;
}

server::incoming server::session::describe(request req, match_result match,
                                           std::chrono::steady_clock::time_point started) const {
  incoming in;
  in.started = started;
  in.match = std::move(match);
  in.remote_address = peer_address_;
  if (!srv_.proxies_.empty() && peer_ip_) {
    if (auto xff = req.find("X-Forwarded-For"); xff != req.end())
      in.remote_address = srv_.proxies_.client_address(*peer_ip_, xff->value());
  }
  if (auto it = req.find("X-Request-Id"); it != req.end() && acceptable_request_id(it->value()))
    in.request_id = std::string(it->value());
  else
    in.request_id = random_request_id();
  in.call = std::make_shared<handler_call>(std::move(req));
  std::string_view target(in.call->req.target().data(), in.call->req.target().size());
  auto qmark = target.find('?');
  in.path = target.substr(0, qmark);
  if (qmark != std::string_view::npos) in.query = target.substr(qmark + 1);
  return in;
}

asio::awaitable<std::size_t> server::session::write_response(response& res, error_code& ec) {
  expires_after(limits_.body_timeout);
  std::size_t written = 0;
  if (res.chunked()) {  // no handler streams today; Beast's serializer would do it right
    std::tie(ec, written) = co_await beast_http::async_write(stream_, res, use_tuple);
  } else {
    serialize_head(res, response_head_);
    std::array<asio::const_buffer, 2> wire{asio::buffer(response_head_), asio::buffer(res.body())};
    std::tie(ec, written) = co_await asio::async_write(stream_, wire, use_tuple);
  }
  co_return written;
}

// Sends a response produced by the server itself (limits, malformed input) and closes.
asio::awaitable<void> server::session::refuse_and_close(response res) {
  res.keep_alive(false);
  res.set(field::server, srv_.options_.server_name);
  expires_after(limits_.body_timeout);
  auto [ec, n] = co_await beast_http::async_write(stream_, res, use_tuple);
  if (ec) co_return;
  // A lingering close: a peer still sending (the rest of a refused body) would be answered
  // with a reset that can destroy the response before it is read, so what it sends is read
  // and dropped for a moment (at most 1 s and 64 KiB) after our side is shut.
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  expires_after(std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(1), limits_.body_timeout));
  std::array<char, 4096> sink;
  for (std::size_t dropped = 0; dropped < 64 * 1024;) {
    auto [read_ec, got] = co_await stream_.async_read_some(asio::buffer(sink), use_tuple);
    if (read_ec) break;
    dropped += got;
  }
}

void server::session::close() {
  open_ = false;
  waiting.reset();
  expires_never();
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.close();
}

server::server(asio::io_context& io, server_options options, std::shared_ptr<const router> routes)
    : io_(io), options_(std::move(options)), router_(std::move(routes)), sweeper_(io) {
  std::vector<address_range> ranges;
  for (const auto& text : options_.limits.trusted_proxies) {
    auto range = parse_address_range(text);
    if (!range) throw config_error("TRUSTED_PROXIES: expected IP addresses or CIDR ranges (got '" + text + "')");
    ranges.push_back(*range);
  }
  proxies_ = trusted_proxies(std::move(ranges));
}

server::~server() = default;

void server::start() {
  error_code ec;
  auto address = asio::ip::make_address(options_.listen.host, ec);
  if (ec) throw std::runtime_error("LISTEN_ADDR: not an IP address: " + options_.listen.host);
  tcp::endpoint endpoint(address, options_.listen.port);
  acceptor_ = std::make_unique<tcp::acceptor>(asio::make_strand(io_));
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::socket_base::reuse_address(true));
  acceptor_->bind(endpoint, ec);
  if (ec) throw std::runtime_error("LISTEN_ADDR: cannot bind " + options_.listen.host + ":" +
                                   std::to_string(options_.listen.port) + ": " + ec.message());
  acceptor_->listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_->local_endpoint().port();
  asio::co_spawn(acceptor_->get_executor(), accept_loop(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  // A quarter of the shortest timeout, between 10 ms and 250 ms.
  const auto& l = options_.limits;
  auto shortest = std::min({l.header_timeout, l.body_timeout, l.idle_timeout, l.handler_timeout});
  sweeper_.start(std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250)));
}

asio::awaitable<void> server::accept_loop() {
  if (hold_ready_) {
    const auto since = std::chrono::steady_clock::now();
    asio::steady_timer pause(acceptor_->get_executor());
    while (!draining_ && !hold_ready_() && std::chrono::steady_clock::now() - since < hold_at_most_) {
      pause.expires_after(std::chrono::milliseconds(10));
      co_await pause.async_wait(use_tuple);
    }
    if (!draining_ && !hold_ready_())
      log::warn("accepting connections before the service is ready",
                {{"waited_ms", std::chrono::duration_cast<std::chrono::milliseconds>(hold_at_most_).count()}});
  }
  while (!draining_) {
    auto [ec, socket] = co_await acceptor_->async_accept(next_session_executor(), use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || draining_) break;
      log::warn("accept failed", {{"error", ec.message()}});
      // Out of file descriptors and the like: back off instead of spinning.
      asio::steady_timer pause(acceptor_->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    start_session(std::move(socket));
  }
}

asio::any_io_executor server::next_session_executor() {
  if (session_contexts_.empty()) return asio::make_strand(io_);
  return session_contexts_[next_context_++ % session_contexts_.size()]->get_executor();
}

void server::start_session(tcp::socket socket) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  if (active_.load() >= options_.limits.max_connections) {
    refused_counter().inc();
    auto ex = socket.get_executor();
    asio::co_spawn(ex, refuse(std::move(socket)), asio::detached);
    return;
  }
  active_.fetch_add(1);
  connections_gauge().add(1);
  auto ex = socket.get_executor();
  asio::co_spawn(ex, run_session(std::move(socket)), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::error("session failed", {{"error", ex.what()}});
      }
    }
  });
}

namespace {

// A drain's listener: bare SYNs are dropped from then on, so no client starts a handshake
// that the listener's close would cut; handshakes already past their SYN complete (their ACK
// passes) and are taken from the queue. A client whose SYN was dropped retries after its
// retransmission timeout (1 s), meets the closed port and goes elsewhere: a gateway retries a
// refused connection on another server, but cannot retry a POST sent on a reset one.
bool drop_new_handshakes(tcp::acceptor& listener) {
  // Classic BPF on a TCP socket sees each segment from its TCP header; byte 13 holds the flags.
  constexpr std::uint32_t syn = 0x02, ack = 0x10;
  std::array<sock_filter, 5> code{{
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, syn | ack),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, syn, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0),           // a bare SYN: dropped
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),  // anything else: kept whole
  }};
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (::setsockopt(listener.native_handle(), SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) == 0)
    return true;
  log::warn("drain: cannot stop new handshakes; connections may be reset as the listener closes",
            {{"error", std::strerror(errno)}});
  return false;
}

// How long the drain's listener stays open for handshakes that were past their SYN when new
// ones stopped: one round trip of any client near enough to be a gateway, many times over.
constexpr std::chrono::milliseconds handshake_grace{50};

} // namespace

void server::take_backlog() {
  // Connections the kernel completed but this process had not yet accepted: their clients
  // connected before the listener closes, so take them and answer their first request
  // (Connection: close). On the acceptor's strand.
  error_code ec;
  acceptor_->non_blocking(true, ec);
  for (std::size_t taken = 0; !ec && taken < options_.limits.max_connections; ++taken) {
    tcp::socket socket(next_session_executor());
    acceptor_->accept(socket, ec);
    if (!ec) start_session(std::move(socket));
  }
}

asio::awaitable<void> server::close_listener() {
  if (drop_new_handshakes(*acceptor_)) {
    take_backlog();
    asio::steady_timer grace(acceptor_->get_executor(), handshake_grace);
    co_await grace.async_wait(use_tuple);
  }
  take_backlog();
  error_code ec;
  acceptor_->close(ec);
}

asio::awaitable<void> server::refuse(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  auto res = error_response(status::service_unavailable, "temporarily_unavailable", "too many connections");
  res.set(field::retry_after, "1");
  res.keep_alive(false);
  stream.expires_after(std::chrono::seconds(1));
  co_await beast_http::async_write(stream, res, use_tuple);
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// One connection: read a request, dispatch it, write the response, log it; again while
// keep-alive lasts.
asio::awaitable<void> server::run_session(tcp::socket socket) {
  auto s = std::make_shared<session>(*this, std::move(socket));
  sweeper_.add(s);
  // A connection accepted before (or, from the backlog, during) the drain gets its first
  // request answered: its client had every reason to think it was accepted.
  while ((s->served == 0 || !draining_) && co_await s->wait_for_request()) {
    auto read = co_await s->read_request();
    if (auto* failure = std::get_if<session::no_request>(&read)) {
      if (failure->answer) co_await s->refuse_and_close(std::move(*failure->answer));
      break;
    }
    auto& in = std::get<incoming>(read);
    auto res = co_await dispatch(*s, in);
    ++s->served;

    bool keep_alive = in.req().keep_alive() && !draining_ &&
                      (options_.limits.max_requests_per_connection == 0 ||
                       s->served < options_.limits.max_requests_per_connection);
    res.version(in.req().version());
    res.keep_alive(keep_alive);
    res.set(field::server, options_.server_name);
    res.set("X-Request-Id", in.request_id);
    if (!res.has_content_length() && !res.chunked()) res.prepare_payload();

    error_code write_ec;
    auto written = co_await s->write_response(res, write_ec);
    log_access(in, res.result_int(), std::chrono::duration<double>(std::chrono::steady_clock::now() - in.started).count(),
               written);
    if (write_ec || !keep_alive) break;
  }
  s->close();
  sweeper_.remove(s);
  active_.fetch_sub(1);
  connections_gauge().add(-1);
  check_drained();
}

// Router → handler, or the router's own 404 / 405.
asio::awaitable<response> server::dispatch(session& s, incoming& in) {
  if (in.match.found != nullptr) co_return co_await call_handler(s, *in.match.found, in);
  if (!in.match.allowed.empty()) {
    auto res = error_response(status::method_not_allowed, "method_not_allowed",
                              "method " + std::string(in.req().method_string()) + " is not allowed here");
    res.set(field::allow, allow_header(in.match.allowed));
    co_return res;
  }
  co_return error_response(status::not_found, "not_found", "no such resource");
}

namespace {

// The handler's own coroutine: stores its outcome in the call and wakes the connection if it
// still waits. Holds the router (hence the route) and the call as long as it runs.
asio::awaitable<void> run_handler(std::shared_ptr<const router> keep, const route* r,
                                  std::shared_ptr<handler_call> call) {
  (void)keep;
  // Destroyed unfinished (its context shut down): the waiting connection would otherwise stay
  // owned by the call that it owns.
  struct release_waiter {
    handler_call* call;
    bool finished = false;
    ~release_waiter() {
      if (!finished) call->waiter.reset();
    }
  } guard{call.get()};
  try {
    call->res = co_await r->handle(*call->ctx);
  } catch (...) {
    call->error = std::current_exception();
  }
  guard.finished = true;
  call->finished = true;
  call->wake();
}

} // namespace

// Runs the route's handler, bounded by HTTP_HANDLER_TIMEOUT_MS: past it, the connection
// answers 503 temporarily_unavailable (RFC 6749 §5.2, what the services already say when a
// dependency is down) while the handler finishes on its own. Its I/O (PostgreSQL, Redis) is
// bounded by the clients' own timeouts; this bounds the whole.
asio::awaitable<response> server::call_handler(session& s, const route& r, incoming& in) {
  auto call = in.call;
  call->ctx.emplace(request_context{call->req, in.path, in.query, std::move(in.match.params), in.request_id,
                                    in.remote_address, {}});
  asio::co_spawn(s.executor(), run_handler(router_, &r, call), asio::detached);
  // co_spawn dispatches: a handler that never suspends (most of the cheap ones) is done here.
  if (!call->finished) {
    s.waiting = call;
    s.expires_after(options_.limits.handler_timeout);
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [&call](auto waiter) {
          call->waiter = std::make_unique<handler_call::waiter_of<decltype(waiter)>>(std::move(waiter));
        },
        asio::use_awaitable);
    s.expires_never();  // reading the next request sets the next deadline
    s.waiting.reset();
  }

  if (!call->finished) {
    // Past HTTP_HANDLER_TIMEOUT_MS, or the drain's deadline.
    if (draining_) {
      log::warn("handler cut off by the drain deadline", {{"request_id", in.request_id}, {"route", r.pattern}});
    } else {
      limit_counter("handler_timeout").inc();
      log::warn("handler timed out", {{"request_id", in.request_id}, {"route", r.pattern},
                                      {"timeout_ms", options_.limits.handler_timeout.count()}});
    }
    auto res = error_response(status::service_unavailable, "temporarily_unavailable",
                              "the request took too long; try again");
    res.set(field::retry_after, "1");
    co_return res;
  }
  if (call->error) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(call->error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::error("handler failed", {{"request_id", in.request_id}, {"route", r.pattern}, {"error", what}});
    co_return error_response(status::internal_server_error, "server_error", "internal error");
  }
  co_return std::move(call->res);
}

// The route's metrics and the access log line.
void server::log_access(const incoming& in, unsigned status_code, double seconds, std::size_t bytes) const {
  const route_metrics& stats = in.match.found != nullptr ? in.match.found->stats : router_->unmatched_stats();
  stats.record(status_code, seconds);
  if (!options_.access_log) return;
  log::access({.request_id = in.request_id,
               .method = in.req().method_string(),
               .path = in.path,
               .route = in.match.found ? std::string_view(in.match.found->pattern) : std::string_view(),
               .status = status_code,
               .duration_ms = seconds * 1000.0,
               .bytes = bytes,
               .remote = in.remote_address});
}

void server::shutdown(std::chrono::milliseconds drain, std::function<void()> done) {
  // The timer and the callback are in place before draining_ is set, because from then
  // on any session that ends may call check_drained() on another thread.
  drain_timer_ = std::make_unique<asio::steady_timer>(io_, drain);
  {
    std::lock_guard lock(drain_mutex_);
    on_drained_ = std::move(done);
  }
  draining_ = true;
  // Idle keep-alive connections are closed now; busy ones finish their request first. Every
  // entry of the sweeper is a session. One look is not enough: a connection whose response
  // was on its way out when the drain began can go idle a moment later without having seen
  // the drain (the stress loop caught one idling until its idle timeout, holding the drain
  // open), so the look is repeated every 25 ms until the drain ends. All of it after the
  // listen backlog was taken: until then the drain cannot know how many connections it has.
  auto after_the_listener = [this] {
    listener_closed_ = true;
    close_idle_sessions();
    asio::co_spawn(idle_closer_->get_executor(), close_idle_until_drained(), asio::detached);
    check_drained();
  };
  idle_closer_ = std::make_unique<asio::steady_timer>(acceptor_ ? acceptor_->get_executor() : io_.get_executor());
  if (acceptor_) {
    asio::co_spawn(acceptor_->get_executor(), close_listener(), [after_the_listener](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
      after_the_listener();
    });
  } else {
    asio::post(idle_closer_->get_executor(), after_the_listener);
  }
  drain_timer_->async_wait([this](error_code ec) {
    if (ec) return;
    auto left = sweeper_.entries();
    if (!left.empty()) log::warn("drain deadline passed; closing connections", {{"connections", left.size()}});
    for (auto& e : left) {
      auto s = std::static_pointer_cast<session>(e);
      asio::post(s->executor(), [s] { s->cut_off(); });
    }
    std::function<void()> done;
    {
      std::lock_guard lock(drain_mutex_);
      done = std::move(on_drained_);
      on_drained_ = nullptr;
    }
    if (done) done();
  });
}

void server::close_idle_sessions() {
  for (auto& e : sweeper_.entries()) {
    auto s = std::static_pointer_cast<session>(e);
    asio::post(s->executor(), [s] { s->close_if_idle(fresh_connection_grace); });
  }
}

asio::awaitable<void> server::close_idle_until_drained() {
  while (active_.load() != 0) {
    idle_closer_->expires_after(std::chrono::milliseconds(25));
    auto [ec] = co_await idle_closer_->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    close_idle_sessions();
  }
}

void server::check_drained() {
  if (!draining_ || !listener_closed_ || active_.load() != 0) return;
  std::function<void()> done;
  {
    std::lock_guard lock(drain_mutex_);
    done = std::move(on_drained_);
    on_drained_ = nullptr;
  }
  // The drain timer is left to expire: it finds no callback and does nothing.
  if (done) done();
}

} // namespace oauth::http
