#pragma once
// RAII owners for the OpenSSL 3 objects this library uses (internal).
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>
#include <string_view>

namespace oauth::jwt::detail {

template <auto Free>
struct ossl_deleter {
  template <class T>
  void operator()(T* p) const noexcept { Free(p); }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, ossl_deleter<&EVP_PKEY_free>>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, ossl_deleter<&EVP_PKEY_CTX_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, ossl_deleter<&EVP_MD_CTX_free>>;
using bio_ptr = std::unique_ptr<BIO, ossl_deleter<&BIO_free_all>>;
using bn_ptr = std::unique_ptr<BIGNUM, ossl_deleter<&BN_free>>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, ossl_deleter<&OSSL_PARAM_BLD_free>>;
using params_ptr = std::unique_ptr<OSSL_PARAM, ossl_deleter<&OSSL_PARAM_free>>;

inline const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Clears this thread's OpenSSL error queue on scope exit, so that an expected failure
// (a bad signature, an unparsable PEM) leaves nothing behind for unrelated code to trip on.
struct error_queue_guard {
  error_queue_guard() = default;
  error_queue_guard(const error_queue_guard&) = delete;
  error_queue_guard& operator=(const error_queue_guard&) = delete;
  ~error_queue_guard() { ERR_clear_error(); }
};

} // namespace oauth::jwt::detail
