#pragma once
// RFC 6750 bearer credentials and challenges, one implementation for both services:
//   extract_bearer  Authorization header value → token (§2.1)
//   www_authenticate_bearer / bearer_error_response  the challenge (§3) and its response
//
// The grammar (RFC 7235 §2.1 as RFC 9110 §11.4 restates it, RFC 6750 §2.1):
//   credentials = auth-scheme [ 1*SP token68 ]
//   b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// read strictly, with one leniency:
//   - the scheme is matched case-insensitively ("bearer", "BEARER");
//   - whitespace (SP or HTAB) around the whole field value is not part of it (RFC 9110 §5.5);
//   - one or more SP between scheme and token; a TAB there is malformed (1*SP is the grammar,
//     and a lenient reader here would accept what other readers on the path split otherwise);
//   - an empty token, two tokens, or any byte outside b64token (NUL, quotes, "a=b") is
//     malformed: 401 invalid_token, never "no credentials".
#include "common/http/types.hpp"

#include <string>
#include <string_view>

namespace oauth::http {

struct bearer_credentials {
  enum class kind {
    none,       // no Authorization header, or another scheme (Basic...)
    token,      // "Bearer <b64token>"
    malformed,  // "Bearer" with no token, several tokens, or bytes outside b64token
  };
  kind what = kind::none;
  std::string_view token;  // a view into the header value, for kind::token
};

bearer_credentials extract_bearer(std::string_view authorization) noexcept;

struct bearer_challenge {
  std::string_view error;        // empty: none (no credentials were sent, §3.1)
  std::string_view description;  // error_description
  std::string_view scope;        // for insufficient_scope
};

// Bearer realm="<realm>"[, error="…"][, error_description="…"][, scope="…"]. Bytes the quoted
// values may not hold (§3: %x20-21 / %x23-5B / %x5D-7E) are replaced by spaces.
std::string www_authenticate_bearer(std::string_view realm, const bearer_challenge& c);

// `s` with the JSON body {"error": code, "error_description": description}, the challenge in
// WWW-Authenticate and Cache-Control: no-store.
response bearer_error_response(status s, std::string_view code, std::string_view description, std::string_view realm,
                               const bearer_challenge& c);

} // namespace oauth::http
