#pragma once
// Per-thread OpenSSL contexts, prepared once per key (internal). OpenSSL 3 makes a fresh
// context per call costly: provider and method lookups under locks, about 3 µs of a 20 µs
// RS256 verification here; and an RSA private key shared by threads signs through OpenSSL's
// shared, locked blinding (about 8 % slower per signature with two threads). So each thread
// keeps, per key it uses, a context initialised once (padding and digest set), for signing
// on a private copy of the key, and hashes the signing input itself.
#include "common/jwt/algorithm.hpp"

#include <openssl/evp.h>

#include <string_view>

namespace oauth::jwt::detail {

// For RS256 and ES256 only (they sign a SHA-256 digest). nullptr when OpenSSL refuses the key.
// The context stays valid on this thread until it has used 8 other keys since.
EVP_PKEY_CTX* thread_verify_context(EVP_PKEY* key, algorithm alg);
EVP_PKEY_CTX* thread_sign_context(EVP_PKEY* key, algorithm alg);

// SHA-256 with a per-thread digest context and a fetched-once algorithm.
bool sha256(std::string_view data, unsigned char (&out)[32]);

} // namespace oauth::jwt::detail
