#pragma once
// The auth-service schema: migrations/V*.sql compiled into the binaries
// (cmake/storage.cmake), applied with pg::migrate(db, migration_component, migrations()).
#include "common/embedded_file.hpp"

#include <span>
#include <string_view>

namespace oauth::auth {

inline constexpr std::string_view migration_component = "auth";
// Every auth-service migration file, in version order.
std::span<const oauth::embedded_file> migrations();

} // namespace oauth::auth
