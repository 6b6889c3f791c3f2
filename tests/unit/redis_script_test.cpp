#include "common/redis/script.hpp"

#include <doctest/doctest.h>

TEST_CASE("script: sha1 is the lower-case hex digest Redis uses for EVALSHA") {
  oauth::redis::script s("return 1");
  CHECK(s.sha1() == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  CHECK(s.source() == "return 1");
  CHECK(oauth::redis::script("").sha1() == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}
