#include "common/redis/backoff.hpp"

#include <doctest/doctest.h>

using oauth::redis::backoff_delay;
using ms = std::chrono::milliseconds;

TEST_CASE("backoff: the ceiling doubles from min and is capped at max") {
  const ms min{100}, max{5000};
  // unit = 1 gives the ceiling itself.
  CHECK(backoff_delay(0, min, max, 1.0) == ms(100));
  CHECK(backoff_delay(1, min, max, 1.0) == ms(200));
  CHECK(backoff_delay(2, min, max, 1.0) == ms(400));
  CHECK(backoff_delay(5, min, max, 1.0) == ms(3200));
  CHECK(backoff_delay(6, min, max, 1.0) == ms(5000));
  CHECK(backoff_delay(31, min, max, 1.0) == ms(5000));
  CHECK(backoff_delay(4000000000u, min, max, 1.0) == ms(5000));  // no overflow
}

TEST_CASE("backoff: jitter spreads the delay over the upper half of the ceiling, never below min") {
  const ms min{100}, max{5000};
  CHECK(backoff_delay(3, min, max, 0.0) == ms(400));  // ceiling 800
  CHECK(backoff_delay(3, min, max, 0.5) == ms(600));
  CHECK(backoff_delay(3, min, max, 0.999) >= ms(799));
  CHECK(backoff_delay(10, min, max, 0.0) == ms(2500));
  // The first retry stays at min even with no jitter (half the ceiling would be 50 ms).
  CHECK(backoff_delay(0, min, max, 0.0) == ms(100));
  for (unsigned attempt = 0; attempt < 12; ++attempt) {
    for (double u : {0.0, 0.25, 0.5, 0.75, 0.9999}) {
      auto d = backoff_delay(attempt, min, max, u);
      CHECK(d >= min);
      CHECK(d <= max);
    }
  }
}

TEST_CASE("backoff: odd settings stay sane") {
  CHECK(backoff_delay(0, ms(0), ms(0), 0.5) == ms(1));      // never a busy loop
  CHECK(backoff_delay(3, ms(500), ms(100), 1.0) == ms(500)); // max below min: min wins
  CHECK(backoff_delay(2, ms(100), ms(1000), -3.0) == ms(200));
  CHECK(backoff_delay(2, ms(100), ms(1000), 7.0) == ms(400));
}
