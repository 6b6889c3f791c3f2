// The ids the client's handshake reads from INFO (client::eval_with_server_id).
#include "common/redis/server_info.hpp"

#include <doctest/doctest.h>

#include <string>

using oauth::redis::hex_id_from_info;

namespace {
const std::string id = "3b1b0b9f7a5e4c2d1e0f9a8b7c6d5e4f3a2b1c0d";
const std::string other = "0000000000000000000000000000000000000000";
auto run_id_from_info(const std::string& info) { return hex_id_from_info(info, "run_id"); }
} // namespace

TEST_CASE("hex_id_from_info: run_id of a real INFO server reply, master_replid of INFO replication") {
  const std::string server = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nprocess_id:4242\r\n"
                             "process_supervised:no\r\nrun_id:" + id + "\r\ntcp_port:6379\r\n";
  CHECK(run_id_from_info(server) == id);
  CHECK(run_id_from_info("run_id:" + id) == id);                  // first line, no line end
  CHECK(run_id_from_info("a:1\nrun_id:" + id + "\nb:2\n") == id);  // bare LF
  // master_replid2 (the previous term's id) is another field, whatever its order.
  const std::string replication = "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:"
                                  "no-failover\r\nmaster_replid2:" + other + "\r\nmaster_replid:" + id +
                                  "\r\nmaster_repl_offset:0\r\n";
  CHECK(hex_id_from_info(replication, "master_replid") == id);
  CHECK(hex_id_from_info(replication, "master_replid2") == other);
  CHECK_FALSE(hex_id_from_info(replication, "run_id"));
}

TEST_CASE("hex_id_from_info: anything but 40 lower-case hex digits on the field's line is no id") {
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
  CHECK_FALSE(run_id_from_info("run_idx:" + id + "\r\n"));
  CHECK_FALSE(run_id_from_info("run_id:xyz\r\nrun_id:" + id + "\r\n"));
}
