/// @file
/// Strict base64, base64url (RFC 4648 §4, §5) and lowercase hex. Decoders accept exactly one
/// encoding per byte string: whitespace, stray or missing padding and non-zero trailing bits are
/// rejected, so a signature over encoded text can never be replayed under a second spelling.
/// Base64 encodes and decodes in constant time (it carries private keys); hex is for public
/// values only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/ct.hpp"

ASSENT_BEGIN_NAMESPACE

/// The 62nd/63rd characters: `+/` (RFC 4648 §4) or `-_` (§5, URL and filename safe).
enum class base64_alphabet : std::uint8_t { standard, url };

/// Whether a decoder requires `=` padding to a multiple of four, forbids it, or takes either.
enum class base64_padding : std::uint8_t { required, forbidden, optional };

namespace detail {

inline constexpr char hex_chars[] = "0123456789abcdef";

// Every byte that is not in the alphabet maps to 0x80, so OR-ing the values of a whole input
// and testing bit 7 once at the end finds any invalid character without a branch per group.
inline constexpr std::uint8_t invalid_char = 0x80;

constexpr std::array<std::uint8_t, 256> make_decode_table(const char* alphabet,
                                                          std::size_t size) noexcept {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = invalid_char;
  for (std::size_t i = 0; i < size; ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

// Lowercase only: accepting 'A'-'F' too would give every byte string two spellings. Hex is
// only ever used for public values (hashes, key ids), so a table lookup is fine here.
alignas(64) inline constexpr std::array<std::uint8_t, 256> hex_table =
    make_decode_table(hex_chars, 16);

// ---- base64 of public data, by table -----------------------------------------------------------
// Envelopes, signatures and public keys are public: their decoder may index a table by the
// character, which is about five times faster than the arithmetic below and is on the path of
// every decision. It accepts exactly what the constant-time decoder accepts (tested on random
// and edge inputs); only the name says which one may see secrets.
inline constexpr char base64_standard_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr char base64_url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
alignas(64) inline constexpr std::array<std::uint8_t, 256> base64_standard_table =
    make_decode_table(base64_standard_chars, 64);
alignas(64) inline constexpr std::array<std::uint8_t, 256> base64_url_table = make_decode_table(base64_url_chars, 64);

// ---- base64 in constant time -----------------------------------------------------------------
// Base64 carries private keys (a private JWK's "d", a PKCS#8 PEM body), so neither a branch
// nor a memory address may depend on a character or a 6-bit value: a decode table indexed by
// the character, or an alphabet string indexed by the value, tells a cache-timing observer
// which characters a key holds. Characters are classified by range with arithmetic instead
// (the approach of libsodium's sodium_bin2base64 / sodium_base642bin): each comparison is a
// subtraction whose borrow becomes an all-ones or all-zeros mask. Lengths and padding are
// public; only whether the whole input was valid leaves the decoder, once, at the end.

// All ones when a < b, else 0 (a, b < 2^31).
constexpr std::uint32_t ct_lt_mask(std::uint32_t a, std::uint32_t b) noexcept { return 0U - ((a - b) >> 31); }
// All ones when a == b, else 0 (a, b < 2^31).
constexpr std::uint32_t ct_eq_mask(std::uint32_t a, std::uint32_t b) noexcept {
  return 0U - (((a ^ b) - 1U) >> 31);
}
// All ones when lo <= c <= hi, else 0.
constexpr std::uint32_t ct_range_mask(std::uint32_t c, std::uint32_t lo, std::uint32_t hi) noexcept {
  return ~ct_lt_mask(c, lo) & ~ct_lt_mask(hi, c);
}

// The two characters after A-Z a-z 0-9: "+/" (RFC 4648 §4) or "-_" (§5).
struct base64_extra_chars {
  std::uint32_t c62, c63;
};
inline constexpr base64_extra_chars base64_standard_extra{'+', '/'};
inline constexpr base64_extra_chars base64_url_extra{'-', '_'};

// The character of a 6-bit value v: 'A' + v, shifted into the next range past 25, 51, 61, 62.
constexpr char ct_base64_char(std::uint32_t v, base64_extra_chars x) noexcept {
  std::uint32_t c = v + 'A';
  c += ~ct_lt_mask(v, 26) & std::uint32_t('a' - 26 - 'A');
  c += ~ct_lt_mask(v, 52) & std::uint32_t(('0' - 52) - ('a' - 26));
  c += ~ct_lt_mask(v, 62) & (x.c62 - 62 - std::uint32_t('0' - 52));
  c += ~ct_lt_mask(v, 63) & (x.c63 - x.c62 - 1);
  return static_cast<char>(c & 0xFF);
}

// The 6-bit value of a character, or invalid_char when it is not in the alphabet.
constexpr std::uint32_t ct_base64_value(std::uint32_t c, base64_extra_chars x) noexcept {
  const std::uint32_t upper = ct_range_mask(c, 'A', 'Z');
  const std::uint32_t lower = ct_range_mask(c, 'a', 'z');
  const std::uint32_t digit = ct_range_mask(c, '0', '9');
  const std::uint32_t m62 = ct_eq_mask(c, x.c62);
  const std::uint32_t m63 = ct_eq_mask(c, x.c63);
  const std::uint32_t v = (upper & (c - 'A')) | (lower & (c - 'a' + 26)) | (digit & (c - '0' + 52)) |
                          (m62 & 62U) | (m63 & 63U);
  return v | (~(upper | lower | digit | m62 | m63) & invalid_char);
}

inline std::string base64_encode_with(byte_view data, base64_extra_chars chars, bool pad) {
  const std::size_t n = data.size();
  const std::size_t full = n / 3;
  const std::size_t rest = n % 3;
  const std::size_t tail_chars = rest == 0 ? 0 : (pad ? 4 : rest + 1);
  std::string out(full * 4 + tail_chars, '\0');
  const std::uint8_t* in = data.data();
  char* o = out.data();
  for (std::size_t i = 0; i < full; ++i, in += 3, o += 4) {
    const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
    o[0] = ct_base64_char(v >> 18, chars);
    o[1] = ct_base64_char((v >> 12) & 63, chars);
    o[2] = ct_base64_char((v >> 6) & 63, chars);
    o[3] = ct_base64_char(v & 63, chars);
  }
  if (rest != 0) {  // how many bytes are left is public (the length)
    const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (rest == 2 ? std::uint32_t{in[1]} << 8 : 0U);
    o[0] = ct_base64_char(v >> 18, chars);
    o[1] = ct_base64_char((v >> 12) & 63, chars);
    if (rest == 2) o[2] = ct_base64_char((v >> 6) & 63, chars);
    if (pad) {
      if (rest == 1) o[2] = '=';
      o[3] = '=';
    }
  }
  return out;
}

// `value(c)` is the 6-bit value of character c, or invalid_char: ct_base64_value for secrets, a
// table lookup for public data. Everything else is the same code, so both accept one language.
template <typename Value>
inline std::optional<bytes> base64_decode_with(std::string_view text, Value&& value, base64_padding padding) {
  std::size_t len = text.size();
  // Padding (§3.2) is two '=' after one final byte, one '=' after two, and only ever at the end
  // of a multiple of four characters. Any other '=' is left in place and rejected as invalid.
  // (Padding is public: it follows from the length of what was encoded.)
  const bool padded = len != 0 && len % 4 == 0 && text[len - 1] == '=';
  if (padded) {
    if (padding == base64_padding::forbidden) return std::nullopt;
    len -= text[len - 2] == '=' ? 2 : 1;
  } else if (padding == base64_padding::required && len % 4 != 0) {
    return std::nullopt;
  }
  const std::size_t full = len / 4;
  const std::size_t tail = len % 4;
  if (tail == 1) return std::nullopt;  // one character carries 6 bits: not even one byte
  bytes out(full * 3 + (tail == 0 ? 0 : tail - 1));

  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  std::uint8_t* o = out.data();
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < full; ++i, in += 4, o += 3) {
    const std::uint32_t a = value(in[0]), b = value(in[1]), c = value(in[2]), d = value(in[3]);
    bad |= a | b | c | d;
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    o[0] = static_cast<std::uint8_t>(v >> 16);
    o[1] = static_cast<std::uint8_t>(v >> 8);
    o[2] = static_cast<std::uint8_t>(v);
  }
  if (tail != 0) {
    const std::uint32_t a = value(in[0]), b = value(in[1]);
    const std::uint32_t c = tail == 3 ? value(in[2]) : 0U;
    bad |= a | b | c;
    // §3.5: the bits below the last whole byte must be zero, or "Zh" and "Zg" would both
    // decode to "f". A non-zero remainder sets invalid_char without a branch.
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6);
    const std::uint32_t spare = (v & 0x3FFFF) & (tail == 2 ? 0xFFFFU : 0xFFU);
    bad |= ((spare | (0U - spare)) >> 31) * invalid_char;
    o[0] = static_cast<std::uint8_t>(v >> 16);
    if (tail == 3) o[1] = static_cast<std::uint8_t>(v >> 8);
  }
  // The verdict is the one thing about the characters that leaves the decoder.
  bool valid = (bad & invalid_char) == 0;
  ASSENT_CT_DECLASSIFY(&valid, sizeof valid);
  if (!valid) {
    crypto::secure_wipe(out.data(), out.size());
    return std::nullopt;
  }
  return out;
}

// Decodes exactly out_size bytes from 2 * out_size hex characters; false on any invalid one.
inline bool hex_decode_into(std::string_view text, std::uint8_t* out,
                            std::size_t out_size) noexcept {
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < out_size; ++i) {
    const std::uint32_t hi = hex_table[in[2 * i]], lo = hex_table[in[2 * i + 1]];
    bad |= hi | lo;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return (bad & invalid_char) == 0;
}

}  // namespace detail

