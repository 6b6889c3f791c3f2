#include "resource-service/posts_reader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace oauth::resource {
namespace json = boost::json;

namespace {

boost::asio::awaitable<pg::result<std::string>> fetch_page(std::shared_ptr<posts_store> store,
                                                           posts_reader::list_key key, std::vector<int>) {
  auto [limit, has_cursor, created_us, id] = key;
  std::optional<post_cursor> after;
  if (has_cursor) after = post_cursor{created_us, id};
  auto page = co_await store->list(limit, after);
  if (!page) co_return page.error();
  co_return render_page(*page);
}

boost::asio::awaitable<posts_reader::found_posts> fetch_posts(std::shared_ptr<posts_store> store,
                                                              std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto found = co_await store->find_many(std::move(ids));
  if (!found) co_return found.error();
  std::unordered_map<std::int64_t, std::string> out;
  for (const auto& p : *found) out.emplace(p.id, json::serialize(to_json(p)));
  co_return out;
}

} // namespace

std::string render_page(const post_page& page) {
  json::array data;
  data.reserve(page.posts.size());
  for (const auto& p : page.posts) data.emplace_back(to_json(p));
  json::object body;
  body["data"] = std::move(data);
  body["next_cursor"] = page.next ? json::value(encode_cursor(*page.next)) : json::value(nullptr);
  return json::serialize(body);
}

posts_reader::posts_reader(boost::asio::any_io_executor ex, std::shared_ptr<posts_store> store) {
  lists_ = std::make_shared<coalescer<list_key, int, pg::result<std::string>>>(
      ex, [store](const list_key& key, std::vector<int> items) { return fetch_page(store, key, std::move(items)); });
  finds_ = std::make_shared<coalescer<int, std::int64_t, found_posts>>(
      ex, [store](const int&, std::vector<std::int64_t> ids) { return fetch_posts(store, std::move(ids)); });
}

boost::asio::awaitable<std::shared_ptr<const pg::result<std::string>>> posts_reader::list(
    int limit, std::optional<post_cursor> after) {
  list_key key{limit, after.has_value(), after ? after->created_us : 0, after ? after->id : 0};
  co_return co_await lists_->submit(key, 0);
}

boost::asio::awaitable<pg::result<std::optional<std::string>>> posts_reader::find(std::int64_t id) {
  auto found = co_await finds_->submit(0, id);
  if (!*found) co_return found->error();
  auto it = (*found)->find(id);
  if (it == (*found)->end()) co_return std::optional<std::string>();
  co_return std::optional<std::string>(it->second);
}

} // namespace oauth::resource
