// authctl: the admin CLI of the authorization server (../shared/CONTRACT.md "authctl").
#include "auth-service/authctl/args.hpp"
#include "auth-service/authctl/commands.hpp"
#include "auth-service/config/auth_config.hpp"
#include "common/log.hpp"

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace oauth::authctl;
  // The libraries' JSON log lines (pool, migrations) would break the "one line on stderr"
  // rule: authctl reports failures itself, so they are off unless LOG_LEVEL asks for them.
  // (log.hpp has no "off" level: one above error silences write().)
  oauth::log::set_service("authctl");
  const char* wanted = std::getenv("LOG_LEVEL");
  auto level = wanted != nullptr ? oauth::log::parse_level(wanted) : std::nullopt;
  oauth::log::set_level(level ? *level : static_cast<oauth::log::level>(static_cast<int>(oauth::log::level::error) + 1));

  std::vector<std::string> args(argv + 1, argv + argc);
  invocation inv;
  try {
    inv = parse_args(args);
  } catch (const usage_error& e) {
    std::cerr << "authctl: " << e.what() << "\n";
    return exit_usage;
  }
  if (inv.help) {
    std::cout << usage(inv.verb);
    return exit_ok;
  }
  oauth::auth::auth_config config;
  try {
    config = oauth::auth::load_auth_config(oauth::env_reader{});
  } catch (const oauth::config_error& e) {
    std::cerr << "authctl: " << e.what() << "\n";
    return exit_usage;
  }
  return run(inv, config, std::cout, std::cerr);
}
