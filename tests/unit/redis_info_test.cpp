// The run_id the client's handshake reads from INFO server (client::eval_with_server_id).
#include "common/redis/server_info.hpp"

#include <doctest/doctest.h>

#include <string>

using oauth::redis::run_id_from_info;

namespace {
const std::string id = "3b1b0b9f7a5e4c2d1e0f9a8b7c6d5e4f3a2b1c0d";
}

TEST_CASE("run_id_from_info: the run_id line of a real INFO server reply") {
  const std::string info = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nprocess_id:4242\r\n"
                           "process_supervised:no\r\nrun_id:" + id + "\r\ntcp_port:6379\r\n";
  CHECK(run_id_from_info(info) == id);
  CHECK(run_id_from_info("run_id:" + id) == id);                  // first line, no line end
  CHECK(run_id_from_info("a:1\nrun_id:" + id + "\nb:2\n") == id);  // bare LF
}

TEST_CASE("run_id_from_info: anything but 40 lower-case hex digits on a run_id line is no id") {
  CHECK_FALSE(run_id_from_info(""));
  CHECK_FALSE(run_id_from_info("# Server\r\nredis_version:7.0.15\r\n"));
  CHECK_FALSE(run_id_from_info("run_id:\r\n"));
  CHECK_FALSE(run_id_from_info("run_id:" + id.substr(1) + "\r\n"));
  CHECK_FALSE(run_id_from_info("run_id:" + id + "0\r\n"));
  std::string upper = id;
  upper[0] = 'B';
  CHECK_FALSE(run_id_from_info("run_id:" + upper + "\r\n"));
  std::string with_nul = id;
  with_nul[5] = '\0';
  CHECK_FALSE(run_id_from_info("run_id:" + with_nul + "\r\n"));
  CHECK_FALSE(run_id_from_info("run_id: " + id.substr(1) + "\r\n"));
  // Only a line that starts with the field counts; the first such line decides.
  CHECK_FALSE(run_id_from_info("master_run_id:" + id + "\r\n"));
  CHECK_FALSE(run_id_from_info("run_id:xyz\r\nrun_id:" + id + "\r\n"));
}
