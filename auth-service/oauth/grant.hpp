#pragma once
// One interface for every grant at the token endpoint (RFC 6749 §4.3, §4.4, §6); one file
// per grant, each depending only on the narrow stores it needs.
#include "auth-service/domain/models.hpp"
#include "auth-service/oauth/errors.hpp"
#include "common/http/params.hpp"
#include "common/http/types.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace oauth::auth {

// RFC 6749 §5.1 successful response.
struct token_response {
  std::string access_token;
  std::int64_t expires_in = 0;
  std::optional<std::string> refresh_token;
  std::vector<std::string> scopes;
};

// {"token_type":"Bearer","expires_in",…,"access_token",…[,"refresh_token"],"scope"} with no-store.
http::response to_response(const token_response& t);

struct grant_request {
  const http::body_params& params;
  const client& caller;             // already authenticated
  std::string_view remote_address;  // the peer's IP (throttling key)
  std::int64_t now = 0;             // unix seconds
};

using grant_result = std::variant<token_response, token_error>;

class grant_handler {
public:
  virtual ~grant_handler() = default;
  // The grant_type value (RFC 6749 §4.3.2, §4.4.2, §6).
  virtual std::string_view grant_type() const noexcept = 0;
  // Whether a public client (client_id only) may use this grant: the grant catalogue says.
  bool accepts_public_clients() const noexcept {
    const auto* g = catalogue::find_grant(grant_type());
    return g != nullptr && g->public_clients;
  }
  // Client registration decides (unauthorized_client otherwise).
  virtual bool registered_for(const client& c) const noexcept { return c.allows_grant(grant_type()); }
  virtual boost::asio::awaitable<grant_result> handle(const grant_request& request) = 0;
};

// The 503 every grant returns when a store fails.
token_error store_unavailable();

} // namespace oauth::auth
