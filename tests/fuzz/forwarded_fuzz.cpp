// The client address behind trusted proxies (common/http/forwarded): X-Forwarded-For and the
// TRUSTED_PROXIES ranges.
// Input: one byte choosing the TCP peer, a line of CIDR text, then the X-Forwarded-For value.
// Invariants: a parsed range contains its own network address and has a prefix within the
// family's size; the client is the peer unless the peer is trusted; the chosen client is the
// peer or one of the X-Forwarded-For hops, always a well-formed address; and no hop to the left
// of an untrusted one (client-written, forgeable) is ever chosen.
#include "common/http/forwarded.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstdint>
#include <string>
#include <vector>

using namespace oauth::http;
namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The oracle's own reading of one hop: an address, IPv4-mapped IPv6 seen as IPv4.
std::optional<ip::address> hop_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(trim(text)), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::address(ip::make_address_v4(ip::v4_mapped, a.to_v6()));
  return a;
}

const trusted_proxies& proxies() {
  static const trusted_proxies p = [] {
    std::vector<address_range> ranges;
    for (const char* text : {"10.0.0.0/8", "172.16.0.0/12", "::1/128", "fd00::/8", "192.168.1.5"})
      ranges.push_back(*parse_address_range(text));
    return trusted_proxies(std::move(ranges));
  }();
  return p;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const ip::address peers[] = {ip::make_address("10.1.2.3"), ip::make_address("203.0.113.9"),
                                      ip::make_address("::1"), ip::make_address("::ffff:10.0.0.1"),
                                      ip::make_address("fd00::7"), ip::make_address("192.168.1.5")};
  const ip::address& peer = peers[data[0] % std::size(peers)];
  auto rest = oauth::fuzz::as_text(data + 1, size - 1);
  auto cidr = oauth::fuzz::take_line(rest);

  if (auto range = parse_address_range(cidr)) {
    FUZZ_CHECK(range->prefix <= (range->network.is_v4() ? 32u : 128u));
    FUZZ_CHECK(range->contains(range->network));
  }

  const auto& trusted = proxies();
  std::string client = trusted.client_address(peer, rest);
  auto client_address = hop_address(client);
  FUZZ_CHECK(client_address.has_value());
  auto normal_peer = *hop_address(peer.to_string());
  if (!trusted.trusts(normal_peer)) {
    FUZZ_CHECK(*client_address == normal_peer);
    return 0;
  }
  if (*client_address == normal_peer) return 0;

  // Walk the hops from the right as a proxy chain is read: the client must be found before
  // (or at) the first untrusted or unreadable hop.
  bool found = false;
  std::string_view hops = rest;
  while (!hops.empty() && !found) {
    auto comma = hops.rfind(',');
    auto hop = comma == std::string_view::npos ? hops : hops.substr(comma + 1);
    hops = comma == std::string_view::npos ? std::string_view{} : hops.substr(0, comma);
    auto address = hop_address(hop);
    if (!address) break;
    if (*address == *client_address) found = true;
    else if (!trusted.trusts(*address)) break;
  }
  FUZZ_CHECK(found);
  return 0;
}
