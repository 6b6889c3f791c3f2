#include "common/pg/connection.hpp"

#include "common/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <libpq-fe.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <vector>

namespace oauth::pg {
namespace asio = boost::asio;
using wait_type = asio::posix::descriptor_base::wait_type;

namespace {

bool ready_now(int fd, wait_type w) {
  pollfd p{fd, static_cast<short>(w == wait_type::wait_read ? POLLIN : POLLOUT), 0};
  return ::poll(&p, 1, 0) > 0;
}

// Asio's epoll reactor is edge-triggered and a descriptor async_wait is not
// speculative: readiness that arrived after libpq's last read but before the wait
// was registered would never be reported. So: register, then poll(2) once, and
// complete at once (by cancelling the wait) if the socket is already ready.
struct wait_ready_initiation {
  template <class Handler>
  void operator()(Handler&& handler, asio::posix::stream_descriptor* socket, wait_type w) const {
    socket->async_wait(w, std::forward<Handler>(handler));
    if (ready_now(socket->native_handle(), w)) {
      boost::system::error_code ignored;
      socket->cancel(ignored);
    }
  }
};

template <class Token>
auto async_wait_ready(asio::posix::stream_descriptor& socket, wait_type w, Token&& token) {
  return asio::async_initiate<Token, void(boost::system::error_code)>(wait_ready_initiation{}, token, &socket, w);
}

// libpq messages end with a newline and wrap with "\n\t": make them one log-friendly line.
std::string trimmed(const char* text) {
  std::string s;
  for (const char* p = text ? text : ""; *p != '\0'; ++p) {
    bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (space && (s.empty() || s.back() == ' ')) continue;
    s.push_back(space ? ' ' : *p);
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Data exceptions (SQLSTATE class 22) quote the offending input, which may be a
// secret parameter: keep the message only up to the first quote.
std::string server_message(const char* primary, std::string_view state) {
  std::string message = trimmed(primary);
  if (state.starts_with("22")) {
    auto quote = message.find('"');
    if (quote != std::string::npos) message.erase(quote);
    while (!message.empty() && (message.back() == ' ' || message.back() == ':')) message.pop_back();
  }
  return message;
}

void on_notice(void*, const char* message) {
  // Notices may quote data: debug level only.
  if (log::enabled(log::level::debug)) log::debug("pg notice", {{"notice", trimmed(message)}});
}

} // namespace

connection::connection(private_tag, const asio::any_io_executor& ex)
    : strand_(asio::make_strand(ex)), socket_(strand_), deadline_(strand_) {}

connection::~connection() { close(); }

void connection::close() noexcept {
  broken_.store(true, std::memory_order_release);
  // The descriptor does not own the socket: release it before libpq closes it.
  if (socket_.is_open()) socket_.release();
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
}

std::string connection::libpq_message() const {
  return conn_ != nullptr ? trimmed(PQerrorMessage(conn_)) : std::string("connection closed");
}

error connection::lost(std::string_view what) {
  std::string message = libpq_message();
  log::warn("pg connection lost", {{"during", what}, {"error", message}});
  close();
  return make_error(errc::connection_lost, std::move(message));
}

void connection::reassign_socket() {
  // PQconnectPoll may close the socket and open another (next host, SSL retry), and
  // the new one may reuse the old number: always re-register.
  if (socket_.is_open()) socket_.release();
  if (conn_ == nullptr) return;
  int fd = PQsocket(conn_);
  if (fd < 0) return;
  boost::system::error_code ec;
  socket_.assign(fd, ec);
}

void connection::arm_deadline(std::chrono::milliseconds timeout) {
  timed_out_ = false;
  std::uint64_t id = ++operation_;
  deadline_.expires_after(timeout);
  deadline_.async_wait([self = shared_from_this(), id](boost::system::error_code ec) {
    if (ec || self->operation_ != id) return;
    self->timed_out_ = true;
    boost::system::error_code ignored;
    self->socket_.cancel(ignored);
  });
}

void connection::disarm_deadline() {
  ++operation_;
  deadline_.cancel();
}

asio::awaitable<bool> connection::wait_ready(bool for_write) {
  if (timed_out_) co_return false;
  if (!socket_.is_open()) co_return true;  // let libpq report the failure
  if (!for_write && conn_ != nullptr) {
    // Bytes OpenSSL already decrypted do not make the socket readable (libpq's own
    // pqSocketCheck makes the same test).
    auto* ssl = static_cast<SSL*>(PQsslStruct(conn_, "OpenSSL"));
    if (ssl != nullptr && SSL_pending(ssl) > 0) co_return !timed_out_;
  }
  auto [ec] = co_await async_wait_ready(socket_, for_write ? wait_type::wait_write : wait_type::wait_read,
                                        asio::as_tuple(asio::use_awaitable));
  // Any other outcome (readiness, cancellation by the ready check, a socket error)
  // goes back to libpq, which tells failure from progress.
  (void)ec;
  co_return !timed_out_;
}

asio::awaitable<result<std::shared_ptr<connection>>>
connection::connect(asio::any_io_executor ex, std::string conninfo, std::chrono::milliseconds timeout) {
  auto c = std::make_shared<connection>(private_tag{}, ex);
  auto done = co_await asio::co_spawn(c->strand_, c->do_connect(c, std::move(conninfo), timeout), asio::use_awaitable);
  if (!done) co_return done.error();
  co_return c;
}

asio::awaitable<result<void>> connection::do_connect(std::shared_ptr<connection> self, std::string conninfo,
                                                     std::chrono::milliseconds timeout) {
  auto fail = [this](std::string message) {
    close();
    return make_error(errc::connect_failed, std::move(message));
  };
  conn_ = PQconnectStart(conninfo.c_str());
  if (conn_ == nullptr) co_return fail("out of memory");
  if (PQstatus(conn_) == CONNECTION_BAD) co_return fail(libpq_message());
  PQsetNoticeProcessor(conn_, on_notice, nullptr);

  arm_deadline(timeout);
  // After PQconnectStart, behave as if PQconnectPoll had returned PGRES_POLLING_WRITING.
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) {
      disarm_deadline();
      co_return fail(libpq_message());
    }
    reassign_socket();
    if (!socket_.is_open()) {
      disarm_deadline();
      co_return fail("libpq has no socket: " + libpq_message());
    }
    if (!co_await wait_ready(status == PGRES_POLLING_WRITING)) {
      disarm_deadline();
      co_return fail("no answer within " + std::to_string(timeout.count()) + " ms");
    }
    status = PQconnectPoll(conn_);
  }
  disarm_deadline();
  reassign_socket();
  if (!socket_.is_open() || PQsetnonblocking(conn_, 1) != 0) co_return fail(libpq_message());
  (void)self;
  co_return result<void>{};
}

bool connection::idle_in_session() const noexcept {
  return conn_ != nullptr && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

bool connection::check_idle() {
  if (broken() || conn_ == nullptr) return false;
  // An idle connection has nothing to read unless the server said something
  // (typically a FATAL "terminating connection" before closing it).
  // Drain it: the end of stream after such a message is what tells libpq.
  bool server_error = false;
  for (int i = 0; i < 16 && ready_now(PQsocket(conn_), wait_type::wait_read); ++i) {
    if (!PQconsumeInput(conn_)) {
      log::warn("pg idle connection closed by the server", {{"error", libpq_message()}});
      close();
      return false;
    }
    while (!PQisBusy(conn_)) {
      PGresult* r = PQgetResult(conn_);
      if (r == nullptr) break;
      server_error = server_error || PQresultStatus(r) == PGRES_FATAL_ERROR;
      PQclear(r);
    }
  }
  if (server_error) {
    log::warn("pg idle connection got a server error; closing it", {{"error", libpq_message()}});
    close();
    return false;
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    log::warn("pg idle connection broken", {{"error", libpq_message()}});
    close();
    return false;
  }
  return idle_in_session();
}

asio::awaitable<result<rows>> connection::query(std::string_view sql, params values,
                                                std::chrono::milliseconds timeout) {
  co_return co_await asio::co_spawn(
      strand_, do_query(shared_from_this(), std::string(sql), std::move(values), false, timeout), asio::use_awaitable);
}

asio::awaitable<result<rows>> connection::execute_script(std::string_view sql, std::chrono::milliseconds timeout) {
  co_return co_await asio::co_spawn(strand_, do_query(shared_from_this(), std::string(sql), params{}, true, timeout),
                                    asio::use_awaitable);
}

asio::awaitable<result<rows>> connection::do_query(std::shared_ptr<connection> self, std::string sql, params values,
                                                   bool script, std::chrono::milliseconds timeout) {
  (void)self;  // keeps the connection alive while the statement runs
  if (broken() || conn_ == nullptr) co_return make_error(errc::connection_lost, "connection is closed");
  if (busy_.exchange(true)) co_return make_error(errc::query_failed, "a statement is already in flight on this connection");
  struct clear_busy {
    std::atomic<bool>& flag;
    ~clear_busy() { flag.store(false); }
  } guard{busy_};

  if (PQstatus(conn_) != CONNECTION_OK) co_return lost("send");
  int sent = 0;
  if (script) {
    sent = PQsendQuery(conn_, sql.c_str());
  } else {
    // libpq reads a text-format value only up to its first NUL, whatever length it is given,
    // and PostgreSQL text cannot hold U+0000: such a value would be stored cut short. Refuse
    // it here, so that no caller can ever lose data silently (bytea goes as pg::bytea_hex).
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i] && values[i]->find('\0') != std::string::npos)
        co_return make_error(errc::invalid_parameter, "parameter $" + std::to_string(i + 1) + " contains a NUL byte");
    std::vector<const char*> raw;
    std::vector<int> lengths;
    raw.reserve(values.size());
    lengths.reserve(values.size());
    for (const auto& v : values) {
      raw.push_back(v ? v->data() : nullptr);
      lengths.push_back(v ? static_cast<int>(v->size()) : 0);
    }
    const std::vector<int> text_formats(values.size(), 0);
    sent = PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(raw.size()), nullptr, raw.data(), lengths.data(),
                             text_formats.data(), 0);
  }
  if (!sent) {
    if (PQstatus(conn_) != CONNECTION_OK) co_return lost("send");
    co_return make_error(errc::query_failed, libpq_message());
  }

  arm_deadline(timeout);
  for (;;) {
    int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) {
      disarm_deadline();
      co_return lost("send");
    }
    if (!co_await wait_ready(true)) {
      disarm_deadline();
      log::warn("pg statement timed out while sending; closing its connection");
      close();
      co_return make_error(errc::timeout);
    }
  }
  auto out = co_await read_results();
  disarm_deadline();
  co_return out;
}

