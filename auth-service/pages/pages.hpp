#pragma once
// The auth service's HTML pages for people (../shared/CONTRACT.md, "Users in the browser"):
// login, consent and a message page, rendered on the server. Pure: strings in, HTML out.
//
// Decisions:
//  - Usable without JavaScript, and there is none: plain forms, labels on every input, the
//    first field focused by `autofocus`, buttons in reading order (focus order = DOM order).
//  - The look is the playground's (its stylesheet, /playground/style.css): one style for
//    every page of the service, and no inline style (the CSP forbids it).
//  - Everything interpolated is HTML-escaped, attribute values included.
//  - The consent page lays out what the device grant will reuse: a title, who asks, the scope
//    list, a form with hidden inputs and the approve/deny buttons, posting to a given action.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth::pages {

struct hidden_field {
  std::string name;
  std::string value;
};

struct login_form {
  std::string email;    // pre-filled after a failed attempt
  std::string message;  // shown above the form (wrong credentials, throttled...); "" for none
  std::vector<hidden_field> hidden;  // the CSRF token and return_to
};
std::string render_login(const login_form& form);

struct consent_scope {
  std::string id;
  std::string description;
};

struct consent_form {
  std::string client_name;
  std::string user_email;  // who is approving ("Signed in as ...")
  std::vector<consent_scope> scopes;
  std::string action;  // where the form posts: /oauth/authorize (the device grant: /oauth/device)
  std::vector<hidden_field> hidden;
  std::string logout_csrf;  // the session's CSRF token, for the "not you?" logout form
};
std::string render_consent(const consent_form& form);

// A page with a title and one paragraph (errors that must not redirect, device results).
std::string render_message(std::string_view title, std::string_view message);

// The Content-Security-Policy of these pages. `form_targets`: sources the page's forms may
// submit to besides 'self' (CSP form-action also governs the redirects that follow a
// submission, so the consent page lists the client's redirect URI origin).
std::string page_csp(std::span<const std::string> form_targets = {});

// The CSP source for a redirect URI: "https://app.example:8443" for http(s), "com.example.app:"
// for a private-use scheme; "" when the URI has nothing safe to name (then nothing is added).
std::string csp_source_of(std::string_view redirect_uri);

} // namespace oauth::auth::pages
