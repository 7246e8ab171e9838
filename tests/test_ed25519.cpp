// Ed25519 (RFC 8032 §5.1): known answers, strict rejection rules with their reasons, agreement
// with libsodium 1.0.18, and checks of the precomputed tables and of the field arithmetic.
// The large conformance suites (Wycheproof, speccheck, CCTV, ring) live in
// test_ed25519_vectors.cpp.
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "assent/crypto/ed25519.hpp"
#include "catch.hpp"
#include "torsion_test_util.hpp"

namespace {

namespace ed = assent::crypto::ed25519;
namespace edd = assent::crypto::ed25519::detail;
using assent::byte_view;
using bytes = std::vector<std::uint8_t>;

bytes from_hex(const std::string& h) {
  bytes out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  bool ok = h.size() % 2 == 0;
  for (std::size_t i = 0; ok && i < h.size(); i += 2) {
    const int hi = nib(h[i]), lo = nib(h[i + 1]);
    ok = hi >= 0 && lo >= 0;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  REQUIRE(ok);
  return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> to_array(const bytes& b) {
  REQUIRE(b.size() == N);
  std::array<std::uint8_t, N> a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

std::string vectors_dir() { return ASSENT_VECTORS_DIR; }

void init_sodium() { REQUIRE(sodium_init() >= 0); }

// A fixed-seed generator: failures reproduce.
std::mt19937_64& rng() {
  static std::mt19937_64 g(0x5eed25519ULL);
  return g;
}

template <std::size_t N>
std::array<std::uint8_t, N> random_array() {
  std::array<std::uint8_t, N> a{};
  for (auto& b : a) b = static_cast<std::uint8_t>(rng()());
  return a;
}

bytes random_vector(std::size_t n) {
  bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng()());
  return b;
}

// L, little-endian, from RFC 8032 §5.1 (2^252 + 27742317777372353535851937790883648493).
constexpr std::array<std::uint8_t, 32> group_order = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

// The 32-byte little-endian sum a + b (mod 2^256).
std::array<std::uint8_t, 32> add_le(const std::uint8_t* a, const std::uint8_t* b) {
  std::array<std::uint8_t, 32> r{};
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned t = unsigned{a[i]} + unsigned{b[i]} + carry;
    r[i] = static_cast<std::uint8_t>(t);
    carry = t >> 8;
  }
  return r;
}

// y = p - 1 + k as 32 little-endian bytes, for small k >= 0 (p = 2^255 - 19).
std::array<std::uint8_t, 32> p_minus_one_plus(unsigned k) {
  std::array<std::uint8_t, 32> s{};
  s.fill(0xff);
  s[31] = 0x7f;
  s[0] = static_cast<std::uint8_t>(0xec + k);
  return s;
}

struct fixture_signature {
  ed::public_key pk;
  ed::signature sig;
  bytes msg;
};

// A genuine signature from RFC 8032 TEST 3 (seed, message), made by libsodium.
fixture_signature good_signature() {
  init_sodium();
  const auto seed = to_array<32>(from_hex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"));
  fixture_signature f;
  f.msg = from_hex("af82");
  unsigned char sk[64];
  REQUIRE(crypto_sign_seed_keypair(f.pk.data(), sk, seed.data()) == 0);
  REQUIRE(crypto_sign_detached(f.sig.data(), nullptr, f.msg.data(), f.msg.size(), sk) == 0);
  return f;
}

std::string encode_hex(const std::uint8_t* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

// Affine Niels form of p, as in ed25519_table.hpp (limbs fully reduced).
edd::ge_precomp to_precomp(const edd::ge_p3& p) {
  const edd::fe zinv = edd::fe_invert(p.Z);
  const edd::fe x = edd::fe_mul(p.X, zinv), y = edd::fe_mul(p.Y, zinv);
  auto canon = [](const edd::fe& f) {
    std::uint8_t b[32];
    edd::fe_to_bytes(b, f);
    return edd::fe_from_bytes(b);
  };
  return edd::ge_precomp{canon(edd::fe_add(y, x)), canon(edd::fe_sub(y, x)),
                         canon(edd::fe_mul(edd::fe_mul(x, y), edd::fe_d2))};
}

bool same_limbs(const edd::ge_precomp& a, const edd::ge_precomp& b) {
  for (int i = 0; i < 5; ++i) {
    if (a.ypx.v[i] != b.ypx.v[i] || a.ymx.v[i] != b.ymx.v[i] || a.xy2d.v[i] != b.xy2d.v[i])
      return false;
  }
  return true;
}

edd::ge_p3 base_point() {
  // RFC 8032 §5.1: B = (x, 4/5) with x positive; its encoding is 0x58 0x66 ... 0x66.
  std::array<std::uint8_t, 32> enc{};
  enc.fill(0x66);
  enc[0] = 0x58;
  edd::ge_p3 b;
  REQUIRE(edd::ge_from_bytes_vartime(b, enc.data()) == edd::decode_error::none);
  return b;
}

edd::ge_p3 add_points(const edd::ge_p3& a, const edd::ge_p3& b) {
  return edd::ge_to_p3(edd::ge_add(a, edd::ge_to_cached(b)));
}

std::array<std::uint8_t, 32> encode(const edd::ge_p3& p) {
  std::array<std::uint8_t, 32> out{};
  edd::ge_to_bytes(out.data(), p);
  return out;
}

}  // namespace

TEST_CASE("ed25519 reproduces the RFC 8032 section 7.1 test vectors", "[ed25519][rfc8032]") {
  std::ifstream in(vectors_dir() + "/rfc8032/rfc8032_7.1_ed25519.json");
  REQUIRE(in.good());
  const auto doc = nlohmann::json::parse(in);
  REQUIRE(doc.at("vectors").size() == 5);
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("name").get<std::string>());
    const auto seed = to_array<32>(from_hex(v.at("secretKey").get<std::string>()));
    const auto pk = to_array<32>(from_hex(v.at("publicKey").get<std::string>()));
    const bytes msg = from_hex(v.at("message").get<std::string>());
    const auto expected = to_array<64>(from_hex(v.at("signature").get<std::string>()));
    REQUIRE(msg.size() == v.at("messageLength").get<std::size_t>());

    const auto key = ed::secret_key::from_seed(seed);
    CHECK(key.public_bytes() == pk);
    CHECK(key.seed_bytes() == seed);
    const ed::signature sig = ed::sign(msg, key);
    CHECK(sig == expected);
    CHECK(ed::verify_detailed(expected, msg, pk) == ed::verify_result::valid);
    CHECK(ed::is_valid_public_key(pk));
    const auto vk = ed::verifying_key::from_bytes(pk);
    REQUIRE(vk.has_value());
    CHECK(vk->bytes() == pk);
    CHECK(vk->verify(expected, msg));
  }
}

TEST_CASE("ed25519 reproduces all 1024 lines of sign.input", "[ed25519][sign-input]") {
  std::ifstream in(vectors_dir() + "/ed25519-sign-input/sign.input");
  REQUIRE(in.good());
  std::string line;
  std::size_t count = 0;
  while (std::getline(in, line)) {
    INFO("sign.input line " << count + 1);
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ':')) fields.push_back(field);
    REQUIRE(fields.size() == 4);
    const bytes sk = from_hex(fields[0]);
    const auto pk = to_array<32>(from_hex(fields[1]));
    const bytes msg = from_hex(fields[2]);
    const bytes sig_and_msg = from_hex(fields[3]);
    REQUIRE(sk.size() == 64);
    REQUIRE(msg.size() == count);  // line i signs i - 1 bytes
    REQUIRE(sig_and_msg.size() == 64 + msg.size());
    ed::seed seed{};
    std::copy(sk.begin(), sk.begin() + 32, seed.begin());
    ed::signature expected{};
    std::copy(sig_and_msg.begin(), sig_and_msg.begin() + 64, expected.begin());

