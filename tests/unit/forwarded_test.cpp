#include "common/config.hpp"
#include "common/http/forwarded.hpp"

#include <doctest/doctest.h>

using namespace oauth::http;
using boost::asio::ip::make_address;

namespace {
trusted_proxies proxies(std::initializer_list<const char*> ranges) {
  std::vector<address_range> out;
  for (auto r : ranges) out.push_back(parse_address_range(r).value());
  return trusted_proxies(std::move(out));
}
} // namespace

TEST_CASE("address ranges") {
  auto r = parse_address_range("10.1.0.0/16").value();
  CHECK(r.contains(make_address("10.1.200.3")));
  CHECK_FALSE(r.contains(make_address("10.2.0.1")));
  CHECK_FALSE(r.contains(make_address("::1")));
  auto single = parse_address_range("192.168.1.5").value();
  CHECK(single.contains(make_address("192.168.1.5")));
  CHECK_FALSE(single.contains(make_address("192.168.1.6")));
  auto v6 = parse_address_range("fd00::/8").value();
  CHECK(v6.contains(make_address("fd12::1")));
  CHECK(parse_address_range("0.0.0.0/0").value().contains(make_address("8.8.8.8")));
  CHECK(parse_address_range("10.0.0.0/12").value().contains(make_address("10.15.255.255")));
  CHECK_FALSE(parse_address_range("10.0.0.0/12").value().contains(make_address("10.16.0.0")));
  CHECK_FALSE(parse_address_range("10.0.0.0/33"));
  CHECK_FALSE(parse_address_range("nope"));
  CHECK_FALSE(parse_address_range("10.0.0.0/"));
  CHECK(oauth::is_address_range("172.16.0.0/12"));
  CHECK(oauth::is_address_range("::1"));
  CHECK_FALSE(oauth::is_address_range("172.16.0.0/40"));
  CHECK_FALSE(oauth::is_address_range("gateway"));
}

TEST_CASE("X-Forwarded-For is ignored unless the peer is a trusted proxy") {
  auto p = proxies({"10.0.0.0/8"});
  CHECK(p.client_address(make_address("203.0.113.9"), "1.2.3.4") == "203.0.113.9");
  CHECK(trusted_proxies{}.client_address(make_address("10.0.0.2"), "1.2.3.4") == "10.0.0.2");
}

TEST_CASE("the client is the right-most untrusted hop") {
  auto p = proxies({"10.0.0.0/8", "127.0.0.1"});
  CHECK(p.client_address(make_address("10.0.0.2"), "198.51.100.7") == "198.51.100.7");
  // A client-forged left part is not believed.
  CHECK(p.client_address(make_address("10.0.0.2"), "6.6.6.6, 198.51.100.7") == "198.51.100.7");
  // Chains of trusted proxies are walked through.
  CHECK(p.client_address(make_address("10.0.0.2"), "198.51.100.7, 10.0.0.9") == "198.51.100.7");
  // Garbage stops the walk at the last good hop.
  CHECK(p.client_address(make_address("10.0.0.2"), "junk, 10.0.0.9") == "10.0.0.9");
  // IPv4-mapped peers count as IPv4.
  CHECK(p.client_address(make_address("::ffff:10.0.0.2"), "198.51.100.7") == "198.51.100.7");
}
