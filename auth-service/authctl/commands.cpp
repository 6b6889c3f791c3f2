#include "auth-service/authctl/commands.hpp"

#include "auth-service/authctl/validation.hpp"
#include "auth-service/credentials/password_hasher.hpp"
#include "auth-service/storage/client_admin.hpp"
#include "auth-service/storage/migrations.hpp"
#include "auth-service/storage/purge.hpp"
#include "auth-service/storage/user_admin.hpp"
#include "common/jwt/key_store.hpp"
#include "common/pg/migrate.hpp"
#include "common/pg/pool.hpp"
#include "common/time.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

// g++ 12 at -O2 reports a false -Wmismatched-new-delete for Asio coroutine frames
// (allocated with aligned_alloc, released with free through aligned_delete).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace oauth::authctl {
namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using asio::awaitable;

namespace {

// An expected failure: its message is the one line printed on stderr.
struct failure : std::runtime_error {
  explicit failure(const std::string& message, int code = exit_failed) : std::runtime_error(message), exit(code) {}
  int exit;
};

// What a verb produces: the JSON document and the human-readable text.
struct report {
  json::value document;
  std::string text;
};

std::string describe(std::string_view what, const pg::error& e) {
  std::string m(what);
  if (e.is(pg::errc::connect_failed) || e.is(pg::errc::pool_timeout))
    m += ": cannot connect to PostgreSQL (DATABASE_URL)";
  else
    m += ": " + e.code.message();
  if (!e.message.empty()) {
    std::string detail = e.message;
    std::replace(detail.begin(), detail.end(), '\n', ' ');
    while (!detail.empty() && detail.back() == ' ') detail.pop_back();
    m += ": " + detail;
  }
  return m;
}

json::array to_json(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ",") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// ---- keys -------------------------------------------------------------------------------

struct key_outcome {
  bool created = false;
  std::string kid;
  fs::path file;
  std::size_t keys = 0;
};

// Holds an exclusive flock on <keys dir>/.authctl.lock (hidden files are ignored by the key
// store), so that concurrent `authctl keys` / `install` runs make one key, not one each.
class keys_dir_lock {
public:
  explicit keys_dir_lock(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      fs::create_directories(dir, ec);
      if (ec) throw failure("keys: cannot create " + dir.string() + ": " + ec.message());
      fs::permissions(dir, fs::perms::owner_all, ec);
    }
    const fs::path file = dir / ".authctl.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw failure("keys: cannot open " + file.string() + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) throw failure("keys: cannot lock " + file.string() + ": " + std::strerror(errno));
    }
  }
  ~keys_dir_lock() { ::close(fd_); }  // closing releases the lock
  keys_dir_lock(const keys_dir_lock&) = delete;
  keys_dir_lock& operator=(const keys_dir_lock&) = delete;

private:
  int fd_ = -1;
};

key_outcome ensure_key(const auth::auth_config& cfg, bool force, int bits) {
  keys_dir_lock lock(cfg.keys_dir);
  if (!force) {
    auto loaded = jwt::key_store::load(cfg.keys_dir, cfg.jwt_alg);
    if (loaded) return {false, loaded->signing_key().kid(), loaded->signing_file(), loaded->keys().size()};
    if (loaded.error().code != jwt::errc::no_signing_key) throw failure("keys: " + loaded.error().message());
  }
  auto made = jwt::key_store::create(cfg.keys_dir, cfg.jwt_alg, bits);
  if (!made) throw failure("keys: " + made.error().message());
  auto loaded = jwt::key_store::load(cfg.keys_dir, cfg.jwt_alg);
  if (!loaded) throw failure("keys: created, but the directory does not load: " + loaded.error().message());
  return {true, made->kid(), loaded->signing_file(), loaded->keys().size()};
}

int bits_option(const invocation& inv) {
  auto text = inv.get("--bits");
  if (!text) return 2048;
  auto bits = parse_rsa_bits(*text);
  if (!bits) throw failure("--bits must be 2048, 3072 or 4096", exit_usage);
  return *bits;
}

