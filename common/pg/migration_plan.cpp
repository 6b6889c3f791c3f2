#include "common/pg/migration_plan.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string>

namespace oauth::pg {

std::optional<int> parse_migration_version(std::string_view name) {
  constexpr std::string_view suffix = ".sql";
  if (name.size() < 1 + 1 + 2 + 1 + suffix.size() || name.front() != 'V' || !name.ends_with(suffix)) return std::nullopt;
  std::string_view rest = name.substr(1, name.size() - 1 - suffix.size());
  auto sep = rest.find("__");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  std::string_view digits = rest.substr(0, sep);
  std::string_view description = rest.substr(sep + 2);
  if (description.empty()) return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  if (!std::all_of(description.begin(), description.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      }))
    return std::nullopt;
  int version = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (ec != std::errc() || end != digits.data() + digits.size() || version < 1) return std::nullopt;
  return version;
}

std::vector<migration_file> plan_migrations(std::span<const oauth::embedded_file> files) {
  std::vector<migration_file> plan;
  plan.reserve(files.size());
  for (const auto& f : files) {
    auto version = parse_migration_version(f.name);
    if (!version)
      throw std::invalid_argument("migration file name '" + std::string(f.name) +
                                  "' does not match V<version>__<description>.sql");
    plan.push_back(migration_file{*version, f.name, f.content});
  }
  std::sort(plan.begin(), plan.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < plan.size(); ++i)
    if (plan[i].version == plan[i - 1].version)
      throw std::invalid_argument("migration files '" + std::string(plan[i - 1].name) + "' and '" +
                                  std::string(plan[i].name) + "' share version " + std::to_string(plan[i].version));
  return plan;
}

} // namespace oauth::pg