asio::awaitable<result<rows>> connection::read_results() {
  std::optional<error> failure;
  rows last;
  for (;;) {
    while (PQisBusy(conn_)) {
      if (!co_await wait_ready(false)) {
        log::warn("pg statement timed out; closing its connection");
        close();
        co_return make_error(errc::timeout);
      }
      if (!PQconsumeInput(conn_)) co_return lost("receive");
    }
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) break;
    switch (PQresultStatus(r)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
      last = rows(r);
      break;
    case PGRES_FATAL_ERROR:
    case PGRES_NONFATAL_ERROR:
      if (!failure) {
        const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        std::string sqlstate = state ? state : "";
        // The primary message only: DETAIL repeats key values ("Key (email)=(…) already exists").
        std::string message = server_message(primary ? primary : PQresultErrorMessage(r), sqlstate);
        failure = make_error(errc::query_failed, std::move(message), std::move(sqlstate));
      }
      PQclear(r);
      break;
    default:
      // COPY and other streaming modes are not supported: the session state is unknown.
      PQclear(r);
      close();
      co_return make_error(errc::query_failed, "unsupported result status (COPY is not supported)");
    }
  }
  if (PQstatus(conn_) != CONNECTION_OK) co_return lost("receive");
  if (failure) co_return std::move(*failure);
  co_return last;
}

} // namespace oauth::pg
