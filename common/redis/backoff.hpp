#pragma once
// Reconnect delays: exponential backoff with "equal jitter", a pure function so it is unit-tested.
#include <chrono>

namespace oauth::redis {

// Delay before retry number `attempt` (0 for the first retry after a failure): the ceiling
// min·2^attempt is capped at max, and the delay is drawn in [ceiling/2, ceiling] by `unit`
// (a uniform number in [0, 1)), never below min. Jitter keeps a fleet of services that lost
// Redis together from reconnecting in lockstep.
std::chrono::milliseconds backoff_delay(unsigned attempt, std::chrono::milliseconds min,
                                        std::chrono::milliseconds max, double unit);

} // namespace oauth::redis