report keys_command(const invocation& inv, const auth::auth_config& cfg) {
  const int bits = bits_option(inv);
  auto k = ensure_key(cfg, inv.has("--force"), bits);
  report r;
  r.document = json::object{{"created", k.created},
                            {"alg", std::string(jwt::name(cfg.jwt_alg))},
                            {"kid", k.kid},
                            {"file", k.file.string()},
                            {"keys", k.keys}};
  std::ostringstream t;
  if (k.created)
    t << "Signing key created: " << k.file.string() << " (" << jwt::name(cfg.jwt_alg) << ", kid " << k.kid << ").\n"
      << "Running auth services sign with it after SIGHUP, or by themselves within a minute.\n";
  else
    t << "A " << jwt::name(cfg.jwt_alg) << " signing key already exists: " << k.file.string() << " (kid " << k.kid
      << "). Use --force to add a new one.\n";
  r.text = t.str();
  return r;
}

// ---- database verbs ------------------------------------------------------------------------

awaitable<int> migrate_step(pg::pool& db) {
  auto r = co_await pg::migrate(db, auth::migration_component, auth::migrations());
  if (!r) throw failure(describe("migrate", r.error()));
  co_return *r;
}

awaitable<report> migrate_command(pg::pool& db) {
  const int applied = co_await migrate_step(db);
  report r;
  r.document = json::object{{"applied", applied}};
  r.text = applied == 0 ? "Nothing to migrate: the schema is up to date.\n"
                        : "Migrated: " + std::to_string(applied) + " migration(s) applied.\n";
  co_return r;
}

awaitable<report> install_command(pg::pool& db, const auth::auth_config& cfg, int bits) {
  const int applied = co_await migrate_step(db);
  auto key = ensure_key(cfg, false, bits);
  auto clients = co_await auth::ensure_install_clients(db);
  if (!clients) throw failure(describe("install", clients.error()));

  json::object password{{"id", clients->password_client.record.id}};
  if (clients->password_client_created) password["secret"] = clients->password_client.secret;
  report r;
  r.document = json::object{{"password_client", std::move(password)},
                            {"personal_access_client", json::object{{"id", clients->personal_access_client.record.id}}}};
  std::ostringstream t;
  t << (applied == 0 ? "Schema up to date.\n" : "Schema migrated (" + std::to_string(applied) + " migration(s)).\n");
  t << (key.created ? "Signing key created: " : "Signing key exists: ") << key.file.string() << " (kid " << key.kid
    << ").\n";
  t << (clients->password_client_created ? "Password grant client created successfully.\n"
                                         : "Password grant client already exists.\n")
    << "Client ID: " << clients->password_client.record.id << "\n";
  if (clients->password_client_created)
    t << "Client secret: " << clients->password_client.secret << "\n"
      << "(shown once: store it now, e.g. as OAUTH_PASSWORD_CLIENT_SECRET)\n";
  t << (clients->personal_access_client_created ? "Personal access client created successfully.\n"
                                                : "Personal access client already exists.\n")
    << "Client ID: " << clients->personal_access_client.record.id << "\n";
  r.text = t.str();
  co_return r;
}

awaitable<report> client_create_command(pg::pool& db, auth::new_client spec) {
  auto made = co_await auth::create_client(db, std::move(spec));
  if (!made) throw failure(describe("client create", made.error()));
  json::object o{{"id", made->record.id}};
  std::string text = "Client created successfully.\nClient ID: " + made->record.id + "\n";
  if (made->record.confidential()) {
    o["secret"] = made->secret;
    text += "Client secret: " + made->secret + "\n(shown once: only its hash is stored)\n";
  } else {
    text += "Public client: no secret.\n";
  }
  co_return report{std::move(o), std::move(text)};
}

