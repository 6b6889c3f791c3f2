#include "common/http/server.hpp"

#include "common/encoding.hpp"
#include "common/http/responses.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/random.hpp"

#include <boost/asio/as_tuple.hpp>
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
#include <exception>
#include <limits>
#include <tuple>

namespace oauth::http {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Timeouts: rather than arming a timer for every read and write (a timer queue update,
// often a timerfd syscall, several times per request), each session publishes the deadline
// of what it is waiting for, and one sweeper per server cancels the sessions that passed
// theirs. Deadlines are enforced to within the sweep interval.
struct server::session_state {
  asio::any_io_executor executor;       // the connection's strand, or its single-threaded context
  beast::tcp_stream* stream = nullptr;  // touched only on that executor
  bool busy = false;                    // a request is being read or handled
  std::atomic<std::int64_t> deadline{std::numeric_limits<std::int64_t>::max()};  // steady_clock ticks
  std::atomic<bool> timed_out{false};

  void expires_after(std::chrono::steady_clock::duration d) {
    timed_out.store(false, std::memory_order_relaxed);
    deadline.store((std::chrono::steady_clock::now() + d).time_since_epoch().count(), std::memory_order_relaxed);
  }
  void expires_never() { deadline.store(std::numeric_limits<std::int64_t>::max(), std::memory_order_relaxed); }
};

namespace {

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

server::server(asio::io_context& io, server_options options, std::shared_ptr<const router> routes)
    : io_(io), options_(std::move(options)), router_(std::move(routes)) {
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
  auto shortest = std::min({options_.limits.header_timeout, options_.limits.body_timeout, options_.limits.idle_timeout});
  sweep_interval_ = std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
  sweep_timer_ = std::make_unique<asio::steady_timer>(asio::make_strand(io_));
  asio::co_spawn(sweep_timer_->get_executor(), sweep_loop(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
}

asio::awaitable<void> server::sweep_loop() {
  std::vector<std::shared_ptr<session_state>> expired;
  for (;;) {
    sweep_timer_->expires_after(sweep_interval_);
    auto [ec] = co_await sweep_timer_->async_wait(use_tuple);
    if (ec) co_return;  // the server is going away
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    expired.clear();
    {
      std::lock_guard lock(sessions_mutex_);
      for (const auto& s : sessions_)
        if (s->deadline.load(std::memory_order_relaxed) <= now) expired.push_back(s);
    }
    for (auto& s : expired) {
      // Re-checked on the session's strand: it may have moved on to a new deadline since.
      asio::post(s->executor, [s, now] {
        if (s->stream != nullptr && s->deadline.load(std::memory_order_relaxed) <= now) {
          s->timed_out.store(true, std::memory_order_relaxed);
          s->expires_never();
          s->stream->cancel();
        }
      });
    }
  }
}

asio::awaitable<void> server::accept_loop() {
  std::size_t next_context = 0;
  auto session_executor = [&]() -> asio::any_io_executor {
    if (session_contexts_.empty()) return asio::make_strand(io_);
    return session_contexts_[next_context++ % session_contexts_.size()]->get_executor();
  };
  while (!draining_) {
    auto [ec, socket] = co_await acceptor_->async_accept(session_executor(), use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || draining_) break;
      log::warn("accept failed", {{"error", ec.message()}});
      // Out of file descriptors and the like: back off instead of spinning.
      asio::steady_timer pause(acceptor_->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (active_.load() >= options_.limits.max_connections) {
      refused_counter().inc();
      auto ex = socket.get_executor();
      asio::co_spawn(ex, refuse(std::move(socket)), asio::detached);
      continue;
    }
    active_.fetch_add(1);
    connections_gauge().add(1);
    auto ex = socket.get_executor();
    asio::co_spawn(ex, run_session(std::move(socket)), [this](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("session failed", {{"error", ex.what()}});
        }
      }
    });
  }
}

asio::awaitable<void> server::refuse(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  auto res = error_response(status::service_unavailable, "temporarily_unavailable", "too many connections");
  res.set(field::retry_after, "1");
  res.keep_alive(false);
  stream.expires_after(std::chrono::seconds(1));
  co_await beast_http::async_write(stream, res, use_tuple);
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> server::run_session(tcp::socket socket) {
  auto state = std::make_shared<session_state>();
  state->executor = socket.get_executor();
  {
    std::lock_guard lock(sessions_mutex_);
    sessions_.insert(state);
  }
  error_code ec;
  auto remote = socket.remote_endpoint(ec);
  std::optional<asio::ip::address> peer_ip;
  if (!ec) peer_ip = remote.address();
  std::string peer_address = peer_ip ? peer_ip->to_string() : std::string();

  beast::tcp_stream stream(std::move(socket));
  state->stream = &stream;
  beast::flat_buffer buffer;
  std::string response_head;  // the response's status line and fields, reused across requests
  const auto& limits = options_.limits;
  std::size_t served = 0;

  // Sends a response produced by the server itself (limits, parse errors) and ends the connection.
  auto send_and_close = [&](response res) -> asio::awaitable<void> {
    res.keep_alive(false);
    res.set(field::server, options_.server_name);
    state->expires_after(limits.body_timeout);
    co_await beast_http::async_write(stream, res, use_tuple);
  };

  for (;;) {
    if (draining_) break;
    state->busy = false;
    if (buffer.size() == 0) {
      // Idle keep-alive: wait for the first byte of the next request.
      state->expires_after(limits.idle_timeout);
      auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
      if (read_ec) break;
      buffer.commit(n);
    }
    state->busy = true;
    auto started = std::chrono::steady_clock::now();

    beast_http::request_parser<beast_http::empty_body> header_parser;
    header_parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    state->expires_after(limits.header_timeout);
    auto [header_ec, header_bytes] = co_await beast_http::async_read_header(stream, buffer, header_parser, use_tuple);
    (void)header_bytes;
    if (header_ec == beast_http::error::header_limit) {
      limit_counter("header_bytes").inc();
      co_await send_and_close(error_response(status::request_header_fields_too_large, "request_header_fields_too_large",
                                             "request header exceeds " + std::to_string(limits.max_header_bytes) + " bytes"));
      break;
    }
    if (header_ec && state->timed_out.load(std::memory_order_relaxed)) {
      limit_counter("header_timeout").inc();
      break;
    }
    if (header_ec == beast_http::error::end_of_stream || header_ec == asio::error::eof ||
        header_ec == asio::error::connection_reset || header_ec == asio::error::operation_aborted)
      break;
    if (header_ec) {
      co_await send_and_close(error_response(status::bad_request, "invalid_request", "malformed HTTP request"));
      break;
    }

    auto& head = header_parser.get();
    std::string_view target(head.target().data(), head.target().size());
    auto qmark = target.find('?');
    std::string_view path = target.substr(0, qmark);
    auto match = router_->match(head.method(), path);
    std::size_t body_limit = limits.max_body_bytes;
    if (match.found != nullptr && match.found->options.max_body_bytes != 0)
      body_limit = match.found->options.max_body_bytes;

    auto declared = header_parser.content_length();
    if (declared && *declared > body_limit) {
      limit_counter("body_bytes").inc();
      co_await send_and_close(error_response(status::payload_too_large, "payload_too_large",
                                             "request body exceeds " + std::to_string(body_limit) + " bytes"));
      break;
    }

    request req;
    if (header_parser.is_done()) {
      // No body (GET, DELETE...): the request is its header; no second parser, no body read
      // (an async_read that has nothing to do still costs a trip through the scheduler).
      auto bodiless = header_parser.release();
      req = request(std::move(static_cast<beast_http::request_header<>&>(bodiless)));
    } else {
      beast_http::request_parser<beast_http::string_body> parser(std::move(header_parser));
      parser.body_limit(body_limit);
      if (beast::iequals(parser.get()[field::expect], "100-continue")) {
        beast_http::response<beast_http::empty_body> cont{status::continue_, 11};
        state->expires_after(limits.body_timeout);
        auto [cont_ec, cont_n] = co_await beast_http::async_write(stream, cont, use_tuple);
        (void)cont_n;
        if (cont_ec) break;
      }
      state->expires_after(limits.body_timeout);
      auto [body_ec, body_bytes] = co_await beast_http::async_read(stream, buffer, parser, use_tuple);
      (void)body_bytes;
      if (body_ec == beast_http::error::body_limit) {
        limit_counter("body_bytes").inc();
        co_await send_and_close(error_response(status::payload_too_large, "payload_too_large",
                                               "request body exceeds " + std::to_string(body_limit) + " bytes"));
        break;
      }
      if (body_ec && state->timed_out.load(std::memory_order_relaxed)) {
        limit_counter("body_timeout").inc();
        break;
      }
      if (body_ec) {
        if (body_ec != beast_http::error::end_of_stream && body_ec != asio::error::eof &&
            body_ec != asio::error::connection_reset)
          co_await send_and_close(error_response(status::bad_request, "invalid_request", "malformed HTTP request"));
        break;
      }

      req = parser.release();
    }
    std::string remote_address = peer_address;
    if (!proxies_.empty() && peer_ip) {
      auto xff = req.find("X-Forwarded-For");
      if (xff != req.end()) remote_address = proxies_.client_address(*peer_ip, xff->value());
    }
    std::string request_id;
    if (auto it = req.find("X-Request-Id"); it != req.end() && acceptable_request_id(it->value()))
      request_id = std::string(it->value());
    else
      request_id = random_request_id();

    // The request's views point into req, which outlives the handler.
    std::string_view req_target(req.target().data(), req.target().size());
    request_context ctx{req, req_target.substr(0, qmark),
                        qmark == std::string_view::npos ? std::string_view{} : req_target.substr(qmark + 1),
                        std::move(match.params), request_id, remote_address, {}};
    state->expires_never();  // handlers bound their own I/O (PostgreSQL, Redis timeouts)
    response res;
    const route_metrics* stats = &router_->unmatched_stats();
    if (match.found != nullptr) {
      stats = &match.found->stats;
      try {
        res = co_await match.found->handle(ctx);
      } catch (const std::exception& e) {
        log::error("handler failed", {{"request_id", request_id}, {"route", match.found->pattern}, {"error", e.what()}});
        res = error_response(status::internal_server_error, "server_error", "internal error");
      }
    } else if (!match.allowed.empty()) {
      res = error_response(status::method_not_allowed, "method_not_allowed",
                           "method " + std::string(req.method_string()) + " is not allowed here");
      res.set(field::allow, allow_header(match.allowed));
    } else {
      res = error_response(status::not_found, "not_found", "no such resource");
    }

    ++served;
    bool keep_alive = req.keep_alive() && !draining_ &&
                      (limits.max_requests_per_connection == 0 || served < limits.max_requests_per_connection);
    res.version(req.version());
    res.keep_alive(keep_alive);
    res.set(field::server, options_.server_name);
    res.set("X-Request-Id", request_id);
    if (!res.has_content_length() && !res.chunked()) res.prepare_payload();
    unsigned code = res.result_int();
    state->expires_after(limits.body_timeout);
    error_code write_ec;
    std::size_t written = 0;
    if (res.chunked()) {  // no handler streams today; Beast's serializer would do it right
      std::tie(write_ec, written) = co_await beast_http::async_write(stream, res, use_tuple);
    } else {
      serialize_head(res, response_head);
      std::array<asio::const_buffer, 2> wire{asio::buffer(response_head), asio::buffer(res.body())};
      std::tie(write_ec, written) = co_await asio::async_write(stream, wire, use_tuple);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    stats->record(code, seconds);
    if (options_.access_log) {
      log::access({.request_id = request_id,
                   .method = req.method_string(),
                   .path = ctx.path,
                   .route = match.found ? std::string_view(match.found->pattern) : std::string_view(),
                   .status = code,
                   .duration_ms = seconds * 1000.0,
                   .bytes = written,
                   .remote = remote_address});
    }
    if (write_ec || !keep_alive) break;
  }

  state->stream = nullptr;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
  {
    std::lock_guard lock(sessions_mutex_);
    sessions_.erase(state);
  }
  active_.fetch_sub(1);
  connections_gauge().add(-1);
  check_drained();
}

void server::shutdown(std::chrono::milliseconds drain, std::function<void()> done) {
  // The timer and the callback are in place before draining_ is set, because from then
  // on any session that ends may call check_drained() on another thread.
  drain_timer_ = std::make_unique<asio::steady_timer>(io_, drain);
  {
    std::lock_guard lock(sessions_mutex_);
    on_drained_ = std::move(done);
  }
  draining_ = true;
  if (acceptor_) {
    asio::post(acceptor_->get_executor(), [this] {
      error_code ec;
      acceptor_->close(ec);
    });
  }
  std::vector<std::shared_ptr<session_state>> sessions;
  {
    std::lock_guard lock(sessions_mutex_);
    sessions.assign(sessions_.begin(), sessions_.end());
  }
  // Idle keep-alive connections are closed now; busy ones finish their request first.
  for (auto& s : sessions) {
    asio::post(s->executor, [s] {
      if (!s->busy && s->stream != nullptr) s->stream->cancel();
    });
  }
  drain_timer_->async_wait([this](error_code ec) {
    if (ec) return;
    std::vector<std::shared_ptr<session_state>> left;
    {
      std::lock_guard lock(sessions_mutex_);
      left.assign(sessions_.begin(), sessions_.end());
    }
    if (!left.empty()) log::warn("drain deadline passed; closing connections", {{"connections", left.size()}});
    for (auto& s : left)
      asio::post(s->executor, [s] {
        if (s->stream != nullptr) s->stream->cancel();
      });
    std::function<void()> done;
    {
      std::lock_guard lock(sessions_mutex_);
      done = std::move(on_drained_);
      on_drained_ = nullptr;
    }
    if (done) done();
  });
  check_drained();
}

void server::check_drained() {
  if (!draining_ || active_.load() != 0) return;
  std::function<void()> done;
  {
    std::lock_guard lock(sessions_mutex_);
    done = std::move(on_drained_);
    on_drained_ = nullptr;
  }
  // The drain timer is left to expire: it finds no callback and does nothing.
  if (done) done();
}

} // namespace oauth::http
