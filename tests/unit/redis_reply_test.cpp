#include "common/redis/reply.hpp"

#include <doctest/doctest.h>
#include <hiredis/hiredis.h>

#include <string>

using oauth::redis::reply;

namespace {

redisReply make(int type, std::string* text = nullptr) {
  redisReply r{};
  r.type = type;
  if (text != nullptr) {
    r.str = text->data();
    r.len = text->size();
  }
  return r;
}

} // namespace

TEST_CASE("reply: strings are copied with their length, embedded NULs included") {
  std::string text("a\0b\r\n", 5);
  auto r = make(REDIS_REPLY_STRING, &text);
  auto out = reply::from_hiredis(r);
  CHECK(out.type == reply::kind::string);
  CHECK(out.str == text);
  CHECK(out.str.size() == 5);
  text[0] = 'z';  // a deep copy: the hiredis buffer may be reused after the callback
  CHECK(out.str[0] == 'a');
}

TEST_CASE("reply: integer, nil, status and error") {
  auto i = make(REDIS_REPLY_INTEGER);
  i.integer = -42;
  CHECK(reply::from_hiredis(i).type == reply::kind::integer);
  CHECK(reply::from_hiredis(i).integer == -42);

  auto nil = make(REDIS_REPLY_NIL);
  CHECK(reply::from_hiredis(nil).is_nil());

  std::string ok = "OK";
  auto status = make(REDIS_REPLY_STATUS, &ok);
  CHECK(reply::from_hiredis(status).is_ok());
  CHECK_FALSE(reply::from_hiredis(status).is_error());

  std::string msg = "WRONGTYPE Operation against a key holding the wrong kind of value";
  auto err = make(REDIS_REPLY_ERROR, &msg);
  auto e = reply::from_hiredis(err);
  CHECK(e.is_error());
  CHECK(e.str == msg);
  CHECK(e.error_code() == "WRONGTYPE");
  CHECK(reply::from_hiredis(status).error_code().empty());
}

TEST_CASE("reply: nested arrays are copied element by element") {
  std::string a = "a", b = "";
  auto ea = make(REDIS_REPLY_STRING, &a);
  auto eb = make(REDIS_REPLY_STRING, &b);
  auto en = make(REDIS_REPLY_NIL);
  redisReply* inner_items[] = {&ea, &en};
  auto inner = make(REDIS_REPLY_ARRAY);
  inner.elements = 2;
  inner.element = inner_items;
  redisReply* outer_items[] = {&inner, &eb};
  auto outer = make(REDIS_REPLY_ARRAY);
  outer.elements = 2;
  outer.element = outer_items;

  auto out = reply::from_hiredis(outer);
  REQUIRE(out.is_array());
  REQUIRE(out.elements.size() == 2);
  REQUIRE(out.elements[0].elements.size() == 2);
  CHECK(out.elements[0].elements[0].str == "a");
  CHECK(out.elements[0].elements[1].is_nil());
  CHECK(out.elements[1].is_string());
  CHECK(out.elements[1].str.empty());

  auto empty = make(REDIS_REPLY_ARRAY);
  CHECK(reply::from_hiredis(empty).is_array());
  CHECK(reply::from_hiredis(empty).elements.empty());
}

TEST_CASE("reply: an unknown type becomes an error reply, not a crash") {
  auto odd = make(99);
  auto out = reply::from_hiredis(odd);
  CHECK(out.is_error());
  CHECK(out.error_code() == "PROTOCOL");
}