/// Base64 with the standard alphabet and `=` padding (RFC 4648 §4).
[[nodiscard]] inline std::string base64_encode(byte_view data) {
  return detail::base64_encode_with(data, detail::base64_standard_extra, true);
}

/// Base64url without padding (RFC 4648 §5), as JOSE and DSSE producers write it.
[[nodiscard]] inline std::string base64url_encode(byte_view data) {
  return detail::base64_encode_with(data, detail::base64_url_extra, false);
}

/// Decodes with a chosen alphabet and padding rule; nullopt on any deviation from the one
/// canonical encoding (invalid character, whitespace, bad padding, impossible length,
/// non-zero trailing bits).
[[nodiscard]] inline std::optional<bytes> base64_decode(std::string_view text,
                                                        base64_alphabet alphabet,
                                                        base64_padding padding) {
  const detail::base64_extra_chars chars =
      alphabet == base64_alphabet::standard ? detail::base64_standard_extra : detail::base64_url_extra;
  return detail::base64_decode_with(
      text, [chars](std::uint8_t c) { return detail::ct_base64_value(c, chars); }, padding);
}

/// As base64_decode, for public data only (envelopes, signatures, public keys): a table indexed by
/// each character, so its timing depends on the text. Accepts exactly what base64_decode accepts.
[[nodiscard]] inline std::optional<bytes> base64_decode_vartime(std::string_view text, base64_alphabet alphabet,
                                                                base64_padding padding) {
  const auto& table = alphabet == base64_alphabet::standard ? detail::base64_standard_table : detail::base64_url_table;
  return detail::base64_decode_with(
      text, [&table](std::uint8_t c) { return std::uint32_t{table[c]}; }, padding);
}

