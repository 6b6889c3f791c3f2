// authctl, the real binary, against the test database with a temporary AUTH_KEYS_DIR.
#include "auth-service/credentials/client_secret.hpp"
#include "auth-service/credentials/password_hasher.hpp"
#include "auth-service/storage/migrations.hpp"
#include "common/pg/migrate.hpp"
#include "common/pg/pool.hpp"
#include "tests/support/run.hpp"
#include "tests/support/test_env.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef AUTHCTL_PATH
#error "AUTHCTL_PATH must name the authctl binary"
#endif
#ifndef AUTH_SERVICE_PATH
#error "AUTH_SERVICE_PATH must name the auth-service binary"
#endif

extern char** environ;

namespace fs = std::filesystem;
namespace json = boost::json;
namespace pg = oauth::pg;

namespace {

struct outcome {
  int status = -1;
  std::string out;
  std::string err;
  json::value document() const {
    boost::system::error_code ec;
    auto v = json::parse(out, ec);  // exactly one document (trailing newline allowed)
    INFO("stdout: " << out << "\nstderr: " << err);
    REQUIRE_FALSE(ec);
    return v;
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct sandbox {
  fs::path dir;
  std::map<std::string, std::string> env;

  sandbox() {
    char tmpl[] = "/tmp/authctl-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    env["DATABASE_URL"] = oauth::test::database_url();
    env["REDIS_URL"] = oauth::test::redis_url();  // client revoke / user delete publish there
    env["AUTH_KEYS_DIR"] = (dir / "keys").string();
    env["JWT_ALG"] = "RS256";
    reset_database();
  }
  ~sandbox() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  static void reset_database() {
    boost::asio::io_context io;
    pg::pool_options o;
    o.conninfo = oauth::test::database_url();
    pg::pool db(io.get_executor(), o);
    oauth::test::run(io, [](pg::pool& db) -> boost::asio::awaitable<void> {
      auto m = co_await pg::migrate(db, oauth::auth::migration_component, oauth::auth::migrations());
      if (!m) throw std::runtime_error("migrate: " + m.error().message);
      auto t = co_await db.query("truncate personal_access_tokens, oauth_consents, users, oauth_clients, revocations");
      if (!t) throw std::runtime_error("truncate: " + t.error().message);
    }(db));
  }

  static std::string query_one(const std::string& sql, const std::string& param) {
    boost::asio::io_context io;
    pg::pool_options o;
    o.conninfo = oauth::test::database_url();
    pg::pool db(io.get_executor(), o);
    auto r = oauth::test::run(io, db.query(sql, pg::args(param)));
    if (!r) throw std::runtime_error(sql + ": " + r.error().message);
    if (r->empty()) return {};
    return std::string(r->get(0, 0).value_or(""));
  }

  // Runs authctl with the sandbox's environment (plus `extra`), stdin from `input`.
  outcome authctl(std::vector<std::string> args, std::map<std::string, std::string> extra = {},
                  const std::string& input = "") {
    return spawn(AUTHCTL_PATH, std::move(args), std::move(extra), input);
  }

  // Runs `program` so, killed (status -1) if it has not ended within `limit`.
  outcome spawn(const std::string& program, std::vector<std::string> args, std::map<std::string, std::string> extra = {},
                const std::string& input = "", std::chrono::seconds limit = std::chrono::seconds(60)) {
    std::map<std::string, std::string> vars;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) vars[k] = v;
    for (const auto& [k, v] : extra) vars[k] = v;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    std::vector<std::string> argv_strings{program};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);

    const fs::path in_file = dir / "stdin", out_file = dir / "stdout", err_file = dir / "stderr";
    std::ofstream(in_file) << input;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in_file.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE_MESSAGE(rc == 0, "cannot start " << program);
    int status = 0;
    auto until = std::chrono::steady_clock::now() + limit;
    pid_t done = 0;
    while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    outcome o;
    if (done == 0) {  // still running: a program that should have refused to start did not
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      o.status = -1;
    } else {
      REQUIRE(done == pid);
      o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    o.out = slurp(out_file);
    o.err = slurp(err_file);
    return o;
  }

  std::vector<fs::path> key_files() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / "keys", ec))
      if (e.path().extension() == ".pem") out.push_back(e.path());
    return out;
  }
};