awaitable<report> client_list_command(pg::pool& db) {
  auto clients = co_await auth::list_clients(db);
  if (!clients) throw failure(describe("client list", clients.error()));
  json::array a;
  std::ostringstream t;
  if (clients->empty()) t << "No clients.\n";
  for (const auto& c : *clients) {
    json::value scopes = c.scopes ? json::value(to_json(*c.scopes)) : json::value(nullptr);
    a.emplace_back(json::object{{"id", c.id},
                                {"name", c.name},
                                {"grants", to_json(c.grants)},
                                {"scopes", std::move(scopes)},
                                {"confidential", c.confidential()},
                                {"password_client", c.password_client},
                                {"personal_access_client", c.personal_access_client},
                                {"revoked", c.revoked},
                                {"created_at", format_rfc3339(c.created_at)}});
    t << c.id << "  " << c.name << "\n    grants: " << join(c.grants)
      << "  scopes: " << (c.scopes ? join(*c.scopes) : std::string("(any)")) << "  "
      << (c.confidential() ? "confidential" : "public") << (c.password_client ? ", password client" : "")
      << (c.personal_access_client ? ", personal access client" : "") << (c.revoked ? ", REVOKED" : "")
      << "  created " << format_rfc3339(c.created_at) << "\n";
  }
  co_return report{std::move(a), t.str()};
}

awaitable<report> client_revoke_command(pg::pool& db, std::string id) {
  auto r = co_await auth::revoke_client(db, id);
  if (!r) throw failure(describe("client revoke", r.error()));
  if (*r == auth::revoke_outcome::not_found) throw failure("client revoke: no client with id '" + id + "'");
  const bool already = *r == auth::revoke_outcome::already_revoked;
  co_return report{json::object{{"id", id}, {"revoked", true}, {"already_revoked", already}},
                   already ? "Client " + id + " was already revoked.\n" : "Client " + id + " revoked.\n"};
}

awaitable<report> user_create_command(pg::pool& db, auth::new_user spec) {
  const std::string email = spec.email;
  auto made = co_await auth::create_user(db, std::move(spec));
  if (!made) {
    if (made.error().is_unique_violation())
      throw failure("user create: a user with e-mail '" + email + "' already exists (e-mail addresses are "
                    "compared case-insensitively)");
    throw failure(describe("user create", made.error()));
  }
  co_return report{json::object{{"id", made->id}},
                   "User created successfully.\nUser ID: " + made->id + "\nE-mail: " + made->email +
                       "\nScopes: " + join(made->scopes, " ") + "\n"};
}

awaitable<report> purge_command(pg::pool& db, auth::purge_policy policy) {
  auto r = co_await auth::purge(db, policy);
  if (!r) throw failure(describe("purge", r.error()));
  json::object o;
  std::ostringstream t;
  for (const auto& c : *r) {
    o[c.what] = c.removed;
    t << "Purged " << c.removed << " " << c.what << ".\n";
  }
  t << "Refresh tokens, throttling counters and revoked access-token ids expire in Redis by themselves.\n";
  co_return report{std::move(o), t.str()};
}

