#pragma once
// Where the integration tests find the real servers that scripts/test.sh starts.
// A missing variable fails the test with a clear message: integration tests never skip.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

namespace oauth::test {

inline std::string required_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    throw std::runtime_error(std::string(name) +
                             " is not set: run the suite through ./scripts/test.sh, which starts PostgreSQL and Redis");
  return v;
}

// postgresql://oauth@127.0.0.1:<port>/oauth_test
inline std::string database_url() { return required_env("TEST_DATABASE_URL"); }
// redis://127.0.0.1:<port>/15
inline std::string redis_url() { return required_env("TEST_REDIS_URL"); }
// Path of scripts/services.sh, for tests that stop and restart a server.
inline std::string services_script() { return required_env("TEST_SERVICES_SCRIPT"); }

// Runs `services.sh <verb> <which>`; throws when it fails.
inline void services(const std::string& verb, const std::string& which) {
  std::string cmd = services_script() + " " + verb + " " + which + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

// Starts server `which` ("pg" or "redis") again when it goes out of scope, whatever happened in
// the test that stopped it: the tests after it need it.
struct restart_on_exit {
  std::string which;
  ~restart_on_exit() {
    try {
      services("start", which);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "could not restart %s: %s\n", which.c_str(), e.what());
    }
  }
};

} // namespace oauth::test
