/// @file
/// The inner loop shared by assent's JSON reader and its JCS writer: finding the end of a run of
/// string bytes that need no escaping, eight bytes at a time.
#pragma once

#include <cstdint>
#include <cstring>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {
namespace detail {

// The first byte at or after p that is '"', '\\' or a control character (below 0x20), or also
// any non-ASCII byte when StopAtNonAscii (the reader validates UTF-8 there; the writer copies it
// as is); end when there is none. Eight bytes per step (SWAR; memcpy needs no alignment): the
// classic "has a zero byte" test on x ^ '"' and x ^ '\\', and "has a byte below n" for the
// controls, are exact about whether such a byte exists, so a zero mask means none.
template <bool StopAtNonAscii>
[[nodiscard]] inline const unsigned char* skip_plain(const unsigned char* p, const unsigned char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    std::uint64_t special = ((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x);
    if (StopAtNonAscii) special |= x;
    if ((special & highs) != 0) break;
    p += 8;
  }
  while (p != end && *p >= 0x20 && *p != '"' && *p != '\\' && (!StopAtNonAscii || *p < 0x80)) ++p;
  return p;
}

}  // namespace detail
}  // namespace json
ASSENT_END_NAMESPACE
