#pragma once
// Redirect URIs: which may be registered (authctl client create --redirect-uri) and whether a
// presented one is a registered one (../shared/CONTRACT.md, "GET /oauth/authorize", step 1).
//
// Decisions, at registration:
//  - An absolute URI (RFC 3986 §4.3): a scheme, then ':'. No fragment (RFC 6749 §3.1.2), at
//    most 2000 characters, and only characters a URI may hold (RFC 3986 §2: printable ASCII
//    without space, '"', '<', '>', '\', '^', '`', '{', '|', '}'; every '%' starts %HH). NUL,
//    other control characters, spaces and raw non-ASCII bytes are refused, each with its reason.
//  - The scheme is written in lowercase (its canonical form, RFC 3986 §3.1): matching is
//    byte-for-byte, so one spelling is registered and the "is it http?" checks below cannot be
//    dodged with "HTTP:".
//  - https anywhere. http only for a loopback host spelled exactly 127.0.0.1, [::1] or
//    localhost (RFC 9700 §2.6: no cleartext redirects; RFC 8252 §7.3 for native apps). http(s)
//    URIs need a host, a port (when given) of 1..65535, and no userinfo (RFC 9110 §4.2.4
//    deprecates it, and "http://127.0.0.1@evil.example" reads as loopback but is not).
//  - Any other scheme is a private-use scheme (RFC 8252 §7.1) and must be a reverse domain
//    name, so it contains a '.': com.example.app:/cb. That also keeps out javascript:, data:,
//    file: and the like, which no authorization server should ever redirect to.
//
// Decisions, at matching (RFC 9700 §4.1.3, RFC 6749 §3.1.2.3):
//  - Exact byte-for-byte equality: no case folding, no normalisation, no prefix or pattern.
//  - One exception, RFC 8252 §7.3: a registered http URI whose host is exactly 127.0.0.1 or
//    [::1] matches a presented URI that differs from it only in the port (present or not,
//    any port 1..65535), since a native app gets its loopback port from the OS at run time.
//    localhost gets no such exemption (RFC 8252 §8.3 advises against it: it may resolve
//    elsewhere). Userinfo on either side disables the exemption.
//  - A presented URI containing '#' or NUL never matches (nothing registered holds either).
#include <optional>
#include <string>
#include <string_view>

namespace oauth::auth {

inline constexpr std::size_t max_redirect_uri_length = 2000;

// nullopt when `uri` may be registered; otherwise why not, in a sentence for the operator.
std::optional<std::string> registered_redirect_uri_problem(std::string_view uri);

// Does the redirect_uri of a request designate the registered one? See the decisions above.
bool redirect_uri_matches(std::string_view registered, std::string_view presented) noexcept;

} // namespace oauth::auth