    const auto key = ed::secret_key::from_seed(seed);
    REQUIRE(key.public_bytes() == pk);
    REQUIRE(std::equal(sk.begin() + 32, sk.end(), pk.begin()));
    REQUIRE(ed::sign(msg, key) == expected);
    REQUIRE(ed::verify_detailed(expected, msg, pk) == ed::verify_result::valid);
    const auto vk = ed::verifying_key::from_bytes(pk);
    REQUIRE(vk.has_value());
    REQUIRE(vk->verify_detailed(expected, msg) == ed::verify_result::valid);
    ed::signature tampered = expected;
    tampered[count % 32] ^= 0x01;  // R changed: never valid
    REQUIRE(vk->verify_detailed(tampered, msg) == ed::verify_detailed(tampered, msg, pk));
    ++count;
  }
  CHECK(count == 1024);
}

TEST_CASE("ed25519 verify rejects S >= L", "[ed25519][reject]") {
  const auto f = good_signature();
  REQUIRE(ed::verify_detailed(f.sig, f.msg, f.pk) == ed::verify_result::valid);
  // S + L satisfies the group equation too ([L]B = 0): only the range check refuses it.
  ed::signature bad = f.sig;
  const auto s_plus_l = add_le(f.sig.data() + 32, group_order.data());
  std::copy(s_plus_l.begin(), s_plus_l.end(), bad.begin() + 32);
  CHECK(ed::verify_detailed(bad, f.msg, f.pk) == ed::verify_result::s_out_of_range);
  // S = L exactly, and S with the top bit set.
  std::copy(group_order.begin(), group_order.end(), bad.begin() + 32);
  CHECK(ed::verify_detailed(bad, f.msg, f.pk) == ed::verify_result::s_out_of_range);
  bad = f.sig;
  bad[63] = static_cast<std::uint8_t>(bad[63] | 0x80);
  CHECK(ed::verify_detailed(bad, f.msg, f.pk) == ed::verify_result::s_out_of_range);
  // S = L - 1 is in range (the equation then fails).
  std::array<std::uint8_t, 32> l_minus_1 = group_order;
  l_minus_1[0] = static_cast<std::uint8_t>(l_minus_1[0] - 1);
  bad = f.sig;
  std::copy(l_minus_1.begin(), l_minus_1.end(), bad.begin() + 32);
  CHECK(ed::verify_detailed(bad, f.msg, f.pk) == ed::verify_result::equation_failed);
}

