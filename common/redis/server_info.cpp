#include "common/redis/server_info.hpp"

#include <algorithm>

namespace oauth::redis {

std::optional<std::string> hex_id_from_info(std::string_view info, std::string_view field) {
  const auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  for (std::size_t at = 0; at < info.size();) {
    const std::size_t eol = std::min(info.find('\n', at), info.size());
    std::string_view line = info.substr(at, eol - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with(field) && line.substr(field.size()).starts_with(':')) {
      line.remove_prefix(field.size() + 1);
      if (line.size() == 40 && std::all_of(line.begin(), line.end(), is_hex)) return std::string(line);
      return std::nullopt;
    }
    at = eol + 1;
  }
  return std::nullopt;
}

} // namespace oauth::redis
