#include "auth-service/authctl/commands.hpp"

#include "auth-service/authctl/validation.hpp"
#include "auth-service/credentials/password_hasher.hpp"
#include "auth-service/storage/client_admin.hpp"
#include "auth-service/storage/migrations.hpp"
#include "auth-service/storage/pg_support.hpp"
#include "auth-service/storage/pg_user_store.hpp"
#include "auth-service/storage/purge.hpp"
#include "auth-service/storage/revocation_record.hpp"
#include "auth-service/storage/user_admin.hpp"
#include "common/log.hpp"
#include "common/redis/client.hpp"
#include "common/revocation/writer.hpp"
#include "common/jwt/key_store.hpp"
#include "common/pg/migrate.hpp"
#include "common/pg/pool.hpp"
#include "common/time.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
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
  auto clients = co_await auth::ensure_install_clients(db, auth::playground_redirect_uri(cfg.service.issuer));
  if (!clients) throw failure(describe("install", clients.error()));

  json::object password{{"id", clients->password_client.record.id}};
  if (clients->password_client_created) password["secret"] = clients->password_client.secret;
  report r;
  r.document = json::object{{"password_client", std::move(password)},
                            {"personal_access_client", json::object{{"id", clients->personal_access_client.record.id}}}};
  if (clients->playground_client)
    r.document.as_object()["playground_client"] =
        json::object{{"id", clients->playground_client->record.id},
                     {"redirect_uris", to_json(clients->playground_client->record.redirect_uris)}};
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
  if (clients->playground_client)
    t << (clients->playground_client_created ? "Playground client (public, authorization code + PKCE) created.\n"
                                             : "Playground client already exists.\n")
      << "Client ID: " << clients->playground_client->record.id << "\n";
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
                                {"first_party", c.is_first_party()},
                                {"redirect_uris", to_json(c.redirect_uris)},
                                {"revoked", c.revoked},
                                {"created_at", format_rfc3339(c.created_at)}});
    t << c.id << "  " << c.name << "\n    grants: " << join(c.grants)
      << "  scopes: " << (c.scopes ? join(*c.scopes) : std::string("(any)")) << "  "
      << (c.confidential() ? "confidential" : "public") << (c.password_client ? ", password client" : "")
      << (c.personal_access_client ? ", personal access client" : "")
      << (c.first_party && !c.password_client && !c.personal_access_client ? ", first-party" : "")
      << (c.revoked ? ", REVOKED" : "");
    for (const auto& uri : c.redirect_uris) t << "\n    redirect URI: " << uri;
    t
      << "  created " << format_rfc3339(c.created_at) << "\n";
  }
  co_return report{std::move(a), t.str()};
}

// Announces a revocation on the Redis channel (common/revocation) so that every auth and
// resource replica applies it within a second. The PostgreSQL record was written first: when
// Redis cannot be reached, every resource service still merges the record at its next load,
// so this reports the delay (published: false) instead of failing.
awaitable<bool> publish(redis::client& redis, revocation::entry e) {
  asio::steady_timer wait(co_await asio::this_coro::executor);
  for (int i = 0; i < 100 && !redis.connected(); ++i) {
    wait.expires_after(std::chrono::milliseconds(30));
    co_await wait.async_wait(asio::use_awaitable);
  }
  revocation::writer w(redis);
  std::vector<revocation::entry> entries;
  entries.push_back(std::move(e));
  auto r = co_await w.revoke(std::move(entries));
  if (!r) std::cerr << "authctl: warning: Redis unreachable (REDIS_URL): running services learn this revocation "
                       "at their next load of the revocation list\n";
  co_return r.has_value();
}

std::chrono::seconds longest_access_token_lifetime(const auth::auth_config& cfg) {
  return std::max(cfg.access_token_ttl, cfg.personal_access_token_ttl);
}

awaitable<report> client_revoke_command(pg::pool& db, redis::client& redis, std::string id,
                                        std::chrono::seconds lifetime) {
  auto r = co_await auth::revoke_client(db, id);
  if (!r) throw failure(describe("client revoke", r.error()));
  if (*r == auth::revoke_outcome::not_found) throw failure("client revoke: no client with id '" + id + "'");
  const bool already = *r == auth::revoke_outcome::already_revoked;
  // Every token of the client, recorded then announced (again, when already revoked: a
  // revocation whose announcement failed is healed by running the command again).
  auto cutoff = auth::make_cutoff(revocation::cutoff::kind::client, id, unix_now(), lifetime);
  auto recorded = co_await auth::record_revocation(db, cutoff);
  if (!recorded) throw failure(describe("client revoke", recorded.error()));
  const bool published = co_await publish(redis, std::move(cutoff));
  co_return report{json::object{{"id", id}, {"revoked", true}, {"already_revoked", already}, {"published", published}},
                   already ? "Client " + id + " was already revoked.\n" : "Client " + id + " revoked.\n"};
}

