#include "auth-service/authctl/validation.hpp"

#include "auth-service/authorize/redirect_uri.hpp"
#include "common/catalogue/grants.hpp"
#include "common/catalogue/scopes.hpp"
#include "common/encoding.hpp"

#include <algorithm>
#include <array>

namespace oauth::authctl {
namespace {

// Both lists come from the one catalogue (common/catalogue/).
constexpr auto scopes = [] {
  std::array<std::string_view, catalogue::scopes.size()> ids{};
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = catalogue::scopes[i].id;
  return ids;
}();
constexpr auto grants = [] {
  std::array<std::string_view, catalogue::grants.size()> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = catalogue::grants[i].name;
  return names;
}();

template <class C>
bool contains(const C& c, std::string_view s) {
  return std::find(c.begin(), c.end(), s) != c.end();
}

template <class C>
std::string joined(const C& c) {
  std::string out;
  for (std::string_view s : c) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

bool is_bcrypt_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/';
}

} // namespace

std::span<const std::string_view> known_scopes() noexcept { return scopes; }
std::span<const std::string_view> known_grants() noexcept { return grants; }

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    if (!current.empty() && !contains(out, current)) out.push_back(current);
    current.clear();
  };
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return out;
}

std::optional<std::string> check_grants(const std::vector<std::string>& list, bool public_client) {
  if (list.empty()) return "--grants needs at least one grant (" + joined(grants) + ")";
  for (const auto& g : list)
    if (!contains(grants, g)) return "unknown grant '" + g + "' (known: " + joined(grants) + ")";
  // RFC 6749 §4.4: the client credentials grant is for confidential clients only (the
  // catalogue says which grants a public client may use).
  if (public_client)
    for (const auto& g : list)
      if (!catalogue::find_grant(g)->public_clients) return "a public client cannot use the " + g + " grant";
  return std::nullopt;
}

std::optional<std::string> check_scopes(const std::vector<std::string>& list) {
  if (list.empty()) return "--scopes needs at least one scope (" + joined(scopes) + ")";
  for (const auto& s : list)
    if (!contains(scopes, s)) return "undefined scope '" + s + "' (defined: " + joined(scopes) + ")";
  return std::nullopt;
}

std::optional<std::string> check_redirect_uris(const std::vector<std::string>& uris,
                                               const std::vector<std::string>& grants) {
  for (const auto& uri : uris)
    if (auto problem = auth::registered_redirect_uri_problem(uri)) return "--redirect-uri " + uri + ": " + *problem;
  if (uris.empty())
    for (const auto& g : grants)
      if (catalogue::find_grant(g)->needs_redirect_uri) return "the " + g + " grant needs at least one --redirect-uri";
  return std::nullopt;
}

std::optional<std::string> check_client_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return "--name must be 1 to 255 bytes";
  if (!is_valid_utf8(name) || has_control(name)) return "--name must be printable UTF-8 text";
  return std::nullopt;
}

std::optional<std::string> check_email(std::string_view email) {
  if (email.size() < 3 || email.size() > 320) return "--email must be 3 to 320 characters";
  if (!is_valid_utf8(email) || has_control(email) || email.find(' ') != std::string_view::npos)
    return "--email must be an e-mail address without spaces";
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size() || email.find('@', at + 1) != std::string_view::npos)
    return "--email must look like name@domain";
  return std::nullopt;
}

std::optional<std::string> check_user_name(std::string_view name) {
  if (name.size() > 255) return "--name must be at most 255 bytes";
  if (!is_valid_utf8(name) || has_control(name)) return "--name must be printable UTF-8 text";
  return std::nullopt;
}

std::optional<std::string> check_password(std::string_view password) {
  if (password.empty()) return "the password must not be empty";
  if (password.size() > 4096) return "the password must be at most 4096 bytes";
  return std::nullopt;
}

std::optional<std::string> check_password_hash(std::string_view h) {
  if (h.starts_with("$argon2id$v=19$")) {
    if (h.size() > 512 || has_control(h) || h.find(' ') != std::string_view::npos) return "malformed Argon2id hash";
    return std::nullopt;
  }
  const bool bcrypt_prefix = h.starts_with("$2y$") || h.starts_with("$2b$") || h.starts_with("$2a$");
  if (!bcrypt_prefix)
    return "--password-hash must be a bcrypt ($2y$, $2b$, $2a$) or Argon2id ($argon2id$v=19$) hash";
  if (h.size() != 60 || h[6] != '$') return "malformed bcrypt hash (expected 60 characters: $2y$NN$ + 53)";
  const char c1 = h[4], c2 = h[5];
  if (c1 < '0' || c1 > '9' || c2 < '0' || c2 > '9') return "malformed bcrypt hash (cost is not two digits)";
  const int cost = (c1 - '0') * 10 + (c2 - '0');
  if (cost < 4 || cost > 31) return "malformed bcrypt hash (cost outside 04..31)";
  for (char c : h.substr(7))
    if (!is_bcrypt_char(c)) return "malformed bcrypt hash (unexpected character)";
  return std::nullopt;
}

std::optional<int> parse_rsa_bits(std::string_view text) {
  if (text == "2048") return 2048;
  if (text == "3072") return 3072;
  if (text == "4096") return 4096;
  return std::nullopt;
}

} // namespace oauth::authctl