// A one-line message on stderr, nothing on stdout.
void check_refused(const outcome& o, int status, std::string_view mention) {
  INFO("stdout: " << o.out << "\nstderr: " << o.err);
  CHECK(o.status == status);
  CHECK(o.out.empty());
  CHECK(o.err.starts_with("authctl: "));
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
  CHECK(o.err.find(mention) != std::string::npos);
}

} // namespace

TEST_CASE("migrate --json is idempotent") {
  sandbox s;
  auto first = s.authctl({"migrate", "--json"});
  REQUIRE(first.status == 0);
  CHECK(first.document().as_object().at("applied").as_int64() == 0);  // the sandbox migrated already
  auto human = s.authctl({"migrate"});
  CHECK(human.status == 0);
  CHECK(human.out.find("up to date") != std::string::npos);
}

TEST_CASE("keys: created once with mode 0600, --force adds a second, --bits is checked") {
  sandbox s;
  auto first = s.authctl({"keys", "--json"});
  REQUIRE(first.status == 0);
  auto doc = first.document().as_object();
  CHECK(doc.at("created").as_bool());
  CHECK(doc.at("alg").as_string() == "RS256");
  const std::string kid(doc.at("kid").as_string());
  auto files = s.key_files();
  REQUIRE(files.size() == 1);
  struct stat st {};
  REQUIRE(::stat(files[0].c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto again = s.authctl({"keys", "--json"});
  REQUIRE(again.status == 0);
  CHECK_FALSE(again.document().as_object().at("created").as_bool());
  CHECK(again.document().as_object().at("kid").as_string() == kid);
  CHECK(s.key_files().size() == 1);

  auto forced = s.authctl({"keys", "--force", "--bits", "3072", "--json"});
  REQUIRE(forced.status == 0);
  CHECK(forced.document().as_object().at("created").as_bool());
  CHECK(forced.document().as_object().at("kid").as_string() != kid);
  CHECK(forced.document().as_object().at("keys").as_int64() == 2);
  CHECK(s.key_files().size() == 2);
  for (const auto& f : s.key_files()) {
    REQUIRE(::stat(f.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }

  // JWT_ALG decides the key type: an ES256 key is made next to the RSA ones.
  auto es = s.authctl({"keys", "--json"}, {{"JWT_ALG", "ES256"}});
  REQUIRE(es.status == 0);
  CHECK(es.document().as_object().at("created").as_bool());
  CHECK(es.document().as_object().at("alg").as_string() == "ES256");

  check_refused(s.authctl({"keys", "--bits", "1024", "--json"}), 2, "--bits");
  check_refused(s.authctl({"keys", "--json"}, {{"JWT_ALG", "HS256"}}), 2, "JWT_ALG");
}

TEST_CASE("install: clients and key once - a second run prints the same ids and no secret") {
  sandbox s;
  auto first = s.authctl({"install", "--json"});
  REQUIRE(first.status == 0);
  auto doc = first.document().as_object();
  const auto& pc = doc.at("password_client").as_object();
  const std::string pc_id(pc.at("id").as_string());
  const std::string secret(pc.at("secret").as_string());
  const std::string pac_id(doc.at("personal_access_client").as_object().at("id").as_string());
  CHECK(secret.size() >= 43);
  CHECK(s.key_files().size() == 1);
  // Only the secret's hash is stored, and it verifies.
  const std::string stored = sandbox::query_one("select secret_hash from oauth_clients where id = $1::uuid", pc_id);
  CHECK(stored.find(secret) == std::string::npos);
  CHECK(oauth::auth::verify_client_secret(secret, stored));
  CHECK(sandbox::query_one("select password_client::text from oauth_clients where id = $1::uuid", pc_id) == "true");
  CHECK(sandbox::query_one("select array_to_string(grants, ',') from oauth_clients where id = $1::uuid", pc_id) ==
        "password,refresh_token");
  CHECK(sandbox::query_one("select array_to_string(grants, ',') from oauth_clients where id = $1::uuid", pac_id) ==
        "personal_access");

  auto second = s.authctl({"install", "--json"});
  REQUIRE(second.status == 0);
  auto doc2 = second.document().as_object();
  CHECK(doc2.at("password_client").as_object().at("id").as_string() == pc_id);
  CHECK_FALSE(doc2.at("password_client").as_object().contains("secret"));
  CHECK(doc2.at("personal_access_client").as_object().at("id").as_string() == pac_id);
  CHECK(second.out.find(secret) == std::string::npos);
  CHECK(s.key_files().size() == 1);
  CHECK(sandbox::query_one("select count(*)::text from oauth_clients where $1 = $1", "") == "3");
  // The playground's public client: the code flow with PKCE, back to the issuer's playground
  // (AUTH_ISSUER unset here: the contract's default).
  const auto& play = doc.at("playground_client").as_object();
  const std::string play_id(play.at("id").as_string());
  CHECK(doc2.at("playground_client").as_object().at("id").as_string() == play_id);
  CHECK(sandbox::query_one("select array_to_string(grants, ',') from oauth_clients where id = $1::uuid", play_id) ==
        "authorization_code,refresh_token");
  CHECK(sandbox::query_one("select array_to_string(redirect_uris, ' ') from oauth_clients where id = $1::uuid",
                           play_id) == "http://localhost:8081/playground/callback");
  CHECK(sandbox::query_one("select (secret_hash is null)::text from oauth_clients where id = $1::uuid", play_id) ==
        "true");

  auto human = s.authctl({"install"});
  CHECK(human.status == 0);
  CHECK(human.out.find(pc_id) != std::string::npos);
  CHECK(human.out.find("already exists") != std::string::npos);
}

TEST_CASE("client create, list and revoke") {
  sandbox s;
  auto conf = s.authctl({"client", "create", "--name", "Machine", "--grants", "client_credentials", "--scopes",
                         "read-posts,admin", "--json"});
  REQUIRE(conf.status == 0);
  auto c = conf.document().as_object();
  const std::string id(c.at("id").as_string());
  const std::string secret(c.at("secret").as_string());

  auto pub = s.authctl({"client", "create", "--name=SPA", "--grants=password,refresh_token", "--public", "--json"});
  REQUIRE(pub.status == 0);
  auto p = pub.document().as_object();
  CHECK_FALSE(p.contains("secret"));
  const std::string pub_id(p.at("id").as_string());

  check_refused(s.authctl({"client", "create", "--name", "x", "--grants", "implicit", "--json"}), 2,
                "unknown grant 'implicit'");
  check_refused(s.authctl({"client", "create", "--name", "x", "--grants", "password", "--scopes", "read-posts,root"}), 2,
                "undefined scope 'root'");
  check_refused(s.authctl({"client", "create", "--name", "x", "--grants", "client_credentials", "--public"}), 2,
                "public client");
  check_refused(s.authctl({"client", "create", "--grants", "password"}), 2, "--name");
  check_refused(s.authctl({"client", "create", "--name", "x", "--grants", "authorization_code"}), 2,
                "needs at least one --redirect-uri");
  check_refused(s.authctl({"client", "create", "--name", "x", "--grants", "authorization_code", "--redirect-uri",
                           "https://a.example/cb#x"}),
                2, "fragment");

  auto list = s.authctl({"client", "list", "--json"});
  REQUIRE(list.status == 0);
  CHECK(list.out.find(secret) == std::string::npos);
  CHECK(list.out.find("secret") == std::string::npos);
  CHECK(list.out.find("hmac-sha256") == std::string::npos);
  auto arr = list.document().as_array();
  REQUIRE(arr.size() == 2);
  CHECK(arr[0].as_object().at("id").as_string() == id);
  CHECK(arr[0].as_object().at("name").as_string() == "Machine");
  CHECK(arr[0].as_object().at("scopes").as_array().size() == 2);
  CHECK(arr[0].as_object().at("confidential").as_bool());
  CHECK(arr[1].as_object().at("scopes").is_null());
  CHECK_FALSE(arr[1].as_object().at("confidential").as_bool());
  auto human = s.authctl({"client", "list"});
  CHECK(human.status == 0);
  CHECK(human.out.find(secret) == std::string::npos);
  CHECK(human.out.find("Machine") != std::string::npos);

  // The code flow: several redirect URIs, first-party.
  auto spa = s.authctl({"client", "create", "--name", "Own SPA", "--grants", "authorization_code,refresh_token",
                        "--public", "--first-party", "--redirect-uri", "https://a.example/cb", "--redirect-uri",
                        "http://127.0.0.1/cb", "--json"});
  REQUIRE_MESSAGE(spa.status == 0, spa.err);
  auto with_spa = s.authctl({"client", "list", "--json"}).document().as_array();
  REQUIRE(with_spa.size() == 3);
  const auto& listed_spa = with_spa[2].as_object();
  CHECK(listed_spa.at("first_party").as_bool());
  CHECK(boost::json::serialize(listed_spa.at("redirect_uris")) == R"(["https://a.example/cb","http://127.0.0.1/cb"])");
  CHECK_FALSE(with_spa[0].as_object().at("first_party").as_bool());

  auto revoked = s.authctl({"client", "revoke", id, "--json"});
  REQUIRE(revoked.status == 0);
  CHECK(revoked.document().as_object().at("revoked").as_bool());
  auto listed = s.authctl({"client", "list", "--json"}).document().as_array();
  CHECK(listed[0].as_object().at("revoked").as_bool());
  CHECK_FALSE(listed[1].as_object().at("revoked").as_bool());

  check_refused(s.authctl({"client", "revoke", "00000000-0000-4000-8000-000000000000", "--json"}), 1, "no client");
  check_refused(s.authctl({"client", "revoke", "garbage"}), 1, "no client");
  check_refused(s.authctl({"client", "revoke"}), 2, "ID");
}

TEST_CASE("user create: Argon2id, default scopes, duplicates refused, bcrypt import") {
  sandbox s;
  auto made = s.authctl({"user", "create", "--email", "Alice@Example.com", "--password", "correct horse", "--json"});
  REQUIRE(made.status == 0);
  const std::string id(made.document().as_object().at("id").as_string());
  const std::string hash = sandbox::query_one("select password_hash from users where id = $1::uuid", id);
  CHECK(hash.starts_with("$argon2id$"));
  CHECK(oauth::auth::verify_password_now("correct horse", hash).ok);
  CHECK(sandbox::query_one("select array_to_string(scopes, ' ') from users where id = $1::uuid", id) ==
        "read-posts write-posts");
  CHECK(sandbox::query_one("select name from users where id = $1::uuid", id) == "Alice");
  CHECK(made.out.find("correct horse") == std::string::npos);

  check_refused(s.authctl({"user", "create", "--email", "alice@example.COM", "--password", "x", "--json"}), 1,
                "already exists");

  auto admin = s.authctl({"user", "create", "--email", "root@example.com", "--password-stdin", "--name", "Root",
                          "--scopes", "admin", "--json"},
                         {}, "stdin secret\n");
  REQUIRE(admin.status == 0);
  const std::string admin_id(admin.document().as_object().at("id").as_string());
  CHECK(sandbox::query_one("select array_to_string(scopes, ' ') from users where id = $1::uuid", admin_id) == "admin");
  CHECK(oauth::auth::verify_password_now(
            "stdin secret", sandbox::query_one("select password_hash from users where id = $1::uuid", admin_id))
            .ok);

  // Laravel's factory hash of "password": imported unchanged, verified, and due for a rehash.
  const std::string laravel = "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi";
  auto imported = s.authctl({"user", "create", "--email", "laravel@example.com", "--password-hash", laravel, "--json"});
  REQUIRE(imported.status == 0);
  const std::string imported_id(imported.document().as_object().at("id").as_string());
  const std::string stored = sandbox::query_one("select password_hash from users where id = $1::uuid", imported_id);
  CHECK(stored == laravel);
  auto verdict = oauth::auth::verify_password_now("password", stored);
  CHECK(verdict.ok);
  CHECK(verdict.needs_rehash);

  check_refused(s.authctl({"user", "create", "--email", "x@example.com", "--password-hash", "plaintext"}), 2,
                "--password-hash");
  check_refused(s.authctl({"user", "create", "--email", "not-an-email", "--password", "x"}), 2, "--email");
  check_refused(s.authctl({"user", "create", "--email", "y@example.com", "--password", "x", "--scopes", "everything"}),
                2, "undefined scope");
  check_refused(s.authctl({"user", "create", "--email", "z@example.com"}), 2, "--password");
  check_refused(s.authctl({"user", "create", "--email", "z@example.com", "--password", "a", "--password-hash", laravel}),
                2, "exactly one");
}

TEST_CASE("purge --json reports what it removed") {
  sandbox s;
  auto made = s.authctl({"client", "create", "--name", "Gone", "--grants", "client_credentials", "--json"});
  REQUIRE(made.status == 0);
  const std::string id(made.document().as_object().at("id").as_string());
  REQUIRE(s.authctl({"client", "revoke", id}).status == 0);

  auto nothing = s.authctl({"purge", "--json"});
  REQUIRE(nothing.status == 0);
  CHECK(nothing.document().as_object().at("revoked_clients").as_int64() == 0);

  sandbox::query_one("update oauth_clients set revoked_at = now() - interval '400 days' where id = $1::uuid", id);
  auto purged = s.authctl({"purge", "--json"});
  REQUIRE(purged.status == 0);
  CHECK(purged.document().as_object().at("revoked_clients").as_int64() == 1);
  CHECK(sandbox::query_one("select count(*)::text from oauth_clients where id = $1::uuid", id) == "0");

  // The revocation record: a cutoff goes once every token it covers has expired (and the
  // verifiers' retention passed), not before.
  sandbox::query_one("insert into revocations (member, expires_at) values ($1, 1000) returning member", "sub:1:old");
  sandbox::query_one("insert into revocations (member, expires_at) values ($1, 4000000000) returning member",
                     "sub:2:live");
  auto cutoffs = s.authctl({"purge", "--json"});
  REQUIRE(cutoffs.status == 0);
  CHECK(cutoffs.document().as_object().at("expired_revocations").as_int64() == 1);
  CHECK(sandbox::query_one("select string_agg(member, ',') from revocations where member like $1", "sub:%") ==
        "sub:2:live");
}

TEST_CASE("usage, configuration and database errors: non-zero exit and one line on stderr") {
  sandbox s;
  auto help = s.authctl({"--help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("authctl client create") != std::string::npos);
  CHECK(s.authctl({"user", "create", "--help"}).out.find("--password-hash") != std::string::npos);

  check_refused(s.authctl({"frobnicate", "--json"}), 2, "unknown command");
  check_refused(s.authctl({"migrate", "--bogus"}), 2, "--bogus");
  check_refused(s.authctl({"client", "list", "--json"}, {{"REFRESH_TOKEN_TTL", "soon"}}), 2, "REFRESH_TOKEN_TTL");
  check_refused(s.authctl({"client", "list", "--json"},
                          {{"DATABASE_URL", "postgresql://oauth@127.0.0.1:1/oauth_test?connect_timeout=2"}}),
                1, "PostgreSQL");
}

TEST_CASE("auth-service refuses to start with a group-readable or a symlinked key file, in one clear line") {
  sandbox s;
  REQUIRE(s.authctl({"keys"}).status == 0);
  auto keys = s.key_files();
  REQUIRE(keys.size() == 1);
  const std::map<std::string, std::string> env{{"REDIS_URL", oauth::test::redis_url()}, {"LISTEN_ADDR", "127.0.0.1:28137"},  // never bound: the keys stop it first
                                               {"THREADS", "1"}};
  auto check_refusal = [&](std::string_view mention) {
    // The service must stop at once; a service that starts anyway is killed after 20 s.
    auto o = s.spawn(AUTH_SERVICE_PATH, {}, env, "", std::chrono::seconds(20));
    INFO("stderr: " << o.err);
    CHECK(o.status == 1);
    CHECK(o.err.starts_with("auth-service: "));
    CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
    CHECK(o.err.find(keys[0].filename().string()) != std::string::npos);
    CHECK(o.err.find(mention) != std::string::npos);
  };

  SUBCASE("0640") {
    fs::permissions(keys[0], fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    check_refusal("0640");
  }
  SUBCASE("a symbolic link to a 0600 file") {
    fs::path target = s.dir / "real-key.pem";
    fs::rename(keys[0], target);
    fs::create_symlink(target, keys[0]);
    check_refusal("symbolic link");
  }
}
