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

std::string without_default_port(std::string authority, std::string_view scheme) {
  std::string_view port = scheme == "https" ? ":443" : ":80";
  if (authority.ends_with(port)) authority.resize(authority.size() - port.size());
  return authority;
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
  return scheme + "://" + without_default_port(lower(authority), scheme);
}

} // namespace oauth::http
