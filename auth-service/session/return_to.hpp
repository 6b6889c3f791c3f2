#pragma once
// Where POST /login sends the browser back to (../shared/CONTRACT.md, "Login session": only a
// path on this service; anything else becomes "/"). An open redirect here would let a phishing
// link pass through our login page on its way elsewhere (RFC 9700 §4.11).
//
// Decisions (a value failing any of them becomes "/"):
//  - A path-absolute reference on this origin: it starts with exactly one '/', and the second
//    character is neither '/' nor '\' ("//evil.example" is a network-path reference; browsers
//    read '\' as '/'). So no scheme can appear: "https://…" and "javascript:…" fail the first
//    character, and a ':' after the leading '/' (a path or query character) is harmless.
//  - Only printable ASCII, 0x21..0x7E, and no '\' anywhere: no NUL, no control characters
//    (browsers drop tab, CR and LF from URLs, so "/\t/evil" would become "//evil"; CR LF would
//    also split the Location header), no spaces, no raw non-ASCII. Our own request targets are
//    percent-encoded and never need any of these.
//  - Every '%' starts a %HH escape (either case). The path (up to the first '?' or '#'),
//    percent-decoded once, must still start with exactly one '/' and hold no control
//    character and no '\': "/%2F/evil", "/%5Cevil" and "/%09/evil" are refused, in case
//    anything between here and the browser decodes them. The query is not decoded: it carries
//    the client's opaque `state`, which may hold anything.
//  - At most 2048 characters (max_return_to_length); "" → "/".
#include <string>
#include <string_view>

namespace oauth::auth {

inline constexpr std::size_t max_return_to_length = 2048;

// `value` when it is a safe local path on this service (see the decisions above), else "/".
std::string sanitize_return_to(std::string_view value);

} // namespace oauth::auth
