#pragma once
// Runs one authctl verb (../shared/CONTRACT.md "authctl"). PostgreSQL is reached through
// the async pool on a local io_context; keys through common/jwt's key_store.
#include "auth-service/authctl/args.hpp"
#include "auth-service/config/auth_config.hpp"

#include <ostream>

namespace oauth::authctl {

enum exit_code : int {
  exit_ok = 0,
  exit_failed = 1,  // the operation failed: database unreachable, duplicate e-mail, unknown client...
  exit_usage = 2,   // bad arguments or configuration
};

// Prints the result on `out` (one JSON document with --json, text otherwise) and any error as
// one line "authctl: …" on `err`. Never prints a password or a stored hash; a client secret
// only when it has just been created.
int run(const invocation& inv, const auth::auth_config& config, std::ostream& out, std::ostream& err);

} // namespace oauth::authctl
