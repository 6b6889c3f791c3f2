#pragma once
// A list of scopes as one space-separated string (RFC 6749 §3.3), the form in which tokens,
// sealed codes and stored records carry it. Validation of what a client asks for is not
// here: auth-service/oauth/scopes.hpp (parse_scope) is strict; this reads back what we wrote.
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

std::string join_scope_list(const std::vector<std::string>& scopes);
// Empty items (doubled or edge spaces) are skipped; "" → no scopes.
std::vector<std::string> split_scope_list(std::string_view joined);

} // namespace oauth
