#include "common/redis/connection.hpp"

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/redis/asio_adapter.hpp"
#include "common/redis/backoff.hpp"
#include "common/redis/server_info.hpp"

#include <boost/asio/post.hpp>
#include <hiredis/async.h>

#include <algorithm>
#include <vector>

namespace oauth::redis::detail {
namespace {

// Never the password: it stays out of every log line.
boost::json::object fields(const client_options& o, const std::string& role) {
  return {{"role", role}, {"host", o.endpoint.host}, {"port", o.endpoint.port}, {"db", o.endpoint.db}};
}

metrics::counter& connects_counter(const std::string& role) {
  return metrics::global().get_counter("redis_connects_total", "Redis connections established (handshake done).",
                                       "role=\"" + metrics::escape_label(role) + "\"");
}

metrics::counter& disconnects_counter(const std::string& role) {
  return metrics::global().get_counter("redis_disconnects_total", "Ready Redis connections that were lost.",
                                       "role=\"" + metrics::escape_label(role) + "\"");
}

connection* owner(const redisAsyncContext* ac) { return static_cast<connection*>(ac->data); }

// Handshake steps; the privdata of their callbacks, for the log line when one fails.
constexpr const char* step_auth = "AUTH";
constexpr const char* step_select = "SELECT";
constexpr const char* step_ping = "PING";
constexpr const char* step_info_server = "INFO server";
constexpr const char* step_info_replication = "INFO replication";

} // namespace

connection::connection(boost::asio::any_io_executor ex, client_options opts, std::string role)
    : opts_(std::move(opts)),
      role_(std::move(role)),
      strand_(boost::asio::make_strand(std::move(ex))),
      reconnect_timer_(strand_),
      connect_timer_(strand_),
      resolver_(strand_),
      jitter_(std::random_device{}()) {}

connection::~connection() {
  // Normally stop() has freed the context already. We get here with a live context only
  // when the executor was shut down before stop() ran; no handler can touch it any more.
  if (ac_ != nullptr) {
    auto* ac = ac_;
    ac_ = nullptr;
    ac->data = nullptr;  // callbacks see an orphaned context and touch nothing of ours
    redisAsyncFree(ac);
  }
}

void connection::start() {
  boost::asio::post(strand_, [self = self()] {
    if (self->started_ || self->stopping_) return;
    self->started_ = true;
    self->connect();
  });
}

void connection::stop() {
  boost::asio::post(strand_, [self = self()] {
    if (self->stopping_) return;
    self->stopping_ = true;
    self->reconnect_timer_.cancel();
    self->connect_timer_.cancel();
    self->resolver_.cancel();
    if (self->ac_ != nullptr) {
      self->teardown("stopped");
    } else {
      self->on_lost();
    }
  });
}

void connection::connect() {
  if (stopping_) return;
  ++generation_;
  handshake_pending_ = 0;
  handshake_failed_ = false;
  server_id_.clear();
  handshake_run_id_.clear();
  handshake_replid_.clear();

  // The timeout covers name resolution, TCP connect and the handshake.
  connect_timer_.expires_after(opts_.connect_timeout);
  connect_timer_.async_wait([self = self(), gen = generation_](boost::system::error_code ec) {
    if (ec || self->generation_ != gen || self->ready_.load(std::memory_order_relaxed)) return;
    if (self->ac_ != nullptr) {
      self->teardown("connect timeout");
    } else {
      self->resolver_.cancel();  // the resolve handler reports the failure
    }
  });

  boost::system::error_code ec;
  auto literal = boost::asio::ip::make_address(opts_.endpoint.host, ec);
  if (!ec) return connect_to(literal.to_string());
  // hiredis would resolve with a blocking getaddrinfo on this thread: resolve here instead
  // (a container service name in production).
  resolver_.async_resolve(opts_.endpoint.host, std::to_string(opts_.endpoint.port),
                          [self = self(), gen = generation_](boost::system::error_code ec,
                                                             boost::asio::ip::tcp::resolver::results_type results) {
                            if (self->generation_ != gen || self->stopping_) return;
                            if (ec == boost::asio::error::operation_aborted) return self->lost("connect timeout");
                            if (ec || results.empty()) {
                              return self->lost("cannot resolve host: " + (ec ? ec.message() : std::string("no address")));
                            }
                            // Each failed attempt in a row moves on to the next address (say ::1, then 127.0.0.1).
                            auto it = results.begin();
                            std::advance(it, self->attempt_ % results.size());
                            self->connect_to(it->endpoint().address().to_string());
                          });
}

void connection::connect_to(const std::string& address) {
  redisAsyncContext* ac = redisAsyncConnect(address.c_str(), opts_.endpoint.port);
  if (ac == nullptr) {
    lost("cannot allocate a connection");
    return;
  }
  if (ac->err != 0) {
    std::string reason = ac->errstr;
    redisAsyncFree(ac);
    lost(reason);
    return;
  }
  ac->data = this;
  ac_ = ac;
  redisAsyncSetConnectCallback(ac, &connection::on_connect_cb);
  redisAsyncSetDisconnectCallback(ac, &connection::on_disconnect_cb);
  asio_adapter::attach(ac, strand_);
}

void connection::on_connect_cb(const redisAsyncContext* ac, int status) {
  connection* self = owner(ac);
  if (self == nullptr || self->ac_ != ac) return;
  if (status != REDIS_OK) {
    // hiredis frees the context when we return, without calling onDisconnect.
    std::string reason = ac->errstr != nullptr ? ac->errstr : "connect failed";
    self->ac_ = nullptr;
    self->lost(reason);
    return;
  }
  // Detects a peer that vanished without a FIN (the subscriber connection is otherwise silent).
  redisEnableKeepAlive(&self->ac_->c);
  self->begin_handshake();
}

void connection::on_disconnect_cb(const redisAsyncContext* ac, int status) {
  connection* self = owner(ac);
  // ac_ already cleared: teardown() freed it and reports the loss itself.
  if (self == nullptr || self->ac_ != ac) return;
  std::string reason = status == REDIS_OK ? "closed" : (ac->errstr != nullptr ? ac->errstr : "error");
  self->ac_ = nullptr;
  self->lost(reason);
}

void connection::begin_handshake() {
  auto send = [this](const char* step, std::vector<std::string> args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAsyncCommandArgv(ac_, &connection::handshake_cb, const_cast<char*>(step), static_cast<int>(argv.size()),
                              argv.data(), lens.data()) == REDIS_OK) {
      ++handshake_pending_;
    } else {
      handshake_failed_ = true;
    }
  };
  const auto& e = opts_.endpoint;
  if (!e.password.empty()) {
    if (e.username.empty()) send(step_auth, {"AUTH", e.password});
    else send(step_auth, {"AUTH", e.username, e.password});
  }
  if (e.db != 0) send(step_select, {"SELECT", std::to_string(e.db)});
  // Before PING: INFO is answered while the data set loads, PING is not.
  if (opts_.identify_server) {
    send(step_info_server, {"INFO", "server"});
    send(step_info_replication, {"INFO", "replication"});
  }
  // PING proves the server answers (a server still loading its data set refuses it).
  send(step_ping, {"PING"});
  if (handshake_failed_) teardown_later("cannot send the handshake");
}

