// Path matching of the router (common/http/router) with the routes both services register.
// Input: one byte choosing the method, then the request path.
// Invariants: a match has the request's method, as many segments as the path, equal literal
// segments and each {param} equal to its percent-decoded segment; a 405's Allow list never
// contains the request's method; split_path rejoined gives the path back.
#include "common/encoding.hpp"
#include "common/http/router.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

using namespace oauth::http;

namespace {

const router& routes() {
  static const router r = [] {
    router out;
    const std::pair<verb, const char*> table[] = {
        {verb::delete_, "/api/posts/{id}"},
        {verb::delete_, "/oauth/personal-access-tokens/{id}"},
        {verb::get, "/.well-known/jwks.json"},
        {verb::get, "/.well-known/oauth-authorization-server"},
        {verb::get, "/api/posts"},
        {verb::get, "/api/posts/{id}"},
        {verb::get, "/healthz"},
        {verb::get, "/metrics"},
        {verb::get, "/oauth/personal-access-tokens"},
        {verb::get, "/oauth/scopes"},
        {verb::get, "/playground"},
        {verb::get, "/playground/app.js"},
        {verb::get, "/readyz"},
        {verb::options, "/api/posts"},
        {verb::options, "/api/posts/{id}"},
        {verb::post, "/api/oauth/logout"},
        {verb::post, "/api/oauth/password/token"},
        {verb::post, "/api/oauth/refresh"},
        {verb::post, "/api/posts"},
        {verb::post, "/oauth/introspect"},
        {verb::post, "/oauth/personal-access-tokens"},
        {verb::post, "/oauth/revoke"},
        {verb::post, "/oauth/token"},
        // Two parameters in one pattern, and a parameter next to a literal.
        {verb::get, "/users/{user}/posts/{id}"},
        {verb::put, "/users/{user}/posts/{id}"},
    };
    for (auto [method, pattern] : table) out.add(method, pattern, nullptr);
    return out;
  }();
  return r;
}

bool is_parameter(std::string_view s) { return s.size() >= 2 && s.front() == '{' && s.back() == '}'; }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr verb methods[] = {verb::get, verb::post, verb::put, verb::delete_, verb::options, verb::head, verb::patch};
  verb method = methods[data[0] % std::size(methods)];
  auto path = oauth::fuzz::as_text(data + 1, size - 1);

  auto parts = split_path(path);
  std::string joined;
  for (auto p : parts) joined += "/" + std::string(p);
  FUZZ_CHECK(joined == (path.starts_with('/') ? path : "/" + std::string(path)));

  auto m = routes().match(method, path);
  if (m.found == nullptr) {
    FUZZ_CHECK(m.params.empty());
    FUZZ_CHECK(std::find(m.allowed.begin(), m.allowed.end(), method) == m.allowed.end());
    return 0;
  }
  FUZZ_CHECK(m.allowed.empty());
  FUZZ_CHECK(m.found->method == method);
  FUZZ_CHECK(m.found->segments.size() == parts.size());
  std::size_t param = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = m.found->segments[i];
    if (!is_parameter(seg)) {
      FUZZ_CHECK(seg == parts[i]);
      continue;
    }
    FUZZ_CHECK(param < m.params.size());
    FUZZ_CHECK(m.params[param].first == std::string_view(seg).substr(1, seg.size() - 2));
    FUZZ_CHECK(!parts[i].empty() && oauth::form_decode(parts[i]) == m.params[param].second);
    ++param;
  }
  FUZZ_CHECK(param == m.params.size());
  return 0;
}
