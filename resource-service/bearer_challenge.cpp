#include "resource-service/bearer_challenge.hpp"

#include "common/http/responses.hpp"


namespace oauth::resource {
namespace {

http::response with_challenge(http::status s, std::string_view code, std::string_view description,
                              const challenge& c) {
  return http::bearer_error_response(s, code, description, realm, c);
}

} // namespace

http::response missing_token_response() {
  return with_challenge(http::status::unauthorized, "unauthorized", "a bearer access token is required", {});
}

http::response invalid_token_response(std::string_view description) {
  return with_challenge(http::status::unauthorized, "invalid_token", description,
                        {.error = "invalid_token", .description = description, .scope = {}});
}

http::response insufficient_scope_response(const scope_rule& rule) {
  std::string needed = rule.challenge();
  std::string description = (rule.match == scope_rule::kind::any_of && rule.required.size() > 1
                                 ? "the access token needs one of the scopes: "
                                 : "the access token needs the scope: ") +
                            needed;
  return with_challenge(http::status::forbidden, "insufficient_scope", description,
                        {.error = "insufficient_scope", .description = description, .scope = needed});
}

http::response keys_unavailable_response() {
  auto res = http::error_response(http::status::service_unavailable, "temporarily_unavailable",
                                  "token verification keys are not loaded yet");
  res.set(http::field::retry_after, "1");
  return res;
}

http::response revocations_unavailable_response() {
  auto res = http::error_response(http::status::service_unavailable, "temporarily_unavailable",
                                  "the revocation list is not loaded yet");
  res.set(http::field::retry_after, "1");
  return res;
}

} // namespace oauth::resource
