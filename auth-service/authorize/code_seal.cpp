#include "auth-service/authorize/code_seal.hpp"

#include "common/digest.hpp"
#include "common/encoding.hpp"
#include "common/random.hpp"
#include "common/scope_list.hpp"

#include <openssl/crypto.h>
#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace oauth::auth {
namespace {

constexpr unsigned char format_version = 0x01;
constexpr std::string_view key_label = "oauth2 authorization code sealing key v1";
constexpr std::size_t header_size = 1 + 4;
constexpr std::size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t tag_size = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

void put_int64(std::string& out, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
}

void put_text(std::string& out, std::string_view text, std::size_t length_bytes) {
  const std::size_t max = length_bytes == 1 ? 0xff : 0xffff;
  if (text.size() > max) throw std::length_error("authorization code field too long");
  if (length_bytes == 2) out.push_back(static_cast<char>(text.size() >> 8));
  out.push_back(static_cast<char>(text.size() & 0xff));
  out.append(text);
}

// Reads the plaintext of a sealed record; strict: every byte accounted for.
class reader {
public:
  explicit reader(std::string_view in) : in_(in) {}
  bool byte(unsigned char& v) {
    if (in_.empty()) return false;
    v = static_cast<unsigned char>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool int64(std::int64_t& v) {
    if (in_.size() < 8) return false;
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(in_[static_cast<std::size_t>(i)]);
    in_.remove_prefix(8);
    v = static_cast<std::int64_t>(u);
    return true;
  }
  bool raw(std::span<unsigned char> out) {
    if (in_.size() < out.size()) return false;
    std::copy_n(in_.begin(), out.size(), out.begin());
    in_.remove_prefix(out.size());
    return true;
  }
  bool text(std::string& out, std::size_t length_bytes) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) {
      unsigned char b = 0;
      if (!byte(b)) return false;
      n = (n << 8) | b;
    }
    if (in_.size() < n) return false;
    out.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

private:
  std::string_view in_;
};

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

} // namespace

bool opened_authorization_code::redirect_uri_matches(std::string_view uri) const {
  return sha256(uri) == redirect_uri_sha256;
}

code_sealing_key derive_code_sealing_key(const jwt::key& signing_key, std::int64_t created_at) {
  code_sealing_key out;
  out.created_at = created_at;
  const auto kid_digest = sha256(signing_key.kid());
  std::copy_n(kid_digest.begin(), out.selector.size(), out.selector.begin());
  std::string pem = signing_key.private_pem();
  struct cleanse_on_exit {
    std::string& text;
    ~cleanse_on_exit() { OPENSSL_cleanse(text.data(), text.size()); }
  } guard{pem};
  hmac_sha256(pem, key_label, out.secret);
  return out;
}

const code_sealing_key& choose_sealing_key(std::span<const code_sealing_key> keys, std::int64_t now,
                                           std::chrono::seconds delay) {
  if (keys.empty()) throw std::invalid_argument("no authorization code sealing key");
  const code_sealing_key* newest_old = nullptr;
  const code_sealing_key* oldest = &keys.front();
  for (const auto& k : keys) {
    if (k.created_at <= now - delay.count() && (!newest_old || k.created_at > newest_old->created_at)) newest_old = &k;
    if (k.created_at < oldest->created_at) oldest = &k;
  }
  return newest_old ? *newest_old : *oldest;
}

std::string seal_authorization_code(const authorization_code_record& record, const code_sealing_key& key) {
  ensure_sodium();
  std::string plain;
  plain.reserve(128 + record.redirect_uri.size());
  plain.push_back(record.redirect_uri_sent ? '\x01' : '\x00');
  put_int64(plain, record.auth_time);
  put_int64(plain, record.expires_at);
  const auto uri_digest = sha256(record.redirect_uri);
  plain.append(reinterpret_cast<const char*>(uri_digest.data()), uri_digest.size());
  put_text(plain, record.client_id, 1);
  put_text(plain, record.user_id, 1);
  put_text(plain, record.code_challenge, 1);
  put_text(plain, join_scope_list(record.scopes), 2);

  std::string out(header_size + nonce_size + plain.size() + tag_size, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  o[0] = format_version;
  std::copy(key.selector.begin(), key.selector.end(), o + 1);
  // A code open_authorization_code() would refuse must not be handed out.
  if ((out.size() + 2) / 3 * 4 > max_authorization_code_length) {
    OPENSSL_cleanse(plain.data(), plain.size());
    throw std::length_error("authorization code too long");
  }
  const std::string nonce = random_bytes(nonce_size);
  std::copy(nonce.begin(), nonce.end(), o + header_size);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(o + header_size + nonce_size, &written, bytes(plain), plain.size(),
                                             o, header_size, nullptr, o + header_size, key.secret.data());
  OPENSSL_cleanse(plain.data(), plain.size());
  return base64url_encode(out);
}

std::optional<opened_authorization_code> open_authorization_code(std::string_view code,
                                                                  std::span<const code_sealing_key> keys) {
  if (code.size() > max_authorization_code_length) return std::nullopt;
  auto raw = base64url_decode(code);  // strict: alphabet (no NUL), no padding, zero trailing bits
  if (!raw || raw->size() < header_size + nonce_size + tag_size) return std::nullopt;
  const auto* in = bytes(*raw);
  if (in[0] != format_version) return std::nullopt;
  ensure_sodium();
  const std::size_t sealed_size = raw->size() - header_size - nonce_size;
  std::string plain(sealed_size - tag_size, '\0');
  bool opened = false;
  for (const auto& key : keys) {
    if (!std::equal(key.selector.begin(), key.selector.end(), in + 1)) continue;
    unsigned long long n = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &n, nullptr,
                                                   in + header_size + nonce_size, sealed_size, in, header_size,
                                                   in + header_size, key.secret.data()) == 0 &&
        n == plain.size()) {
      opened = true;
      break;
    }
  }
  if (!opened) return std::nullopt;

  opened_authorization_code out;
  auto& r = out.record;
  reader rd(plain);
  unsigned char flags = 0;
  std::string scopes;
  if (!rd.byte(flags) || flags > 1 || !rd.int64(r.auth_time) || !rd.int64(r.expires_at) ||
      !rd.raw(out.redirect_uri_sha256) || !rd.text(r.client_id, 1) || !rd.text(r.user_id, 1) ||
      !rd.text(r.code_challenge, 1) || !rd.text(scopes, 2) || !rd.done())
    return std::nullopt;  // sealed by us, so only a format change could get here
  r.redirect_uri_sent = flags == 1;
  r.scopes = split_scope_list(scopes);
  OPENSSL_cleanse(plain.data(), plain.size());
  return out;
}

} // namespace oauth::auth

namespace oauth::auth {
namespace {

// The 16 first bytes of SHA-256(label || code) as a version-4 UUID (the shape of every other jti
// and family id).
std::string uuid_of(std::string_view label, std::string_view code) {
  std::string input(label);
  input.push_back('\0');
  input.append(code);
  auto d = sha256(input);
  d[6] = static_cast<unsigned char>((d[6] & 0x0f) | 0x40);
  d[8] = static_cast<unsigned char>((d[8] & 0x3f) | 0x80);
  const std::string hex = hex_encode(std::span<const unsigned char>(d.data(), 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

} // namespace

code_issued_ids issued_ids_of_code(std::string_view code) {
  return {uuid_of("oauth2 code access token jti", code), uuid_of("oauth2 code refresh family", code)};
}

} // namespace oauth::auth
