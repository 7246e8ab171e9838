/// @file
/// POSIX file plumbing for the audit log: an owning descriptor, full writes and reads that
/// survive EINTR and short transfers, a bounded line reader, and atomic file replacement.
/// Internal: no stability promise.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "assent/config.hpp"
#include "assent/crypto/random.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {
namespace detail {

/// "what: strerror(errno)".
[[nodiscard]] inline std::string errno_message(const std::string& what, int err) {
  return what + ": " + std::strerror(err);
}

/// Owns a file descriptor; closes it once.
class unique_fd {
 public:
  unique_fd() noexcept = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() { reset(); }
  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  /// Closes the descriptor (errors ignored: nothing is written by close on these files
  /// that an fsync has not already reported).
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

/// Writes all of `data` at `offset`; false with errno set on failure (a prefix may be written).
[[nodiscard]] inline bool pwrite_all(int fd, std::string_view data, std::uint64_t offset) noexcept {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::pwrite(fd, p, left, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

/// fdatasync, retried on EINTR. Data integrity of the file's contents and size (POSIX
/// synchronized I/O data integrity completion) is all a log append needs.
[[nodiscard]] inline bool sync_data(int fd) noexcept {
  for (;;) {
    if (::fdatasync(fd) == 0) return true;
    if (errno != EINTR) return false;
  }
}

/// fsync, retried on EINTR (used for directories and checkpoint files).
[[nodiscard]] inline bool sync_all(int fd) noexcept {
  for (;;) {
    if (::fsync(fd) == 0) return true;
    if (errno != EINTR) return false;
  }
}

/// The directory part of a path ("." when there is none).
[[nodiscard]] inline std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

/// Makes a directory entry change (create, rename) durable: fsync on the directory.
[[nodiscard]] inline std::optional<std::string> sync_parent_dir(const std::string& path) {
  const std::string dir = parent_dir(path);
  unique_fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d.valid()) return errno_message("cannot open directory " + dir, errno);
  if (!sync_all(d.get())) return errno_message("cannot fsync directory " + dir, errno);
  return std::nullopt;
}

/// Reads a whole (small) file; nullopt and an error message on failure.
[[nodiscard]] inline std::optional<std::string> read_small_file(const std::string& path, std::size_t max_bytes,
                                                                std::string& error) {
  unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    error = errno_message("cannot open " + path, errno);
    return std::nullopt;
  }
  std::string out;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno_message("cannot read " + path, errno);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      error = path + " is larger than " + std::to_string(max_bytes) + " bytes";
      return std::nullopt;
    }
  }
  return out;
}

/// Replaces `path` with `content` so that a reader (or a crash) sees the old file or the new
/// one, never a mixture: write a temporary file beside it, fsync it, rename it over `path`
/// (atomic within a file system, POSIX rename()), then fsync the directory so the rename
/// itself survives a crash. The temporary file has a fresh random name and is created with
/// O_EXCL | O_NOFOLLOW, so a file or symbolic link planted beside `path` is never opened, let
/// alone truncated (rename replaces a link at `path` itself, never what it points to).
[[nodiscard]] inline std::optional<std::string> replace_file_atomically(const std::string& path,
                                                                        std::string_view content) {
  std::string tmp;
  unique_fd fd;
  for (int attempt = 0; attempt < 8 && !fd.valid(); ++attempt) {
    std::uint8_t r[8];
    if (!crypto::os_random(r, sizeof r)) return std::string("cannot name a temporary file: no OS randomness");
    static constexpr char hex[] = "0123456789abcdef";
    tmp = path + ".tmp-";
    for (const std::uint8_t b : r) {
      tmp.push_back(hex[b >> 4]);
      tmp.push_back(hex[b & 15]);
    }
    fd = unique_fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && errno != EEXIST) return errno_message("cannot create " + tmp, errno);
  }
  if (!fd.valid()) return errno_message("cannot create a temporary file beside " + path, EEXIST);
  const auto fail = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());  // ours: created with O_EXCL
    return errno_message(what, err);
  };
  if (!pwrite_all(fd.get(), content, 0)) return fail("cannot write " + tmp, errno);
  if (!sync_all(fd.get())) return fail("cannot fsync " + tmp, errno);
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename " + tmp + " to " + path, errno);
  return sync_parent_dir(path);
}

/// Reads a file line by line through pread (the descriptor's offset is never used), keeping at
/// most one line plus one chunk in memory.
class line_reader {
 public:
  /// What next() found.
  enum class status : std::uint8_t {
    line,          ///< a line ending in '\n' (returned without it)
    unterminated,  ///< bytes after the last '\n' at end of file (returned)
    too_long,      ///< a line longer than the limit; nothing more can be read
    end,           ///< end of file after the last '\n'
    error,         ///< a read failed (errno_value())
  };

  line_reader(int fd, std::size_t max_line) : fd_(fd), max_line_(max_line) {}

  /// Reads the next line into `line` (valid until the next call).
  [[nodiscard]] status next(std::string_view& line) {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_start_ += pos_;
      buf_.clear();
      pos_ = 0;
    }
    std::size_t scan = pos_;
    for (;;) {
      const auto nl = buf_.find('\n', scan);
      if (nl != std::string::npos && nl - pos_ <= max_line_) {
        line = std::string_view(buf_).substr(pos_, nl - pos_);
        line_start_ = buf_start_ + pos_;
        pos_ = nl + 1;
        line_end_ = buf_start_ + pos_;
        return status::line;
      }
      if (buf_.size() - pos_ > max_line_) {
        line_start_ = buf_start_ + pos_;
        return status::too_long;
      }
      if (eof_) {
        if (pos_ == buf_.size()) return status::end;
        line = std::string_view(buf_).substr(pos_);
        line_start_ = buf_start_ + pos_;
        pos_ = buf_.size();
        line_end_ = buf_start_ + pos_;
        return status::unterminated;
      }
      // Keep the partial line, drop what was consumed, read another chunk.
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        buf_start_ += pos_;
        pos_ = 0;
      }
      scan = buf_.size();
      const std::size_t old = buf_.size();
      buf_.resize(old + chunk);
      ssize_t n;
      do {
        n = ::pread(fd_, &buf_[old], chunk, static_cast<off_t>(buf_start_ + old));
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        errno_ = errno;
        buf_.resize(old);
        return status::error;
      }
      buf_.resize(old + static_cast<std::size_t>(n));
      if (n == 0) eof_ = true;
    }
  }

  /// File offset of the first byte of the line last returned (or of the over-long line).
  [[nodiscard]] std::uint64_t line_start() const noexcept { return line_start_; }
  /// File offset just past the line last returned (past its '\n' when it had one).
  [[nodiscard]] std::uint64_t line_end() const noexcept { return line_end_; }
  /// errno of the failed read.
  [[nodiscard]] int errno_value() const noexcept { return errno_; }

 private:
  static constexpr std::size_t chunk = std::size_t{1} << 16;
  int fd_;
  std::size_t max_line_;
  std::string buf_;
  std::size_t pos_ = 0;           // next unread byte in buf_
  std::uint64_t buf_start_ = 0;   // file offset of buf_[0]
  std::uint64_t line_start_ = 0, line_end_ = 0;
  bool eof_ = false;
  int errno_ = 0;
};

}  // namespace detail
}  // namespace audit
ASSENT_END_NAMESPACE