// Runs a verb's coroutine on a local io_context with a pool of two connections.
template <class Make>
report with_db(const auth::auth_config& cfg, Make make) {
  asio::io_context io;
  std::exception_ptr error;
  std::optional<report> result;
  {
    pg::pool_options opts;
    opts.conninfo = cfg.service.database_url;
    opts.size = 2;
    opts.connect_timeout = std::chrono::seconds(5);
    opts.acquire_timeout = std::chrono::seconds(10);
    opts.query_timeout = std::chrono::seconds(60);
    pg::pool db(io.get_executor(), opts);
    bool done = false;
    asio::co_spawn(io, make(db), [&](std::exception_ptr e, report r) {
      error = e;
      if (!e) result.emplace(std::move(r));
      done = true;
    });
    while (!done && io.run_one() > 0) {
    }
    if (!done) throw failure("internal error: the operation did not complete");
  }
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

std::string required(const invocation& inv, std::string_view option) {
  auto v = inv.get(option);
  if (!v) throw failure(inv.verb + ": " + std::string(option) + " is required", exit_usage);
  return *v;
}

void check(const std::optional<std::string>& problem, const invocation& inv) {
  if (problem) throw failure(inv.verb + ": " + *problem, exit_usage);
}

std::string read_password_line() {
  std::string line;
  if (!std::getline(std::cin, line)) throw failure("user create: --password-stdin: nothing on standard input", exit_usage);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

report dispatch(const invocation& inv, const auth::auth_config& cfg) {
  const std::string& v = inv.verb;
  if (v == "keys") return keys_command(inv, cfg);
  if (v == "migrate") return with_db(cfg, [](pg::pool& db) { return migrate_command(db); });
  if (v == "install") {
    const int bits = bits_option(inv);
    return with_db(cfg, [&cfg, bits](pg::pool& db) { return install_command(db, cfg, bits); });
  }
  if (v == "client create") {
    auth::new_client spec;
    spec.name = required(inv, "--name");
    check(check_client_name(spec.name), inv);
    spec.confidential = !inv.has("--public");
    spec.grants = split_list(required(inv, "--grants"));
    check(check_grants(spec.grants, !spec.confidential), inv);
    if (auto scopes = inv.get("--scopes")) {
      spec.scopes = split_list(*scopes);
      check(check_scopes(*spec.scopes), inv);
    }
    spec.personal_access_client = std::find(spec.grants.begin(), spec.grants.end(), "personal_access") != spec.grants.end();
    return with_db(cfg, [spec](pg::pool& db) { return client_create_command(db, spec); });
  }
  if (v == "client list") return with_db(cfg, [](pg::pool& db) { return client_list_command(db); });
  if (v == "client revoke") {
    std::string id = inv.positionals.at(0);
    return with_db(cfg, [id](pg::pool& db) { return client_revoke_command(db, id); });
  }
  if (v == "user create") {
    auth::new_user spec;
    spec.email = required(inv, "--email");
    check(check_email(spec.email), inv);
    spec.name = inv.get("--name").value_or(spec.email.substr(0, spec.email.find('@')));
    check(check_user_name(spec.name), inv);
    spec.scopes = {"read-posts", "write-posts"};
    if (auto scopes = inv.get("--scopes")) {
      spec.scopes = split_list(*scopes);
      check(check_scopes(spec.scopes), inv);
    }
    const int sources = int(inv.has("--password")) + int(inv.has("--password-stdin")) + int(inv.has("--password-hash"));
    if (sources != 1)
      throw failure("user create: give exactly one of --password, --password-stdin, --password-hash", exit_usage);
    if (auto hash = inv.get("--password-hash")) {
      check(check_password_hash(*hash), inv);
      spec.password_hash = *hash;
    } else {
      std::string password = inv.has("--password") ? *inv.get("--password") : read_password_line();
      check(check_password(password), inv);
      spec.password_hash = auth::hash_password_now(password);
      std::fill(password.begin(), password.end(), '\0');
    }
    return with_db(cfg, [spec](pg::pool& db) { return user_create_command(db, spec); });
  }
  if (v == "purge") {
    auth::purge_policy policy;
    policy.longest_token_lifetime =
        std::max({cfg.access_token_ttl, cfg.refresh_token_ttl, cfg.personal_access_token_ttl});
    return with_db(cfg, [policy](pg::pool& db) { return purge_command(db, policy); });
  }
  throw failure("unknown command '" + v + "'", exit_usage);
}

} // namespace

int run(const invocation& inv, const auth::auth_config& config, std::ostream& out, std::ostream& err) {
  try {
    report r = dispatch(inv, config);
    if (inv.json)
      out << json::serialize(r.document) << "\n";
    else
      out << r.text;
    out.flush();
    return exit_ok;
  } catch (const failure& f) {
    err << "authctl: " << f.what() << "\n";
    return f.exit;
  } catch (const std::exception& e) {
    err << "authctl: " << inv.verb << ": " << e.what() << "\n";
    return exit_failed;
  }
}

} // namespace oauth::authctl
