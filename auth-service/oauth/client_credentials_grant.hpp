#pragma once
// RFC 6749 §4.4: the client acts on its own behalf. Confidential clients only (§4.4: "MUST
// only be used by confidential clients"); no refresh token (§4.4.3); `sub` is the client id
// (RFC 9068 §2.2); `*` is refused (password grant only). No store is touched: the client
// was authenticated by the endpoint, so issuance costs one signature.
#include "auth-service/oauth/grant.hpp"
#include "auth-service/oauth/token_issuer.hpp"

namespace oauth::auth {

class client_credentials_grant final : public grant_handler {
public:
  explicit client_credentials_grant(const token_issuer& issuer) : issuer_(issuer) {}
  std::string_view grant_type() const noexcept override { return grant_names::client_credentials; }
  boost::asio::awaitable<grant_result> handle(const grant_request& request) override;

  // The pure rule, for tests and for handle().
  grant_result issue(const grant_request& request) const;

private:
  const token_issuer& issuer_;
};

} // namespace oauth::auth
