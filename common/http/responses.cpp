#include "common/http/responses.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace oauth::http {

response text_response(status s, std::string body, std::string_view content_type) {
  response res{s, 11};
  res.set(field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

response json_response(status s, const boost::json::value& body) {
  return text_response(s, boost::json::serialize(body), "application/json");
}

response json_response(status s, const boost::json::object& body) {
  return text_response(s, boost::json::serialize(body), "application/json");
}

response empty_response(status s) {
  response res{s, 11};
  res.prepare_payload();
  return res;
}

response error_response(status s, std::string_view code, std::string_view description) {
  boost::json::object body;
  body["error"] = code;
  body["error_description"] = description;
  return json_response(s, body);
}

} // namespace oauth::http
