#include "auth-service/authorize/redirect_uri.hpp"

#include "common/encoding.hpp"

namespace oauth::auth {
namespace {

using namespace std::string_view_literals;

bool is_alpha(unsigned char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

// RFC 3986 §2: unreserved, reserved and '%'. Printable ASCII minus SP " < > \ ^ ` { | }.
bool is_uri_char(unsigned char c) noexcept {
  return c > 0x20 && c < 0x7F && "\"<>\\^`{|}"sv.find(static_cast<char>(c)) == std::string_view::npos;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(std::string_view s) noexcept {
  if (s.empty() || !is_alpha(s[0])) return false;
  for (unsigned char c : s)
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return false;
  return true;
}

// 1..65535, digits only ("http://127.0.0.1:80x" and an empty port are not ports).
bool is_port(std::string_view p) noexcept {
  if (p.empty() || p.size() > 5) return false;
  unsigned value = 0;
  for (unsigned char c : p) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

bool is_loopback_ip(std::string_view host) noexcept { return host == "127.0.0.1" || host == "[::1]"; }
bool is_loopback_host(std::string_view host) noexcept { return is_loopback_ip(host) || host == "localhost"; }

// An absolute URI cut at its RFC 3986 §3 boundaries; only what the rules here need.
struct uri_parts {
  std::string_view scheme;
  bool has_authority = false;
  bool has_userinfo = false;
  std::string_view host;               // with the brackets of an IP literal
  std::optional<std::string_view> port;  // the text after ':', possibly empty
  std::string_view rest;               // path, query and fragment
};

std::optional<uri_parts> split_uri(std::string_view uri) noexcept {
  uri_parts parts;
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || !is_scheme(uri.substr(0, colon))) return std::nullopt;
  parts.scheme = uri.substr(0, colon);
  auto after = uri.substr(colon + 1);
  if (!after.starts_with("//")) {
    parts.rest = after;
    return parts;
  }
  parts.has_authority = true;
  auto authority = after.substr(2, after.find_first_of("/?#", 2) - 2);
  parts.rest = after.substr(2 + authority.size());
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    parts.has_userinfo = true;
    authority.remove_prefix(at + 1);
  }
  std::string_view after_host;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parts.host = authority.substr(0, close + 1);
    after_host = authority.substr(close + 1);
  } else {
    parts.host = authority.substr(0, authority.find(':'));
    after_host = authority.substr(parts.host.size());
  }
  if (!after_host.empty()) {
    if (after_host[0] != ':') return std::nullopt;
    parts.port = after_host.substr(1);
  }
  return parts;
}

std::optional<std::string> character_problem(std::string_view uri) {
  for (unsigned char c : uri) {
    if (c == 0) return "The redirect URI contains a NUL character.";
    if (c < 0x20 || c == 0x7F) return "The redirect URI contains a control character.";
    if (c == ' ') return "The redirect URI contains a space.";
    if (c >= 0x80) return "The redirect URI contains a non-ASCII character (percent-encode it).";
    if (c == '#') return "The redirect URI has a fragment ('#'), which RFC 6749 section 3.1.2 forbids.";
    if (!is_uri_char(c))
      return std::string("The redirect URI contains the character '") + static_cast<char>(c) +
             "', which a URI may not hold (RFC 3986 section 2).";
  }
  if (!percent_decode(uri)) return "The redirect URI has a '%' that does not start a %HH escape.";
  return std::nullopt;
}

} // namespace

std::optional<std::string> registered_redirect_uri_problem(std::string_view uri) {
  if (uri.empty()) return "The redirect URI is empty.";
  if (uri.size() > max_redirect_uri_length)
    return "The redirect URI is longer than " + std::to_string(max_redirect_uri_length) + " characters.";
  if (auto problem = character_problem(uri)) return problem;

  if (auto colon = uri.find(':'); colon == std::string_view::npos || !is_scheme(uri.substr(0, colon)))
    return "The redirect URI is not absolute: it has no scheme such as https: (RFC 3986 section 4.3).";
  auto parts = split_uri(uri);
  if (!parts) return "The redirect URI has a malformed authority (host and port).";
  for (unsigned char c : parts->scheme)
    if (c >= 'A' && c <= 'Z') return "The redirect URI's scheme must be written in lowercase.";

  if (parts->scheme == "http" || parts->scheme == "https") {
    if (!parts->has_authority || parts->host.empty()) return "The redirect URI has no host.";
    if (parts->has_userinfo) return "The redirect URI has user information ('@' before the host).";
    if (parts->port && !is_port(*parts->port)) return "The redirect URI's port is not a number from 1 to 65535.";
    if (parts->scheme == "http" && !is_loopback_host(parts->host))
      return "The redirect URI uses http with a host other than 127.0.0.1, [::1] or localhost: use https "
             "(RFC 9700 section 2.6).";
    return std::nullopt;
  }
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name the app's publisher controls.
  if (parts->scheme.find('.') == std::string_view::npos)
    return "The redirect URI's scheme '" + std::string(parts->scheme) +
           "' is neither https, http on a loopback host, nor a private-use scheme in reverse-domain form "
           "such as com.example.app (RFC 8252 section 7.1).";
  return std::nullopt;
}

bool redirect_uri_matches(std::string_view registered, std::string_view presented) noexcept {
  if (presented.empty() || presented.find_first_of("#\0"sv) != std::string_view::npos) return false;
  if (presented == registered) return true;

  // RFC 8252 §7.3: a loopback IP literal over http matches with any port, or none.
  auto reg = split_uri(registered);
  auto pre = split_uri(presented);
  if (!reg || !pre) return false;
  if (reg->scheme != "http" || pre->scheme != "http") return false;
  if (!reg->has_authority || !pre->has_authority || reg->has_userinfo || pre->has_userinfo) return false;
  if (!is_loopback_ip(reg->host) || pre->host != reg->host || pre->rest != reg->rest) return false;
  return (!reg->port || is_port(*reg->port)) && (!pre->port || is_port(*pre->port));
}

} // namespace oauth::auth
