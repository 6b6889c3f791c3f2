#include "common/digest.hpp"
#include "common/encoding.hpp"
#include "common/scope_list.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace oauth;

namespace {
std::string hex(const sha256_digest& d) { return hex_encode(std::span<const unsigned char>(d.data(), d.size())); }
} // namespace

TEST_CASE("sha256 matches FIPS 180-2's vectors, NUL bytes included") {
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // A string_view with an embedded NUL is hashed whole, not cut at the NUL.
  CHECK(sha256(std::string_view("a\0b", 3)) != sha256("a"));
}

TEST_CASE("hmac_sha256 matches RFC 4231's test case 2, in both forms") {
  const std::string expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) == expected);
  sha256_digest out{};
  hmac_sha256("Jefe", "what do ya want for nothing?", out);
  CHECK(hex(out) == expected);
  CHECK(hmac_sha256("Jefe", "x") != hmac_sha256("Jeff", "x"));
}

TEST_CASE("scope lists join with single spaces and split back, skipping empty items") {
  CHECK(join_scope_list({}) == "");
  CHECK(join_scope_list({"read-posts"}) == "read-posts");
  CHECK(join_scope_list({"read-posts", "admin"}) == "read-posts admin");
  CHECK(split_scope_list("").empty());
  CHECK(split_scope_list("read-posts admin") == std::vector<std::string>{"read-posts", "admin"});
  CHECK(split_scope_list(" read-posts  admin ") == std::vector<std::string>{"read-posts", "admin"});
  const std::vector<std::string> three{"a", "b", "c"};
  CHECK(split_scope_list(join_scope_list(three)) == three);
}
