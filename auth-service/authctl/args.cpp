#include "auth-service/authctl/args.hpp"

#include <algorithm>

namespace oauth::authctl {
namespace {

struct verb_spec {
  std::string_view name;
  std::vector<std::string_view> value_options;
  std::vector<std::string_view> flag_options;
  std::size_t positionals = 0;
  std::string_view positional_name;
  std::string_view synopsis;
  std::string_view help;
  bool positional_optional = false;  // 0 or `positionals` positionals
  std::vector<std::string_view> repeatable_options = {};
};

const std::vector<verb_spec>& verbs() {
  static const std::vector<verb_spec> v{
      {"migrate", {}, {}, 0, {}, "authctl migrate [--json]",
       "Creates or upgrades the auth-service schema in DATABASE_URL (idempotent)."},
      {"keys", {"--bits"}, {"--force"}, 0, {}, "authctl keys [--force] [--bits 2048|3072|4096] [--json]",
       "Creates the JWT_ALG signing key in AUTH_KEYS_DIR (mode 0600) when none exists; --force adds\n"
       "a new key that signs from then on (older keys stay published). --bits: RSA size (RS256 only)."},
      {"install", {"--bits"}, {}, 0, {}, "authctl install [--bits 2048|3072|4096] [--json]",
       "migrate + keys + a password grant client and a personal access client. Idempotent: a second\n"
       "run changes nothing and prints the existing ids; a secret is printed only when created\n"
       "(with --json the \"secret\" member is then absent)."},
      {"client create", {"--name", "--grants", "--scopes"}, {"--public", "--first-party"}, 0, {},
       "authctl client create --name N --grants client_credentials[,password,refresh_token,authorization_code] "
       "[--scopes a,b] [--public] [--first-party] [--redirect-uri URI]... [--json]",
       "Registers a client and prints its id and secret (shown once, stored hashed). Without --scopes the\n"
       "client may request any defined scope. --public: no secret (not with client_credentials).\n"
       "--redirect-uri (repeatable; required with authorization_code): an absolute URI without fragment,\n"
       "https, a private-use scheme (com.example.app:/cb) or http on a loopback address; compared exactly,\n"
       "except that http://127.0.0.1/... and http://[::1]/... match any port (RFC 8252).\n"
       "--first-party: the user is not asked for consent, and the client's tokens may use the first-party\n"
       "routes (personal access tokens, authorized applications).",
       false, {"--redirect-uri"}},
      {"client list", {}, {}, 0, {}, "authctl client list [--json]",
       "Lists every client (never secrets); --json prints an array."},
      {"client revoke", {}, {}, 1, "ID", "authctl client revoke ID [--json]",
       "Revokes a client: within a second its credentials and refresh tokens stop working at every auth\n"
       "replica and its access tokens are refused by every resource service."},
      {"user create", {"--email", "--password", "--password-hash", "--name", "--scopes"}, {"--password-stdin"}, 0, {},
       "authctl user create --email E (--password P | --password-stdin | --password-hash H) [--name N] "
       "[--scopes a,b] [--json]",
       "Creates a user. The password is hashed with Argon2id. --password-stdin reads it from the first\n"
       "line of standard input (keeps it out of the process list). --password-hash imports an existing\n"
       "hash unchanged: a Laravel bcrypt hash ($2y$/$2b$/$2a$, 60 characters) or an Argon2id one, so\n"
       "users moved from a Laravel app keep their passwords (bcrypt is rehashed to Argon2id at their\n"
       "first login). Scopes default to read-posts,write-posts."},
      {"user update", {"--email", "--scopes"}, {"--password-stdin"}, 1, "ID or --email E",
       "authctl user update (ID | --email E) [--scopes a,b] [--password-stdin] [--json]",
       "Changes what a user may be granted (--scopes: their next refresh is narrowed to them) and/or\n"
       "their password (--password-stdin: the first line of standard input).", true},
      {"user delete", {"--email"}, {}, 1, "ID or --email E", "authctl user delete (ID | --email E) [--json]",
       "Deletes a user. Within a second every resource service refuses their access tokens and\n"
       "personal access tokens, and their refresh tokens are dead.", true},
      {"purge", {}, {}, 0, {}, "authctl purge [--json]",
       "Removes records that can no longer matter: for now, clients revoked longer ago than the longest\n"
       "token lifetime. Refresh tokens in Redis expire by themselves."},
  };
  return v;
}

const verb_spec* find_verb(std::string_view name) {
  for (const auto& v : verbs())
    if (v.name == name) return &v;
  return nullptr;
}

bool contains(const std::vector<std::string_view>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

invocation parse_args(std::span<const std::string> args) {
  invocation inv;
  std::vector<std::string> words;  // everything that is not an option
  std::vector<std::pair<std::string, std::optional<std::string>>> opts;
  // First pass: split the global flags out and find the verb (one or two leading words).
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      inv.json = true;
    } else if (a == "--help" || a == "-h") {
      inv.help = true;
    } else if (a.starts_with("--")) {
      break;
    } else if (inv.verb.empty()) {
      inv.verb = a;
      if ((a == "client" || a == "user") && i + 1 < args.size() && !args[i + 1].starts_with("-")) {
        inv.verb += " " + args[++i];
      }
      ++i;
      break;
    } else {
      break;
    }
  }
  if (inv.verb.empty()) {
    if (inv.help) return inv;
    throw usage_error("no command given (try authctl --help)");
  }
  const verb_spec* spec = find_verb(inv.verb);
  if (spec == nullptr) {
    if (inv.verb == "client" || inv.verb == "user") {
      for (std::size_t j = i; j < args.size(); ++j)
        if (args[j] == "--help" || args[j] == "-h") inv.help = true;
      if (inv.help) return inv;
      throw usage_error("'" + inv.verb + "' needs a sub-command (try authctl " + inv.verb + " --help)");
    }
    throw usage_error("unknown command '" + inv.verb + "' (try authctl --help)");
  }
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      inv.json = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      inv.help = true;
      continue;
    }
    if (a == "--") {
      for (++i; i < args.size(); ++i) inv.positionals.push_back(args[i]);
      break;
    }
    if (a.starts_with("--")) {
      std::string name = a;
      std::optional<std::string> value;
      if (auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
      }
      if (contains(spec->repeatable_options, name)) {
        if (!value) {
          if (i + 1 >= args.size()) throw usage_error(name + " needs a value");
          value = args[++i];
        }
        inv.repeated[name].push_back(*value);
      } else if (contains(spec->flag_options, name)) {
        if (value) throw usage_error(name + " takes no value");
        inv.options[name] = "";
      } else if (contains(spec->value_options, name)) {
        if (!value) {
          if (i + 1 >= args.size()) throw usage_error(name + " needs a value");
          value = args[++i];
        }
        if (inv.has(name)) throw usage_error(name + " given twice");
        inv.options[name] = *value;
      } else {
        throw usage_error("unknown option " + name + " for '" + inv.verb + "' (try authctl " + inv.verb + " --help)");
      }
      continue;
    }
    inv.positionals.push_back(a);
  }
  if (inv.help) return inv;
  if (spec->positional_optional && inv.positionals.empty()) return inv;
  if (inv.positionals.size() != spec->positionals) {
    if (inv.positionals.size() < spec->positionals)
      throw usage_error("'" + inv.verb + "' needs " + std::string(spec->positional_name));
    throw usage_error("unexpected argument '" + inv.positionals[spec->positionals] + "' for '" + inv.verb + "'");
  }
  return inv;
}

std::string usage(std::string_view verb) {
  if (const verb_spec* spec = find_verb(verb)) {
    return "usage: " + std::string(spec->synopsis) + "\n\n" + std::string(spec->help) + "\n";
  }
  if (verb == "client" || verb == "user") {
    std::string out = "usage:\n";
    for (const auto& v : verbs())
      if (v.name.starts_with(std::string(verb) + " ")) out += "  " + std::string(v.synopsis) + "\n";
    return out;
  }
  std::string out =
      "authctl: administration of the OAuth2 authorization server (Laravel Passport's artisan commands).\n\n"
      "usage:\n";
  for (const auto& v : verbs()) out += "  " + std::string(v.synopsis) + "\n";
  out +=
      "\nEvery command accepts --json (one JSON document on stdout) and --help.\n"
      "Environment: DATABASE_URL, AUTH_KEYS_DIR, JWT_ALG and the token lifetimes (see CONTRACT.md).\n"
      "Exit status: 0 success; 1 the operation failed (database unreachable, duplicate e-mail, unknown\n"
      "client...); 2 bad usage or configuration. Errors are one line on stderr.\n";
  return out;
}

} // namespace oauth::authctl
