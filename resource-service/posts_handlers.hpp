#pragma once
// The posts handlers: parse the request, call the rules in post.hpp, call storage, answer.
// They run behind require_scopes (bearer.hpp), so the caller is known.
#include "common/http/request_context.hpp"
#include "common/pg/errors.hpp"
#include "resource-service/posts_reader.hpp"
#include "resource-service/posts_store.hpp"

#include <memory>

namespace oauth::resource {

namespace asio = boost::asio;

asio::awaitable<http::response> list_posts(http::request_context& ctx, std::shared_ptr<posts_reader> reader);
asio::awaitable<http::response> get_post(http::request_context& ctx, std::shared_ptr<posts_reader> reader);
asio::awaitable<http::response> create_post(http::request_context& ctx, std::shared_ptr<posts_store> store);
asio::awaitable<http::response> delete_post(http::request_context& ctx, std::shared_ptr<posts_store> store);

// 503 temporarily_unavailable while PostgreSQL is unreachable; 500 for anything else.
http::response storage_error_response(const pg::error& e, std::string_view request_id);

} // namespace oauth::resource
