#pragma once
// The client's address behind trusted reverse proxies (the compose gateway, a load balancer).
// Only when the TCP peer is a trusted proxy is X-Forwarded-For believed, and then the
// client is the right-most address in it that is not itself a trusted proxy: anything to
// the left of that was written by the client and may be forged.
#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::http {

struct address_range {
  boost::asio::ip::address network;
  unsigned prefix = 0;
  bool contains(const boost::asio::ip::address& a) const;
};

// "10.0.0.0/8", "192.168.1.5", "::1/128", "fd00::/8"; nullopt when malformed.
std::optional<address_range> parse_address_range(std::string_view text);

class trusted_proxies {
public:
  trusted_proxies() = default;
  explicit trusted_proxies(std::vector<address_range> ranges) : ranges_(std::move(ranges)) {}
  bool empty() const { return ranges_.empty(); }
  bool trusts(const boost::asio::ip::address& a) const;
  // The address to treat as the client's: `peer` unless it is trusted and X-Forwarded-For says otherwise.
  std::string client_address(const boost::asio::ip::address& peer, std::string_view forwarded_for) const;

private:
  std::vector<address_range> ranges_;
};

} // namespace oauth::http
