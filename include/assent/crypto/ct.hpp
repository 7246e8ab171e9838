/// @file
/// Constant-time comparison and wiping of secrets, and the mark of what leaves constant-time code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "assent/config.hpp"

/// Marks n bytes at p as public from here on: a value computed from a secret that is public by
/// design (a decoder's valid/invalid verdict, a public key derived from a seed). A no-op, unless
/// a constant-time check defines it before including assent (tests/ct/ define it as valgrind's
/// VALGRIND_MAKE_MEM_DEFINED, so that the branches on such values are not reported); each use
/// marks a place where a reviewer can see what leaves the constant-time code.
#ifndef ASSENT_CT_DECLASSIFY
#define ASSENT_CT_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

ASSENT_BEGIN_NAMESPACE
namespace crypto {

/// True when the n bytes at a and b are equal. Time depends on n only: every byte is read, no
/// early exit, and the final zero test is arithmetic rather than a branch on the data.
[[nodiscard]] inline bool ct_equal(const std::uint8_t* a, const std::uint8_t* b,
                                   std::size_t n) noexcept {
  std::uint32_t diff = 0;
  for (std::size_t i = 0; i < n; ++i) diff |= static_cast<std::uint32_t>(a[i] ^ b[i]);
#if defined(__GNUC__) || defined(__clang__)
  // Hide the value from the optimiser so it cannot turn the loop into "stop at the first
  // difference" or the test below into a data-dependent branch.
  __asm__("" : "+r"(diff));
#endif
  // diff is in [0, 255]: diff - 1 wraps to 0xFFFFFFFF exactly when diff == 0.
  return ((diff - 1U) >> 8) & 1U;
}

/// ct_equal over two fixed-size byte arrays.
template <std::size_t N>
[[nodiscard]] bool ct_equal(const std::array<std::uint8_t, N>& a,
                            const std::array<std::uint8_t, N>& b) noexcept {
  return ct_equal(a.data(), b.data(), N);
}

/// Overwrites n bytes at p with zeros in a way the compiler may not remove as a dead store
/// (a plain memset before free or scope exit can legally be dropped).
inline void secure_wipe(void* p, std::size_t n) noexcept {
  volatile std::uint8_t* v = static_cast<volatile std::uint8_t*>(p);
  for (std::size_t i = 0; i < n; ++i) v[i] = 0;
#if defined(__GNUC__) || defined(__clang__)
  // Compiler barrier: the memory behind p counts as read, so the stores above must happen.
  __asm__ __volatile__("" : : "r"(p) : "memory");
#endif
}

namespace detail {

/// Zeroes n bytes for internal bulk use (hash state, schedules): memset, then an empty asm that
/// claims to read the memory, so the stores cannot be dropped as dead even when the object dies
/// right after. One vector store per 16-32 bytes, where secure_wipe stores byte by byte.
/// Compilers without GNU asm fall back to secure_wipe.
inline void fast_wipe(void* p, std::size_t n) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
#else
  secure_wipe(p, n);
#endif
}

}  // namespace detail

/// secure_wipe over a whole std::array of trivially copyable values (keys, seeds, scalars).
template <class T, std::size_t N>
void secure_wipe(std::array<T, N>& a) noexcept {
  static_assert(std::is_trivially_copyable_v<T>, "secure_wipe zeroes raw bytes");
  secure_wipe(a.data(), sizeof(T) * N);
}

}  // namespace crypto
ASSENT_END_NAMESPACE
