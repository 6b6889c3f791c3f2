#pragma once
// A Lua script run with EVALSHA; its SHA-1 is computed once, at construction.
#include <string>

namespace oauth::redis {

class script {
public:
  explicit script(std::string lua);

  const std::string& source() const { return source_; }
  // Lower-case hex SHA-1 of the source, as SCRIPT LOAD returns it.
  const std::string& sha1() const { return sha1_; }

private:
  std::string source_;
  std::string sha1_;
};

} // namespace oauth::redis
