#pragma once
// Posts in PostgreSQL (migrations/V001__create_posts.sql). Prepared-statement parameters only.
#include "common/pg/errors.hpp"
#include "resource-service/cursor.hpp"
#include "resource-service/post.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <vector>

namespace oauth::pg {
class pool;
}

namespace oauth::resource {

struct post_page {
  std::vector<post> posts;
  std::optional<post_cursor> next;  // set when more posts follow
};

class posts_store {
public:
  explicit posts_store(pg::pool& db) : db_(db) {}

  boost::asio::awaitable<pg::result<post>> create(const new_post& p, std::string_view author_sub,
                                                  std::string_view author_client_id);
  boost::asio::awaitable<pg::result<std::optional<post>>> find(std::int64_t id);
  // The posts among `ids` that exist, in no particular order.
  boost::asio::awaitable<pg::result<std::vector<post>>> find_many(std::vector<std::int64_t> ids);
  // Newest first; the posts strictly after `after` in that order.
  boost::asio::awaitable<pg::result<post_page>> list(int limit, std::optional<post_cursor> after);
  // false when no such post.
  boost::asio::awaitable<pg::result<bool>> remove(std::int64_t id);

private:
  pg::pool& db_;
};

} // namespace oauth::resource
