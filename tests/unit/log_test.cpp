#include "common/log.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <cctype>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace {
// Captures what the logger writes to stderr while `body` runs.
template <class F>
std::vector<std::string> capture_text(F body) {
  char path[] = "/tmp/oauth-log-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  body();
  oauth::log::flush();
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::remove(path);
  return lines;
}
template <class F>
std::vector<boost::json::object> capture(F body) {
  std::vector<boost::json::object> lines;
  for (const auto& line : capture_text(body)) lines.push_back(boost::json::parse(line).as_object());
  return lines;
}
} // namespace

TEST_CASE("log lines are JSON objects with ts, level, service and msg") {
  oauth::log::set_service("test-service");
  oauth::log::set_level(oauth::log::level::info);
  auto lines = capture([] {
    oauth::log::debug("hidden");
    oauth::log::info("hello", {{"n", 3}, {"quote", "a\"b\nc"}});
    oauth::log::warn("careful");
  });
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["msg"] == "hello");
  CHECK(lines[0]["level"] == "info");
  CHECK(lines[0]["service"] == "test-service");
  CHECK(lines[0]["n"] == 3);
  CHECK(lines[0]["quote"] == "a\"b\nc");
  CHECK(lines[0]["ts"].as_string().size() == 24);
  CHECK(lines[1]["level"] == "warn");
}

TEST_CASE("the access line escapes what the client sent and keeps every field") {
  oauth::log::set_level(oauth::log::level::info);
  auto lines = capture([] {
    oauth::log::access({.request_id = "id\"\x01",
                        .method = "GET",
                        .path = "/a\\b",
                        .route = "/a/{id}",
                        .status = 404,
                        .duration_ms = 1.5,
                        .bytes = 120,
                        .remote = "127.0.0.1"});
  });
  REQUIRE(lines.size() == 1);
  auto& l = lines[0];
  CHECK(l["msg"] == "request");
  CHECK(l["request_id"] == "id\"\x01");
  CHECK(l["path"] == "/a\\b");
  CHECK(l["route"] == "/a/{id}");
  CHECK(l["status"] == 404);
  CHECK(l["duration_ms"].to_number<double>() == doctest::Approx(1.5));
  CHECK(l["bytes"] == 120);
  CHECK(l["remote"] == "127.0.0.1");
}

TEST_CASE("the access line prints the duration with three decimals and a millisecond UTC timestamp") {
  oauth::log::set_level(oauth::log::level::info);
  auto lines = capture_text([] {
    oauth::log::access({.request_id = "a", .method = "GET", .path = "/", .route = "/", .status = 200,
                        .duration_ms = 12.3456, .bytes = 0, .remote = ""});
    oauth::log::access({.request_id = "b", .method = "GET", .path = "/", .route = "/", .status = 200,
                        .duration_ms = 0.0004, .bytes = 0, .remote = ""});
    oauth::log::access({.request_id = "c", .method = "GET", .path = "/", .route = "/", .status = 200,
                        .duration_ms = 2000.05, .bytes = 0, .remote = ""});
  });
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("\"duration_ms\":12.346,") != std::string::npos);
  CHECK(lines[1].find("\"duration_ms\":0.000,") != std::string::npos);
  CHECK(lines[2].find("\"duration_ms\":2000.050,") != std::string::npos);
  auto ts = boost::json::parse(lines[0]).as_object()["ts"].as_string();
  REQUIRE(ts.size() == 24);
  for (std::size_t i : {4u, 7u}) CHECK(ts[i] == '-');
  CHECK(ts[10] == 'T');
  CHECK(ts[19] == '.');
  CHECK(ts[23] == 'Z');
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u, 20u, 21u, 22u})
    CHECK(std::isdigit(static_cast<unsigned char>(ts[i])));
}

TEST_CASE("no access line below info") {
  oauth::log::set_level(oauth::log::level::warn);
  auto lines = capture([] { oauth::log::access(oauth::log::access_entry{"id", "GET", "/", "/", 200, 1.0, 1, "127.0.0.1"}); });
  CHECK(lines.empty());
  oauth::log::set_level(oauth::log::level::info);
}