// The user named by ID or --email, or a failure naming what was looked for.
awaitable<auth::user> find_user(pg::pool& db, std::string_view verb, std::optional<std::string> id,
                                std::optional<std::string> email) {
  auth::pg_user_store users(db);
  std::optional<auth::user> found;
  if (id) {
    if (!auth::pg_support::is_uuid(*id)) throw failure(std::string(verb) + ": no user with id '" + *id + "'");
    auto r = co_await users.find_by_id(*id);
    if (!r) throw failure(std::string(verb) + ": PostgreSQL unavailable (DATABASE_URL)");
    found = std::move(*r);
    if (!found) throw failure(std::string(verb) + ": no user with id '" + *id + "'");
  } else {
    auto r = co_await users.find_by_email(*email);
    if (!r) throw failure(std::string(verb) + ": PostgreSQL unavailable (DATABASE_URL)");
    found = std::move(*r);
    if (!found) throw failure(std::string(verb) + ": no user with e-mail '" + *email + "'");
  }
  co_return std::move(*found);
}

awaitable<report> user_delete_command(pg::pool& db, redis::client& redis, std::optional<std::string> id,
                                      std::optional<std::string> email, std::chrono::seconds lifetime) {
  auto u = co_await find_user(db, "user delete", std::move(id), std::move(email));
  // Every token of the user (access tokens, personal access tokens): one cutoff entry, recorded
  // in the statement that deletes the user. Refresh tokens die with the user: a refresh
  // re-reads the user.
  auto cutoff = auth::make_cutoff(revocation::cutoff::kind::subject, u.id, unix_now(), lifetime);
  auto deleted = co_await auth::delete_user(db, u.id, cutoff);
  if (!deleted) throw failure(describe("user delete", deleted.error()));
  if (!*deleted) throw failure("user delete: no user with id '" + u.id + "'");
  const bool published = co_await publish(redis, std::move(cutoff));
  co_return report{json::object{{"id", u.id}, {"published", published}}, "User " + u.id + " deleted.\n"};
}

awaitable<report> user_update_command(pg::pool& db, std::optional<std::string> id, std::optional<std::string> email,
                                      std::optional<std::vector<std::string>> scopes,
                                      std::optional<std::string> password_hash) {
  auto u = co_await find_user(db, "user update", std::move(id), std::move(email));
  if (scopes) {
    auto r = co_await auth::set_user_scopes(db, u.id, std::move(*scopes));
    if (!r) throw failure(describe("user update", r.error()));
    if (!*r) throw failure("user update: no user with id '" + u.id + "'");
  }
  if (password_hash) {
    auth::pg_user_store users(db);
    auto r = co_await users.update_password_hash(u.id, *password_hash);
    if (!r) throw failure("user update: PostgreSQL unavailable (DATABASE_URL)");
  }
  co_return report{json::object{{"id", u.id}}, "User " + u.id + " updated.\n"};
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

// with_db plus a Redis client (REDIS_URL) for the verbs that announce a revocation.
template <class Make>
report with_db_and_redis(const auth::auth_config& cfg, Make make) {
  return with_db(cfg, [&cfg, make](pg::pool& db) -> awaitable<report> {
    redis::client_options ro;
    ro.endpoint = cfg.service.redis;
    ro.command_timeout = std::chrono::seconds(5);
    redis::client rc(co_await asio::this_coro::executor, ro);
    rc.start();
    std::exception_ptr failed;
    std::optional<report> out;
    try {
      out.emplace(co_await make(db, rc));
    } catch (...) {
      failed = std::current_exception();
    }
    rc.stop();
    if (failed) std::rethrow_exception(failed);
    co_return std::move(*out);
  });
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
    spec.first_party = inv.has("--first-party");
    spec.redirect_uris = inv.all("--redirect-uri");
    check(check_redirect_uris(spec.redirect_uris, spec.grants), inv);
    return with_db(cfg, [spec](pg::pool& db) { return client_create_command(db, spec); });
  }
  if (v == "client list") return with_db(cfg, [](pg::pool& db) { return client_list_command(db); });
  if (v == "client revoke") {
    std::string id = inv.positionals.at(0);
    const auto lifetime = longest_access_token_lifetime(cfg);
    return with_db_and_redis(cfg, [id, lifetime](pg::pool& db, redis::client& rc) {
      return client_revoke_command(db, rc, id, lifetime);
    });
  }
  if (v == "user delete" || v == "user update") {
    std::optional<std::string> id, email = inv.get("--email");
    if (!inv.positionals.empty()) id = inv.positionals.front();
    if (id.has_value() == email.has_value()) throw failure(v + ": give exactly one of ID and --email E", exit_usage);
    if (email) check(check_email(*email), inv);
    if (v == "user delete") {
      const auto lifetime = longest_access_token_lifetime(cfg);
      return with_db_and_redis(cfg, [id, email, lifetime](pg::pool& db, redis::client& rc) {
        return user_delete_command(db, rc, id, email, lifetime);
      });
    }
    std::optional<std::vector<std::string>> scopes;
    if (auto given = inv.get("--scopes")) {
      scopes = split_list(*given);
      check(check_scopes(*scopes), inv);
    }
    std::optional<std::string> hash;
    if (inv.has("--password-stdin")) {
      std::string password = read_password_line();
      check(check_password(password), inv);
      hash = auth::hash_password_now(password);
      std::fill(password.begin(), password.end(), '\0');
    }
    if (!scopes && !hash) throw failure("user update: nothing to change (give --scopes or --password-stdin)", exit_usage);
    return with_db(cfg, [id, email, scopes, hash](pg::pool& db) { return user_update_command(db, id, email, scopes, hash); });
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
