#include "auth-service/oauth/authorized_clients.hpp"

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "auth-service/oauth/errors.hpp"
#include "auth-service/oauth/first_party_clients.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>

namespace oauth::auth {
namespace {

http::response unavailable() {
  return to_response(make_error(oauth_errc::temporarily_unavailable, "A backing store is unavailable; retry later.",
                                std::chrono::seconds(1)));
}

struct listed {
  std::string name;
  std::vector<std::string> scopes;
  std::int64_t authorized_at = 0;
};

void add_scopes(std::vector<std::string>& into, const std::vector<std::string>& more) {
  for (const auto& s : more)
    if (std::find(into.begin(), into.end(), s) == into.end()) into.push_back(s);
}

} // namespace

boost::asio::awaitable<http::response> authorized_clients_endpoint::list(http::request_context& ctx) {
  auto who = deps_.verifier.authenticate(ctx.header(http::field::authorization));
  if (auto* r = std::get_if<http::response>(&who)) co_return std::move(*r);
  const auto& caller = std::get<bearer_principal>(who);
  if (!caller.has_user()) co_return bearer_forbidden_response("A client-credentials token has no user.");
  if (auto refused = co_await refuse_unless_first_party(deps_.clients, caller)) co_return std::move(*refused);

  auto consents = co_await deps_.consents.list(caller.sub);
  if (!consents) co_return unavailable();
  auto families = co_await deps_.families.live_clients(caller.sub);
  if (!families) co_return unavailable();

  std::map<std::string, listed> by_client;
  for (auto& c : *consents) by_client[c.client_id] = listed{c.name, c.scopes, c.granted_at};
  for (auto& f : *families) {
    auto it = by_client.find(f.client_id);
    if (it == by_client.end()) {
      // Only a family: the client's name (and whether it is still live) from the client store.
      auto found = co_await deps_.clients.find(f.client_id);
      if (!found) co_return unavailable();
      if (!*found || (*found)->revoked) continue;
      by_client[f.client_id] = listed{(*found)->name, f.scopes, f.first_issued_at};
    } else {
      add_scopes(it->second.scopes, f.scopes);
      it->second.authorized_at = std::min(it->second.authorized_at, f.first_issued_at);
    }
  }

  std::vector<std::pair<std::string, listed>> ordered(by_client.begin(), by_client.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.second.authorized_at < b.second.authorized_at; });
  boost::json::array data;
  for (auto& [id, l] : ordered) {
    boost::json::array scopes;
    for (auto& s : l.scopes) scopes.emplace_back(s);
    data.push_back(boost::json::object{{"client_id", id},
                                       {"name", l.name},
                                       {"scopes", std::move(scopes)},
                                       {"authorized_at", format_rfc3339(l.authorized_at)}});
  }
  http::response res{http::status::ok, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.body() = boost::json::serialize(boost::json::object{{"data", std::move(data)}});
  res.prepare_payload();
  co_return res;
}

boost::asio::awaitable<http::response> authorized_clients_endpoint::remove(http::request_context& ctx) {
  auto who = deps_.verifier.authenticate(ctx.header(http::field::authorization));
  if (auto* r = std::get_if<http::response>(&who)) co_return std::move(*r);
  const auto& caller = std::get<bearer_principal>(who);
  if (!caller.has_user()) co_return bearer_forbidden_response("A client-credentials token has no user.");
  if (auto refused = co_await refuse_unless_first_party(deps_.clients, caller)) co_return std::move(*refused);

  const std::string client_id(ctx.param("client_id"));
  auto forgotten = co_await deps_.consents.forget(caller.sub, client_id);
  if (!forgotten) co_return unavailable();
  auto revoked = co_await deps_.families.revoke_user_client(caller.sub, client_id, unix_now());
  if (!revoked) co_return unavailable();
  log::info("authorized client removed by the user",
            {{"user_id", caller.sub}, {"client_id", client_id}, {"families_revoked", *revoked}});
  http::response res{http::status::no_content, 11};
  res.set(http::field::cache_control, "no-store");
  co_return res;
}

void add_authorized_clients_routes(http::router& r, authorized_clients_endpoint& endpoint) {
  r.add(http::verb::get, "/oauth/authorized-clients",
        [e = &endpoint](http::request_context& ctx) { return e->list(ctx); });
  r.add(http::verb::delete_, "/oauth/authorized-clients/{client_id}",
        [e = &endpoint](http::request_context& ctx) { return e->remove(ctx); });
}

} // namespace oauth::auth
