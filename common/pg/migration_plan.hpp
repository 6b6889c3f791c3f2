#pragma once
// Versioned migration files, V001__create_users.sql style: the pure part of
// migrate(), kept apart so that it is unit-tested without a server.
#include "common/embedded_file.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace oauth::pg {

struct migration_file {
  int version = 0;
  std::string_view name;  // the file name, e.g. "V001__create_users.sql"
  std::string_view sql;
};

// The version of a file named V<digits>__<description>.sql (description made of
// letters, digits and '_'; version at least 1); nullopt for any other name.
std::optional<int> parse_migration_version(std::string_view file_name);

// The files in version order. A name that does not match the pattern or a
// version used twice is a programmer error: std::invalid_argument.
std::vector<migration_file> plan_migrations(std::span<const oauth::embedded_file> files);

} // namespace oauth::pg
