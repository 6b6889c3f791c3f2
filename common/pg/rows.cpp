#include "common/pg/rows.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <string>

namespace oauth::pg {

void rows::deleter::operator()(pg_result* r) const noexcept { PQclear(r); }

rows::rows(pg_result* result) noexcept : result_(result) {}

int rows::size() const noexcept { return result_ ? PQntuples(result_.get()) : 0; }

int rows::columns() const noexcept { return result_ ? PQnfields(result_.get()) : 0; }

std::string_view rows::column_name(int col) const {
  check_column(col);
  return PQfname(result_.get(), col);
}

int rows::column_index(std::string_view name) const noexcept {
  // PQfnumber folds unquoted names to lower case; we want an exact match.
  for (int c = 0; c < columns(); ++c)
    if (name == PQfname(result_.get(), c)) return c;
  return -1;
}

void rows::check_column(int col) const {
  if (col < 0 || col >= columns())
    throw std::out_of_range("pg::rows: column " + std::to_string(col) + " out of range");
}

std::optional<std::string_view> rows::get(int row, int col) const {
  check_column(col);
  if (row < 0 || row >= size()) throw std::out_of_range("pg::rows: row " + std::to_string(row) + " out of range");
  if (PQgetisnull(result_.get(), row, col)) return std::nullopt;
  return std::string_view(PQgetvalue(result_.get(), row, col),
                          static_cast<std::size_t>(PQgetlength(result_.get(), row, col)));
}

std::optional<std::string_view> rows::get(int row, std::string_view column) const {
  int col = column_index(column);
  if (col < 0) throw std::out_of_range("pg::rows: no column named " + std::string(column));
  return get(row, col);
}

bool rows::is_null(int row, int col) const { return !get(row, col).has_value(); }

std::int64_t rows::affected_rows() const noexcept {
  if (!result_) return 0;
  const char* text = PQcmdTuples(result_.get());
  std::int64_t n = 0;
  std::from_chars(text, text + std::strlen(text), n);
  return n;
}

std::ostream& operator<<(std::ostream& os, const rows& r) {
  return os << r.command_tag() << " (" << r.size() << " rows)";
}

std::string_view rows::command_tag() const noexcept {
  return result_ ? std::string_view(PQcmdStatus(result_.get())) : std::string_view();
}

} // namespace oauth::pg
