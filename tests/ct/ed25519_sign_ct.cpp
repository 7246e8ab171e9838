// Constant-time check of Ed25519 key derivation and signing, run under valgrind memcheck
// (the technique of Adam Langley's ctgrind, as libsodium and Monocypher use it).
//
// The seed, and then every secret a secret_key holds (the seed, the clamped scalar s and the
// nonce prefix of RFC 8032 §5.1.5), are marked *undefined* with a memcheck client request.
// Memcheck propagates undefinedness through every computation, so the per-message nonce
// r = SHA-512(prefix || M) mod L, the point [r]B and S = r + k s are undefined too, although
// they never leave sign(). Memcheck reports any conditional jump or memory address that
// depends on an undefined value: a secret-dependent branch or table index. With
// --error-exitcode=1 any such report fails the run. Outside valgrind the requests do nothing.
//
// The signature legitimately depends on the secrets, so it is marked defined again before it
// is compared with RFC 8032's expected bytes (which proves the checked code computed the
// right thing).
//
// `--leaky` adds a function that branches on a secret byte and indexes a table with another:
// under valgrind that run must fail (CTest: WILL_FAIL), proving the harness can fail.
#include <valgrind/memcheck.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>

#include "assent/crypto/ed25519.hpp"

namespace {

namespace ed25519 = assent::crypto::ed25519;

std::array<std::uint8_t, 64> from_hex64(const char* h) {
  std::array<std::uint8_t, 64> out{};
  for (std::size_t i = 0; i < 64 && h[2 * i] != '\0'; ++i) {
    unsigned v = 0;
    std::sscanf(h + 2 * i, "%2x", &v);
    out[i] = static_cast<std::uint8_t>(v);
  }
  return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> first(const std::array<std::uint8_t, 64>& a) {
  std::array<std::uint8_t, N> out{};
  std::memcpy(out.data(), a.data(), N);
  return out;
}

struct vector {
  const char* seed;
  const char* public_key;
  const char* message;  // hex
  const char* signature;
};

// RFC 8032 §7.1 TEST 1, TEST 2 and TEST 3 (tests/vectors/rfc8032/rfc8032_7.1_ed25519.json).
constexpr vector rfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

// Deliberately NOT constant time: a branch on one secret byte and a table index by another.
// Kept out of line so the optimiser cannot turn the branch into a conditional move.
volatile unsigned leak_sink = 0;
[[gnu::noinline]] void leaky_use_of_secret(const std::uint8_t* secret) {
  static const std::uint8_t table[256] = {1};
  if ((secret[0] & 1) != 0) {
    leak_sink = leak_sink + 1;
  } else {
    leak_sink = leak_sink + 2;
  }
  leak_sink = leak_sink + table[secret[1]];
}

}  // namespace

int main(int argc, char** argv) {
  const bool leaky = argc > 1 && std::string(argv[1]) == "--leaky";
  const bool under_valgrind = RUNNING_ON_VALGRIND != 0;
  int failures = 0;
  for (const auto& v : rfc8032) {
    auto seed = first<32>(from_hex64(v.seed));
    const auto expected_pk = first<32>(from_hex64(v.public_key));
    const auto expected_sig = from_hex64(v.signature);
    const std::string msg_hex = v.message;
    const auto msg_bytes = from_hex64(v.message);
    const assent::byte_view msg(msg_bytes.data(), msg_hex.size() / 2);

    // Key derivation with a secret seed.
    VALGRIND_MAKE_MEM_UNDEFINED(seed.data(), seed.size());
    auto key = ed25519::secret_key::from_seed(seed);
    // Everything the key holds is secret from here on (its public key is recomputed from the
    // secrets anyway, so this loses nothing).
    VALGRIND_MAKE_MEM_UNDEFINED(&key, sizeof key);
    if (leaky) leaky_use_of_secret(seed.data());

    // Signing with secret key material; the message is public.
    auto sig = ed25519::sign(msg, key);
    auto pk = key.public_bytes();

    // Results depend on the secrets by design: declassify them before looking at them.
    VALGRIND_MAKE_MEM_DEFINED(sig.data(), sig.size());
    VALGRIND_MAKE_MEM_DEFINED(pk.data(), pk.size());
    if (pk != expected_pk || sig != expected_sig) {
      std::fprintf(stderr, "ed25519_sign_ct: wrong result for seed %.16s...\n", v.seed);
      ++failures;
    }
  }
  std::printf("ed25519_sign_ct: %zu RFC 8032 signatures %s%s%s\n", std::size(rfc8032),
              failures == 0 ? "reproduced" : "WRONG", under_valgrind ? " under valgrind" : " (not under valgrind)",
              leaky ? ", with a deliberate secret-dependent branch" : "");
  return failures == 0 ? 0 : 2;
}