TEST_CASE("ed25519 verify rejects a flipped bit anywhere with a reason", "[ed25519][reject]") {
  const auto f = good_signature();
  for (std::size_t bit = 0; bit < 8 * f.msg.size(); ++bit) {
    bytes m = f.msg;
    m[bit / 8] = static_cast<std::uint8_t>(m[bit / 8] ^ (1U << (bit % 8)));
    CHECK(ed::verify_detailed(f.sig, m, f.pk) == ed::verify_result::equation_failed);
  }
  for (std::size_t bit = 0; bit < 512; ++bit) {
    ed::signature s = f.sig;
    s[bit / 8] = static_cast<std::uint8_t>(s[bit / 8] ^ (1U << (bit % 8)));
    const auto r = ed::verify_detailed(s, f.msg, f.pk);
    INFO("bit " << bit << ": " << ed::to_string(r));
    if (bit < 256) {
      // A changed R is either not a point or a different point.
      CHECK((r == ed::verify_result::invalid_point_r || r == ed::verify_result::equation_failed));
    } else {
      CHECK((r == ed::verify_result::s_out_of_range || r == ed::verify_result::equation_failed));
    }
  }
  for (std::size_t bit = 0; bit < 256; ++bit) {
    ed::public_key pk = f.pk;
    pk[bit / 8] = static_cast<std::uint8_t>(pk[bit / 8] ^ (1U << (bit % 8)));
    const auto r = ed::verify_detailed(f.sig, f.msg, pk);
    INFO("bit " << bit << ": " << ed::to_string(r));
    CHECK((r == ed::verify_result::invalid_point_a || r == ed::verify_result::equation_failed));
  }
}

TEST_CASE("ed25519 verify rejects non-canonical encodings of R", "[ed25519][reject]") {
  const auto f = good_signature();
  // y = p + k for k = 0..18 (the only 255-bit values >= p), with either sign bit.
  for (unsigned k = 1; k <= 19; ++k) {
    for (std::uint8_t sign : {std::uint8_t{0}, std::uint8_t{0x80}}) {
      ed::signature s = f.sig;
      auto r = p_minus_one_plus(k);
      r[31] = static_cast<std::uint8_t>(r[31] | sign);
      std::copy(r.begin(), r.end(), s.begin());
      CHECK(ed::verify_detailed(s, f.msg, f.pk) == ed::verify_result::non_canonical_r);
    }
  }
  // x = 0 with the sign bit set: y = 1 and y = p - 1.
  ed::signature s = f.sig;
  std::fill(s.begin(), s.begin() + 32, 0);
  s[0] = 1;
  s[31] = 0x80;
  CHECK(ed::verify_detailed(s, f.msg, f.pk) == ed::verify_result::non_canonical_r);
  auto r = p_minus_one_plus(0);
  r[31] = 0xff;
  std::copy(r.begin(), r.end(), s.begin());
  CHECK(ed::verify_detailed(s, f.msg, f.pk) == ed::verify_result::non_canonical_r);
}

TEST_CASE("ed25519 verify rejects non-canonical and off-curve public keys", "[ed25519][reject]") {
  const auto f = good_signature();
  for (unsigned k = 1; k <= 19; ++k) {
    const auto pk = p_minus_one_plus(k);  // y >= p
    CHECK(ed::verify_detailed(f.sig, f.msg, pk) == ed::verify_result::non_canonical_a);
    CHECK_FALSE(ed::is_valid_public_key(pk));
    CHECK_FALSE(ed::verifying_key::from_bytes(pk).has_value());
  }
  ed::public_key one_negative{};
  one_negative[0] = 1;
  one_negative[31] = 0x80;  // (0, 1) with the sign bit set
  CHECK(ed::verify_detailed(f.sig, f.msg, one_negative) == ed::verify_result::non_canonical_a);
  // y = 2: (y^2 - 1)/(d y^2 + 1) is not a square (checked by libsodium refusing it too).
  ed::public_key off_curve{};
  off_curve[0] = 2;
  CHECK(ed::verify_detailed(f.sig, f.msg, off_curve) == ed::verify_result::invalid_point_a);
  CHECK_FALSE(ed::is_valid_public_key(off_curve));
  CHECK_FALSE(ed::verifying_key::from_bytes(off_curve).has_value());
  init_sodium();
  CHECK(crypto_sign_verify_detached(f.sig.data(), f.msg.data(), f.msg.size(), off_curve.data()) != 0);
  edd::ge_p3 p;
  CHECK(edd::ge_from_bytes_vartime(p, off_curve.data()) == edd::decode_error::not_on_curve);
}

