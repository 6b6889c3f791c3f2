#pragma once
// The opaque pagination cursor of GET /api/posts: the sort key of the last post on a page.
// Posts are ordered newest first by (created_at desc, id desc), a total order because id is
// unique, so "every post strictly after the cursor" never repeats nor skips a post that
// existed when the listing began, whatever is inserted meanwhile (keyset pagination).
//
// Wire form: base64url (no padding) of 17 bytes: version 0x01, created_at in microseconds
// since the Unix epoch (int64, big endian), id (int64, big endian).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oauth::resource {

struct post_cursor {
  std::int64_t created_us = 0;
  std::int64_t id = 0;
  bool operator==(const post_cursor&) const = default;
};

std::string encode_cursor(const post_cursor& c);

// Strict: exactly the canonical encoding of version 1 (strict base64url, 17 bytes), an id
// >= 1 and a time between 1970 and 9999. Anything else is nullopt (→ 400).
std::optional<post_cursor> decode_cursor(std::string_view text);

} // namespace oauth::resource
