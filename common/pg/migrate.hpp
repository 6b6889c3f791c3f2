#pragma once
// Applies a component's versioned SQL files (V001__….sql) once each, in version
// order, each in its own transaction, recording them in schema_migrations.
// A transaction-scoped advisory lock per component serializes replicas that
// start at the same time, so each file is applied exactly once.
#include "common/embedded_file.hpp"
#include "common/pg/pool.hpp"

#include <chrono>
#include <span>
#include <string_view>

namespace oauth::pg {

// Returns how many files it applied (0 when up to date). A failing file is rolled
// back: errc::migration_failed, message "<file name>: <server message>", with the
// server's SQLSTATE. Throws std::invalid_argument at the call (before any I/O) for
// a badly named file, a duplicate version or an empty component.
// `statement_timeout` bounds each statement, including waiting for the lock.
// `files` must stay alive until the returned awaitable completes.
// Files must not contain transaction control statements (BEGIN/COMMIT).
boost::asio::awaitable<result<int>> migrate(pool& db, std::string_view component,
                                            std::span<const oauth::embedded_file> files,
                                            std::chrono::milliseconds statement_timeout = std::chrono::minutes(5));

} // namespace oauth::pg