TEST_CASE("ed25519 verify rejects small-order public keys and R", "[ed25519][reject]") {
  const auto f = good_signature();
  // Every point of order 1, 2, 4 or 8: multiples of an order-8 point T (and its encodings
  // with the sign bit flipped where x != 0 makes that another valid encoding).
  const auto t8_bytes = from_hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
  edd::ge_p3 t8;
  REQUIRE(edd::ge_from_bytes_vartime(t8, t8_bytes.data()) == edd::decode_error::none);
  edd::ge_p3 multiple = edd::ge_p3_identity;
  for (int i = 0; i < 8; ++i) {
    const auto enc = encode(multiple);
    INFO("[" << i << "]T = " << encode_hex(enc.data(), 32));
    // Its order divides 8: [8]P = identity.
    edd::ge_p3 eight = multiple;
    for (int d = 0; d < 3; ++d) eight = edd::ge_to_p3(edd::ge_dbl(eight));
    CHECK(encode(eight) == encode(edd::ge_p3_identity));

    CHECK(ed::verify_detailed(f.sig, f.msg, enc) == ed::verify_result::small_order_a);
    CHECK_FALSE(ed::is_valid_public_key(enc));
    CHECK_FALSE(ed::verifying_key::from_bytes(enc).has_value());
    ed::signature s = f.sig;
    std::copy(enc.begin(), enc.end(), s.begin());
    CHECK(ed::verify_detailed(s, f.msg, f.pk) == ed::verify_result::small_order_r);
    multiple = add_points(multiple, t8);
  }
  // The non-canonical y = p (0) and y = p + 1 (1) are on libsodium's list too; with R they
  // are reported as non-canonical (checked first), with A likewise.
  for (unsigned k : {1U, 2U}) {
    const auto enc = p_minus_one_plus(k);
    CHECK(ed::verify_detailed(f.sig, f.msg, enc) == ed::verify_result::non_canonical_a);
    CHECK(edd::is_small_order_encoding_vartime(enc.data()));
  }
}

TEST_CASE("ed25519 verify accepts a key with a small-order component, like libsodium",
          "[ed25519][libsodium]") {
  // A = A' + T (T of order 8) is not small order, so strict verifiers accept it as a key;
  // RFC 8032 and libsodium 1.0.18 do. Sign with a scalar for A and check libsodium agrees.
  init_sodium();
  const auto t8_bytes = from_hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
  edd::ge_p3 t8;
  REQUIRE(edd::ge_from_bytes_vartime(t8, t8_bytes.data()) == edd::decode_error::none);
  for (int i = 0; i < 8; ++i) {
    const auto key = ed::secret_key::from_seed(random_array<32>());
    edd::ge_p3 a;
    REQUIRE(edd::ge_from_bytes_vartime(a, key.public_bytes().data()) == edd::decode_error::none);
    const auto mixed = encode(add_points(a, t8));
    CHECK(ed::is_valid_public_key(mixed));
    const bytes msg = random_vector(40);
    const ed::signature sig = ed::sign(msg, key);  // a signature under A, checked against A + T
    const bool sodium_ok =
        crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), mixed.data()) == 0;
    CHECK(ed::verify(sig, msg, mixed) == sodium_ok);
  }
}

TEST_CASE("ed25519 a torsion twin of a key verifies signatures made with the key's secret",
          "[ed25519][torsion][libsodium]") {
  // Why key loaders require the prime-order subgroup: Bob's secret signs as A + (0, -1) too.
  // verify keeps libsodium 1.0.18's answer (it accepts), so the refusal must happen at loading.
  init_sodium();
  for (std::uint8_t n = 1; n <= 4; ++n) {
    assent_torsion::point seed{};
    seed.fill(n);
    const auto bob = assent_torsion::public_of(seed);
    const auto twin = assent_torsion::order2_twin(bob);
    REQUIRE(twin != bob);
    CHECK(ed::is_valid_public_key(twin));
    const bytes msg = random_vector(48);
    const auto sig = assent_torsion::sign_as_order2_twin(seed, msg);
    CHECK(crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), twin.data()) == 0);
    CHECK(ed::verify(sig, msg, twin));
    CHECK(ed::verifying_key::from_bytes(twin).has_value());
    CHECK_FALSE(ed::is_prime_order_public_key_vartime(twin));
    CHECK(ed::is_prime_order_public_key_vartime(bob));
  }
}

