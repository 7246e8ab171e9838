/// @file
/// Cryptographically secure random bytes from the operating system.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "assent/config.hpp"

#if defined(__linux__)
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>
#define ASSENT_RANDOM_LINUX 1
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__NetBSD__) || defined(__DragonFly__)
#include <stdlib.h>  // arc4random_buf
#define ASSENT_RANDOM_ARC4 1
#endif

ASSENT_BEGIN_NAMESPACE
namespace crypto {
namespace detail {

#if defined(ASSENT_RANDOM_LINUX)
// Kernels before 3.17 lack getrandom(2). /dev/urandom does not block even before the pool has
// been seeded, so first wait until /dev/random is readable, which it becomes once it has.
inline bool urandom_fill(std::uint8_t* out, std::size_t n) noexcept {
  const int seeded = ::open("/dev/random", O_RDONLY | O_CLOEXEC);
  if (seeded < 0) return false;
  pollfd pfd{seeded, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&pfd, 1, -1);
  } while (ready < 0 && errno == EINTR);
  ::close(seeded);
  if (ready != 1) return false;

  const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  while (n != 0) {
    const ssize_t got = ::read(fd, out, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      ::close(fd);
      return false;
    }
    out += got;
    n -= static_cast<std::size_t>(got);
  }
  ::close(fd);
  return true;
}

inline bool getrandom_fill(std::uint8_t* out, std::size_t n) noexcept {
#if defined(SYS_getrandom)
  while (n != 0) {
    // Flags 0: block until the pool is initialised, then never block. Reads above 32 MiB - 1
    // are cut short by the kernel anyway; ask for at most that and loop.
    const std::size_t ask = n < 33554431U ? n : 33554431U;
    const long got = ::syscall(SYS_getrandom, out, ask, 0U);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOSYS) return urandom_fill(out, n);
      return false;
    }
    out += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
#else
  return urandom_fill(out, n);
#endif
}
#endif

}  // namespace detail

/// Fills out[0..n) with random bytes from the OS (getrandom(2) on Linux, falling back to
/// /dev/urandom; arc4random_buf on BSD and macOS). Returns false, never weak bytes, when the
/// OS source fails or the platform has none that assent knows.
[[nodiscard]] inline bool os_random(std::uint8_t* out, std::size_t n) noexcept {
  if (n == 0) return true;
#if defined(ASSENT_RANDOM_LINUX)
  return detail::getrandom_fill(out, n);
#elif defined(ASSENT_RANDOM_ARC4)
  ::arc4random_buf(out, n);
  return true;
#else
  (void)out;
  return false;
#endif
}

/// os_random over a whole byte array.
template <std::size_t N>
[[nodiscard]] bool os_random(std::array<std::uint8_t, N>& out) noexcept {
  return os_random(out.data(), N);
}

}  // namespace crypto
ASSENT_END_NAMESPACE

#undef ASSENT_RANDOM_LINUX
#undef ASSENT_RANDOM_ARC4
