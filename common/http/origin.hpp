#pragma once
// Web origins (RFC 6454), as both services compare them: CORS allow-lists, the first-party
// proxy's CSRF checks, the playground's connect-src.
#include <optional>
#include <string>
#include <string_view>

namespace oauth::http {

// "scheme://host[:port]" lower-cased, the scheme's default port dropped (RFC 6454 §6.1), as a
// browser sends it in Origin; nullopt for anything that is not an http(s) URL with a plain
// authority (userinfo, an empty host or port, other characters) and for the opaque "null".
std::optional<std::string> origin_of(std::string_view url);

// "host[:port]" (lower-case) without `scheme`'s default port.
std::string without_default_port(std::string_view authority, std::string_view scheme);

} // namespace oauth::http
