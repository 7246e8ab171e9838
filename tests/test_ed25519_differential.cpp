// Differential tests of Ed25519: random keys and messages, then mutated and specially built
// signatures, messages and keys. assent's verdict must equal libsodium 1.0.18's
// (crypto_sign_verify_detached) on every case, and signing must equal libsodium's byte for byte.
// OpenSSL (EVP_PKEY_ED25519) is run on every case too; where it differs from libsodium the case
// is counted per category, not failed: OpenSSL follows the lenient ref10 rules (see
// docs/security.md, "Where OpenSSL differs").
//
// Deterministic: every case derives its randomness from (seed, case index). A failure reports
// both; replay with  assent-tests "[differential]" --differential-seed S --differential-count N
#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "assent/crypto/ed25519.hpp"
#include "catch.hpp"
#include "ed25519_test_util.hpp"
#include "test_util.hpp"

namespace {

namespace ed25519 = assent::crypto::ed25519;
using vr = ed25519::verify_result;
using point = std::array<std::uint8_t, 32>;
using scalar = std::array<std::uint8_t, 32>;

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fully specified, the same on every platform
// (unlike std:: distributions), so a seed replays exactly everywhere.
class splitmix64 {
 public:
  explicit splitmix64(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform enough in [0, n) for test generation (n is tiny next to 2^64).
  std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }
  void fill(std::uint8_t* out, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(next() >> 56);
  }
  template <std::size_t N>
  std::array<std::uint8_t, N> array() noexcept {
    std::array<std::uint8_t, N> a{};
    fill(a.data(), N);
    return a;
  }

 private:
  std::uint64_t state_;
};

// ---- OpenSSL's verdict (counted, never asserted except as a harness sanity check) ----------

bool openssl_verify(const ed25519::signature& sig, const assent::bytes& msg, const point& pk) {
  using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  using ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
  pkey_ptr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pk.data(), pk.size()), &EVP_PKEY_free);
  if (!key) return false;
  ctx_ptr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  static const unsigned char empty = 0;
  const unsigned char* m = msg.empty() ? &empty : msg.data();
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), m, msg.size()) == 1;
}

// ---- Scalar and point arithmetic through libsodium, to build signatures whose equation holds
// ---- for keys and R values that a normal signer would never produce ------------------------

scalar reduce64(const std::uint8_t wide[64]) {
  scalar out{};
  crypto_core_ed25519_scalar_reduce(out.data(), wide);
  return out;
}

scalar random_scalar(splitmix64& rng) {
  std::uint8_t wide[64];
  rng.fill(wide, sizeof wide);
  return reduce64(wide);
}

// k = SHA-512(R || A || M) mod L (RFC 8032 §5.1.7 step 2), computed with libsodium.
scalar challenge(const std::uint8_t* r, const point& a, const assent::bytes& msg) {
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, r, 32);
  crypto_hash_sha512_update(&st, a.data(), 32);
  crypto_hash_sha512_update(&st, msg.data(), msg.size());
  std::uint8_t h[64];
  crypto_hash_sha512_final(&st, h);
  return reduce64(h);
}

// The secret scalar of a seed (RFC 8032 §5.1.5: clamped low half of SHA-512(seed)), mod L.
scalar secret_scalar(const ed25519::seed& seed) {
  std::uint8_t h[64];
  crypto_hash_sha512(h, seed.data(), seed.size());
  h[0] = static_cast<std::uint8_t>(h[0] & 248);
  h[31] = static_cast<std::uint8_t>((h[31] & 127) | 64);
  std::uint8_t wide[64] = {};
  std::copy(h, h + 32, wide);
  return reduce64(wide);
}

point base_mul(const scalar& s) {
  point p{};
  REQUIRE(crypto_scalarmult_ed25519_base_noclamp(p.data(), s.data()) == 0);
  return p;
}

point sodium_add_points(const point& p, const point& q) {
  point r{};
  REQUIRE(crypto_core_ed25519_add(r.data(), p.data(), q.data()) == 0);
  return r;
}

