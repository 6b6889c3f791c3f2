#pragma once
// A set of keys looked up by kid: the verifier's trust anchor (RFC 7517 §5, JWK Set).
#include "common/jwt/errors.hpp"
#include "common/jwt/key.hpp"

#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

namespace oauth::jwt {

class key_set {
public:
  using const_iterator = std::vector<key>::const_iterator;

  key_set() = default;

  // Adds k unless a key with the same kid is already present (the first one wins);
  // returns whether it was added.
  bool add(key k);
  // nullptr when no key has this kid. Linear: a set holds a handful of keys.
  const key* find(std::string_view kid) const noexcept;

  std::size_t size() const noexcept { return keys_.size(); }
  bool empty() const noexcept { return keys_.empty(); }
  const_iterator begin() const noexcept { return keys_.begin(); }
  const_iterator end() const noexcept { return keys_.end(); }

  // {"keys":[<public JWK>...]}: never any private member, whatever the keys hold.
  boost::json::object to_jwks() const;

  // A JWK Set document. The document must be a JSON object whose "keys" is an array of objects
  // (errc::bad_json / errc::malformed otherwise). Keys this library does not use (another
  // kty/crv/alg, no alg, use "enc": errc::unsupported_key from key::from_jwk) are skipped;
  // any other invalid key (private members, weak RSA, bad point, alg contradicting kty) fails
  // the whole document, since a publisher that emits it is broken or compromised.
  // Duplicate kids: the first key wins.
  static result<key_set> from_jwks(std::string_view json);

private:
  std::vector<key> keys_;
};

} // namespace oauth::jwt
