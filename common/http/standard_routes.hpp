#pragma once
// GET /healthz, GET /readyz and GET /metrics, the same on both services.
#include "common/http/router.hpp"

#include <functional>
#include <string>
#include <vector>

namespace oauth::http {

struct readiness_check {
  std::string name;  // "postgres", "redis", ...
  std::function<asio::awaitable<bool>()> check;
};

// /readyz answers 200 {"status":"ok","checks":{name:"ok"}} when every check passes,
// 503 {"status":"unavailable","checks":{name:"ok"|"down"}} otherwise.
void add_standard_routes(router& r, std::vector<readiness_check> checks);

} // namespace oauth::http