scalar mul_add(const scalar& a, const scalar& b, const scalar& c) {  // a b + c mod L
  scalar ab{};
  scalar out{};
  crypto_core_ed25519_scalar_mul(ab.data(), a.data(), b.data());
  crypto_core_ed25519_scalar_add(out.data(), ab.data(), c.data());
  return out;
}

ed25519::signature make_sig(const point& r, const scalar& s) {
  ed25519::signature sig{};
  std::copy(r.begin(), r.end(), sig.begin());
  std::copy(s.begin(), s.end(), sig.begin() + 32);
  return sig;
}

point point_from_hex(const char* h) { return assent_test::unhex_array<32>(h); }

// The canonical encodings of the 8 torsion points, and [j]T8 for the order-8 point T8 (so the
// index j is the discrete log: [k]T8 = 0 exactly when k = 0 mod 8).
std::vector<point> canonical_low_order() {
  std::vector<point> out;
  for (const auto& e : assent_test::low_order_encodings)
    if (e.canonical) out.push_back(point_from_hex(e.hex));
  return out;
}
const point& torsion_multiple(std::size_t j) {  // j T8, j in [0, 8)
  static const std::vector<point> table = [] {
    const point t8 = point_from_hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
    std::vector<point> t{point_from_hex("0100000000000000000000000000000000000000000000000000000000000000")};
    for (int m = 1; m < 8; ++m) t.push_back(sodium_add_points(t.back(), t8));
    return t;
  }();
  return table.at(j);
}

// Encodings to put in place of R and A: all 14 low-order encodings, then y = p + c for c in
// [2, 18], both x signs (non-canonical; some decode to points of large order, some to none).
std::vector<point> special_encodings() {
  std::vector<point> out;
  for (const auto& e : assent_test::low_order_encodings) out.push_back(point_from_hex(e.hex));
  for (int c = 2; c <= 18; ++c) {
    for (int sign = 0; sign < 2; ++sign) {
      point p{};
      p.fill(0xff);
      p[0] = static_cast<std::uint8_t>(0xed + c);  // p = 2^255 - 19 is ed ff .. ff 7f
      p[31] = static_cast<std::uint8_t>(sign ? 0xff : 0x7f);
      out.push_back(p);
    }
  }
  return out;
}

// S + L as 256-bit little-endian (S < L < 2^253, so no overflow).
void add_l(std::uint8_t* s) {
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned v = s[i] + assent_test::group_order_l[i] + carry;
    s[i] = static_cast<std::uint8_t>(v);
    carry = v >> 8;
  }
}

// ---- The cases --------------------------------------------------------------------------

struct test_case {
  const char* category;
  ed25519::signature sig;
  assent::bytes msg;
  point pk;
  std::optional<vr> expected_reason;  // where exactly one rule is broken
};

struct tally {
  std::size_t total = 0;
  std::size_t sodium_accepts = 0;
  std::size_t openssl_only_accepts = 0;  // OpenSSL accepts, libsodium rejects
  std::size_t openssl_only_rejects = 0;  // OpenSSL rejects, libsodium accepts
};

