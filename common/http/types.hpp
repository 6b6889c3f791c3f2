#pragma once
// The request and response types every handler sees.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/field.hpp>

namespace oauth::http {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

using verb = beast_http::verb;
using status = beast_http::status;
using field = beast_http::field;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;

} // namespace oauth::http
