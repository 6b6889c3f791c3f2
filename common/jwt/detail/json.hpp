#pragma once
// Strict JSON for JOSE (internal): RFC 8259 only (no comments, no trailing commas, valid UTF-8),
// bounded nesting, and a member name repeated in any object is an error. RFC 7515 §4 lets a
// parser either reject duplicates or take the last; Boost.JSON silently takes the last, which
// would let {"alg":"none","alg":"RS256"} mean different things to different parsers. We reject.
#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace oauth::jwt::detail {

// The document must be a JSON object; nullopt otherwise.
std::optional<boost::json::object> parse_object(std::string_view text);

} // namespace oauth::jwt::detail
