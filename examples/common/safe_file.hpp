// safe_file.hpp: the file handling the examples share, following the rules assent's own audit
// file sink follows (include/assent/audit/file_sink.hpp, audit/detail/posix_file.hpp):
//
//   - open with O_NOFOLLOW | O_CLOEXEC: a planted symlink is never followed, and a descriptor
//     never leaks into a child process;
//   - read only regular files, and only up to a bound (a FIFO or /dev/zero would never end);
//   - check every write (a full disk or a quota shows up as a short or failed write, not as an
//     exception) and fsync before anything relies on the bytes;
//   - replace a file by writing a uniquely named temporary beside it (O_EXCL: two writers never
//     share one temporary), fsync, rename over the old one (atomic: a reader or a crash sees
//     the old file or the new one, never half of one), then fsync the directory so the rename
//     itself survives a crash. On any failure the temporary is removed and the old file stays;
//   - serialise read-modify-write cycles with flock() on a lock file that is never replaced.
//
// It is self-contained POSIX on purpose: host authors copy the examples, and assent's
// audit::detail helpers carry no stability promise. Errors are returned as messages.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace safe_file {

inline std::string errno_message(const std::string& what, int err) { return what + ": " + std::strerror(err); }

// Owns a descriptor. close() reports errors (NFS and some quota setups report write failures
// only there); the destructor is the error path and ignores them.
class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  fd_guard(fd_guard&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  fd_guard& operator=(fd_guard&&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  bool close() noexcept { return ::close(std::exchange(fd_, -1)) == 0; }

 private:
  int fd_;
};

inline bool write_all(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;  // ENOSPC, EDQUOT, EFBIG (ulimit -f), EIO ...
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

inline bool fsync_retry(int fd) noexcept {
  while (::fsync(fd) != 0)
    if (errno != EINTR) return false;
  return true;
}

inline std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Reads a whole regular file of at most `max_bytes`. nullopt, with `error` set, on failure.
inline std::optional<std::string> read(const std::string& path, std::string& error,
                                       std::size_t max_bytes = std::size_t{16} << 20) {
  fd_guard fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));  // no FIFO hang
  if (!fd.valid()) {
    error = errno_message("cannot open " + path, errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + " is not a regular file";
    return std::nullopt;
  }
  std::string out;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno_message("cannot read " + path, errno);
      return std::nullopt;
    }
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      error = path + " is larger than " + std::to_string(max_bytes) + " bytes";
      return std::nullopt;
    }
  }
}

// Makes `path` hold exactly `content`, atomically and durably (see the top of this file).
// Returns an error message, or nullopt on success.
inline std::optional<std::string> replace(const std::string& path, std::string_view content, mode_t mode = 0600) {
  std::string tmp = path + ".tmp.XXXXXX";  // mkostemp: a fresh name, created with O_EXCL
  fd_guard fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd.valid()) return errno_message("cannot create a temporary file beside " + path, errno);
  std::optional<std::string> error;
  if (::fchmod(fd.get(), mode) != 0) error = errno_message("cannot chmod " + tmp, errno);
  else if (!write_all(fd.get(), content)) error = errno_message("cannot write " + tmp, errno);
  else if (!fsync_retry(fd.get())) error = errno_message("cannot fsync " + tmp, errno);
  else if (!fd.close()) error = errno_message("cannot close " + tmp, errno);
  else if (::rename(tmp.c_str(), path.c_str()) != 0) error = errno_message("cannot rename " + tmp + " to " + path, errno);
  if (error) {
    (void)::unlink(tmp.c_str());  // the old file, if any, is untouched
    return error;
  }
  const std::string dir = parent_dir(path);
  fd_guard d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d.valid() || !fsync_retry(d.get())) return errno_message("cannot fsync directory " + dir, errno);
  return std::nullopt;
}

// Creates `path` (never overwriting, never through a symlink) holding `content`, durably; for
// secrets, hence mode 0600. On failure the partial file is removed.
inline std::optional<std::string> create_new(const std::string& path, std::string_view content) {
  fd_guard fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return errno_message("cannot create " + path, errno);
  std::optional<std::string> error;
  if (!write_all(fd.get(), content)) error = errno_message("cannot write " + path, errno);
  else if (!fsync_retry(fd.get())) error = errno_message("cannot fsync " + path, errno);
  else if (!fd.close()) error = errno_message("cannot close " + path, errno);
  if (error) (void)::unlink(path.c_str());
  return error;
}

// An exclusive lock held for the lifetime of the object. It locks `path`.lock, not `path`:
// replace() puts a new inode at `path`, so a lock on the old inode would not exclude a process
// that opened the new one. The lock file itself is never replaced or removed.
class exclusive_lock {
 public:
  static std::optional<exclusive_lock> acquire(const std::string& path, std::string& error) {
    const std::string lock_path = path + ".lock";
    fd_guard fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) {
      error = errno_message("cannot open " + lock_path, errno);
      return std::nullopt;
    }
    while (::flock(fd.get(), LOCK_EX) != 0) {  // waits for the holder; released on close or exit
      if (errno == EINTR) continue;
      error = errno_message("cannot lock " + lock_path, errno);
      return std::nullopt;
    }
    return exclusive_lock(std::move(fd));
  }

 private:
  explicit exclusive_lock(fd_guard fd) : fd_(std::move(fd)) {}
  fd_guard fd_;
};

}  // namespace safe_file