// Builds every case of one random key and message.
std::vector<test_case> build_cases(splitmix64& rng, std::size_t index, const ed25519::secret_key& key,
                                   const ed25519::seed& seed, const assent::bytes& msg,
                                   const ed25519::signature& sig) {
  static const std::vector<point> specials = special_encodings();
  static const std::vector<point> low = canonical_low_order();
  const point pk = key.public_bytes();
  const scalar a = secret_scalar(seed);
  std::vector<test_case> out;
  auto add = [&](const char* category, const ed25519::signature& s, const assent::bytes& m, const point& p,
                 std::optional<vr> reason = std::nullopt) { out.push_back({category, s, m, p, reason}); };

  add("valid", sig, msg, pk, vr::valid);

  {  // bit flips
    auto s = sig;
    s[rng.below(32)] ^= static_cast<std::uint8_t>(1U << rng.below(8));
    add("sig_bitflip_r", s, msg, pk);
    s = sig;
    s[32 + rng.below(32)] ^= static_cast<std::uint8_t>(1U << rng.below(8));
    add("sig_bitflip_s", s, msg, pk);
    s = sig;
    s[31] ^= 0x80;  // the sign of x: R becomes -R, canonical and of large order
    add("r_negated", s, msg, pk, vr::equation_failed);
    auto p = pk;
    p[rng.below(32)] ^= static_cast<std::uint8_t>(1U << rng.below(8));
    add("pk_bitflip", sig, msg, p);
    auto m = msg;
    if (!m.empty()) {
      m[rng.below(m.size())] ^= static_cast<std::uint8_t>(1U << rng.below(8));
      add("msg_bitflip", sig, m, pk, vr::equation_failed);
    }
    m = msg;
    m.push_back(static_cast<std::uint8_t>(rng.next()));
    add("msg_extended", sig, m, pk, vr::equation_failed);
    if (!msg.empty()) {
      m = msg;
      m.pop_back();
      add("msg_truncated", sig, m, pk, vr::equation_failed);
    }
  }
  {  // S out of range, S replaced
    auto s = sig;
    add_l(s.data() + 32);
    add("s_plus_l", s, msg, pk, vr::s_out_of_range);
    s = sig;
    s[63] = static_cast<std::uint8_t>(s[63] | ((1 + rng.below(7)) << 5));  // S >= 2^253 > L
    add("s_high_bits", s, msg, pk, vr::s_out_of_range);
    s = sig;
    std::copy(assent_test::group_order_l.begin(), assent_test::group_order_l.end(), s.begin() + 32);
    add("s_equals_l", s, msg, pk, vr::s_out_of_range);
    const scalar other = random_scalar(rng);
    std::copy(other.begin(), other.end(), s.begin() + 32);
    add("s_random_in_range", s, msg, pk, vr::equation_failed);
  }
  {  // R from another signature by the same key
    auto m2 = msg;
    m2.push_back(0x5a);
    const auto other = ed25519::sign(m2, key);
    auto s = sig;
    std::copy(other.begin(), other.begin() + 32, s.begin());
    add("r_swapped", s, msg, pk, vr::equation_failed);
  }
  {  // special encodings as R and as A (every one is used once per specials.size() cases)
    auto s = sig;
    const point& r = specials[index % specials.size()];
    std::copy(r.begin(), r.end(), s.begin());
    add("r_special_encoding", s, msg, pk);
    add("a_special_encoding", sig, msg, specials[(index + 7) % specials.size()]);
  }
  {  // random bytes as R and as A
    auto s = sig;
    const auto r = rng.array<32>();
    std::copy(r.begin(), r.end(), s.begin());
    add("r_random_bytes", s, msg, pk);
    add("a_random_bytes", sig, msg, rng.array<32>());
  }
  {  // R' = R with the x sign flipped (the encoding of -R), S recomputed as r + k' a with
     // k' = H(R' || A || M): [S]B - [k']A encodes R, which equals R' in all bits but the sign
     // (Wycheproof's "modified bit 255 in R", here on random keys)
    const scalar r = random_scalar(rng);
    point rp = base_mul(r);
    rp[31] ^= 0x80;
    const scalar k = challenge(rp.data(), pk, msg);
    add("r_sign_flipped_s_recomputed", make_sig(rp, mul_add(k, a, r)), msg, pk, vr::equation_failed);
  }
  const point identity = low[2];  // 01 00 .. 00
  {  // R = the identity, S = k a: [S]B = R + [k]A holds, only the small-order rule refuses it
    const scalar k = challenge(identity.data(), pk, msg);
    add("r_identity_equation_holds", make_sig(identity, mul_add(k, a, scalar{})), msg, pk, vr::small_order_r);
  }
  {  // R = a non-canonical encoding of the identity (x = -0, y = p + 1), S = k a
    static const char* const encodings[] = {
        "0100000000000000000000000000000000000000000000000000000000000080",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"};
    const point r = point_from_hex(encodings[index % 3]);
    const scalar k = challenge(r.data(), pk, msg);
    add("r_noncanonical_identity_equation_holds", make_sig(r, mul_add(k, a, scalar{})), msg, pk);
  }
  {  // A = a small-order point T (canonical), R = [r]B, S = r, and [k]T = 0: the equation holds
    const point& t = low[index % low.size()];
    for (;;) {
      const scalar r = random_scalar(rng);
      const point rp = base_mul(r);
      if (challenge(rp.data(), t, msg)[0] % 8 != 0) continue;
      add("a_small_order_equation_holds", make_sig(rp, r), msg, t, vr::small_order_a);
      break;
    }
  }
  {  // A = a non-canonical encoding of a small-order point, same construction
    std::vector<point> non_canonical;
    for (const auto& e : assent_test::low_order_encodings)
      if (!e.canonical) non_canonical.push_back(point_from_hex(e.hex));
    const point& t = non_canonical[index % non_canonical.size()];
    for (;;) {
      const scalar r = random_scalar(rng);
      const point rp = base_mul(r);
      if (challenge(rp.data(), t, msg)[0] % 8 != 0) continue;
      add("a_noncanonical_small_order_equation_holds", make_sig(rp, r), msg, t);
      break;
    }
  }
  const std::size_t j = 1 + index % 7;  // a non-zero torsion component [j]T8
  const point mixed_a = sodium_add_points(pk, torsion_multiple(j));
  {  // A = [a]B + T (mixed order, canonical): the cofactorless equation holds iff [k]T = 0
    bool have_holds = false;
    bool have_fails = false;
    while (!have_holds || !have_fails) {
      const scalar r = random_scalar(rng);
      const point rp = base_mul(r);
      const scalar k = challenge(rp.data(), mixed_a, msg);
      const bool holds = (k[0] * j) % 8 == 0;  // [k][j]T8 = 0 iff 8 divides k j
      if (holds && !have_holds) {
        add("a_mixed_order_equation_holds", make_sig(rp, mul_add(k, a, r)), msg, mixed_a, vr::valid);
        have_holds = true;
      } else if (!holds && !have_fails) {
        add("a_mixed_order_cofactored_only", make_sig(rp, mul_add(k, a, r)), msg, mixed_a, vr::equation_failed);
        have_fails = true;
      }
    }
  }
  {  // R = [r]B + T with the normal key: only the cofactored equation holds
    const scalar r = random_scalar(rng);
    const point rp = sodium_add_points(base_mul(r), torsion_multiple(j));
    const scalar k = challenge(rp.data(), pk, msg);
    add("r_mixed_order_cofactored_only", make_sig(rp, mul_add(k, a, r)), msg, pk, vr::equation_failed);
  }
  {  // R = [i]T8 (small order), A = [a]B + [j]T8, S = k a, i + k j = 0 mod 8: the equation holds.
     // R has no random part, so the message gets a counter until the torsion parts cancel.
    for (std::uint8_t counter = 0;; ++counter) {
      auto m = msg;
      m.push_back(counter);
      const std::size_t i = 1 + rng.below(7);
      const point& rp = torsion_multiple(i);
      const scalar k = challenge(rp.data(), mixed_a, m);
      if ((i + k[0] * j) % 8 != 0) continue;
      add("r_small_order_a_mixed_equation_holds", make_sig(rp, mul_add(k, a, scalar{})), m, mixed_a,
          vr::small_order_r);
      break;
    }
  }
  {  // A = [a]B + [j]T8 and R = [r]B + [i]T8 with i + k j = 0 mod 8: the torsion parts cancel
    for (;;) {
      const scalar r = random_scalar(rng);
      const std::size_t i = rng.below(8);
      const point rp = sodium_add_points(base_mul(r), torsion_multiple(i));
      const scalar k = challenge(rp.data(), mixed_a, msg);
      if ((i + k[0] * j) % 8 != 0) continue;
      add("a_and_r_mixed_order_equation_holds", make_sig(rp, mul_add(k, a, r)), msg, mixed_a, vr::valid);
      break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("ed25519 signing equals libsodium on random keys and messages", "[ed25519][differential]") {
  REQUIRE(assent_test::sodium_ready());
  const std::uint64_t seed = assent_test::differential_seed();
  const std::size_t count = assent_test::differential_count();
  for (std::size_t i = 0; i < count; ++i) {
    splitmix64 rng(seed ^ (0x5349474eULL << 32) ^ i);  // "SIGN"
    INFO("differential seed " << seed << ", case " << i);
    const auto key_seed = rng.array<32>();
    assent::bytes msg(rng.below(4) == 0 ? rng.below(4096) : rng.below(200));
    rng.fill(msg.data(), msg.size());
    const auto key = ed25519::secret_key::from_seed(key_seed);
    std::array<std::uint8_t, 32> sodium_pk{};
    std::array<std::uint8_t, 64> sodium_sk{};
    REQUIRE(crypto_sign_seed_keypair(sodium_pk.data(), sodium_sk.data(), key_seed.data()) == 0);
    REQUIRE(assent_test::hex(key.public_bytes()) == assent_test::hex(sodium_pk));
    ed25519::signature sodium_sig{};
    REQUIRE(crypto_sign_detached(sodium_sig.data(), nullptr, msg.data(), msg.size(), sodium_sk.data()) == 0);
    REQUIRE(assent_test::hex(ed25519::sign(msg, key)) == assent_test::hex(sodium_sig));
  }
}

TEST_CASE("ed25519 verify equals libsodium on mutated and edge-case signatures", "[ed25519][differential]") {
  REQUIRE(assent_test::sodium_ready());
  const std::uint64_t seed = assent_test::differential_seed();
  const std::size_t count = assent_test::differential_count();
  std::map<std::string, tally> tallies;
  for (std::size_t i = 0; i < count; ++i) {
    splitmix64 rng(seed ^ i);
    INFO("differential seed " << seed << ", case " << i << " (replay: --differential-seed " << seed
                              << " --differential-count " << i + 1 << ")");
    const auto key_seed = rng.array<32>();
    assent::bytes msg(rng.below(4) == 0 ? rng.below(4096) : rng.below(200));
    rng.fill(msg.data(), msg.size());
    const auto key = ed25519::secret_key::from_seed(key_seed);
    const auto sig = ed25519::sign(msg, key);
    for (const auto& c : build_cases(rng, i, key, key_seed, msg, sig)) {
      INFO("category " << c.category << "\n  sig " << assent_test::hex(c.sig) << "\n  pk  "
                       << assent_test::hex(c.pk) << "\n  msg " << assent_test::hex(c.msg));
      const bool sodium = assent_test::sodium_verify(c.sig, c.msg, c.pk);
      const auto ours = assent_test::assent_verify_all(c.sig, c.msg, c.pk);
      const bool openssl = openssl_verify(c.sig, c.msg, c.pk);
      REQUIRE(ours.accepted == sodium);
      if (c.expected_reason) {
        INFO("assent's reason " << ed25519::to_string(*ours.reason));
        REQUIRE(ours.reason == c.expected_reason);
      }
      auto& t = tallies[c.category];
      ++t.total;
      if (sodium) ++t.sodium_accepts;
      if (openssl && !sodium) ++t.openssl_only_accepts;
      if (!openssl && sodium) ++t.openssl_only_rejects;
    }
  }
  // The OpenSSL harness works: it accepts every genuine signature.
  CHECK(tallies["valid"].total == count);
  CHECK(tallies["valid"].openssl_only_rejects == 0);
  CHECK(tallies["valid"].sodium_accepts == count);
  std::ostringstream report;
  report << "Ed25519 differential, " << count << " random keys, seed " << seed
         << "\ncategory: cases, libsodium(=assent) accepts, OpenSSL-only accepts, OpenSSL-only rejects\n";
  for (const auto& [name, t] : tallies) {
    report << "  " << name << ": " << t.total << ", " << t.sodium_accepts << ", " << t.openssl_only_accepts << ", "
           << t.openssl_only_rejects << (t.openssl_only_accepts + t.openssl_only_rejects ? "   <- OpenSSL differs" : "")
           << "\n";
  }
  WARN(report.str());
}
