#pragma once
// Errors of the PostgreSQL client: an error_code category plus, for errors the
// server reported, its SQLSTATE and primary message.
#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>

namespace oauth::pg {

enum class errc {
  connect_failed = 1,  // could not open (or authenticate) a connection
  timeout,             // the query did not finish in time; its connection was closed
  connection_lost,     // the connection broke (server restart, network) before the answer
  query_failed,        // the server rejected the statement: see error::sqlstate
  pool_timeout,        // no connection became free within acquire_timeout
  closed,              // the lease or transaction was already released/finished
  migration_failed,    // a migration file failed; error::message names the file
  invalid_parameter,   // a text parameter holds a NUL byte (never sent: it would be truncated)
};

const boost::system::error_category& category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

// Well-known SQLSTATE values callers test for.
namespace sqlstate {
inline constexpr std::string_view unique_violation = "23505";
inline constexpr std::string_view foreign_key_violation = "23503";
inline constexpr std::string_view serialization_failure = "40001";
inline constexpr std::string_view deadlock_detected = "40P01";
} // namespace sqlstate

struct error {
  boost::system::error_code code;
  // Five-character SQLSTATE when the server reported the error, else empty.
  std::string sqlstate;
  // Server primary message (never DETAIL) or libpq's message. Data-exception
  // messages (SQLSTATE 22xxx) are cut before the quoted input. Other server
  // messages can still name objects or quote SQL text: prefer logging `code` and
  // `sqlstate`.
  std::string message;

  bool is(errc e) const noexcept { return code == make_error_code(e); }
  bool is_unique_violation() const noexcept { return sqlstate == sqlstate::unique_violation; }
};

// "<code message> [SQLSTATE] <message>", for test output and diagnostics.
std::ostream& operator<<(std::ostream& os, const error& e);

error make_error(errc e, std::string message = {}, std::string state = {});

// Lets result<T>::value() throw a boost::system::system_error carrying code and message.
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, error>;

} // namespace oauth::pg

template <>
struct boost::system::is_error_code_enum<oauth::pg::errc> : std::true_type {};
