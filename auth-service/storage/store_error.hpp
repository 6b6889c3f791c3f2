#pragma once
// Stores report one kind of failure to the grants: the backing service is unavailable
// (→ 503 temporarily_unavailable). "Not found" is a value, not an error.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace oauth::auth {

template <class T>
using store_result = boost::system::result<T, boost::system::error_code>;

// An error_code converts to bool and to int, so store_result<bool> and store_result<int> cannot
// be made from one implicitly: name the error alternative.
template <class T>
store_result<T> store_error_of(boost::system::error_code ec) {
  return store_result<T>(boost::system::in_place_error, ec);
}

} // namespace oauth::auth
