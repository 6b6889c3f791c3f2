#include "auth-service/pages/pages.hpp"

#include "auth-service/routes/first_party_security.hpp"

#include <algorithm>

namespace oauth::auth::pages {
namespace {

std::string esc(std::string_view s) { return first_party::html_escape(s); }

std::string layout(std::string_view title, const std::string& body) {
  std::string out;
  out.reserve(body.size() + 512);
  out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += esc(title);
  out += "</title>\n<link rel=\"stylesheet\" href=\"/playground/style.css\">\n"
         "<link rel=\"icon\" href=\"/playground/favicon.svg\" type=\"image/svg+xml\">\n</head>\n<body>\n<main>\n";
  out += body;
  out += "</main>\n</body>\n</html>\n";
  return out;
}

std::string hidden_inputs(const std::vector<hidden_field>& fields) {
  std::string out;
  for (const auto& f : fields)
    out += "<input type=\"hidden\" name=\"" + esc(f.name) + "\" value=\"" + esc(f.value) + "\">\n";
  return out;
}

bool is_scheme_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// Characters allowed in a CSP host-source we build: no space, quote, semicolon or comma could
// end the source or the directive.
bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == ':' || c == '[' || c == ']';
}

} // namespace

std::string render_login(const login_form& form) {
  std::string body = "<h1>Sign in</h1>\n";
  if (!form.message.empty()) body += "<p class=\"status err\" role=\"alert\">" + esc(form.message) + "</p>\n";
  body += "<section>\n<form method=\"post\" action=\"/login\">\n" + hidden_inputs(form.hidden) +
          "<label for=\"email\">E-mail</label>\n"
          "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required autofocus value=\"" +
          esc(form.email) +
          "\">\n"
          "<label for=\"password\">Password</label>\n"
          "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\n"
          "<button type=\"submit\">Sign in</button>\n</form>\n</section>\n";
  return layout("Sign in", body);
}

std::string render_consent(const consent_form& form) {
  std::string body = "<h1>Authorize " + esc(form.client_name) + "</h1>\n";
  body += "<p class=\"lead\"><strong>" + esc(form.client_name) + "</strong> asks to act on your account";
  body += form.scopes.empty() ? std::string(" (no permissions: it only learns who you are).</p>\n")
                              : std::string(" with these permissions:</p>\n");
  body += "<section>\n";
  if (!form.scopes.empty()) {
    body += "<ul id=\"scopes\">\n";
    for (const auto& s : form.scopes)
      body += "<li><strong>" + esc(s.description) + "</strong> <span class=\"muted\">(" + esc(s.id) + ")</span></li>\n";
    body += "</ul>\n";
  }
  body += "<form method=\"post\" action=\"" + esc(form.action) + "\">\n" + hidden_inputs(form.hidden) +
          "<button type=\"submit\" name=\"decision\" value=\"approve\" autofocus>Approve</button>\n"
          "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button>\n"
          "</form>\n</section>\n";
  if (!form.user_email.empty()) {
    body += "<form method=\"post\" action=\"/logout\">\n<p class=\"muted\">Signed in as " + esc(form.user_email) +
            ". <input type=\"hidden\" name=\"csrf_token\" value=\"" + esc(form.logout_csrf) +
            "\"><button type=\"submit\" class=\"secondary\">Not you? Sign out</button></p>\n</form>\n";
  }
  return layout("Authorize " + form.client_name, body);
}

std::string render_message(std::string_view title, std::string_view message) {
  return layout(title, "<h1>" + esc(title) + "</h1>\n<section>\n<p>" + esc(message) + "</p>\n</section>\n");
}

std::string page_csp(std::span<const std::string> form_targets) {
  std::string action = "'self'";
  for (const auto& t : form_targets)
    if (!t.empty()) action += " " + t;
  return "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action " + action +
         "; frame-ancestors 'none'";
}

std::string csp_source_of(std::string_view uri) {
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  std::string_view scheme = uri.substr(0, colon);
  if (!std::all_of(scheme.begin(), scheme.end(), is_scheme_char)) return {};
  if (scheme != "http" && scheme != "https") return std::string(scheme) + ":";
  std::string_view rest = uri.substr(colon + 1);
  if (!rest.starts_with("//")) return {};
  rest.remove_prefix(2);
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.empty() || !std::all_of(authority.begin(), authority.end(), is_host_char)) return {};
  return std::string(scheme) + "://" + std::string(authority);
}

} // namespace oauth::auth::pages
