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

TEST_CASE("revocation protocol: cutoff members round trip, jtis and odd members are not cutoffs") {
  auto m = cutoff_member(cutoff::kind::subject, 1700000000, "6f1c8e2a-0d3b-4c7e-9a1b-2f3e4d5c6b7a");
  CHECK(m == "sub:1700000000:6f1c8e2a-0d3b-4c7e-9a1b-2f3e4d5c6b7a");
  CHECK(valid_jti(m));
  auto c = parse_cutoff(m);
  REQUIRE(c.has_value());
  CHECK(c->what == cutoff::kind::subject);
  CHECK(c->before == 1700000000);
  CHECK(c->id == "6f1c8e2a-0d3b-4c7e-9a1b-2f3e4d5c6b7a");
  const auto cli_member = cutoff_member(cutoff::kind::client, 5, "c1");  // cutoff::id views into it
  auto cli = parse_cutoff(cli_member);
  REQUIRE(cli.has_value());
  CHECK(cli->what == cutoff::kind::client);
  CHECK(cli->id == "c1");
  CHECK_FALSE(parse_cutoff("6f1c8e2a-0d3b-4c7e-9a1b-2f3e4d5c6b7a").has_value());
  CHECK_FALSE(parse_cutoff("sub:").has_value());
  CHECK_FALSE(parse_cutoff("sub:12:").has_value());
  CHECK_FALSE(parse_cutoff("sub::id").has_value());
  CHECK_FALSE(parse_cutoff("sub:-1:id").has_value());
  CHECK_FALSE(parse_cutoff("cli:1x:id").has_value());
  CHECK(cutoff_member(cutoff::kind::client, 1, "has space").empty());
  CHECK(cutoff_member(cutoff::kind::client, 1, std::string("nul\0", 4)).empty());
  CHECK(cutoff_member(cutoff::kind::client, 1, "").empty());
  // Travels in messages like any entry.
  auto parsed = parse_message(encode_message({{m, 1800000000}}));
  REQUIRE(parsed.entries.size() == 1);
  CHECK(parsed.entries[0].jti == m);
}

TEST_CASE("revocation set: one cutoff revokes every token of a subject or client issued at or before T") {
  revocation_set s;
  CHECK(s.add(cutoff_member(cutoff::kind::subject, 1000, "user-1"), 5000));
  CHECK(s.add(cutoff_member(cutoff::kind::client, 2000, "client-1"), 5000));
  CHECK(s.size() == 2);
  CHECK(s.revoked("jti-a", "user-1", "other-client", 1000));
  CHECK(s.revoked("jti-a", "user-1", "other-client", 10));
  CHECK_FALSE(s.revoked("jti-a", "user-1", "other-client", 1001));
  CHECK_FALSE(s.revoked("jti-a", "user-2", "other-client", 10));
  CHECK(s.revoked("jti-b", "user-2", "client-1", 2000));
  CHECK_FALSE(s.revoked("jti-b", "user-2", "client-1", 2001));
  // The subject map is not consulted for client ids and the reverse.
  CHECK_FALSE(s.revoked("jti-c", "client-1", "user-1", 10));
  CHECK(s.client_cut_off("client-1"));
  CHECK_FALSE(s.client_cut_off("user-1"));
  CHECK(s.subject_cut_off("user-1"));
  CHECK_FALSE(s.contains(cutoff_member(cutoff::kind::subject, 1000, "user-1")));
  // A later cutoff widens, an earlier one changes nothing.
  CHECK(s.add(cutoff_member(cutoff::kind::subject, 1500, "user-1"), 6000));
  CHECK_FALSE(s.add(cutoff_member(cutoff::kind::subject, 1200, "user-1"), 5500));
  CHECK(s.revoked("jti-a", "user-1", "x", 1500));
  CHECK(s.size() == 2);
  // jtis still work alongside.
  s.add("jti-z", 3000);
  CHECK(s.revoked("jti-z", "u", "c", 1));
  // Pruned by their exp like jtis.
  CHECK(s.prune(5000 + 10, 0) == 2);  // client cutoff (exp 5000) and jti-z (3000)
  CHECK(s.subject_cut_off("user-1"));
  CHECK(s.prune(6000 + 10, 0) == 1);
  CHECK(s.size() == 0);
  CHECK_FALSE(s.revoked("jti-a", "user-1", "x", 10));
}
