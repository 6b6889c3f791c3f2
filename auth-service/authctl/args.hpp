#pragma once
// authctl's command line (pure; unit-tested): verbs, their options, --json and --help.
//
//   authctl <verb> [options] [--json] [--help]
// Options take their value as the next argument or after '=' (--name=web). Unknown verbs,
// unknown options, missing values and extra arguments are usage errors (exit 2). An option
// given twice is one too, except the repeatable ones (--redirect-uri).
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::authctl {

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct invocation {
  std::string verb;  // "migrate", "keys", "install", "client create", "client list", "client revoke",
                     // "user create", "purge"; empty with help = true for `authctl --help`
  bool json = false;
  bool help = false;
  std::map<std::string, std::string, std::less<>> options;  // "--name" → value; a flag → ""
  std::map<std::string, std::vector<std::string>, std::less<>> repeated;  // repeatable options, in order
  std::vector<std::string> positionals;

  bool has(std::string_view option) const { return options.find(option) != options.end(); }
  std::optional<std::string> get(std::string_view option) const {
    auto it = options.find(option);
    if (it == options.end()) return std::nullopt;
    return it->second;
  }
  // Every value of a repeatable option (--redirect-uri A --redirect-uri B), in order.
  std::vector<std::string> all(std::string_view option) const {
    auto it = repeated.find(option);
    return it == repeated.end() ? std::vector<std::string>{} : it->second;
  }
};

// args excludes the program name. Throws usage_error with a one-line message.
invocation parse_args(std::span<const std::string> args);

// The help text of one verb, or of authctl as a whole for an empty verb.
std::string usage(std::string_view verb = {});

} // namespace oauth::authctl
