#include "common/pg/migrate.hpp"

#include "common/log.hpp"
#include "common/pg/migration_plan.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace oauth::pg {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

constexpr std::string_view create_table_sql =
    "create table if not exists schema_migrations ("
    " component text not null,"
    " version int not null,"
    " name text not null,"
    " applied_at timestamptz not null default now(),"
    " primary key (component, version))";

error failed(std::string_view file, const error& e) {
  std::string message = std::string(file) + ": " + e.message;
  return make_error(errc::migration_failed, std::move(message), e.sqlstate);
}

asio::awaitable<result<void>> ensure_table(pool& db, milliseconds timeout) {
  auto tx = co_await db.begin();
  if (!tx) co_return tx.error();
  // Concurrent "create table if not exists" can collide in the catalog: serialize it.
  auto r = co_await tx->query("select pg_advisory_xact_lock(hashtext('schema_migrations'))", params{}, timeout);
  if (r) r = co_await tx->query(create_table_sql, params{}, timeout);
  if (!r) co_return r.error();
  co_return co_await tx->commit();
}

// Applies one file unless already recorded: 1 when applied, 0 when it was already there.
asio::awaitable<result<int>> apply(pool& db, const std::string& component, const migration_file& file,
                                   milliseconds timeout) {
  auto tx = co_await db.begin();
  if (!tx) co_return failed(file.name, tx.error());
  auto lock = co_await tx->query("select pg_advisory_xact_lock(hashtext($1))",
                                 args("schema_migrations:" + component), timeout);
  if (!lock) co_return failed(file.name, lock.error());
  auto seen = co_await tx->query("select 1 from schema_migrations where component = $1 and version = $2",
                                 args(component, file.version), timeout);
  if (!seen) co_return failed(file.name, seen.error());
  if (!seen->empty()) {
    co_await tx->rollback();
    co_return 0;
  }
  auto ran = co_await tx->execute_script(file.sql, timeout);
  if (!ran) {
    co_await tx->rollback();
    co_return failed(file.name, ran.error());
  }
  auto recorded = co_await tx->query(
      "insert into schema_migrations (component, version, name, applied_at) values ($1, $2, $3, now())",
      args(component, file.version, file.name), timeout);
  if (!recorded) co_return failed(file.name, recorded.error());
  auto committed = co_await tx->commit();
  if (!committed) co_return failed(file.name, committed.error());
  co_return 1;
}

asio::awaitable<result<int>> run(pool& db, std::string component, std::vector<migration_file> plan,
                                 milliseconds timeout) {
  auto table = co_await ensure_table(db, timeout);
  if (!table) {
    log::error("pg migrations: cannot create schema_migrations",
               {{"component", component}, {"error", table.error().message}});
    co_return table.error();
  }
  int applied = 0;
  for (const auto& file : plan) {
    auto r = co_await apply(db, component, file, timeout);
    if (!r) {
      log::error("pg migration failed", {{"component", component},
                                          {"file", file.name},
                                          {"sqlstate", r.error().sqlstate},
                                          {"error", r.error().message}});
      co_return r.error();
    }
    if (*r == 1) log::info("pg migration applied", {{"component", component}, {"file", file.name}});
    applied += *r;
  }
  co_return applied;
}

} // namespace

asio::awaitable<result<int>> migrate(pool& db, std::string_view component, std::span<const oauth::embedded_file> files,
                                     milliseconds statement_timeout) {
  if (component.empty()) throw std::invalid_argument("pg::migrate: empty component name");
  // Not a coroutine itself: a bad file name throws here, at the call.
  return run(db, std::string(component), plan_migrations(files), statement_timeout);
}

} // namespace oauth::pg
