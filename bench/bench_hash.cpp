// SHA-256, SHA-512 and base64 decoding: assent against libsodium and OpenSSL.
#include <openssl/evp.h>
#include <sodium.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include "assent/crypto/sha256.hpp"
#include "assent/crypto/sha512.hpp"
#include "assent/encoding.hpp"
#include "harness.hpp"

namespace {

using assent::byte_view;
using assent::bytes;
using assent::crypto::sha256;
using assent::crypto::sha512;

const bytes& message(std::size_t size) {
  static const bytes data = [] {
    bytes b(16384);
    std::mt19937_64 rng(42);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
  }();
  return size <= data.size() ? data : (std::abort(), data);
}

// OpenSSL 3's one-shot SHA256()/SHA512() look the algorithm up in the provider on every call
// (microseconds); its fast path is a pre-fetched EVP_MD and a reused context.
std::function<void(std::uint64_t)> openssl_digest(const char* algorithm, byte_view m) {
  EVP_MD* md = EVP_MD_fetch(nullptr, algorithm, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (md == nullptr || ctx == nullptr) std::abort();
  return [md, ctx, m](std::uint64_t n) {  // md and ctx live until exit
    unsigned char out[EVP_MAX_MD_SIZE];
    for (std::uint64_t i = 0; i < n; ++i) {
      if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1 || EVP_DigestUpdate(ctx, m.data(), m.size()) != 1 ||
          EVP_DigestFinal_ex(ctx, out, nullptr) != 1) {
        std::abort();
      }
      assent_bench::keep(out);
    }
  };
}

assent_bench::benchmark sha256_bench(const char* name, std::size_t size) {
  const byte_view m(message(size).data(), size);
  return {name,
          {{"assent", [m](std::uint64_t n) {
              for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(sha256::hash(m));
            }},
           {"assent-portable", [m](std::uint64_t n) {
              for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(sha256::hash_portable(m));
            }},
           {"libsodium", [m](std::uint64_t n) {
              unsigned char out[crypto_hash_sha256_BYTES];
              for (std::uint64_t i = 0; i < n; ++i) {
                crypto_hash_sha256(out, m.data(), m.size());
                assent_bench::keep(out);
              }
            }},
           {"openssl", openssl_digest("SHA256", m)}},
          size};
}

assent_bench::benchmark sha512_bench(const char* name, std::size_t size) {
  const byte_view m(message(size).data(), size);
  return {name,
          {{"assent", [m](std::uint64_t n) {
              for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(sha512::hash(m));
            }},
           {"assent-portable", [m](std::uint64_t n) {
              for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(sha512::hash_portable(m));
            }},
           {"libsodium", [m](std::uint64_t n) {
              unsigned char out[crypto_hash_sha512_BYTES];
              for (std::uint64_t i = 0; i < n; ++i) {
                crypto_hash_sha512(out, m.data(), m.size());
                assent_bench::keep(out);
              }
            }},
           {"openssl", openssl_digest("SHA512", m)}},
          size};
}

assent_bench::benchmark base64_decode_bench() {
  static const std::string text = assent::base64_encode(byte_view(message(1024).data(), 1024));
  return {"base64_decode_1k",
          {{"assent", [](std::uint64_t n) {
              for (std::uint64_t i = 0; i < n; ++i) assent_bench::keep(assent::base64_decode(text));
            }},
           {"libsodium", [](std::uint64_t n) {
              unsigned char out[1024];
              for (std::uint64_t i = 0; i < n; ++i) {
                std::size_t len = 0;
                if (sodium_base642bin(out, sizeof out, text.data(), text.size(), nullptr, &len,
                                      nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
                  std::abort();
                }
                assent_bench::keep(out);
              }
            }}},
          1024};
}

const bool registered = [] {
  if (sodium_init() < 0) std::abort();
  assent_bench::add(sha256_bench("sha256_64", 64));
  assent_bench::add(sha256_bench("sha256_1k", 1024));
  assent_bench::add(sha256_bench("sha256_16k", 16384));
  assent_bench::add(sha512_bench("sha512_64", 64));
  assent_bench::add(sha512_bench("sha512_1k", 1024));
  assent_bench::add(sha512_bench("sha512_16k", 16384));
  assent_bench::add(base64_decode_bench());
  return true;
}();

}  // namespace
