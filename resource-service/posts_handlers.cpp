#include "resource-service/posts_handlers.hpp"

#include "common/http/responses.hpp"
#include "common/log.hpp"
#include "resource-service/bearer.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace oauth::resource {
namespace json = boost::json;

namespace {

http::response not_found() { return http::error_response(http::status::not_found, "not_found", "no such post"); }

} // namespace

http::response storage_error_response(const pg::error& e, std::string_view request_id) {
  if (e.is(pg::errc::connect_failed) || e.is(pg::errc::connection_lost) || e.is(pg::errc::timeout) ||
      e.is(pg::errc::pool_timeout)) {
    log::warn("database unavailable", {{"request_id", request_id}, {"error", e.code.message()}});
    auto res = http::error_response(http::status::service_unavailable, "temporarily_unavailable",
                                    "the database is unavailable; retry later");
    res.set(http::field::retry_after, "1");
    return res;
  }
  log::error("database error", {{"request_id", request_id}, {"error", e.code.message()}, {"sqlstate", e.sqlstate}});
  return http::error_response(http::status::internal_server_error, "server_error", "internal error");
}

asio::awaitable<http::response> list_posts(http::request_context& ctx, std::shared_ptr<posts_reader> reader) {
  auto parsed = parse_list_query(ctx.query);
  if (auto err = std::get_if<std::string>(&parsed))
    co_return http::error_response(http::status::bad_request, "invalid_request", *err);
  auto& q = std::get<list_query>(parsed);
  std::optional<post_cursor> after;
  if (q.cursor) {
    after = decode_cursor(*q.cursor);
    if (!after) co_return http::error_response(http::status::bad_request, "invalid_request", "invalid cursor");
  }
  auto page = co_await reader->list(q.limit, after);
  if (!*page) co_return storage_error_response(page->error(), ctx.request_id);
  co_return http::text_response(http::status::ok, **page, "application/json");
}

asio::awaitable<http::response> get_post(http::request_context& ctx, std::shared_ptr<posts_reader> reader) {
  auto id = parse_post_id(ctx.param("id"));
  if (!id) co_return not_found();
  auto found = co_await reader->find(*id);
  if (!found) co_return storage_error_response(found.error(), ctx.request_id);
  if (!*found) co_return not_found();
  co_return http::text_response(http::status::ok, std::move(**found), "application/json");
}

asio::awaitable<http::response> create_post(http::request_context& ctx, std::shared_ptr<posts_store> store) {
  auto parsed = parse_new_post(ctx.header(http::field::content_type), ctx.req.body());
  if (auto err = std::get_if<request_error>(&parsed)) co_return http::error_response(err->status, err->error, err->description);
  if (auto invalid = std::get_if<field_errors>(&parsed))
    co_return http::json_response(http::status::unprocessable_entity, errors_body(*invalid));
  const auto& who = principal_of(ctx);
  auto created = co_await store->create(std::get<new_post>(parsed), who.sub, who.client_id);
  if (!created) co_return storage_error_response(created.error(), ctx.request_id);
  auto res = http::json_response(http::status::created, to_json(*created));
  res.set(http::field::location, "/api/posts/" + std::to_string(created->id));
  co_return res;
}

asio::awaitable<http::response> delete_post(http::request_context& ctx, std::shared_ptr<posts_store> store) {
  auto id = parse_post_id(ctx.param("id"));
  if (!id) co_return not_found();
  auto removed = co_await store->remove(*id);
  if (!removed) co_return storage_error_response(removed.error(), ctx.request_id);
  if (!*removed) co_return not_found();
  co_return http::empty_response(http::status::no_content);
}

} // namespace oauth::resource
