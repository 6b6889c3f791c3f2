#include "common/pg/migration_plan.hpp"

#include <doctest/doctest.h>

#include <array>
#include <stdexcept>

using oauth::embedded_file;
namespace pg = oauth::pg;

TEST_CASE("migration file names: V<version>__<description>.sql") {
  CHECK(pg::parse_migration_version("V001__create_users.sql") == 1);
  CHECK(pg::parse_migration_version("V2__x.sql") == 2);
  CHECK(pg::parse_migration_version("V0120__Add_Index_2.sql") == 120);

  CHECK_FALSE(pg::parse_migration_version("V000__zero.sql"));
  CHECK_FALSE(pg::parse_migration_version("v001__lower.sql"));
  CHECK_FALSE(pg::parse_migration_version("V001_single_underscore.sql"));
  CHECK_FALSE(pg::parse_migration_version("V001__.sql"));
  CHECK_FALSE(pg::parse_migration_version("V__name.sql"));
  CHECK_FALSE(pg::parse_migration_version("V001__name.SQL"));
  CHECK_FALSE(pg::parse_migration_version("V001__name.sql.bak"));
  CHECK_FALSE(pg::parse_migration_version("V001__has space.sql"));
  CHECK_FALSE(pg::parse_migration_version("V001__dash-name.sql"));
  CHECK_FALSE(pg::parse_migration_version("V1a__x.sql"));
  CHECK_FALSE(pg::parse_migration_version("V99999999999__overflow.sql"));
  CHECK_FALSE(pg::parse_migration_version("create.sql"));
  CHECK_FALSE(pg::parse_migration_version(""));
}

TEST_CASE("a plan lists the files in version order, not name or input order") {
  std::array files{embedded_file{"V010__ten.sql", "select 10"}, embedded_file{"V2__two.sql", "select 2"},
                   embedded_file{"V001__one.sql", "select 1"}};
  auto plan = pg::plan_migrations(files);
  REQUIRE(plan.size() == 3);
  CHECK(plan[0].version == 1);
  CHECK(plan[0].name == "V001__one.sql");
  CHECK(plan[0].sql == "select 1");
  CHECK(plan[1].version == 2);
  CHECK(plan[2].version == 10);
  CHECK(pg::plan_migrations({}).empty());
}

TEST_CASE("a bad name or a duplicate version is a programmer error") {
  std::array bad{embedded_file{"V001__ok.sql", ""}, embedded_file{"create_users.sql", ""}};
  CHECK_THROWS_WITH_AS(pg::plan_migrations(bad), doctest::Contains("create_users.sql"), std::invalid_argument);
  std::array twice{embedded_file{"V001__a.sql", ""}, embedded_file{"V1__b.sql", ""}};
  CHECK_THROWS_WITH_AS(pg::plan_migrations(twice), doctest::Contains("share version 1"), std::invalid_argument);
}
