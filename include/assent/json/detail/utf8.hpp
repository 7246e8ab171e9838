/// @file
/// Well-formed UTF-8 (Unicode §3.9): the one decoder that the JSON reader, the JCS writer and
/// the claims checks share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {
namespace detail {

// Decodes one UTF-8 scalar value at s[i], advancing i; returns -1 on any ill-formed sequence
// (overlong forms, surrogates U+D800..U+DFFF, values above U+10FFFF, truncation), following the
// well-formed byte sequences table of Unicode §3.9 (Table 3-7).
inline std::int32_t next_scalar(std::string_view s, std::size_t& i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len = 0;
  std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  std::int32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong 3-byte forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlong 4-byte forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  if (s.size() - i < len) return -1;
  for (std::size_t k = 1; k < len; ++k) {
    const std::uint8_t b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

// True when s is well-formed UTF-8.
// ASCII, the common case, is skipped eight bytes at a time.
[[nodiscard]] inline bool valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    if (s.size() - i >= 8) {
      std::uint64_t x;
      std::memcpy(&x, s.data() + i, 8);
      if ((x & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (next_scalar(s, i) < 0) return false;
  }
  return true;
}

}  // namespace detail
}  // namespace json
ASSENT_END_NAMESPACE
