// Client credentials from the Authorization header and the body (RFC 6749 §2.3.1, RFC 7617;
// auth-service/oauth/client_authentication), and the base64 they ride on.
// Input: the Authorization header line, then a form body.
// Invariants: Basic credentials re-encoded (urlencode, ":", base64) come back identical; a
// client never has an empty id; Basic never coexists with a body secret or another body id;
// base64 decoding is canonical (encode(decode(x)) == x) and decode(encode(x)) == x.
#include "auth-service/oauth/client_authentication.hpp"
#include "common/encoding.hpp"
#include "common/http/params.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstdint>
#include <string>
#include <variant>

using namespace oauth;
using namespace oauth::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = oauth::fuzz::as_text(data, size);

  auto round = base64_decode(base64_encode(text));
  FUZZ_CHECK(round.has_value() && *round == text);
  if (auto decoded = base64_decode(text)) FUZZ_CHECK(base64_encode(*decoded) == text);

  auto body = text;
  auto authorization = oauth::fuzz::take_line(body);
  auto items = parse_form(body);
  if (!items) return 0;
  http::body_params params(std::move(*items));

  auto result = extract_client_credentials(authorization, params);
  auto* client = std::get_if<presented_client>(&result);
  if (client == nullptr) return 0;
  FUZZ_CHECK(!client->id.empty());
  if (client->method != client_auth_method::basic) {
    FUZZ_CHECK(params.get("client_id") == std::optional<std::string_view>(client->id));
    return 0;
  }
  FUZZ_CHECK(client->secret.has_value());
  FUZZ_CHECK(!params.get("client_secret").has_value());
  auto body_id = params.get("client_id");
  FUZZ_CHECK(!body_id || *body_id == client->id);

  std::string again = "Basic " + base64_encode(url_encode(client->id) + ":" + url_encode(*client->secret));
  auto reparsed = extract_client_credentials(again, http::body_params{});
  auto* same = std::get_if<presented_client>(&reparsed);
  FUZZ_CHECK(same != nullptr);
  FUZZ_CHECK(same->id == client->id && same->secret == client->secret && same->method == client_auth_method::basic);
  return 0;
}
