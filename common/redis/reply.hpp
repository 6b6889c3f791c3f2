#pragma once
// A Redis reply, deep-copied out of hiredis so it outlives the callback that produced it.
#include <string>
#include <string_view>
#include <vector>

struct redisReply;  // hiredis

namespace oauth::redis {

struct reply {
  enum class kind { nil, string, integer, array, status, error };

  kind type = kind::nil;
  std::string str;       // string, status, error (the message, e.g. "WRONGTYPE Operation ...")
  long long integer = 0; // integer
  std::vector<reply> elements;  // array

  bool is_nil() const { return type == kind::nil; }
  bool is_error() const { return type == kind::error; }
  bool is_string() const { return type == kind::string; }
  bool is_integer() const { return type == kind::integer; }
  bool is_array() const { return type == kind::array; }
  // A "+OK" status reply.
  bool is_ok() const { return type == kind::status && str == "OK"; }
  // The error prefix ("NOSCRIPT", "WRONGTYPE", "ERR"); empty unless is_error().
  std::string_view error_code() const;

  bool operator==(const reply&) const = default;

  // Deep copy of a hiredis reply; an unknown reply type becomes an error reply.
  static reply from_hiredis(const redisReply& r);
};

} // namespace oauth::redis
