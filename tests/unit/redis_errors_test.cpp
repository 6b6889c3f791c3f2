#include "common/redis/errors.hpp"

#include <doctest/doctest.h>

#include <boost/system/result.hpp>

#include <set>
#include <string>

using oauth::redis::errc;

TEST_CASE("redis errors: codes convert implicitly and carry their own category") {
  boost::system::error_code ec = errc::timeout;
  CHECK(ec == errc::timeout);
  CHECK(ec != errc::not_connected);
  CHECK(ec.category() == oauth::redis::category());
  CHECK(std::string(ec.category().name()) == "oauth.redis");
  CHECK(ec.message() == "redis command timed out");
  CHECK(static_cast<bool>(ec));
  // Not confused with the generic category's value 2.
  CHECK(ec != boost::system::errc::no_such_file_or_directory);
}

TEST_CASE("redis errors: every code has a distinct message") {
  std::set<std::string> seen;
  for (errc e : {errc::not_connected, errc::timeout, errc::connection_lost, errc::protocol_error, errc::stopped,
                 errc::invalid_argument}) {
    auto m = make_error_code(e).message();
    CHECK(m != "unknown redis error");
    CHECK(seen.insert(m).second);
  }
  CHECK(oauth::redis::category().message(0) == "unknown redis error");
}

TEST_CASE("redis errors: a result holds an error code made from errc") {
  boost::system::result<int> r = boost::system::error_code(errc::connection_lost);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::connection_lost);
}
