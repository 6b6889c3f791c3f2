#pragma once
// The auth service's signing keys: a directory (AUTH_KEYS_DIR) of PEM private keys, one per file.
//
//  - File names sort by creation time: key-20261126T175012Z-<first 8 chars of kid>.pem.
//  - load(): every *.pem file (hidden files and other names are ignored) is read; the newest key
//    of the expected algorithm signs (newest = latest time in the name; names without one are
//    older than any that has one; ties by name); every key is published, so tokens signed by an
//    older key, or by a key of another algorithm before JWT_ALG changed, still verify.
//  - Like ssh, load() REFUSES a key file that group or others may access in any way
//    (mode & 077 != 0): a private key that other local users can read is compromised, and
//    starting anyway would hide that. The message says "chmod 600". A symbolic link is
//    refused too (its target's mode is not the link's, and the folder decides what signs).
//  - create() writes a new key atomically: temp file opened O_CREAT|O_EXCL with mode 0600,
//    written, fsync'ed, renamed into place, directory fsync'ed. The directory is made 0700 if
//    missing. Its timestamp is one second after the newest existing key's if the clock says
//    otherwise, so that the key just created is always the one that signs.
#include "common/jwt/algorithm.hpp"
#include "common/jwt/key.hpp"
#include "common/jwt/key_set.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace oauth::jwt {

// What went wrong and with which file: message() is the one line the service prints before
// it stops, e.g. "./var/keys/key-….pem: invalid key".
struct key_store_error {
  boost::system::error_code code;  // errc::bad_key, errc::insecure_key_file, std::errc::…
  std::filesystem::path file;      // the file (or the directory) concerned
  std::string detail;              // optional extra words

  std::string message() const;
};

// Lets result<T, key_store_error>::value() throw (a system_error carrying message()).
[[noreturn]] void throw_exception_from_error(const key_store_error& e, const boost::source_location& loc);

class key_store {
public:
  template <class T>
  using result = boost::system::result<T, key_store_error>;

  static result<key_store> load(const std::filesystem::path& dir, algorithm expected);
  // A new key in dir; rsa_bits: 2048, 3072 or 4096 (RS256 only).
  static result<key> create(const std::filesystem::path& dir, algorithm alg, int rsa_bits = 2048);

  const key& signing_key() const noexcept { return keys_[signing_]; }
  const std::filesystem::path& signing_file() const noexcept { return files_[signing_]; }
  // Every key of the directory, newest first: what GET /.well-known/jwks.json publishes.
  const key_set& public_keys() const noexcept { return public_keys_; }
  // The key files, oldest first (parallel to keys()).
  const std::vector<std::filesystem::path>& files() const noexcept { return files_; }
  const std::vector<key>& keys() const noexcept { return keys_; }

  // "key-20261126T175012Z-abcdefgh.pem" for a key created at unix time t.
  static std::string file_name(std::int64_t t, const key& k);
  // The creation time a file name of that form encodes (nullopt for any other name).
  static std::optional<std::int64_t> file_time(const std::filesystem::path& file);

private:
  key_store() = default;
  std::vector<std::filesystem::path> files_;
  std::vector<key> keys_;
  std::size_t signing_ = 0;
  key_set public_keys_;
};

} // namespace oauth::jwt