/// Decodes standard base64 with padding required.
[[nodiscard]] inline std::optional<bytes> base64_decode(std::string_view text) {
  return base64_decode(text, base64_alphabet::standard, base64_padding::required);
}

/// Decodes base64url with padding forbidden.
[[nodiscard]] inline std::optional<bytes> base64url_decode(std::string_view text) {
  return base64_decode(text, base64_alphabet::url, base64_padding::forbidden);
}

/// Lowercase hex.
[[nodiscard]] inline std::string hex_encode(byte_view data) {
  std::string out(data.size() * 2, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = detail::hex_chars[data[i] >> 4];
    out[2 * i + 1] = detail::hex_chars[data[i] & 15];
  }
  return out;
}

/// Decodes lowercase hex; nullopt on odd length, uppercase or any other character.
[[nodiscard]] inline std::optional<bytes> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  bytes out(text.size() / 2);
  if (!detail::hex_decode_into(text, out.data(), out.size())) return std::nullopt;
  return out;
}

/// Decodes exactly N bytes of lowercase hex (2N characters); nullopt otherwise.
template <std::size_t N>
[[nodiscard]] std::optional<std::array<std::uint8_t, N>> hex_decode_fixed(std::string_view text) {
  std::array<std::uint8_t, N> out{};
  if (text.size() != 2 * N || !detail::hex_decode_into(text, out.data(), N)) return std::nullopt;
  return out;
}

ASSENT_END_NAMESPACE
