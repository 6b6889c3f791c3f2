#pragma once
// The read side of the posts API: the JSON of a list page or of one post, rendered once per
// database round trip and shared by every request that coalesced on it (coalescer.hpp: a
// request only shares a query that started after it arrived, so nothing is ever stale).
#include "resource-service/coalescer.hpp"
#include "resource-service/posts_store.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>

namespace oauth::resource {

class posts_reader {
public:
  posts_reader(boost::asio::any_io_executor ex, std::shared_ptr<posts_store> store);

  // {"data":[...],"next_cursor":...} of a page, or the storage error.
  boost::asio::awaitable<std::shared_ptr<const pg::result<std::string>>> list(int limit,
                                                                              std::optional<post_cursor> after);
  // The post's JSON; nullopt when there is no such post.
  boost::asio::awaitable<pg::result<std::optional<std::string>>> find(std::int64_t id);

  using list_key = std::tuple<int, bool, std::int64_t, std::int64_t>;  // limit, has cursor, cursor
  using found_posts = pg::result<std::unordered_map<std::int64_t, std::string>>;

private:
  std::shared_ptr<coalescer<list_key, int, pg::result<std::string>>> lists_;
  std::shared_ptr<coalescer<int, std::int64_t, found_posts>> finds_;
};

// The list page body; pure, for tests.
std::string render_page(const post_page& page);

} // namespace oauth::resource
