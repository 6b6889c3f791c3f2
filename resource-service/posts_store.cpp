#include "resource-service/posts_store.hpp"

#include "common/pg/params.hpp"
#include "common/pg/pool.hpp"

#include <charconv>

namespace oauth::resource {
namespace {

// created_at/updated_at as integer microseconds: extract() is exact numeric in PostgreSQL 14+.
#define POST_COLUMNS                                                                     \
  "id, title, body, author_sub, author_client_id, "                                      \
  "(extract(epoch from created_at) * 1000000)::bigint, (extract(epoch from updated_at) * 1000000)::bigint"

std::int64_t to_int(std::optional<std::string_view> text) {
  std::int64_t v = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

std::string to_string(std::optional<std::string_view> text) { return text ? std::string(*text) : std::string(); }

post read_post(const pg::rows& r, int row) {
  post p;
  p.id = to_int(r.get(row, 0));
  p.title = to_string(r.get(row, 1));
  p.body = to_string(r.get(row, 2));
  p.author_sub = to_string(r.get(row, 3));
  p.author_client_id = to_string(r.get(row, 4));
  p.created_us = to_int(r.get(row, 5));
  p.updated_us = to_int(r.get(row, 6));
  return p;
}

} // namespace

boost::asio::awaitable<pg::result<post>> posts_store::create(const new_post& p, std::string_view author_sub,
                                                             std::string_view author_client_id) {
  auto r = co_await db_.query(
      "INSERT INTO posts (title, body, author_sub, author_client_id) VALUES ($1, $2, $3, $4) RETURNING " POST_COLUMNS,
      pg::args(p.title, p.body, author_sub, author_client_id));
  if (!r) co_return r.error();
  co_return read_post(*r, 0);
}

boost::asio::awaitable<pg::result<std::optional<post>>> posts_store::find(std::int64_t id) {
  auto r = co_await db_.query("SELECT " POST_COLUMNS " FROM posts WHERE id = $1", pg::args(id));
  if (!r) co_return r.error();
  if (r->empty()) co_return std::optional<post>();
  co_return std::optional<post>(read_post(*r, 0));
}

boost::asio::awaitable<pg::result<std::vector<post>>> posts_store::find_many(std::vector<std::int64_t> ids) {
  std::string array = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) array += ',';
    array += std::to_string(ids[i]);
  }
  array += '}';
  auto r = co_await db_.query("SELECT " POST_COLUMNS " FROM posts WHERE id = ANY($1::bigint[])", pg::args(array));
  if (!r) co_return r.error();
  std::vector<post> out;
  out.reserve(static_cast<std::size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) out.push_back(read_post(*r, i));
  co_return out;
}

boost::asio::awaitable<pg::result<post_page>> posts_store::list(int limit, std::optional<post_cursor> after) {
  // One row more than asked tells whether another page follows.
  pg::result<pg::rows> r = pg::make_error(pg::errc::closed);
  if (after) {
    r = co_await db_.query("SELECT " POST_COLUMNS " FROM posts "
                           "WHERE (created_at, id) < ('epoch'::timestamptz + $1::bigint * interval '1 microsecond', $2::bigint) "
                           "ORDER BY created_at DESC, id DESC LIMIT $3",
                           pg::args(after->created_us, after->id, limit + 1));
  } else {
    r = co_await db_.query("SELECT " POST_COLUMNS " FROM posts ORDER BY created_at DESC, id DESC LIMIT $1",
                           pg::args(limit + 1));
  }
  if (!r) co_return r.error();
  post_page page;
  int n = std::min(r->size(), limit);
  page.posts.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) page.posts.push_back(read_post(*r, i));
  if (r->size() > limit && !page.posts.empty())
    page.next = post_cursor{page.posts.back().created_us, page.posts.back().id};
  co_return page;
}

boost::asio::awaitable<pg::result<bool>> posts_store::remove(std::int64_t id) {
  auto r = co_await db_.query("DELETE FROM posts WHERE id = $1", pg::args(id));
  if (!r) co_return r.error();
  co_return r->affected_rows() > 0;
}

} // namespace oauth::resource
