#pragma once
// The parameters of an OAuth request body, read the way every endpoint must (RFC 6749 §3.1:
// parameters sent without a value are as if omitted, and none may be repeated).
#include "auth-service/oauth/errors.hpp"
#include "common/http/params.hpp"

#include <string_view>
#include <variant>

namespace oauth::auth {

// The body's parameters, or invalid_request for an unreadable body or a repeated parameter.
std::variant<http::body_params, token_error> parse_request_params(std::string_view content_type, std::string_view body);

} // namespace oauth::auth
