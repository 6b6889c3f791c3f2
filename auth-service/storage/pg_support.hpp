#pragma once
// Helpers shared by the PostgreSQL stores and the admin operations (internal to storage/).
#include "auth-service/domain/models.hpp"
#include "common/pg/errors.hpp"
#include "common/pg/rows.hpp"

#include <boost/system/error_code.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::auth::pg_support {

// Canonical 8-4-4-4-12 hexadecimal UUID text (either case). Anything else can never be an
// id, so callers answer "not found" without asking the server.
bool is_uuid(std::string_view text) noexcept;

// Text arrays travel as JSON: the parameter is `$n::json` unpacked in SQL with
// json_array_elements_text, results come back through to_json(column). This sidesteps
// PostgreSQL's array literal quoting rules entirely.
std::string to_json_array(const std::vector<std::string>& values);
// nullopt for SQL NULL (the column value was NULL) or anything that is not an array of strings.
std::optional<std::vector<std::string>> from_json_array(std::optional<std::string_view> json);

// The client columns in the order client_from_row reads them.
inline constexpr std::string_view client_columns =
    "id::text, name, secret_hash, to_json(grants)::text, to_json(scopes)::text, password_client, "
    "personal_access_client, revoked, extract(epoch from created_at)::bigint, to_json(redirect_uris)::text, "
    "first_party, playground_client";
client client_from_row(const pg::rows& r, int row);

inline constexpr std::string_view user_columns =
    "id::text, email, name, password_hash, to_json(scopes)::text";
user user_from_row(const pg::rows& r, int row);

// Logs a failed statement (code and SQLSTATE only: server messages may quote parameter
// values) and returns the code the narrow store interfaces report.
boost::system::error_code log_failure(std::string_view operation, const pg::error& e);

} // namespace oauth::auth::pg_support
