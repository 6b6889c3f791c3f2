#include "common/redis/backoff.hpp"

#include <algorithm>

namespace oauth::redis {

std::chrono::milliseconds backoff_delay(unsigned attempt, std::chrono::milliseconds min,
                                        std::chrono::milliseconds max, double unit) {
  using rep = std::chrono::milliseconds::rep;
  const rep lo = std::max<rep>(min.count(), 1);
  const rep hi = std::max<rep>(max.count(), lo);
  rep ceiling = lo;
  for (unsigned i = 0; i < attempt && ceiling < hi; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, hi);
  unit = std::clamp(unit, 0.0, 1.0);
  const rep half = ceiling / 2;
  const rep delay = half + static_cast<rep>(unit * static_cast<double>(ceiling - half));
  return std::chrono::milliseconds(std::clamp(delay, lo, hi));
}

} // namespace oauth::redis
