#include "common/http/standard_routes.hpp"

#include "common/http/responses.hpp"
#include "common/metrics.hpp"

#include <boost/json/object.hpp>

#include <memory>

namespace oauth::http {
namespace {

asio::awaitable<response> healthz(request_context&) {
  boost::json::object body;
  body["status"] = "ok";
  co_return json_response(status::ok, body);
}

asio::awaitable<response> metrics_page(request_context&) {
  co_return text_response(status::ok, metrics::global().render(), "text/plain; version=0.0.4; charset=utf-8");
}

asio::awaitable<response> readyz(std::shared_ptr<const std::vector<readiness_check>> checks) {
  boost::json::object results;
  bool all_ok = true;
  for (const auto& c : *checks) {
    bool ok = false;
    try {
      ok = co_await c.check();
    } catch (const std::exception&) {
      ok = false;
    }
    results[c.name] = ok ? "ok" : "down";
    all_ok = all_ok && ok;
  }
  boost::json::object body;
  body["status"] = all_ok ? "ok" : "unavailable";
  body["checks"] = std::move(results);
  auto res = json_response(all_ok ? status::ok : status::service_unavailable, body);
  res.set(field::cache_control, "no-store");
  co_return res;
}

} // namespace

void add_standard_routes(router& r, std::vector<readiness_check> checks) {
  auto shared = std::make_shared<const std::vector<readiness_check>>(std::move(checks));
  r.add(verb::get, "/healthz", healthz);
  r.add(verb::get, "/metrics", metrics_page);
  r.add(verb::get, "/readyz", [shared](request_context&) { return readyz(shared); });
}

} // namespace oauth::http
