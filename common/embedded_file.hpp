#pragma once
#include <string_view>

namespace oauth {

// A file compiled into the binary by cmake/embed.cmake (migrations, web pages).
struct embedded_file {
  std::string_view name;
  std::string_view content;
};

} // namespace oauth
