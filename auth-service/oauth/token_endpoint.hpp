#pragma once
// POST /oauth/token (RFC 6749 §3.2): parse, authenticate the client, dispatch to the grant,
// answer. The rules live in the grants and in client_authentication; this stays thin.
//
// Steps and their errors:
//  1. body: form (RFC 6749 §3.2) or JSON (a convenience) → invalid_request when malformed;
//     any parameter sent twice → invalid_request (§3.1).
//  2. grant_type missing → invalid_request; not one we serve → unsupported_grant_type
//     (before any store is touched: junk costs nothing).
//  3. client authentication (client_authentication.hpp) → invalid_client / invalid_request / 503.
//  4. the client's registration must include the grant → unauthorized_client; a public client
//     only where the grant accepts one → unauthorized_client.
//  5. the grant → token response or error; every response has Cache-Control: no-store.
#include "auth-service/oauth/grant.hpp"
#include "auth-service/storage/client_store.hpp"
#include "common/http/request_context.hpp"

#include <boost/asio/awaitable.hpp>

#include <array>
#include <memory>
#include <string_view>
#include <vector>

namespace oauth::metrics {
class counter;
}

namespace oauth::auth {

struct token_request_input {
  std::string_view content_type;
  std::string_view authorization;
  std::string_view body;
  std::string_view remote_address;
  std::int64_t now = 0;
};

class token_endpoint {
public:
  // The grants are not owned; they must outlive the endpoint.
  token_endpoint(client_store& clients, std::vector<grant_handler*> grants);

  boost::asio::awaitable<grant_result> process(const token_request_input& in);
  // The route handler.
  boost::asio::awaitable<http::response> handle(http::request_context& ctx);

private:
  grant_handler* find_grant(std::string_view type) const noexcept;
  boost::asio::awaitable<grant_result> dispatch(const token_request_input& in, grant_handler*& chosen);
  void count(const grant_result& r, const grant_handler* grant);

  client_store& clients_;
  std::vector<grant_handler*> grants_;
  std::vector<metrics::counter*> issued_;           // parallel to grants_
  std::array<metrics::counter*, 9> errors_{};       // by oauth_errc
};

} // namespace oauth::auth
