#include "common/pg/errors.hpp"

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <ostream>

namespace oauth::pg {
namespace {

class category_impl final : public boost::system::error_category {
public:
  const char* name() const noexcept override { return "oauth.pg"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
    case errc::connect_failed: return "could not connect to PostgreSQL";
    case errc::timeout: return "PostgreSQL query timed out";
    case errc::connection_lost: return "PostgreSQL connection lost";
    case errc::query_failed: return "PostgreSQL query failed";
    case errc::pool_timeout: return "timed out waiting for a free PostgreSQL connection";
    case errc::closed: return "PostgreSQL lease or transaction already released";
    case errc::migration_failed: return "PostgreSQL migration failed";
    case errc::invalid_parameter: return "PostgreSQL text parameter contains a NUL byte";
    }
    return "unknown PostgreSQL client error";
  }
};

} // namespace

const boost::system::error_category& category() noexcept {
  static const category_impl instance;
  return instance;
}

error make_error(errc e, std::string message, std::string state) {
  return error{make_error_code(e), std::move(state), std::move(message)};
}

std::ostream& operator<<(std::ostream& os, const error& e) {
  os << e.code.message();
  if (!e.sqlstate.empty()) os << " [" << e.sqlstate << "]";
  if (!e.message.empty()) os << " " << e.message;
  return os;
}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_with_location(boost::system::system_error(e.code, e.message), loc);
}

} // namespace oauth::pg
