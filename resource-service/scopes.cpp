#include "resource-service/scopes.hpp"

#include <algorithm>
#include <stdexcept>

namespace oauth::resource {
namespace {

scope_rule make(scope_rule::kind k, std::initializer_list<std::string_view> names) {
  if (names.size() == 0) throw std::logic_error("a scope rule needs at least one scope");
  scope_rule r;
  r.match = k;
  for (auto n : names) r.required.emplace_back(n);
  return r;
}

} // namespace

scope_rule scope_rule::all_of(std::initializer_list<std::string_view> names) { return make(kind::all_of, names); }
scope_rule scope_rule::any_of(std::initializer_list<std::string_view> names) { return make(kind::any_of, names); }

std::string scope_rule::challenge() const {
  std::string out;
  for (const auto& s : required) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::vector<std::string_view> split_scope(std::string_view claim) {
  std::vector<std::string_view> out;
  while (!claim.empty()) {
    auto sp = claim.find(' ');
    auto token = claim.substr(0, sp);
    if (!token.empty()) out.push_back(token);
    if (sp == std::string_view::npos) break;
    claim.remove_prefix(sp + 1);
  }
  return out;
}

bool grants(const std::vector<std::string_view>& granted, std::string_view needed) {
  return catalogue::any_satisfies(granted, needed);
}

bool satisfies(const scope_rule& rule, const std::vector<std::string_view>& granted) {
  auto has = [&](const std::string& s) { return grants(granted, s); };
  if (rule.match == scope_rule::kind::all_of) return std::all_of(rule.required.begin(), rule.required.end(), has);
  return std::any_of(rule.required.begin(), rule.required.end(), has);
}

} // namespace oauth::resource
