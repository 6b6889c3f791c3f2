#pragma once
// The result of one statement, in text format. Owns the libpq PGresult.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string_view>

struct pg_result;  // libpq's PGresult

namespace oauth::pg {

class rows {
public:
  rows() = default;
  // Takes ownership (PQclear on destruction).
  explicit rows(pg_result* result) noexcept;

  // Number of rows returned (0 for statements that return none).
  int size() const noexcept;
  bool empty() const noexcept { return size() == 0; }
  int columns() const noexcept;
  std::string_view column_name(int col) const;
  // Index of the column named exactly `name`; -1 when absent.
  int column_index(std::string_view name) const noexcept;

  // The value in text format; nullopt for SQL NULL. Out-of-range indices and
  // unknown column names are programmer errors: std::out_of_range.
  std::optional<std::string_view> get(int row, int col) const;
  std::optional<std::string_view> get(int row, std::string_view column) const;
  bool is_null(int row, int col) const;

  // Rows inserted/updated/deleted/selected as reported by the command tag (PQcmdTuples).
  std::int64_t affected_rows() const noexcept;
  // The command tag's verb and counts, e.g. "INSERT 0 1", "COMMIT", "ROLLBACK".
  std::string_view command_tag() const noexcept;

private:
  void check_column(int col) const;

  struct deleter {
    void operator()(pg_result* r) const noexcept;
  };
  std::unique_ptr<pg_result, deleter> result_;
};

// "<command tag> (<n> rows)", for test output and diagnostics; never the values.
std::ostream& operator<<(std::ostream& os, const rows& r);

} // namespace oauth::pg
