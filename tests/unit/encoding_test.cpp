#include "common/encoding.hpp"

#include <doctest/doctest.h>

#include <cctype>

using namespace oauth;

TEST_CASE("base64url round trips and matches RFC 4648 vectors") {
  CHECK(base64url_encode(std::string_view("")) == "");
  CHECK(base64url_encode(std::string_view("f")) == "Zg");
  CHECK(base64url_encode(std::string_view("fo")) == "Zm8");
  CHECK(base64url_encode(std::string_view("foo")) == "Zm9v");
  CHECK(base64url_encode(std::string_view("foob")) == "Zm9vYg");
  CHECK(base64url_encode(std::string_view("\xfb\xff")) == "-_8");
  // Built with explicit lengths: a literal with a NUL converted through const char* would stop at it.
  for (std::string s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"), std::string("abcd"),
                        std::string("\x00\xff\xfe", 3), std::string("\x00", 1)}) {
    CHECK(base64url_decode(base64url_encode(s)) == s);
  }
  CHECK(base64url_encode(std::string_view("\x00\xff\xfe", 3)) == "AP_-");
}

TEST_CASE("base64url decoding is strict") {
  CHECK_FALSE(base64url_decode("Zg=="));      // padding
  CHECK_FALSE(base64url_decode("Zm9v+/"));     // standard alphabet
  CHECK_FALSE(base64url_decode("Zm 9v"));      // whitespace
  CHECK_FALSE(base64url_decode("Z"));          // impossible length
  CHECK_FALSE(base64url_decode("Zh"));         // non-zero trailing bits ("Zg" is canonical)
  CHECK(base64url_decode("Zg") == "f");
}

TEST_CASE("base64url: every length round-trips and a bad character anywhere is refused") {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    auto text = base64url_encode(bytes);
    REQUIRE(base64url_decode(text) == bytes);
    for (std::size_t i = 0; i < text.size(); ++i)
      for (char bad : {'=', '+', '/', ' ', '\0', '\x80'}) {
        std::string broken = text;
        broken[i] = bad;
        CHECK_FALSE(base64url_decode(broken));
      }
    bytes.push_back(static_cast<char>(n * 37 + 11));
  }
}

TEST_CASE("base64 with padding for HTTP Basic") {
  CHECK(base64_encode("client:secret") == "Y2xpZW50OnNlY3JldA==");
  CHECK(base64_decode("Y2xpZW50OnNlY3JldA==") == "client:secret");
  CHECK_FALSE(base64_decode("Y2xpZW50OnNlY3JldA"));
  CHECK_FALSE(base64_decode("Y2x*ZW50"));
}

TEST_CASE("form bodies decode names and values") {
  auto f = parse_form("grant_type=password&username=a%40b.c&password=p+w%26d&scope=read-posts%20write-posts&&empty=");
  REQUIRE(f);
  REQUIRE(f->size() == 5);
  CHECK((*f)[1].second == "a@b.c");
  CHECK((*f)[2].second == "p w&d");
  CHECK((*f)[3].second == "read-posts write-posts");
  CHECK((*f)[4].first == "empty");
  CHECK((*f)[4].second == "");
  CHECK_FALSE(parse_form("a=%zz"));
  CHECK_FALSE(parse_form("a=%4"));
  CHECK_FALSE(parse_form("a=%"));
  CHECK(url_encode("a b&c/é") == "a%20b%26c%2F%C3%A9");
}

TEST_CASE("percent_decode decodes %HH once, in either case, and leaves '+' alone") {
  CHECK(percent_decode("/a%2Fb%2fc") == "/a/b/c");
  CHECK(percent_decode("a+b%20c") == "a+b c");
  CHECK(percent_decode("%252F") == "%2F");  // once
  CHECK(percent_decode("%00") == std::string("\0", 1));
  CHECK(percent_decode("") == "");
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("a%4"));
  CHECK_FALSE(percent_decode("%zz"));
  CHECK_FALSE(percent_decode("%4G"));
}

TEST_CASE("UTF-8 validation") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("h\xc3\xa9llo \xf0\x9f\x98\x80"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK(utf8_length("h\xc3\xa9llo \xf0\x9f\x98\x80") == 7);
}

TEST_CASE("constant-time comparison") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK(constant_time_equal("", ""));
}

#include "common/random.hpp"

#include <set>
#include <thread>

namespace {
void check_uuid_v4(const std::string& a) {
  REQUIRE(a.size() == 36);
  CHECK(a[8] == '-');
  CHECK(a[13] == '-');
  CHECK(a[18] == '-');
  CHECK(a[23] == '-');
  CHECK(a[14] == '4');
  CHECK(std::string_view("89ab").find(a[19]) != std::string_view::npos);
  for (std::size_t i = 0; i < a.size(); ++i)
    if (i != 8 && i != 13 && i != 18 && i != 23) CHECK(std::isxdigit(static_cast<unsigned char>(a[i])));
}
} // namespace

TEST_CASE("random UUIDs are version 4 in canonical form and differ") {
  auto a = oauth::random_uuid();
  auto b = oauth::random_uuid();
  CHECK(a != b);
  check_uuid_v4(a);
}

TEST_CASE("request ids from the per-thread buffer are UUIDs and never repeat across refills") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {  // 1000 ids: 31 refills of the 32-id buffer
    auto id = oauth::random_request_id();
    check_uuid_v4(id);
    CHECK(seen.insert(id).second);
  }
  std::string other_thread;
  std::thread([&] { other_thread = oauth::random_request_id(); }).join();
  check_uuid_v4(other_thread);
  CHECK(seen.count(other_thread) == 0);
}

TEST_CASE("contains_nul finds U+0000 anywhere, and only it") {
  CHECK_FALSE(oauth::contains_nul(""));
  CHECK_FALSE(oauth::contains_nul("plain \x01\x7f text"));
  CHECK(oauth::contains_nul(std::string_view("\0", 1)));
  CHECK(oauth::contains_nul(std::string_view("abc\0secret", 10)));
  CHECK(oauth::contains_nul(std::string_view("end\0", 4)));
}
