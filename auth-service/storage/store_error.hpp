#pragma once
// Stores report one kind of failure to the grants: the backing service is unavailable
// (→ 503 temporarily_unavailable). "Not found" is a value, not an error.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace oauth::auth {

template <class T>
using store_result = boost::system::result<T, boost::system::error_code>;

} // namespace oauth::auth
