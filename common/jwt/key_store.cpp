#include "common/jwt/key_store.hpp"

#include "common/jwt/errors.hpp"
#include "common/time.hpp"

#include <openssl/crypto.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace oauth::jwt {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view name_prefix = "key-";
constexpr std::size_t stamp_size = 16;  // 20261126T175012Z
constexpr std::size_t max_key_file_bytes = 1 << 20;

key_store_error failure(boost::system::error_code code, const fs::path& file, std::string detail = {}) {
  return key_store_error{code, file, std::move(detail)};
}

key_store_error errno_failure(const fs::path& file, std::string detail = {}) {
  return failure(boost::system::error_code(errno, boost::system::generic_category()), file, std::move(detail));
}

std::string format_stamp(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

// The creation time encoded in a file name, if it has one.
std::optional<std::int64_t> name_time(std::string_view name) {
  if (name.size() < name_prefix.size() + stamp_size || name.substr(0, name_prefix.size()) != name_prefix)
    return std::nullopt;
  std::string_view s = name.substr(name_prefix.size(), stamp_size);
  for (std::size_t i = 0; i < stamp_size; ++i) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if (i == 8 ? s[i] != 'T' : i == 15 ? s[i] != 'Z' : !digit) return std::nullopt;
  }
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  std::int64_t t = static_cast<std::int64_t>(timegm(&tm));
  if (format_stamp(t) != s) return std::nullopt;  // 20261332T… is not a time
  return t;
}

bool is_key_file_name(const std::string& name) {
  return !name.empty() && name.front() != '.' && name.size() > 4 && name.ends_with(".pem");
}

struct candidate {
  std::optional<std::int64_t> time;
  std::string name;
  fs::path path;
};

bool older(const candidate& a, const candidate& b) {
  if (a.time.has_value() != b.time.has_value()) return !a.time.has_value();
  if (a.time != b.time) return *a.time < *b.time;
  return a.name < b.name;
}

class fd_guard {
public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

private:
  int fd_;
};

// Reads a key file, refusing one that group or others may access, and a symbolic link: the
// file's own mode is what is checked, and a link would let whoever can write the keys folder
// point the signer at any file the service can read.
key_store::result<std::string> read_key_file(const fs::path& path) {
  fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0 && errno == ELOOP)
    return failure(errc::insecure_key_file, path, "a symbolic link: keep the key file itself in the keys folder");
  if (fd.get() < 0) return errno_failure(path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_failure(path);
  if (!S_ISREG(st.st_mode)) return failure(errc::bad_key, path, "not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return failure(errc::insecure_key_file, path, std::string("mode ") + mode);
  }
  if (static_cast<std::size_t>(st.st_size) > max_key_file_bytes) return failure(errc::bad_key, path, "file too large");
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_failure(path);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  return text;
}

key_store::result<std::vector<candidate>> list_key_files(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (!ec) ec = std::make_error_code(std::errc::not_a_directory);
    return failure(boost::system::error_code(ec), dir);
  }
  std::vector<candidate> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!is_key_file_name(name)) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;
    out.push_back({name_time(name), name, it->path()});
  }
  if (ec) return failure(boost::system::error_code(ec), dir);
  std::sort(out.begin(), out.end(), older);
  return out;
}

key_store::result<void> write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_failure(path);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

key_store::result<void> ensure_directory(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (!dir.parent_path().empty()) {
    fs::create_directories(dir.parent_path(), ec);
    if (ec) return failure(boost::system::error_code(ec), dir.parent_path());
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return errno_failure(dir);
  if (!fs::is_directory(dir, ec)) return failure(boost::system::error_code(std::make_error_code(std::errc::not_a_directory)), dir);
  return {};
}

} // namespace

std::string key_store_error::message() const {
  std::string m = file.string() + ": " + code.message();
  if (!detail.empty()) m += " (" + detail + ")";
  return m;
}

void throw_exception_from_error(const key_store_error& e, const boost::source_location&) {
  throw std::runtime_error(e.message());
}

std::optional<std::int64_t> key_store::file_time(const std::filesystem::path& file) {
  return name_time(file.filename().string());
}

std::string key_store::file_name(std::int64_t t, const key& k) {
  return std::string(name_prefix) + format_stamp(t) + "-" + k.kid().substr(0, 8) + ".pem";
}

key_store::result<key_store> key_store::load(const fs::path& dir, algorithm expected) {
  auto files = list_key_files(dir);
  if (!files) return files.error();
  if (files->empty()) return failure(errc::no_signing_key, dir, "no *.pem key file; run `authctl keys`");

  key_store store;
  for (const auto& c : *files) {
    auto text = read_key_file(c.path);
    if (!text) return text.error();
    auto k = key::from_pem(*text);
    OPENSSL_cleanse(text->data(), text->size());
    if (!k) return failure(k.error(), c.path);
    if (!k->has_private()) return failure(errc::bad_key, c.path, "not a private key");
    store.files_.push_back(c.path);
    store.keys_.push_back(std::move(*k));
  }
  bool found = false;
  for (std::size_t i = store.keys_.size(); i-- > 0;) {
    if (store.keys_[i].alg() == expected) {
      store.signing_ = i;
      found = true;
      break;
    }
  }
  if (!found)
    return failure(errc::no_signing_key, dir, "no " + std::string(name(expected)) + " key; run `authctl keys --force`");
  for (std::size_t i = store.keys_.size(); i-- > 0;) store.public_keys_.add(store.keys_[i]);
  return store;
}

key_store::result<key> key_store::create(const fs::path& dir, algorithm alg, int rsa_bits) {
  if (auto r = ensure_directory(dir); !r) return r.error();
  auto existing = list_key_files(dir);
  if (!existing) return existing.error();

  auto generated = key::generate(alg, rsa_bits);
  if (!generated) return failure(generated.error(), dir, "cannot generate the key");
  const key& k = *generated;

  std::int64_t t = unix_now();
  for (const auto& c : *existing)
    if (c.time && *c.time >= t) t = *c.time + 1;  // the new key must sort last, whatever the clock says
  const std::string name = file_name(t, k);
  const fs::path final_path = dir / name;
  const fs::path temp_path = dir / ("." + name + ".tmp");

  std::string pem = k.private_pem();
  auto write_temp = [&]() -> result<void> {
    fd_guard fd(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) return errno_failure(temp_path);
    if (::fchmod(fd.get(), 0600) != 0) return errno_failure(temp_path);  // whatever the umask
    if (auto r = write_all(fd.get(), pem, temp_path); !r) return r.error();
    if (::fsync(fd.get()) != 0) return errno_failure(temp_path);
    if (::close(fd.release()) != 0) return errno_failure(temp_path);
    if (::rename(temp_path.c_str(), final_path.c_str()) != 0) return errno_failure(final_path);
    return {};
  };
  auto written = write_temp();
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!written) {
    ::unlink(temp_path.c_str());
    return written.error();
  }
  // Make the rename itself durable.
  fd_guard dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) return errno_failure(dir);
  return k;
}

} // namespace oauth::jwt
