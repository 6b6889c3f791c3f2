#include "auth-service/routes/first_party_security.hpp"

#include "common/http/origin.hpp"
#include "common/http/params.hpp"

#include <algorithm>
#include <cctype>

namespace oauth::auth::first_party {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string cookie_attributes(std::chrono::seconds max_age, bool secure) {
  std::string out = "; Path=" + std::string(refresh_cookie_path) + "; Max-Age=" + std::to_string(max_age.count()) +
                    "; HttpOnly; SameSite=Strict";
  if (secure) out += "; Secure";
  return out;
}

} // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
  }
  return out;
}

std::string refresh_cookie(std::string_view token, std::chrono::seconds max_age, bool secure) {
  return std::string(refresh_cookie_name) + "=" + std::string(token) + cookie_attributes(max_age, secure);
}

std::string cleared_refresh_cookie(bool secure) {
  return std::string(refresh_cookie_name) + "=" + cookie_attributes(std::chrono::seconds(0), secure);
}

bool forwarded_https(std::string_view x_forwarded_proto) {
  auto first = trim(x_forwarded_proto.substr(0, x_forwarded_proto.find(',')));
  return lower(first) == "https";
}

single_cookie find_single_cookie(std::span<const std::string_view> cookie_headers, std::string_view name) {
  single_cookie found;
  for (auto header : cookie_headers) {
    while (!header.empty()) {
      auto end = header.find(';');
      auto pair = trim(header.substr(0, end));
      header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name) continue;
      if (found.what != single_cookie::kind::absent) return {single_cookie::kind::repeated, {}};
      auto value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      found = {single_cookie::kind::one, std::string(value)};
    }
  }
  return found;
}

csrf_verdict check_csrf(const request_origin& r, std::span<const std::string> trusted, body_rule body) {
  if (!r.sec_fetch_site.empty() && lower(trim(r.sec_fetch_site)) != "same-origin") return csrf_verdict::cross_site_fetch;
  if (!r.origin.empty()) {
    auto origin = http::origin_of(trim(r.origin));
    if (!origin) return csrf_verdict::foreign_origin;  // "null" (sandboxed frames, file:) among others
    bool ok = std::find(trusted.begin(), trusted.end(), *origin) != trusted.end();
    if (!ok && !r.host.empty()) {
      auto scheme_end = origin->find("://");
      std::string_view scheme = std::string_view(*origin).substr(0, scheme_end);
      std::string_view authority = std::string_view(*origin).substr(scheme_end + 3);
      ok = authority == http::without_default_port(lower(trim(r.host)), scheme);
    }
    if (!ok) return csrf_verdict::foreign_origin;
  }
  bool json = http::media_type(r.content_type) == "application/json";
  if (body == body_rule::json && !json) return csrf_verdict::not_json;
  if (body == body_rule::json_or_csrf_header && !json && !r.has_csrf_header) return csrf_verdict::not_json;
  return csrf_verdict::allowed;
}

} // namespace oauth::auth::first_party
