// authctl's argument parser and input rules.
#include "auth-service/authctl/args.hpp"
#include "auth-service/authctl/validation.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace oauth::authctl;

namespace {
invocation parse(std::vector<std::string> a) { return parse_args(a); }
} // namespace

TEST_CASE("verbs, options and --json anywhere") {
  auto inv = parse({"client", "create", "--name", "web", "--grants=client_credentials,password", "--json"});
  CHECK(inv.verb == "client create");
  CHECK(inv.json);
  CHECK(inv.get("--name") == "web");
  CHECK(inv.get("--grants") == "client_credentials,password");
  CHECK_FALSE(inv.has("--public"));

  inv = parse({"--json", "client", "revoke", "abc"});
  CHECK(inv.verb == "client revoke");
  CHECK(inv.json);
  REQUIRE(inv.positionals.size() == 1);
  CHECK(inv.positionals[0] == "abc");

  inv = parse({"keys", "--force", "--bits", "4096"});
  CHECK(inv.has("--force"));
  CHECK(inv.get("--bits") == "4096");

  inv = parse({"user", "create", "--email", "a@b.c", "--password-hash", "$2y$10$x"});
  CHECK(inv.get("--password-hash") == "$2y$10$x");

  CHECK(parse({"--help"}).help);
  CHECK(parse({"install", "--help"}).help);
  CHECK(parse({"client", "--help"}).help);
  CHECK(parse({"client", "create", "--help"}).help);  // no required options checked with --help
}

TEST_CASE("--redirect-uri repeats, in order, and --first-party is a flag") {
  auto inv = parse({"client", "create", "--name", "spa", "--grants", "authorization_code", "--redirect-uri",
                    "https://a.example/cb", "--first-party", "--redirect-uri=http://127.0.0.1/cb", "--public"});
  CHECK(inv.all("--redirect-uri") == std::vector<std::string>{"https://a.example/cb", "http://127.0.0.1/cb"});
  CHECK(inv.has("--first-party"));
  CHECK(parse({"client", "create", "--name", "x", "--grants", "password"}).all("--redirect-uri").empty());
  CHECK_THROWS_AS(parse({"client", "create", "--redirect-uri"}), usage_error);
  CHECK_THROWS_AS(parse({"client", "create", "--first-party=yes"}), usage_error);
  CHECK_THROWS_AS(parse({"client", "list", "--redirect-uri", "https://a.example/cb"}), usage_error);
}

TEST_CASE("usage errors") {
  CHECK_THROWS_AS(parse({}), usage_error);
  CHECK_THROWS_AS(parse({"frobnicate"}), usage_error);
  CHECK_THROWS_AS(parse({"client"}), usage_error);
  CHECK_THROWS_AS(parse({"client", "delete"}), usage_error);
  CHECK_THROWS_AS(parse({"migrate", "--force"}), usage_error);
  CHECK_THROWS_AS(parse({"keys", "--bits"}), usage_error);
  CHECK_THROWS_AS(parse({"keys", "--force=yes"}), usage_error);
  CHECK_THROWS_AS(parse({"client", "revoke"}), usage_error);
  CHECK_THROWS_AS(parse({"client", "revoke", "a", "b"}), usage_error);
  CHECK_THROWS_AS(parse({"purge", "extra"}), usage_error);
  CHECK_THROWS_AS(parse({"client", "create", "--name", "a", "--name", "b"}), usage_error);
  CHECK_THROWS_WITH_AS(parse({"migrate", "--nope"}), doctest::Contains("--nope"), usage_error);
}

TEST_CASE("usage texts") {
  CHECK(usage().find("authctl client create") != std::string::npos);
  CHECK(usage("keys").find("--force") != std::string::npos);
  CHECK(usage("client").find("client revoke") != std::string::npos);
  CHECK(usage("user create").find("--password-hash") != std::string::npos);
}

TEST_CASE("lists, grants and scopes") {
  CHECK(split_list("a,b, c  a,,") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_list("").empty());

  CHECK_FALSE(check_grants({"client_credentials", "password", "refresh_token"}, false));
  CHECK_FALSE(check_grants({"password", "refresh_token"}, true));
  CHECK(check_grants({}, false));
  CHECK_FALSE(check_grants({"authorization_code"}, true));
  CHECK(check_grants({"device_code"}, false)->find("unknown grant 'device_code'") != std::string::npos);
  CHECK(check_grants({"client_credentials"}, true));  // RFC 6749 §4.4
  CHECK(check_grants({"personal_access"}, true));

  // --redirect-uri: required with authorization_code, each one registrable.
  CHECK(check_redirect_uris({}, {"authorization_code"})->find("needs at least one --redirect-uri") != std::string::npos);
  CHECK_FALSE(check_redirect_uris({}, {"client_credentials"}));
  CHECK_FALSE(check_redirect_uris({"https://app.example/cb", "http://127.0.0.1/cb"}, {"authorization_code"}));
  CHECK(check_redirect_uris({"https://app.example/cb#frag"}, {"authorization_code"}));
  CHECK(check_redirect_uris({"http://app.example/cb"}, {"authorization_code"}));

  CHECK_FALSE(check_scopes({"read-posts", "write-posts", "admin"}));
  CHECK(check_scopes({"read-posts", "delete-everything"})->find("undefined scope 'delete-everything'") !=
        std::string::npos);
  CHECK(check_scopes({"*"}));
  CHECK(check_scopes({}));
}

TEST_CASE("e-mail addresses, names, passwords and imported hashes") {
  CHECK_FALSE(check_email("alice@example.com"));
  CHECK_FALSE(check_email("Ålice@exämple.org"));
  CHECK(check_email("alice"));
  CHECK(check_email("@example.com"));
  CHECK(check_email("alice@"));
  CHECK(check_email("a@b@c"));
  CHECK(check_email("al ice@example.com"));
  CHECK(check_email("alice@exa\nmple.com"));
  CHECK(check_email(std::string(400, 'a') + "@b.c"));

  CHECK_FALSE(check_client_name("My App"));
  CHECK(check_client_name(""));
  CHECK(check_client_name("bad\x01name"));
  CHECK(check_client_name("\xff"));

  CHECK_FALSE(check_password("x"));
  CHECK(check_password(""));
  CHECK(check_password(std::string(5000, 'x')));

  // Laravel's factory hash of "password".
  CHECK_FALSE(check_password_hash("$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi"));
  CHECK_FALSE(check_password_hash("$2b$12$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi"));
  CHECK_FALSE(check_password_hash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"));
  CHECK(check_password_hash("password"));
  CHECK(check_password_hash("$2y$10$short"));
  CHECK(check_password_hash("$2y$99$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi"));
  CHECK(check_password_hash("$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/ig!"));
  CHECK(check_password_hash("$1$abc$def"));

  CHECK(parse_rsa_bits("2048") == 2048);
  CHECK(parse_rsa_bits("4096") == 4096);
  CHECK_FALSE(parse_rsa_bits("1024"));
  CHECK_FALSE(parse_rsa_bits("abc"));
}
