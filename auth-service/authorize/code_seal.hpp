#pragma once
// Authorization codes that carry their own grant, sealed (../shared/CONTRACT.md, "Users in the
// browser": random, stored hashed, single use, bound to client, redirect URI, user, scopes and
// challenge).
//
// A code is base64url(0x01 || selector(4) || nonce(24) || XChaCha20-Poly1305(grant)), about 300
// characters:
//  - random: the nonce is 192 fresh random bits, so codes cannot be guessed or repeated;
//  - sealed under a key derived from a signing key (HMAC-SHA-256, key = its PKCS#8 PEM): every
//    replica sharing AUTH_KEYS_DIR opens every replica's codes, and a holder of the code (the
//    browser, the client, a log) can neither read the user id in it nor change anything. The
//    selector (SHA-256 of the kid, 4 bytes) names the key, so a code sealed just before a key
//    rotation still opens while the old key file stays (codes live AUTH_CODE_TTL, 60 s);
//  - XChaCha20, not AES-GCM: 192-bit nonces may be drawn at random for any number of codes under
//    one key (AES-GCM's 96-bit ones are good for 2^32 messages per key).
// Why the grant travels in the code: the token endpoint knows what it will issue before Redis
// answers, and signs the access token while the single-use consume (and its fsync) is in flight
// rather than after it. Redis still holds each code, hashed (authorization_code_store).
#include "common/jwt/key.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth {

// What `GET /oauth/authorize` granted, as sealed into its code.
struct authorization_code_record {
  std::string client_id;
  std::string redirect_uri;        // as the authorize request had it (or the only registered one)
  bool redirect_uri_sent = false;  // the authorize request sent it: the token request must too
  std::string user_id;
  std::vector<std::string> scopes;
  std::string code_challenge;  // S256 challenge; empty: none was sent
  std::int64_t auth_time = 0;  // unix s: when the user's password was checked (the session's)
  std::int64_t expires_at = 0; // unix s: past it the code is invalid
};

// A code opened: the record, with the redirect URI as its SHA-256 (all the exchange needs is
// whether the token request names the same one; the code stays short whatever its length).
struct opened_authorization_code {
  authorization_code_record record;  // record.redirect_uri is empty
  std::array<unsigned char, 32> redirect_uri_sha256{};

  bool redirect_uri_matches(std::string_view uri) const;
};

struct code_sealing_key {
  std::array<unsigned char, 4> selector{};
  std::array<unsigned char, 32> secret{};
  std::int64_t created_at = 0;  // unix s, from the key file's name; 0: unknown (older than any)
};

// The sealing keys in use (auth_app: the key manager's key_state).
using code_keys_source = std::function<std::shared_ptr<const std::vector<code_sealing_key>>()>;

// The sealing key of one signing key: deterministic, so every replica derives the same.
code_sealing_key derive_code_sealing_key(const jwt::key& signing_key, std::int64_t created_at = 0);

// The key that seals a code at `now`: the newest key created at least `delay` ago, or, when
// none is that old, the oldest. A replica reloads AUTH_KEYS_DIR every KEY_RELOAD_SECONDS, so a
// key just added is not yet known to the others: a code sealed with it on one replica and
// exchanged on another would not open. With `delay` above the reload interval every replica
// holds the sealing key. (Signing moves to the new key at once; only codes wait.)
const code_sealing_key& choose_sealing_key(std::span<const code_sealing_key> keys, std::int64_t now,
                                           std::chrono::seconds delay);

// The longest code open() considers (a sealed record is far shorter); longer text is refused
// before it is decoded.
inline constexpr std::size_t max_authorization_code_length = 2048;

// Seals `record` (expires_at included) under `key`. Throws std::length_error when a field
// exceeds the format (ids and challenge 255 bytes, scopes 65,535) or the code would be longer
// than max_authorization_code_length (about 1,400 bytes of ids, challenge and scopes together):
// callers pass validated data (UUIDs, a 43-character challenge, catalogue scopes).
std::string seal_authorization_code(const authorization_code_record& record, const code_sealing_key& key);

// nullopt for anything that is not a code sealed under one of `keys`: another shape, a NUL
// byte, a changed character, a key no longer there.
std::optional<opened_authorization_code> open_authorization_code(std::string_view code,
                                                                  std::span<const code_sealing_key> keys);

} // namespace oauth::auth

namespace oauth::auth {

// What the exchange of a code issues is named by the code: the access token's jti and the
// refresh family id are UUID-shaped digests of it (SHA-256 with a label each, so neither
// reveals the code nor its hash, which is the code's Redis key). A replay, which holds the code
// too, so knows what to revoke without reading anything back.
struct code_issued_ids {
  std::string access_token_jti;
  std::string refresh_family_id;
};
code_issued_ids issued_ids_of_code(std::string_view code);

} // namespace oauth::auth
