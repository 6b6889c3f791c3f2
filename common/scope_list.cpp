#include "common/scope_list.hpp"

namespace oauth {

std::string join_scope_list(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

std::vector<std::string> split_scope_list(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const auto sp = joined.find(' ');
    if (sp != 0) out.emplace_back(joined.substr(0, sp));
    if (sp == std::string_view::npos) break;
    joined.remove_prefix(sp + 1);
  }
  return out;
}

} // namespace oauth