TEST_CASE("ed25519 prime-order key check refuses every small-order component, like libsodium's subgroup check",
          "[ed25519][torsion][libsodium]") {
  // crypto_core_ed25519_is_valid_point (libsodium 1.0.18): canonical, on the curve, not of small
  // order, and [L]P = identity. It is an independent implementation of the same rule.
  init_sodium();
  const assent_torsion::point small_order[] = {assent_torsion::order4_point(), assent_torsion::order8_point(),
                                               assent_torsion::order2_twin(assent_torsion::point{1})};
  for (int i = 0; i < 16; ++i) {
    const auto key = ed::secret_key::from_seed(random_array<32>());
    const auto& a = key.public_bytes();
    CHECK(ed::is_prime_order_public_key_vartime(a));
    CHECK(crypto_core_ed25519_is_valid_point(a.data()) == 1);
    // A + T for T of order 2 (both constructions), 4 and 8, and A + 2T, A + 3T for T of order 8.
    std::vector<ed::public_key> twins{assent_torsion::order2_twin(a)};
    for (const auto& t : small_order) twins.push_back(assent_torsion::add(a, t));
    const auto t8x2 = assent_torsion::add(assent_torsion::order8_point(), assent_torsion::order8_point());
    twins.push_back(assent_torsion::add(a, t8x2));
    twins.push_back(assent_torsion::add(twins.back(), assent_torsion::order8_point()));
    for (const auto& twin : twins) {
      INFO(encode_hex(twin.data(), twin.size()));
      REQUIRE(twin != ed::public_key{});
      CHECK(ed::is_valid_public_key(twin));  // what verify requires of A: still accepted
      CHECK(crypto_core_ed25519_is_valid_point(twin.data()) == 0);
      CHECK_FALSE(ed::is_prime_order_public_key_vartime(twin));
    }
  }
  // Random 32-byte strings: where both decode, the two agree (is_valid_point also refuses what
  // is not a point, as the key check does).
  for (int i = 0; i < 256; ++i) {
    const auto bytes32 = random_array<32>();
    const bool ours = ed::is_prime_order_public_key_vartime(bytes32);
    const bool theirs = crypto_core_ed25519_is_valid_point(bytes32.data()) == 1;
    if (ed::is_valid_public_key(bytes32)) CHECK(ours == theirs);
    else CHECK_FALSE(ours);
  }
}

TEST_CASE("ed25519 agrees with libsodium on random keys, messages and corruptions",
          "[ed25519][libsodium]") {
  init_sodium();
  for (int iter = 0; iter < 300; ++iter) {
    const auto seed = random_array<32>();
    unsigned char sodium_pk[32], sodium_sk[64];
    REQUIRE(crypto_sign_seed_keypair(sodium_pk, sodium_sk, seed.data()) == 0);
    const auto key = ed::secret_key::from_seed(seed);
    REQUIRE(std::equal(key.public_bytes().begin(), key.public_bytes().end(), sodium_pk));

    const bytes msg = random_vector(static_cast<std::size_t>(rng()() % 300));
    unsigned char sodium_sig[64];
    REQUIRE(crypto_sign_detached(sodium_sig, nullptr, msg.data(), msg.size(), sodium_sk) == 0);
    const ed::signature sig = ed::sign(msg, key);
    REQUIRE(std::equal(sig.begin(), sig.end(), sodium_sig));
    REQUIRE(ed::verify(sig, msg, key.public_bytes()));

    // Corrupt one of signature, key or message, then compare the two verdicts.
    ed::signature s = sig;
    ed::public_key pk = key.public_bytes();
    bytes m = msg;
    switch (rng()() % 4) {
      case 0: s[rng()() % 64] ^= static_cast<std::uint8_t>(1U << (rng()() % 8)); break;
      case 1: pk[rng()() % 32] ^= static_cast<std::uint8_t>(1U << (rng()() % 8)); break;
      case 2: m.push_back(0); break;
      default: s = random_array<64>(); s[63] &= 0x0f; break;  // random R, S likely < L
    }
    const bool sodium_ok = crypto_sign_verify_detached(s.data(), m.data(), m.size(), pk.data()) == 0;
    INFO("iteration " << iter << " sig " << encode_hex(s.data(), 64) << " pk " << encode_hex(pk.data(), 32));
    CHECK(ed::verify(s, m, pk) == sodium_ok);
    const auto vk = ed::verifying_key::from_bytes(pk);
    CHECK(vk.has_value() == ed::is_valid_public_key(pk));
    if (vk) CHECK(vk->verify_detailed(s, m) == ed::verify_detailed(s, m, pk));
  }
}

TEST_CASE("ed25519 verify on unsized byte strings refuses wrong sizes", "[ed25519][reject]") {
  const auto f = good_signature();
  const bytes sig(f.sig.begin(), f.sig.end());
  const bytes pk(f.pk.begin(), f.pk.end());
  CHECK(ed::verify(byte_view(sig), byte_view(f.msg), byte_view(pk)));
  bytes longer = sig;
  longer.push_back(0);
  CHECK_FALSE(ed::verify(byte_view(longer), byte_view(f.msg), byte_view(pk)));
  CHECK_FALSE(ed::verify(byte_view(sig.data(), 63), byte_view(f.msg), byte_view(pk)));
  CHECK_FALSE(ed::verify(byte_view(sig), byte_view(f.msg), byte_view(pk.data(), 31)));
  CHECK_FALSE(ed::verify(byte_view(), byte_view(f.msg), byte_view()));
}

