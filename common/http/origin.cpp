#include "common/http/origin.hpp"

#include <algorithm>
#include <cctype>

namespace oauth::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

} // namespace

std::string without_default_port(std::string_view authority, std::string_view scheme) {
  std::string_view port = scheme == "https" ? ":443" : ":80";
  // A new string from a view, not resize() in place: g++ 12 at -O3 reports resize's (dead)
  // growth path as an overlapping memcpy (-Wrestrict false positive).
  if (authority.ends_with(port)) authority.remove_suffix(port.size());
  return std::string(authority);
}

std::optional<std::string> origin_of(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string scheme = lower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.front() == ':' || authority.back() == ':') return std::nullopt;
  for (char c : authority) {  // no userinfo ('@'), no spaces or escapes
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) return std::nullopt;
  }
  std::string origin = scheme;
  origin += "://";
  origin += without_default_port(lower(authority), scheme);
  return origin;
}

} // namespace oauth::http
