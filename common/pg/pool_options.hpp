#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace oauth::pg {

struct pool_options {
  // libpq URI or key=value string, e.g. postgresql://oauth@127.0.0.1:55432/oauth_test.
  // Never logged: it may hold a password.
  std::string conninfo;
  std::size_t size = 8;  // most connections open at once
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds query_timeout{5000};
  std::chrono::milliseconds acquire_timeout{2000};  // waiting for a free connection
};

} // namespace oauth::pg