TEST_CASE("ed25519 verify_result codes are stable snake_case strings", "[ed25519]") {
  using vr = ed::verify_result;
  CHECK(std::string(ed::to_string(vr::valid)) == "valid");
  CHECK(std::string(ed::to_string(vr::s_out_of_range)) == "s_out_of_range");
  CHECK(std::string(ed::to_string(vr::non_canonical_r)) == "non_canonical_r");
  CHECK(std::string(ed::to_string(vr::small_order_r)) == "small_order_r");
  CHECK(std::string(ed::to_string(vr::non_canonical_a)) == "non_canonical_a");
  CHECK(std::string(ed::to_string(vr::small_order_a)) == "small_order_a");
  CHECK(std::string(ed::to_string(vr::invalid_point_a)) == "invalid_point_a");
  CHECK(std::string(ed::to_string(vr::invalid_point_r)) == "invalid_point_r");
  CHECK(std::string(ed::to_string(vr::equation_failed)) == "equation_failed");
  CHECK(static_cast<int>(vr::valid) == 0);
  CHECK(static_cast<int>(vr::equation_failed) == 8);
}

TEST_CASE("ed25519 precomputed tables equal multiples of the base point", "[ed25519][table]") {
  const edd::ge_p3 b = base_point();
  edd::ge_p3 row = b;  // 256^i B
  for (int i = 0; i < 32; ++i) {
    edd::ge_p3 m = row;
    for (int j = 0; j < 8; ++j) {
      INFO("base_comb[" << i << "][" << j << "]");
      CHECK(same_limbs(edd::base_comb[i][j], to_precomp(m)));
      m = add_points(m, row);
    }
    for (int d = 0; d < 8; ++d) row = edd::ge_to_p3(edd::ge_dbl(row));
  }
  const edd::ge_p3 b2 = edd::ge_to_p3(edd::ge_dbl(b));
  edd::ge_p3 odd = b;
  for (int i = 0; i < 64; ++i) {
    INFO("base_odd[" << i << "]");
    CHECK(same_limbs(edd::base_odd[i], to_precomp(odd)));
    odd = add_points(odd, b2);
  }
  edd::ge_p3 b128 = b;
  for (int d = 0; d < 128; ++d) b128 = edd::ge_to_p3(edd::ge_dbl(b128));
  const edd::ge_p3 b128_2 = edd::ge_to_p3(edd::ge_dbl(b128));
  odd = b128;
  for (int i = 0; i < 64; ++i) {
    INFO("base128_odd[" << i << "]");
    CHECK(same_limbs(edd::base128_odd[i], to_precomp(odd)));
    odd = add_points(odd, b128_2);
  }
}

TEST_CASE("ed25519 table generator", "[.][ed25519-table-gen]") {
  // Prints the data of include/assent/crypto/detail/ed25519_table.hpp:
  //   assent-tests "[ed25519-table-gen]" and paste the two arrays.
  auto limbs = [](const edd::fe& f) {
    std::string s = "{{";
    for (int i = 0; i < 5; ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%013llx", static_cast<unsigned long long>(f.v[i]));
      s += buf;
      if (i < 4) s += ", ";
    }
    return s + "}}";
  };
  auto niels = [&](const edd::ge_p3& p) {
    const auto n = to_precomp(p);
    return "{" + limbs(n.ypx) + ", " + limbs(n.ymx) + ", " + limbs(n.xy2d) + "}";
  };
  const edd::ge_p3 b = base_point();
  std::string out = "base_comb:\n";
  edd::ge_p3 row = b;
  for (int i = 0; i < 32; ++i) {
    out += "    {\n";
    edd::ge_p3 m = row;
    for (int j = 0; j < 8; ++j) {
      out += "        " + niels(m) + ",\n";
      m = add_points(m, row);
    }
    out += "    },\n";
    for (int d = 0; d < 8; ++d) row = edd::ge_to_p3(edd::ge_dbl(row));
  }
  out += "base_odd:\n";
  const edd::ge_p3 b2 = edd::ge_to_p3(edd::ge_dbl(b));
  edd::ge_p3 odd = b;
  for (int i = 0; i < 64; ++i) {
    out += "    " + niels(odd) + ",\n";
    odd = add_points(odd, b2);
  }
  out += "base128_odd:\n";
  edd::ge_p3 b128 = b;
  for (int d = 0; d < 128; ++d) b128 = edd::ge_to_p3(edd::ge_dbl(b128));
  const edd::ge_p3 b128_2 = edd::ge_to_p3(edd::ge_dbl(b128));
  odd = b128;
  for (int i = 0; i < 64; ++i) {
    out += "    " + niels(odd) + ",\n";
    odd = add_points(odd, b128_2);
  }
  std::fputs(out.c_str(), stdout);
  CHECK(!out.empty());
}

