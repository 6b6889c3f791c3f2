#include "common/jwt/detail/thread_contexts.hpp"

#include "common/jwt/detail/openssl.hpp"

#include <openssl/rsa.h>

#include <stdexcept>
#include <vector>

namespace oauth::jwt::detail {
namespace {

const EVP_MD* sha256_md() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw std::runtime_error("OpenSSL: SHA256 unavailable");
    return fetched;
  }();
  return md;
}

// One thread's contexts. Each entry holds a reference to the caller's key, so that key cannot
// be freed, and its address cannot come to name another key, while the entry exists.
class context_cache {
public:
  enum class purpose { verify, sign };

  EVP_PKEY_CTX* get(EVP_PKEY* key, algorithm alg, purpose p) {
    for (auto& e : entries_)
      if (e.key.get() == key && e.use == p) return e.ctx.get();
    pkey_ptr ref(key);
    EVP_PKEY_up_ref(key);
    pkey_ptr own;  // signing: this thread's copy of the key (its own RSA blinding, no lock)
    if (p == purpose::sign) {
      own.reset(EVP_PKEY_dup(key));
      if (!own) return nullptr;
    }
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own ? own.get() : key, nullptr));
    if (!ctx) return nullptr;
    int init = p == purpose::sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get());
    if (init != 1) return nullptr;
    if (alg == algorithm::rs256 && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) return nullptr;
    if (EVP_PKEY_CTX_set_signature_md(ctx.get(), sha256_md()) != 1) return nullptr;
    if (entries_.size() == max_entries) entries_.erase(entries_.begin());
    entries_.push_back({std::move(ref), p, std::move(own), std::move(ctx)});
    return entries_.back().ctx.get();
  }

private:
  static constexpr std::size_t max_entries = 8;  // keys in use at once: a few during a rotation
  struct entry {
    pkey_ptr key;
    purpose use;
    pkey_ptr copy;
    pkey_ctx_ptr ctx;  // declared last: freed before the keys it uses
  };
  std::vector<entry> entries_;
};

context_cache& cache() {
  thread_local context_cache c;
  return c;
}

} // namespace

EVP_PKEY_CTX* thread_verify_context(EVP_PKEY* key, algorithm alg) {
  return cache().get(key, alg, context_cache::purpose::verify);
}

EVP_PKEY_CTX* thread_sign_context(EVP_PKEY* key, algorithm alg) {
  return cache().get(key, alg, context_cache::purpose::sign);
}

bool sha256(std::string_view data, unsigned char (&out)[32]) {
  thread_local md_ctx_ptr ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  return ctx && EVP_DigestInit_ex2(ctx.get(), sha256_md(), nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 && EVP_DigestFinal_ex(ctx.get(), out, &len) == 1 &&
         len == sizeof out;
}

} // namespace oauth::jwt::detail
