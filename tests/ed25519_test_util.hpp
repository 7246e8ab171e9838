// Helpers for the Ed25519 test suites: libsodium 1.0.18 as the reference verifier (assent promises
// to equal it on every input), an independent structural classifier of signatures and keys that
// says which rejection reasons are acceptable, and one call that runs every assent verify API.
#pragma once

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "assent/bytes.hpp"
#include "assent/crypto/ed25519.hpp"
#include "catch.hpp"
#include "test_util.hpp"
#if ASSENT_CATCH_MAJOR == 3
#include <catch2/catch_message.hpp>  // INFO and WARN
#endif

namespace assent_test {

namespace ed25519 = assent::crypto::ed25519;

/// libsodium must be initialised once before use; returns false if that failed.
[[nodiscard]] inline bool sodium_ready() noexcept {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

/// libsodium 1.0.18's verdict (crypto_sign_verify_detached); wrong sizes are a rejection.
[[nodiscard]] inline bool sodium_verify(assent::byte_view sig, assent::byte_view msg, assent::byte_view pk) {
  if (sig.size() != crypto_sign_BYTES || pk.size() != crypto_sign_PUBLICKEYBYTES) return false;
  return crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pk.data()) == 0;
}

/// One encoding of a low-order point of edwards25519.
struct low_order_encoding {
  const char* hex;
  bool canonical;  // false: y >= p, or x = 0 with the sign bit set
};

/// Every encoding of the 8 low-order points (orders 1, 2, 4, 8): 8 canonical, 6 not. The list
/// is the one in tests/vectors/cctv-ed25519/README.cctv.md ("Low-order edwards25519 point
/// encodings"); it is complete because a point has at most four encodings (x sign, y or y + p).
inline constexpr std::array<low_order_encoding, 14> low_order_encodings{{
    {"0000000000000000000000000000000000000000000000000000000000000000", true},   // order 4
    {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", false},  // y = p
    {"0000000000000000000000000000000000000000000000000000000000000080", true},   // order 4
    {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false},  // y = p
    {"0100000000000000000000000000000000000000000000000000000000000000", true},   // identity
    {"0100000000000000000000000000000000000000000000000000000000000080", false},  // x = -0
    {"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", false},  // y = p + 1
    {"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false},  // both
    {"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", true},   // order 8
    {"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", true},   // order 8
    {"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", true},   // order 8
    {"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", true},   // order 8
    {"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", true},   // order 2
    {"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false},  // x = -0
}};

/// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
inline constexpr std::array<std::uint8_t, 32> group_order_l{
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

/// True if the 32 little-endian bytes at p are >= L.
[[nodiscard]] inline bool scalar_at_least_l(const std::uint8_t* p) noexcept {
  for (std::size_t i = 32; i-- > 0;) {
    if (p[i] != group_order_l[i]) return p[i] > group_order_l[i];
  }
  return true;
}

/// True if the point encoding at p has y >= p = 2^255 - 19 (bit 255, the x sign, ignored).
[[nodiscard]] inline bool y_at_least_p(const std::uint8_t* p) noexcept {
  if ((p[31] & 0x7f) != 0x7f) return false;
  for (std::size_t i = 1; i < 31; ++i) {
    if (p[i] != 0xff) return false;
  }
  return p[0] >= 0xed;
}

/// Looks a point encoding up in low_order_encodings.
[[nodiscard]] inline const low_order_encoding* find_low_order(const std::uint8_t* p) {
  const std::string text = hex(assent::byte_view(p, 32));
  for (const auto& e : low_order_encodings) {
    if (text == e.hex) return &e;
  }
  return nullptr;
}

/// True if libsodium proves the encoding is a canonical point of prime order (so it decodes).
[[nodiscard]] inline bool surely_decodes(const std::uint8_t* p) noexcept {
  return crypto_core_ed25519_is_valid_point(p) == 1;
}

/// The rejection reasons that are acceptable for a 64-byte signature and 32-byte key, derived
/// without assent's code: the faults an independent reading of the bytes finds (S >= L, y >= p,
/// low-order encodings) may each be named; a canonical encoding libsodium cannot prove valid may
/// fail to decode; and the equation may fail only if no structural fault was found.
[[nodiscard]] inline std::vector<ed25519::verify_result> acceptable_rejections(const std::uint8_t* sig,
                                                                               const std::uint8_t* pk) {
  using vr = ed25519::verify_result;
  std::vector<vr> ok;
  bool fault = false;
  if (scalar_at_least_l(sig + 32)) {
    ok.push_back(vr::s_out_of_range);
    fault = true;
  }
  // A non-canonical encoding must be named as such (or, for the low-order ones, as small
  // order); only a canonical encoding may be refused as "not a point".
  auto point_faults = [&](const std::uint8_t* p, vr non_canonical, vr small_order, vr invalid_point) {
    if (const auto* lo = find_low_order(p)) {
      ok.push_back(small_order);
      if (!lo->canonical) ok.push_back(non_canonical);
      fault = true;
    } else if (y_at_least_p(p)) {
      ok.push_back(non_canonical);
      fault = true;
    } else if (!surely_decodes(p)) {
      ok.push_back(invalid_point);
    }
  };
  point_faults(sig, vr::non_canonical_r, vr::small_order_r, vr::invalid_point_r);
  point_faults(pk, vr::non_canonical_a, vr::small_order_a, vr::invalid_point_a);
  if (!fault) ok.push_back(vr::equation_failed);
  return ok;
}

/// What assent said about one (signature, message, key).
struct assent_outcome {
  bool accepted = false;
  std::optional<ed25519::verify_result> reason;  // set when both sizes are right
};

/// Runs every assent verification entry point on the input and checks (Catch CHECKs) that they
/// agree with one another: the byte_view overload, the fixed-size overload, verify_detailed,
/// is_valid_public_key and verifying_key.
inline assent_outcome assent_verify_all(assent::byte_view sig, assent::byte_view msg, assent::byte_view pk) {
  assent_outcome out;
  out.accepted = ed25519::verify(sig, msg, pk);
  if (sig.size() != 64 || pk.size() != 32) return out;
  ed25519::signature s{};
  ed25519::public_key k{};
  std::copy(sig.begin(), sig.end(), s.begin());
  std::copy(pk.begin(), pk.end(), k.begin());
  const auto reason = ed25519::verify_detailed(s, msg, k);
  out.reason = reason;
  CHECK(ed25519::verify(s, msg, k) == out.accepted);
  CHECK((reason == ed25519::verify_result::valid) == out.accepted);
  const auto vk = ed25519::verifying_key::from_bytes(k);
  CHECK(vk.has_value() == ed25519::is_valid_public_key(k));
  if (vk) {
    CHECK(vk->verify(s, msg) == out.accepted);
  } else {
    CHECK_FALSE(out.accepted);
  }
  if (!out.accepted) {
    const auto ok = acceptable_rejections(sig.data(), pk.data());
    INFO("assent's reason: " << ed25519::to_string(reason));
    CHECK(std::find(ok.begin(), ok.end(), reason) != ok.end());
  }
  return out;
}

}  // namespace assent_test