TEST_CASE("ed25519 field multiplication is exact at the documented limb bounds",
          "[ed25519][field]") {
  // fe_mul and fe_sq promise correct results for limbs below 1.8125 * 2^53 (about 2^53.86).
  // Compare such inputs with the same values carried down to tight limbs, and check the ring
  // laws on them.
  auto same = [](const edd::fe& a, const edd::fe& b) {
    std::uint8_t x[32], y[32];
    edd::fe_to_bytes(x, a);
    edd::fe_to_bytes(y, b);
    return std::equal(x, x + 32, y);
  };
  const std::uint64_t top = 0x39ffffffffffffULL;  // 1.8125 * 2^53 - 1
  std::vector<edd::fe> inputs = {edd::fe{{top, top, top, top, top}},
                                 edd::fe{{top, 0, top, 0, top}},
                                 edd::fe{{0, top, 0, top, 0}}};
  for (int i = 0; i < 200; ++i) {
    edd::fe f{};
    for (auto& limb : f.v) limb = rng()() % (top + 1);
    inputs.push_back(f);
  }
  for (const auto& f : inputs) {
    const edd::fe fc = edd::fe_carry(f);
    CHECK(same(edd::fe_sq(f), edd::fe_mul(fc, fc)));
    for (const auto& g : {inputs[0], inputs[1], inputs[2]}) {
      const edd::fe gc = edd::fe_carry(g);
      CHECK(same(edd::fe_mul(f, g), edd::fe_mul(fc, gc)));
      CHECK(same(edd::fe_mul(f, g), edd::fe_mul(g, f)));
    }
    // f * f^-1 = 1 unless f = 0.
    if (!edd::fe_is_zero(f)) CHECK(same(edd::fe_mul(fc, edd::fe_invert(f)), edd::fe_one));
  }
  // 2^255 - 19 and 2^255 - 1 as limbs encode as 0 and 18 (canonical reduction).
  const std::uint64_t m51 = (std::uint64_t{1} << 51) - 1;
  std::uint8_t out[32];
  edd::fe_to_bytes(out, edd::fe{{m51 - 18, m51, m51, m51, m51}});
  CHECK(std::all_of(out, out + 32, [](std::uint8_t x) { return x == 0; }));
  edd::fe_to_bytes(out, edd::fe{{m51, m51, m51, m51, m51}});
  CHECK(out[0] == 18);
  CHECK(std::all_of(out + 1, out + 32, [](std::uint8_t x) { return x == 0; }));
}

TEST_CASE("ed25519 scalar reduction agrees with libsodium", "[ed25519][scalar]") {
  init_sodium();
  for (int i = 0; i < 500; ++i) {
    auto wide = random_array<64>();
    if (i == 0) wide.fill(0xff);  // the largest 512-bit input
    if (i == 1) wide.fill(0);
    unsigned char expected[64];
    std::copy(wide.begin(), wide.end(), expected);
    crypto_core_ed25519_scalar_reduce(expected, wide.data());
    std::uint8_t ours[32];
    edd::sc_reduce(ours, wide.data());
    CHECK(std::equal(ours, ours + 32, expected));

    const auto a = random_array<32>(), b = random_array<32>(), c = random_array<32>();
    // (a b + c) mod L via libsodium's reduce of the exact product computed by our muladd on
    // reduced operands (libsodium has no public muladd): compare against mul + add.
    unsigned char ar[32], br[32], cr[32], ab[32], abc[32];
    unsigned char wide_a[64] = {}, wide_b[64] = {}, wide_c[64] = {};
    std::copy(a.begin(), a.end(), wide_a);
    std::copy(b.begin(), b.end(), wide_b);
    std::copy(c.begin(), c.end(), wide_c);
    crypto_core_ed25519_scalar_reduce(ar, wide_a);
    crypto_core_ed25519_scalar_reduce(br, wide_b);
    crypto_core_ed25519_scalar_reduce(cr, wide_c);
    crypto_core_ed25519_scalar_mul(ab, ar, br);
    crypto_core_ed25519_scalar_add(abc, ab, cr);
    std::uint8_t mine[32];
    edd::sc_muladd(mine, a.data(), b.data(), c.data());  // full 256-bit operands
    CHECK(std::equal(mine, mine + 32, abc));
    CHECK(edd::sc_is_canonical(mine));
  }
  CHECK_FALSE(edd::sc_is_canonical(group_order.data()));
}

