#pragma once
// user_store over PostgreSQL (table users, migrations/V001__auth_schema.sql).
#include "auth-service/storage/user_store.hpp"
#include "common/pg/pool.hpp"

namespace oauth::auth {

class pg_user_store final : public user_store {
public:
  // `db` must outlive the store.
  explicit pg_user_store(pg::pool& db) noexcept : db_(db) {}

  // Matches lower(email) = lower($1), served by the unique index on lower(email).
  boost::asio::awaitable<store_result<std::optional<user>>> find_by_email(std::string_view email) override;
  // Canonical name: PostgreSQL lower($1), the very function of the match and of the unique
  // index, so the lookup, `authctl user create` (the index) and the throttle can never
  // disagree on which spellings are one user. lower() follows the database's LC_CTYPE
  // (scripts/services.sh: C.UTF-8, Unicode case mapping). Chosen over a case-folding library
  // in the service: one definition, in the one place that stores and matches the names.
  boost::asio::awaitable<store_result<login_subject>> find_for_login(std::string_view username) override;
  // A malformed id is not found.
  boost::asio::awaitable<store_result<std::optional<user>>> find_by_id(std::string_view id) override;
  // An unknown or malformed id changes nothing and is not an error.
  boost::asio::awaitable<store_result<void>> update_password_hash(std::string_view user_id,
                                                                  std::string new_hash) override;

private:
  pg::pool& db_;
};

} // namespace oauth::auth
