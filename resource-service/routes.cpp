#include "resource-service/routes.hpp"

#include "resource-service/bearer.hpp"
#include "resource-service/posts_handlers.hpp"

namespace oauth::resource {
namespace {

using http::verb;

asio::awaitable<http::response> cors_wrapped(http::request_context& ctx, std::shared_ptr<const cors_policy> cors,
                                             std::shared_ptr<const http::handler> next) {
  auto res = co_await (*next)(ctx);
  cors->decorate(res, ctx.header(http::field::origin));
  co_return res;
}

asio::awaitable<http::response> preflight(http::request_context& ctx, std::shared_ptr<const cors_policy> cors,
                                          std::string_view methods) {
  co_return cors->preflight(ctx.header(http::field::origin), ctx.header(http::field::access_control_request_method),
                            methods);
}

// Binds a handler taking the store (the handlers are plain coroutine functions, so nothing
// captured by a coroutine lambda can dangle).
template <auto Fn, class Dependency>
http::handler bind_handler(std::shared_ptr<Dependency> dep) {
  return [dep](http::request_context& ctx) { return Fn(ctx, dep); };
}

} // namespace

http::handler with_cors(std::shared_ptr<const cors_policy> cors, http::handler next) {
  auto inner = std::make_shared<const http::handler>(std::move(next));
  return [cors, inner](http::request_context& ctx) { return cors_wrapped(ctx, cors, inner); };
}

void add_api_routes(http::router& r, const api_parts& p) {
  const auto read = scope_rule::all_of({scopes::read_posts});
  const auto write = scope_rule::all_of({scopes::write_posts});
  const auto admin = scope_rule::all_of({scopes::admin});
  auto api = [&](scope_rule rule, http::handler h) {
    return with_cors(p.cors, require_scopes(p.keys, std::move(rule), std::move(h), p.revoked));
  };

  r.add(verb::get, "/api/posts", api(read, bind_handler<list_posts>(p.reader)));
  r.add(verb::post, "/api/posts", api(write, bind_handler<create_post>(p.store)),
        http::route_options{.max_body_bytes = max_request_bytes});
  r.add(verb::get, "/api/posts/{id}", api(read, bind_handler<get_post>(p.reader)));
  r.add(verb::delete_, "/api/posts/{id}", api(admin, bind_handler<delete_post>(p.store)));

  // CORS preflights carry no token (Fetch standard, "CORS-preflight request").
  auto cors = p.cors;
  r.add(verb::options, "/api/posts", [cors](http::request_context& ctx) { return preflight(ctx, cors, "GET, POST"); });
  r.add(verb::options, "/api/posts/{id}",
        [cors](http::request_context& ctx) { return preflight(ctx, cors, "GET, DELETE"); });
}

} // namespace oauth::resource
