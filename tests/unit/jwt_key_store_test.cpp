// The auth service's key directory: creation, ordering, permissions, errors naming the file.
#include "common/jwt/errors.hpp"
#include "common/jwt/key_store.hpp"
#include "common/jwt/sign.hpp"
#include "common/jwt/verify.hpp"
#include "common/random.hpp"

#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

using namespace oauth;
using namespace oauth::jwt;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path root = fs::temp_directory_path() / ("jwt-key-store-" + random_uuid());
  fs::path keys = root / "var" / "keys";
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

void write_file(const fs::path& p, const std::string& text, fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
  std::ofstream(p) << text;
  fs::permissions(p, perms);
}

} // namespace

TEST_CASE("create: directory 0700 key files 0600 named by creation time - newest signs all published") {
  temp_dir tmp;
  auto first = key_store::create(tmp.keys, algorithm::es256);
  REQUIRE_MESSAGE(first.has_value(), first.error().message());
  auto second = key_store::create(tmp.keys, algorithm::es256);
  REQUIRE(second.has_value());
  CHECK(first->kid() != second->kid());
  CHECK(mode_of(tmp.keys) == 0700);

  auto store = key_store::load(tmp.keys, algorithm::es256);
  REQUIRE_MESSAGE(store.has_value(), store.error().message());
  REQUIRE(store->files().size() == 2);
  for (const auto& f : store->files()) {
    CHECK(mode_of(f) == 0600);
    std::string name = f.filename().string();
    CHECK(name.size() == std::string("key-20261126T175012Z-abcdefgh.pem").size());
    CHECK(name.starts_with("key-"));
    CHECK(name[12] == 'T');
    CHECK(name[19] == 'Z');
  }
  CHECK(store->files()[1].filename().string().find(second->kid().substr(0, 8)) != std::string::npos);
  CHECK(store->signing_key().kid() == second->kid());
  CHECK(store->signing_file() == store->files()[1]);
  CHECK(store->signing_key().has_private());
  CHECK(store->public_keys().size() == 2);
  CHECK(store->public_keys().find(first->kid()) != nullptr);
  CHECK(store->public_keys().find(second->kid()) != nullptr);
  CHECK(store->public_keys().begin()->kid() == second->kid());  // newest first

  // Tokens signed by either key verify against the published set.
  verify_options opt;
  opt.issuer = "iss";
  opt.audience = "aud";
  opt.allowed_algorithms = {algorithm::es256};
  boost::json::object claims{{"iss", "iss"}, {"aud", "aud"}, {"sub", "u"}, {"client_id", "c"},
                             {"jti", "j"},   {"exp", std::int64_t{4'000'000'000}}};
  auto set = key_set::from_jwks(boost::json::serialize(store->public_keys().to_jwks()));
  REQUIRE(set.has_value());
  CHECK(verify(sign(*first, claims), *set, opt).has_value());
  CHECK(verify(sign(store->signing_key(), claims), *set, opt).has_value());

  // Leftovers and other names are ignored.
  write_file(tmp.keys / ".key-20300101T000000Z-x.pem.tmp", "partial");
  write_file(tmp.keys / "README", "keys live here");
  fs::create_directory(tmp.keys / "old.pem");
  CHECK(key_store::load(tmp.keys, algorithm::es256)->files().size() == 2);
}

TEST_CASE("a new key sorts last even when an existing name is in the future") {
  temp_dir tmp;
  auto k = key::generate(algorithm::eddsa);
  REQUIRE(key_store::create(tmp.keys, algorithm::eddsa).has_value());
  fs::path future = tmp.keys / key_store::file_name(32503680000, *k);  // year 3000
  write_file(future, k->private_pem());
  auto newest = key_store::create(tmp.keys, algorithm::eddsa);
  REQUIRE(newest.has_value());
  auto store = key_store::load(tmp.keys, algorithm::eddsa);
  REQUIRE(store.has_value());
  CHECK(store->signing_key().kid() == newest->kid());
  CHECK(store->files().size() == 3);
  // Names without a time are older than any with one.
  write_file(tmp.keys / "legacy.pem", key::generate(algorithm::eddsa)->private_pem());
  store = key_store::load(tmp.keys, algorithm::eddsa);
  REQUIRE(store.has_value());
  CHECK(store->files().front().filename() == "legacy.pem");
  CHECK(store->signing_key().kid() == newest->kid());
}

TEST_CASE("the signing key is the newest of the expected algorithm - older ones stay published") {
  temp_dir tmp;
  auto es = key_store::create(tmp.keys, algorithm::es256);
  auto rs = key_store::create(tmp.keys, algorithm::rs256, 2048);
  REQUIRE(es.has_value());
  REQUIRE(rs.has_value());
  auto store = key_store::load(tmp.keys, algorithm::es256);
  REQUIRE(store.has_value());
  CHECK(store->signing_key().kid() == es->kid());
  CHECK(store->public_keys().size() == 2);
  CHECK(key_store::load(tmp.keys, algorithm::rs256)->signing_key().kid() == rs->kid());
  auto none = key_store::load(tmp.keys, algorithm::eddsa);
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().code == errc::no_signing_key);
  CHECK(none.error().message().find("EdDSA") != std::string::npos);
  CHECK(key_store::create(tmp.keys, algorithm::rs256, 1024).error().code == errc::bad_key);
}

TEST_CASE("errors name the file: garbage public key open permissions missing directory") {
  temp_dir tmp;
  REQUIRE(key_store::create(tmp.keys, algorithm::eddsa).has_value());

  SUBCASE("garbage") {
    fs::path bad = tmp.keys / "zz-garbage.pem";
    write_file(bad, "this is not a key\n");
    auto r = key_store::load(tmp.keys, algorithm::eddsa);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::bad_key);
    CHECK(r.error().file == bad);
    CHECK(r.error().message() == bad.string() + ": invalid key");
    CHECK_THROWS_WITH_AS((void)r.value(), (bad.string() + ": invalid key").c_str(), std::runtime_error);
  }
  SUBCASE("a public key is not a signing key") {
    fs::path pub = tmp.keys / "public.pem";
    write_file(pub, key::generate(algorithm::eddsa)->public_pem());
    auto r = key_store::load(tmp.keys, algorithm::eddsa);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().file == pub);
    CHECK(r.error().message().find("not a private key") != std::string::npos);
  }
  SUBCASE("readable by group or others") {
    fs::path loose = tmp.keys / "loose.pem";
    write_file(loose, key::generate(algorithm::eddsa)->private_pem(),
               fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    auto r = key_store::load(tmp.keys, algorithm::eddsa);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::insecure_key_file);
    CHECK(r.error().file == loose);
    CHECK(r.error().message().find("0644") != std::string::npos);
    CHECK(r.error().message().find("chmod 600") != std::string::npos);
    fs::permissions(loose, fs::perms::owner_read);  // 0400 is fine
    CHECK(key_store::load(tmp.keys, algorithm::eddsa).has_value());
  }
  SUBCASE("readable by the group only (0640)") {
    fs::path grp = tmp.keys / "group.pem";
    write_file(grp, key::generate(algorithm::eddsa)->private_pem(),
               fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    auto r = key_store::load(tmp.keys, algorithm::eddsa);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::insecure_key_file);
    CHECK(r.error().message().find("0640") != std::string::npos);
  }
  SUBCASE("a symbolic link to a 0600 key file") {
    fs::path target = tmp.root / "elsewhere.pem";
    write_file(target, key::generate(algorithm::eddsa)->private_pem(), fs::perms::owner_read | fs::perms::owner_write);
    fs::path link = tmp.keys / "linked.pem";
    fs::create_symlink(target, link);
    auto r = key_store::load(tmp.keys, algorithm::eddsa);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::insecure_key_file);
    CHECK(r.error().file == link);
    CHECK(r.error().message().find("symbolic link") != std::string::npos);
  }
  SUBCASE("missing or empty directory") {
    auto r = key_store::load(tmp.root / "nope", algorithm::eddsa);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().file == tmp.root / "nope");
    fs::create_directory(tmp.root / "empty");
    r = key_store::load(tmp.root / "empty", algorithm::eddsa);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::no_signing_key);
  }
}