void connection::handshake_cb(redisAsyncContext* ac, void* r, void* privdata) {
  connection* self = owner(ac);
  // A null reply: the context is being freed; the disconnect path reports it.
  if (self == nullptr || r == nullptr || self->ac_ != ac) return;
  const auto* rep = static_cast<const redisReply*>(r);
  --self->handshake_pending_;
  const auto* step = static_cast<const char*>(privdata);
  if (self->handshake_failed_) return;  // reported once
  // The server's message names the problem (WRONGPASS, NOAUTH...) and never echoes the password.
  if (rep->type == REDIS_REPLY_ERROR) return self->fail_handshake(step, std::string(rep->str, rep->len));
  if (step == step_info_server || step == step_info_replication) {
    const bool server = step == step_info_server;
    std::optional<std::string> id;
    if (rep->type == REDIS_REPLY_STRING)
      id = redis::hex_id_from_info(std::string_view(rep->str, rep->len), server ? "run_id" : "master_replid");
    if (!id) return self->fail_handshake(step, server ? "no run_id in the reply" : "no master_replid in the reply");
    (server ? self->handshake_run_id_ : self->handshake_replid_) = std::move(*id);
  }
  if (self->handshake_pending_ == 0) self->handshake_done();
}

void connection::fail_handshake(const char* step, std::string error) {
  handshake_failed_ = true;
  auto f = fields(opts_, role_);
  f["step"] = step;
  f["error"] = std::move(error);
  log::error("redis handshake failed", f);
  teardown_later("handshake failed");
}

void connection::handshake_done() {
  if (opts_.identify_server) server_id_ = handshake_run_id_ + "-" + handshake_replid_;
  connect_timer_.cancel();
  attempt_ = 0;
  failures_logged_ = 0;
  ready_.store(true, std::memory_order_release);
  connects_.fetch_add(1, std::memory_order_relaxed);
  connects_counter(role_).inc();
  auto f = fields(opts_, role_);
  f["reconnect"] = ever_connected_;
  ever_connected_ = true;
  log::info("redis connected", f);
  on_ready();
}

void connection::teardown(std::string_view reason) {
  if (ac_ == nullptr) return;
  auto* ac = ac_;
  ac_ = nullptr;  // our onDisconnect callback ignores a context we free ourselves
  redisAsyncFree(ac);  // pending callbacks run now with a null reply
  lost(reason);
}

void connection::teardown_later(std::string reason) {
  boost::asio::post(strand_, [self = self(), gen = generation_, reason = std::move(reason)] {
    if (self->generation_ == gen) self->teardown(reason);
  });
}

void connection::lost(std::string_view reason) {
  connect_timer_.cancel();
  const bool was_ready = ready_.exchange(false, std::memory_order_acq_rel);
  auto f = fields(opts_, role_);
  f["reason"] = reason;
  if (was_ready) {
    disconnects_counter(role_).inc();
    if (stopping_) {
      log::info("redis disconnected", f);
    } else {
      log::warn("redis connection lost", f);
    }
  } else if (!stopping_) {
    // The first failure in a row is a warning; the retries that follow are not news.
    if (failures_logged_++ == 0) {
      log::warn("redis connect failed", f);
    } else {
      log::debug("redis connect failed", f);
    }
  }
  on_lost();
  if (!stopping_) schedule_reconnect();
}

void connection::schedule_reconnect() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto delay = backoff_delay(attempt_, opts_.reconnect_min, opts_.reconnect_max, unit(jitter_));
  attempt_ = std::min(attempt_ + 1, 32u);
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([self = self()](boost::system::error_code ec) {
    if (!ec) self->connect();
  });
}

} // namespace oauth::redis::detail
