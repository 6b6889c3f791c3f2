// Access token claims (RFC 9068), the key manager and the published documents.
#include "auth-service/keys/key_manager.hpp"
#include "auth-service/oauth/token_issuer.hpp"
#include "auth-service/routes/metadata.hpp"
#include "common/encoding.hpp"
#include "common/jwt/verify.hpp"
#include "common/time.hpp"
#include "tests/support/run.hpp"
#include "tests/unit/auth_oauth_fakes.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <thread>

#include <unistd.h>

using namespace oauth;
using namespace oauth::auth;
namespace fs = std::filesystem;

namespace {

boost::json::object decode_part(std::string_view token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  auto end = token.find('.', start);
  auto json = base64url_decode(token.substr(start, end - start));
  REQUIRE(json);
  return boost::json::parse(*json).as_object();
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("auth-keys-" + random_suffix());
    fs::create_directories(path);
    fs::permissions(path, fs::perms::owner_all);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static std::string random_suffix() { return std::to_string(::getpid()) + "-" + std::to_string(std::rand()); }
};

} // namespace

TEST_CASE("tokens: RFC 9068 header and every claim, verified with common/jwt") {
  for (auto alg : {jwt::algorithm::rs256, jwt::algorithm::es256, jwt::algorithm::eddsa}) {
    CAPTURE(jwt::name(alg));
    auto k = alg == jwt::algorithm::rs256 ? test::test_signing_key() : jwt::key::generate(alg).value();
    auto issuer = test::make_test_issuer(k);
    auto now = unix_now();
    auto claims = issuer.prepare("user-1", "client-1", {"read-posts", "admin"}, now);
    auto token = issuer.sign(claims);
    CHECK(token.jti == claims.jti);
    CHECK(token.expires_at == now + 7200);

    auto header = decode_part(token.token, 0);
    CHECK(header.size() == 3);
    CHECK(header.at("alg").as_string() == jwt::name(alg));
    CHECK(header.at("typ").as_string() == "at+jwt");
    CHECK(header.at("kid").as_string() == jwt::thumbprint(k));

    jwt::key_set ks;
    ks.add(k.public_key());
    auto v = jwt::verify(token.token, ks,
                         {.issuer = test::test_issuer, .audience = test::test_audience, .allowed_algorithms = {alg}});
    REQUIRE_MESSAGE(v.has_value(), v.error().message());
    const auto& c = v->claims;
    CHECK(c.size() == 9);
    CHECK(c.at("iss").as_string() == test::test_issuer);
    CHECK(c.at("sub").as_string() == "user-1");
    CHECK(c.at("aud").as_string() == test::test_audience);
    CHECK(c.at("client_id").as_string() == "client-1");
    CHECK(c.at("scope").as_string() == "read-posts admin");
    CHECK(std::regex_match(std::string(c.at("jti").as_string()),
                           std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
    CHECK(c.at("iat").as_int64() == now);
    CHECK(c.at("nbf").as_int64() == now);
    CHECK(c.at("exp").as_int64() == now + 7200);
  }
}

TEST_CASE("tokens: every token has its own jti") {
  auto issuer = test::make_test_issuer();
  auto a = issuer.prepare("u", "c", {}, 1);
  auto b = issuer.prepare("u", "c", {}, 1);
  CHECK(a.jti != b.jti);
  CHECK(issuer.claims(a).at("scope").as_string() == "");
}

TEST_CASE("keys: a missing or empty directory stops the start with one line naming authctl") {
  temp_dir empty;
  key_manager m(empty.path, jwt::algorithm::rs256, std::chrono::seconds(30));
  try {
    m.open();
    FAIL("open() should throw");
  } catch (const key_manager_error& e) {
    std::string what = e.what();
    CHECK(what.find("authctl keys") != std::string::npos);
    CHECK(what.find("AUTH_KEYS_DIR") != std::string::npos);
    CHECK(what.find('\n') == std::string::npos);
  }
  key_manager missing(empty.path / "nope", jwt::algorithm::rs256, std::chrono::seconds(30));
  CHECK_THROWS_AS(missing.open(), key_manager_error);
}

TEST_CASE("keys: reload picks up a new key, keeps the old one published, survives a broken file") {
  temp_dir dir;
  auto first = jwt::key_store::create(dir.path, jwt::algorithm::es256).value();
  key_manager m(dir.path, jwt::algorithm::es256, std::chrono::seconds(30));
  m.open();
  auto before = m.current();
  CHECK(m.signing_key().kid() == first.kid());
  CHECK(m.reload_now());
  CHECK(m.current() == before);  // nothing changed: same state object
  CHECK(m.reloads() == 0);

  auto second = jwt::key_store::create(dir.path, jwt::algorithm::es256).value();
  CHECK(m.reload_now());
  CHECK(m.reloads() == 1);
  CHECK(m.signing_key().kid() == second.kid());
  auto jwks = boost::json::parse(m.current()->jwks_json).as_object();
  REQUIRE(jwks.at("keys").as_array().size() == 2);
  CHECK(m.current()->jwks_json.find("\"d\"") == std::string::npos);  // never a private member
  // The state read before the reload is still intact for whoever holds it.
  CHECK(before->store.signing_key().kid() == first.kid());

  // A broken key file: the reload fails and the current keys stay.
  {
    auto bad = dir.path / "key-29991231T235959Z-broken00.pem";
    std::FILE* f = std::fopen(bad.c_str(), "w");
    std::fputs("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", f);
    std::fclose(f);
    fs::permissions(bad, fs::perms::owner_read | fs::perms::owner_write);
  }
  CHECK_FALSE(m.reload_now());
  CHECK(m.failed_reloads() == 1);
  CHECK(m.signing_key().kid() == second.kid());
}

TEST_CASE("keys: request_reload runs on the manager's thread and the timer reloads by itself") {
  temp_dir dir;
  jwt::key_store::create(dir.path, jwt::algorithm::eddsa).value();
  key_manager m(dir.path, jwt::algorithm::eddsa, std::chrono::seconds(1));
  m.open();
  m.start();
  auto second = jwt::key_store::create(dir.path, jwt::algorithm::eddsa).value();
  // The timer (1 s) picks the new key up; 10 s of slack for a loaded box.
  CHECK(test::eventually([&] { return m.signing_key().kid() == second.kid(); }));
  m.stop();
  m.stop();
  // With a timer that will not fire during the test, only request_reload can bring a new key.
  key_manager asked(dir.path, jwt::algorithm::eddsa, std::chrono::hours(1));
  asked.open();
  asked.start();
  CHECK(asked.signing_key().kid() == second.kid());
  auto third = jwt::key_store::create(dir.path, jwt::algorithm::eddsa).value();
  asked.request_reload();
  CHECK(test::eventually([&] { return asked.signing_key().kid() == third.kid(); }));
  asked.stop();
}

TEST_CASE("metadata: RFC 8414 document and the scopes list") {
  auto m = authorization_server_metadata({.issuer = "https://auth.example/"});
  CHECK(m.at("issuer").as_string() == "https://auth.example");
  CHECK(m.at("token_endpoint").as_string() == "https://auth.example/oauth/token");
  CHECK(m.at("jwks_uri").as_string() == "https://auth.example/.well-known/jwks.json");
  // The grant catalogue's token-endpoint grants (personal_access is registration only).
  CHECK(boost::json::serialize(m.at("grant_types_supported")) ==
        R"(["client_credentials","password","refresh_token","authorization_code"])");
  CHECK(boost::json::serialize(m.at("token_endpoint_auth_methods_supported")) ==
        R"(["client_secret_basic","client_secret_post"])");
  CHECK(boost::json::serialize(m.at("scopes_supported")) == R"(["read-posts","write-posts","admin"])");
  CHECK(m.at("response_types_supported").as_array().empty());
  CHECK_FALSE(m.contains("authorization_endpoint"));
  CHECK_FALSE(m.contains("revocation_endpoint"));
  CHECK_FALSE(m.contains("introspection_endpoint"));
  auto later = authorization_server_metadata({.issuer = "https://a", .revocation_endpoint = true, .introspection_endpoint = true});
  CHECK(later.at("revocation_endpoint").as_string() == "https://a/oauth/revoke");
  CHECK(later.at("introspection_endpoint").as_string() == "https://a/oauth/introspect");
  auto code = authorization_server_metadata({.issuer = "https://a", .authorization_endpoint = true});
  CHECK(code.at("authorization_endpoint").as_string() == "https://a/oauth/authorize");
  CHECK(boost::json::serialize(code.at("response_types_supported")) == R"(["code"])");
  CHECK(boost::json::serialize(code.at("code_challenge_methods_supported")) == R"(["S256"])");
  CHECK(code.at("authorization_response_iss_parameter_supported").as_bool());
  CHECK(boost::json::serialize(code.at("token_endpoint_auth_methods_supported")) ==
        R"(["client_secret_basic","client_secret_post","none"])");
  CHECK(boost::json::serialize(scopes_document()) ==
        R"([{"id":"read-posts","description":"Read posts data"},{"id":"write-posts","description":"Create or update posts"},)"
        R"({"id":"admin","description":"Full administrative access"}])");
}
