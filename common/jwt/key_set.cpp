#include "common/jwt/key_set.hpp"

#include "common/jwt/detail/json.hpp"

#include <boost/json/array.hpp>

namespace oauth::jwt {

bool key_set::add(key k) {
  if (find(k.kid()) != nullptr) return false;
  keys_.push_back(std::move(k));
  return true;
}

const key* key_set::find(std::string_view kid) const noexcept {
  for (const auto& k : keys_)
    if (k.kid() == kid) return &k;
  return nullptr;
}

boost::json::object key_set::to_jwks() const {
  boost::json::array keys;
  keys.reserve(keys_.size());
  for (const auto& k : keys_) keys.emplace_back(k.public_jwk());
  boost::json::object doc;
  doc["keys"] = std::move(keys);
  return doc;
}

result<key_set> key_set::from_jwks(std::string_view json) {
  auto doc = detail::parse_object(json);
  if (!doc) return errc::bad_json;
  auto it = doc->find("keys");
  if (it == doc->end() || !it->value().is_array()) return errc::malformed;
  key_set set;
  for (const auto& v : it->value().get_array()) {
    auto jwk = v.if_object();
    if (jwk == nullptr) return errc::malformed;
    auto k = key::from_jwk(*jwk);
    if (k) {
      set.add(std::move(*k));
    } else if (k.error() != errc::unsupported_key) {
      return k.error();
    }
  }
  return set;
}

} // namespace oauth::jwt
