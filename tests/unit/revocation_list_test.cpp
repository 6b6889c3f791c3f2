// The revocation list protocol (common/revocation/protocol.hpp) and the in-memory set: message
// format, load parsing, pruning, concurrency. No sockets.
#include "common/revocation/protocol.hpp"
#include "common/revocation/revocation_set.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace oauth::revocation;

TEST_CASE("revocation protocol: message round trip, one entry and a family") {
  std::vector<entry> one{{"6f1c8e2a-0d3b-4c7e-9a1b-2f3e4d5c6b7a", 1900000000}};
  CHECK(encode_message(one) == "6f1c8e2a-0d3b-4c7e-9a1b-2f3e4d5c6b7a 1900000000");
  CHECK(parse_message(encode_message(one)).entries == one);

  std::vector<entry> family{{"a", 1}, {"b", 2000000000}, {"c", 3}};
  auto parsed = parse_message(encode_message(family));
  CHECK(parsed.entries == family);
  CHECK(parsed.rejected == 0);
}

TEST_CASE("revocation protocol: malformed entries are skipped and counted, the rest kept") {
  auto p = parse_message("good 100\nnospace\nbad -5\n 7\nx 12a\n\nalso-good 200\r\n" + std::string(200, 'j') + " 1");
  REQUIRE(p.entries.size() == 2);
  CHECK(p.entries[0] == entry{"good", 100});
  CHECK(p.entries[1] == entry{"also-good", 200});
  CHECK(p.rejected == 5);
  CHECK(parse_message("").entries.empty());
  CHECK(parse_message("j 99999999999999999999").rejected == 1);  // overflow
  // A jti with a control character or a space cannot travel.
  CHECK_FALSE(valid_jti("a b"));
  CHECK_FALSE(valid_jti("a\x01"));
  CHECK_FALSE(valid_jti(""));
  CHECK(valid_jti(std::string(max_jti_bytes, 'x')));
  CHECK_FALSE(valid_jti(std::string(max_jti_bytes + 1, 'x')));
  // encode skips what parse would reject.
  CHECK(encode_message({{"a b", 1}, {"ok", 2}}) == "ok 2");
}

TEST_CASE("revocation protocol: load command and WITHSCORES pairs") {
  names n;
  auto cmd = load_command(n, 1000);
  CHECK(cmd == std::vector<std::string>{"ZRANGEBYSCORE", "oauth:revoked", "(700", "+inf", "WITHSCORES"});
  auto p = parse_pairs({"j1", "1900000000", "j2", "1.5", "j3", "1700000000", "dangling"});
  CHECK(p.entries == std::vector<entry>{{"j1", 1900000000}, {"j3", 1700000000}});
  CHECK(p.rejected == 2);
  // The shared Lua function names what the scripts call.
  CHECK(revoke_function_lua().find("local function revoke_jtis(zkey, channel, now, list)") != std::string_view::npos);
  CHECK(revoke_function_lua().find("now - 300") != std::string_view::npos);
}

TEST_CASE("revocation set: add, merge, contains, prune by exp") {
  revocation_set s;
  CHECK_FALSE(s.contains("x"));
  CHECK(s.add("x", 100));
  CHECK_FALSE(s.add("x", 50));  // already there; keeps the later exp
  CHECK(s.contains("x"));
  CHECK(s.merge({{"y", 200}, {"z", 300}, {"x", 400}}) == 2);
  CHECK(s.size() == 3);
  // keep_after 60: x (exp 400) survives until 460.
  CHECK(s.prune(261, 60) == 1);  // y (200 + 60 < 261)
  CHECK_FALSE(s.contains("y"));
  CHECK(s.contains("x"));
  CHECK(s.prune(461, 60) == 2);
  CHECK(s.size() == 0);
  CHECK_FALSE(s.contains("x"));
}

TEST_CASE("revocation set: concurrent readers and a writer") {
  revocation_set s;
  std::atomic<bool> stop{false};
  std::atomic<long> violations{0}, sightings{0};
  std::vector<std::thread> readers;
  // The writer adds j-0 … j-999 in order, then prunes j-0 … j-399. What every reader must see
  // at every moment, not only after the join: j-500 (never pruned) stays once seen, and j-999
  // is never there without j-500 (added before it). Checked in that order: j-999 first.
  for (int i = 0; i < 4; ++i)
    readers.emplace_back([&] {
      bool seen_mid = false;
      while (!stop.load()) {
        bool late = s.contains("j-999");
        bool mid = s.contains("j-500");
        if ((late && !mid) || (seen_mid && !mid)) violations.fetch_add(1);
        if (mid) sightings.fetch_add(1);
        seen_mid = seen_mid || mid;
      }
    });
  for (int i = 0; i < 1000; ++i) s.add("j-" + std::to_string(i), 1000 + i);
  s.prune(1400, 0);
  // Let the readers see the final state too before they stop.
  for (long before = sightings.load(); sightings.load() < before + 8;) std::this_thread::yield();
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(violations == 0);
  CHECK(s.contains("j-500"));
  CHECK_FALSE(s.contains("j-399"));
  CHECK(s.size() == 600);
}
