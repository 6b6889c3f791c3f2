#include "auth-service/oauth/first_party_clients.hpp"

#include "auth-service/oauth/errors.hpp"
#include "common/http/responses.hpp"

namespace oauth::auth {

boost::asio::awaitable<std::optional<http::response>> refuse_unless_first_party(client_store& clients,
                                                                                const bearer_principal& caller) {
  auto found = co_await clients.find(caller.client_id);
  if (!found)
    co_return to_response(make_error(oauth_errc::temporarily_unavailable,
                                     "A backing store is unavailable; retry later.", std::chrono::seconds(1)));
  if (*found && !(*found)->revoked && (*found)->is_first_party()) co_return std::nullopt;
  constexpr std::string_view why = "Only a first-party application's token may use this endpoint.";
  auto res = http::bearer_error_response(http::status::forbidden, "access_denied", why, bearer_realm,
                                         {.error = "insufficient_scope", .description = why, .scope = {}});
  res.set(http::field::cache_control, "no-store");
  co_return res;
}

} // namespace oauth::auth
