#include "common/http/forwarded.hpp"

#include <charconv>

namespace oauth::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<boost::asio::ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  // An IPv4-mapped IPv6 peer (dual-stack listener) compares as IPv4.
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return boost::asio::ip::address(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()));
  return a;
}

} // namespace

bool address_range::contains(const boost::asio::ip::address& a) const {
  if (a.is_v4() != network.is_v4()) return false;
  auto match = [this](const unsigned char* x, const unsigned char* y, std::size_t bytes) {
    unsigned bits = prefix;
    for (std::size_t i = 0; i < bytes && bits > 0; ++i) {
      unsigned take = bits >= 8 ? 8 : bits;
      unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
      if ((x[i] & mask) != (y[i] & mask)) return false;
      bits -= take;
    }
    return true;
  };
  if (a.is_v4()) {
    auto x = a.to_v4().to_bytes();
    auto y = network.to_v4().to_bytes();
    return match(x.data(), y.data(), x.size());
  }
  auto x = a.to_v6().to_bytes();
  auto y = network.to_v6().to_bytes();
  return match(x.data(), y.data(), x.size());
}

std::optional<address_range> parse_address_range(std::string_view text) {
  text = trim(text);
  auto slash = text.find('/');
  auto network = parse_address(text.substr(0, slash));
  if (!network) return std::nullopt;
  unsigned max = network->is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || prefix > max)
      return std::nullopt;
  }
  return address_range{*network, prefix};
}

bool trusted_proxies::trusts(const boost::asio::ip::address& a) const {
  for (const auto& r : ranges_)
    if (r.contains(a)) return true;
  return false;
}

std::string trusted_proxies::client_address(const boost::asio::ip::address& peer_in,
                                            std::string_view forwarded_for) const {
  auto peer = parse_address(peer_in.to_string()).value_or(peer_in);
  if (ranges_.empty() || forwarded_for.empty() || !trusts(peer)) return peer.to_string();
  // Walk X-Forwarded-For from the right: each hop appended the address it saw.
  auto client = peer;
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    auto hop = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    auto address = parse_address(hop);
    if (!address) break;  // garbage: stop at the last address we could trust
    client = *address;
    if (!trusts(client)) break;
  }
  return client.to_string();
}

} // namespace oauth::http
