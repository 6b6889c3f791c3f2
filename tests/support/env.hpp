#pragma once
// A configuration environment made of a map, for the config loaders under test.
#include "common/config.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace oauth::test {

inline env_reader env_of(std::map<std::string, std::string> vars) {
  return env_reader([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

} // namespace oauth::test
