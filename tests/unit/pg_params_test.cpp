#include "common/pg/errors.hpp"
#include "common/pg/params.hpp"

#include <doctest/doctest.h>

#include <boost/system/system_error.hpp>

namespace pg = oauth::pg;

TEST_CASE("args() turns values into text parameters, nullopt into NULL") {
  std::string owned = "owned";
  std::optional<std::string> maybe;
  auto p = pg::args("text", std::string_view("view"), owned, std::nullopt, maybe, 42, -7L, true, false);
  REQUIRE(p.size() == 9);
  CHECK(p[0] == "text");
  CHECK(p[1] == "view");
  CHECK(p[2] == "owned");
  CHECK_FALSE(p[3]);
  CHECK_FALSE(p[4]);
  CHECK(p[5] == "42");
  CHECK(p[6] == "-7");
  CHECK(p[7] == "true");
  CHECK(p[8] == "false");
  CHECK(pg::args().empty());
}

TEST_CASE("bytea_hex: every byte, NUL included, in bytea's hex input form") {
  CHECK(pg::bytea_hex("") == "\\x");
  CHECK(pg::bytea_hex(std::string("a\0\xff", 3)) == "\\x6100ff");
}

TEST_CASE("errors: codes, category and SQLSTATE") {
  boost::system::error_code ec = pg::errc::pool_timeout;
  CHECK(ec.category().name() == std::string("oauth.pg"));
  CHECK(ec == pg::errc::pool_timeout);
  CHECK(ec != pg::errc::timeout);
  CHECK_FALSE(ec.message().empty());

  auto e = pg::make_error(pg::errc::query_failed, "duplicate key", "23505");
  CHECK(e.is(pg::errc::query_failed));
  CHECK(e.is_unique_violation());

  pg::result<int> r = e;
  REQUIRE_FALSE(r);
  CHECK(r.error().sqlstate == "23505");
  CHECK_THROWS_AS(r.value(), boost::system::system_error);
}