TEST_CASE("ed25519 half-size scalars satisfy c0 = c1 k (mod 8L) with c1 odd and short",
          "[ed25519][lattice]") {
  // Checked modulo L (with the scalar arithmetic) and modulo 8 (low bits) separately; the two
  // moduli are coprime, so together this is the relation modulo 8L.
  static constexpr std::uint8_t zero[32] = {};
  int max_bits = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto wide = random_array<64>();
    std::uint8_t k[32];
    edd::sc_reduce(k, wide.data());
    if (i == 0) {  // k = 1
      std::fill(k, k + 32, 0);
      k[0] = 1;
    }
    edd::half_scalars hs;
    REQUIRE(edd::half_scalars_vartime(hs, k));
    CHECK((hs.c1[0] & 1) == 1);
    for (int b = 17; b < 32; ++b) {  // both below 2^136
      CHECK(hs.c0[b] == 0);
      CHECK(hs.c1[b] == 0);
    }
    for (int b = 31; b >= 0; --b) {
      if (hs.c0[b] | hs.c1[b]) {
        max_bits = std::max(max_bits, 8 * b + 8);
        break;
      }
    }
    std::uint8_t lhs[32];
    if (hs.c0_negative) {
      edd::sc_muladd(lhs, hs.c1, k, hs.c0);  // c1 k + |c0| = 0 (mod L)
      CHECK(std::all_of(lhs, lhs + 32, [](std::uint8_t x) { return x == 0; }));
      CHECK(((hs.c1[0] * k[0] + hs.c0[0]) & 7) == 0);
    } else {
      edd::sc_muladd(lhs, hs.c1, k, zero);  // c1 k = c0 (mod L)
      CHECK(std::equal(lhs, lhs + 32, hs.c0));
      CHECK(((hs.c1[0] * k[0] - hs.c0[0]) & 7) == 0);
    }
  }
  INFO("longest c0 or c1: " << max_bits << " bits");
  CHECK(max_bits <= 136);
  // k = L - 1 = -1: every c1 = 1 (mod 8) is paired with a c0 of about 2^249, so there is no
  // short solution and verification takes the full-length equation instead.
  std::uint8_t k[32];
  std::copy(group_order.begin(), group_order.end(), k);
  k[0] = static_cast<std::uint8_t>(k[0] - 1);
  edd::half_scalars hs;
  CHECK_FALSE(edd::half_scalars_vartime(hs, k));
}

TEST_CASE("ed25519 half-length and full-length verification equations agree",
          "[ed25519][lattice]") {
  // The half-length equation must give libsodium's answer wherever the full one does: valid
  // signatures, wrong S, another point as R, and A or R with a small-order component.
  init_sodium();
  const auto t8_bytes = from_hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
  edd::ge_p3 t8;
  REQUIRE(edd::ge_from_bytes_vartime(t8, t8_bytes.data()) == edd::decode_error::none);
  int valid = 0, invalid = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const auto key = ed::secret_key::from_seed(random_array<32>());
    const bytes msg = random_vector(64);
    ed::signature sig = ed::sign(msg, key);
    ed::public_key pk = key.public_bytes();
    edd::ge_p3 point;
    switch (iter % 5) {
      case 0: break;                                     // valid
      case 1: sig[32 + rng()() % 16] ^= 0x10; break;    // S changed, still < L
      case 2: {                                          // R replaced by another point
        const auto other = encode(edd::scalarmult_base(random_array<32>().data()));
        std::copy(other.begin(), other.end(), sig.begin());
        break;
      }
      case 3:                                            // A with a torsion component
        REQUIRE(edd::ge_from_bytes_vartime(point, pk.data()) == edd::decode_error::none);
        pk = encode(add_points(point, t8));
        break;
      default:                                           // R with a torsion component
        REQUIRE(edd::ge_from_bytes_vartime(point, sig.data()) == edd::decode_error::none);
        {
          const auto mixed = encode(add_points(point, t8));
          std::copy(mixed.begin(), mixed.end(), sig.begin());
        }
        break;
    }
    edd::ge_p3 a;
    REQUIRE(edd::decode_public_key_vartime(a, pk.data()) == ed::verify_result::valid);
    assent::crypto::sha512 h;
    h.update(byte_view(sig.data(), 32));
    h.update(pk);
    h.update(msg);
    const auto digest = h.final();
    std::uint8_t k[32];
    edd::sc_reduce(k, digest.data());
    edd::half_scalars hs;
    REQUIRE(edd::half_scalars_vartime(hs, k));
    const auto oneshot = edd::make_odd_multiples_vartime<8>(a);
    const auto cached = edd::make_odd_multiples_affine_vartime<32>(a);
    const auto full = edd::equation_full_vartime(sig.data(), sig.data() + 32, k, oneshot);
    CHECK(edd::equation_half_vartime(sig.data(), sig.data() + 32, oneshot, hs) == full);
    CHECK(edd::equation_half_vartime(sig.data(), sig.data() + 32, cached, hs) == full);
    CHECK(edd::equation_full_vartime(sig.data(), sig.data() + 32, k, cached) == full);
    const bool sodium_ok =
        crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pk.data()) == 0;
    CHECK((full == ed::verify_result::valid) == sodium_ok);
    (full == ed::verify_result::valid ? valid : invalid) += 1;
  }
  CHECK(valid >= 80);
  CHECK(invalid >= 240);
}
