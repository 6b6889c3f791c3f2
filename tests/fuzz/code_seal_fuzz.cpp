// Sealed authorization codes (auth-service/authorize/code_seal): the token endpoint opens
// whatever a client sends as `code`.
// Input: the whole input as a presented code, and the same bytes cut at '\n' into the fields of a
// record (client id, user id, challenge, scopes, redirect URI) that is sealed and opened again.
// Invariants:
//  - open_authorization_code never opens the presented text (nobody outside holds the key: a
//    process-local one here) and never crashes on it, whatever its length or bytes;
//  - a record sealed opens to the same record (NUL bytes, any byte, empty fields included), its
//    redirect URI compares equal to itself only; a field beyond the format, or a code that would
//    be longer than open accepts, throws length_error (so every code handed out opens).
#include "auth-service/authorize/code_seal.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

using namespace oauth;
using namespace oauth::auth;

namespace {

const std::vector<code_sealing_key>& keys() {
  static const std::vector<code_sealing_key> k{derive_code_sealing_key(jwt::key::generate(jwt::algorithm::es256).value())};
  return k;
}

std::vector<std::string> fields_of(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (out.size() < 5) {
    auto nl = text.find('\n', start);
    out.emplace_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out.resize(5);
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  FUZZ_CHECK(!open_authorization_code(text, keys()).has_value());

  const auto f = fields_of(text);
  authorization_code_record r;
  r.client_id = f[0];
  r.user_id = f[1];
  r.code_challenge = f[2];
  // Scopes are space-separated tokens (RFC 6749 §3.3): never empty, never holding a space.
  for (std::size_t start = 0; start < f[3].size();) {
    auto sp = f[3].find(' ', start);
    auto word = f[3].substr(start, sp == std::string::npos ? std::string::npos : sp - start);
    if (!word.empty()) r.scopes.push_back(word);
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  r.redirect_uri = f[4];
  r.redirect_uri_sent = size % 2 == 1;
  r.auth_time = static_cast<std::int64_t>(size) * -7;
  r.expires_at = static_cast<std::int64_t>(size) << 40;
  std::string code;
  try {
    code = seal_authorization_code(r, keys()[0]);
  } catch (const std::length_error&) {
    const std::size_t total = r.client_id.size() + r.user_id.size() + r.code_challenge.size() + f[3].size();
    FUZZ_CHECK(r.client_id.size() > 255 || r.user_id.size() > 255 || r.code_challenge.size() > 255 || total > 1300);
    return 0;
  }
  auto opened = open_authorization_code(code, keys());
  FUZZ_CHECK(opened.has_value());
  const auto& o = opened->record;
  FUZZ_CHECK(o.client_id == r.client_id && o.user_id == r.user_id && o.code_challenge == r.code_challenge);
  FUZZ_CHECK(o.scopes == r.scopes);
  FUZZ_CHECK(o.redirect_uri_sent == r.redirect_uri_sent && o.auth_time == r.auth_time && o.expires_at == r.expires_at);
  FUZZ_CHECK(opened->redirect_uri_matches(r.redirect_uri));
  FUZZ_CHECK(!opened->redirect_uri_matches(r.redirect_uri + "x"));
  // A changed character in the middle (still base64url, so the AEAD decides) never opens.
  std::string changed = code;
  auto& c = changed[changed.size() / 2];
  c = c == 'A' ? 'B' : 'A';
  FUZZ_CHECK(!open_authorization_code(changed, keys()).has_value());
  return 0;
}
