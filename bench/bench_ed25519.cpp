// Ed25519 verification, signing and key derivation: assent against libsodium and OpenSSL.
// Every implementation works on the same seed and the same 512-byte message; OpenSSL gets a
// pre-made EVP_PKEY so only the signature operation itself is timed.
#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>

#include "assent/crypto/ed25519.hpp"
#include "harness.hpp"

namespace {

namespace ed = assent::crypto::ed25519;
using assent::byte_view;
using assent::bytes;

struct fixture {
  ed::seed seed{};
  bytes message;
  unsigned char sodium_pk[crypto_sign_PUBLICKEYBYTES]{};
  unsigned char sodium_sk[crypto_sign_SECRETKEYBYTES]{};
  ed::signature sig{};
  EVP_PKEY* ossl_priv = nullptr;
  EVP_PKEY* ossl_pub = nullptr;
  std::optional<ed::secret_key> key;
  std::optional<ed::verifying_key> vk;
};

// Built once, on first use (after main has started), and checked: every implementation must
// produce and accept the same signature, or the numbers would compare different work.
const fixture& fx() {
  static const fixture f = [] {
    if (sodium_init() < 0) std::abort();
    fixture x;
    std::mt19937_64 rng(25519);
    for (auto& b : x.seed) b = static_cast<std::uint8_t>(rng());
    x.message.resize(512);
    for (auto& b : x.message) b = static_cast<std::uint8_t>(rng());
    x.key = ed::secret_key::from_seed(x.seed);
    x.sig = ed::sign(x.message, *x.key);
    x.vk = ed::verifying_key::from_bytes(x.key->public_bytes());
    if (crypto_sign_seed_keypair(x.sodium_pk, x.sodium_sk, x.seed.data()) != 0) std::abort();
    x.ossl_priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, x.seed.data(), 32);
    x.ossl_pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x.sodium_pk, 32);
    unsigned char sodium_sig[crypto_sign_BYTES];
    crypto_sign_detached(sodium_sig, nullptr, x.message.data(), x.message.size(), x.sodium_sk);
    const bool same = x.ossl_priv && x.ossl_pub && x.vk &&
                      std::equal(x.sig.begin(), x.sig.end(), sodium_sig) &&
                      std::equal(x.sodium_pk, x.sodium_pk + 32, x.key->public_bytes().begin()) &&
                      ed::verify(x.sig, x.message, x.key->public_bytes());
    if (!same) std::abort();
    return x;
  }();
  return f;
}

void ossl_verify(std::uint64_t n) {
  const fixture& f = fx();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (std::uint64_t i = 0; i < n; ++i) {
    const int ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, f.ossl_pub) == 1 &&
                   EVP_DigestVerify(ctx, f.sig.data(), f.sig.size(), f.message.data(),
                                    f.message.size()) == 1;
    if (!ok) std::abort();
    assent_bench::keep(ok);
  }
  EVP_MD_CTX_free(ctx);
}

void ossl_sign(std::uint64_t n) {
  const fixture& f = fx();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char sig[64];
  for (std::uint64_t i = 0; i < n; ++i) {
    std::size_t len = sizeof sig;
    if (EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, f.ossl_priv) != 1 ||
        EVP_DigestSign(ctx, sig, &len, f.message.data(), f.message.size()) != 1)
      std::abort();
    assent_bench::keep(sig);
  }
  EVP_MD_CTX_free(ctx);
}

void ossl_keygen(std::uint64_t n) {
  const fixture& f = fx();
  for (std::uint64_t i = 0; i < n; ++i) {
    // Deriving the key pair from the seed: OpenSSL computes A when the key is created.
    EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, f.seed.data(), 32);
    unsigned char pk[32];
    std::size_t len = sizeof pk;
    if (!k || EVP_PKEY_get_raw_public_key(k, pk, &len) != 1) std::abort();
    assent_bench::keep(pk);
    EVP_PKEY_free(k);
  }
}

const bool registered = [] {
  assent_bench::add({"ed25519_verify",
                     {{"assent", [](std::uint64_t n) {
                         const fixture& f = fx();
                         const auto& pk = f.key->public_bytes();
                         for (std::uint64_t i = 0; i < n; ++i)
                           assent_bench::keep(ed::verify(f.sig, f.message, pk));
                       }},
                      {"assent-vk", [](std::uint64_t n) {  // key decoded once (verifying_key)
                         const fixture& f = fx();
                         for (std::uint64_t i = 0; i < n; ++i)
                           assent_bench::keep(f.vk->verify(f.sig, f.message));
                       }},
                      {"libsodium", [](std::uint64_t n) {
                         const fixture& f = fx();
                         for (std::uint64_t i = 0; i < n; ++i)
                           assent_bench::keep(crypto_sign_verify_detached(
                               f.sig.data(), f.message.data(), f.message.size(), f.sodium_pk));
                       }},
                      {"openssl", ossl_verify}},
                     0});
  assent_bench::add({"ed25519_sign",
                     {{"assent", [](std::uint64_t n) {
                         const fixture& f = fx();
                         for (std::uint64_t i = 0; i < n; ++i)
                           assent_bench::keep(ed::sign(f.message, *f.key));
                       }},
                      {"libsodium", [](std::uint64_t n) {
                         const fixture& f = fx();
                         unsigned char sig[crypto_sign_BYTES];
                         for (std::uint64_t i = 0; i < n; ++i) {
                           crypto_sign_detached(sig, nullptr, f.message.data(), f.message.size(),
                                                f.sodium_sk);
                           assent_bench::keep(sig);
                         }
                       }},
                      {"openssl", ossl_sign}},
                     0});
  assent_bench::add({"ed25519_keygen",
                     {{"assent", [](std::uint64_t n) {
                         const fixture& f = fx();
                         for (std::uint64_t i = 0; i < n; ++i) {
                           const auto k = ed::secret_key::from_seed(f.seed);
                           assent_bench::keep(k.public_bytes());
                         }
                       }},
                      {"libsodium", [](std::uint64_t n) {
                         const fixture& f = fx();
                         unsigned char pk[crypto_sign_PUBLICKEYBYTES];
                         unsigned char sk[crypto_sign_SECRETKEYBYTES];
                         for (std::uint64_t i = 0; i < n; ++i) {
                           crypto_sign_seed_keypair(pk, sk, f.seed.data());
                           assent_bench::keep(pk);
                         }
                       }},
                      {"openssl", ossl_keygen}},
                     0});
  return true;
}();

}  // namespace
