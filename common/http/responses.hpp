#pragma once
// Response builders. The server adds keep-alive, X-Request-Id and Server headers.
#include "common/http/types.hpp"

#include <boost/json/fwd.hpp>

#include <string_view>

namespace oauth::http {

response json_response(status s, const boost::json::value& body);
response json_response(status s, const boost::json::object& body);
response text_response(status s, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
response empty_response(status s);
// {"error": code, "error_description": description}
response error_response(status s, std::string_view code, std::string_view description);

} // namespace oauth::http
