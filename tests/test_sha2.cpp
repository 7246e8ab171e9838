// SHA-256 and SHA-512 against NIST SHAVS, the FIPS 180 examples, OpenSSL and libsodium.
#include <openssl/sha.h>
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/crypto/sha256.hpp"
#include "assent/crypto/sha512.hpp"
#include "catch.hpp"
#include "test_util.hpp"

using assent::byte_view;
using assent::bytes;
using assent::crypto::sha256;
using assent::crypto::sha512;

namespace {

using assent_test::random_bytes;
using assent_test::to_bytes;
// Vector files are parsed with the tests' own hex decoder, independent of the code under test.
using assent_test::unhex_or_throw;

struct shavs_record {
  bytes msg;
  bytes md;
};

// SHAVS .rsp: "Len = <bits>", "Msg = <hex>", "MD = <hex>", CRLF line endings. For Len = 0 the
// file still says "Msg = 00"; only Len/8 bytes are the message.
std::vector<shavs_record> read_shavs(const std::string& name) {
  std::istringstream in(
      assent_test::read_file(std::string(ASSENT_VECTORS_DIR) + "/nist-shavs/" + name));
  std::vector<shavs_record> out;
  std::string line;
  std::size_t len_bits = 0;
  bytes msg;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("Len = ", 0) == 0) {
      len_bits = std::stoul(line.substr(6));
    } else if (line.rfind("Msg = ", 0) == 0) {
      msg = unhex_or_throw(line.substr(6));
      msg.resize(len_bits / 8);
    } else if (line.rfind("MD = ", 0) == 0) {
      out.push_back({msg, unhex_or_throw(line.substr(5))});
    }
  }
  return out;
}

// Feeds `data` in pieces of `step` bytes.
template <class Hash>
typename Hash::digest_type hash_in_steps(const bytes& data, std::size_t step) {
  Hash h;
  for (std::size_t off = 0; off < data.size(); off += step) {
    h.update(byte_view(data.data() + off, std::min(step, data.size() - off)));
  }
  return h.final();
}

template <class Hash>
void check_shavs(const std::string& file, std::size_t expected_count) {
  const auto records = read_shavs(file);
  REQUIRE(records.size() == expected_count);
  for (const auto& r : records) {
    INFO(file << " message of " << r.msg.size() << " bytes");
    CHECK(to_bytes(Hash::hash(r.msg)) == r.md);
    CHECK(to_bytes(Hash::hash_portable(r.msg)) == r.md);
    CHECK(to_bytes(hash_in_steps<Hash>(r.msg, 7)) == r.md);
  }
}

}  // namespace

TEST_CASE("sha256 matches every NIST SHAVS short and long message", "[sha2][sha256][vectors]") {
  check_shavs<sha256>("SHA256ShortMsg.rsp", 65);
  check_shavs<sha256>("SHA256LongMsg.rsp", 64);
}

TEST_CASE("sha512 matches every NIST SHAVS short and long message", "[sha2][sha512][vectors]") {
  check_shavs<sha512>("SHA512ShortMsg.rsp", 129);
  check_shavs<sha512>("SHA512LongMsg.rsp", 128);
}

TEST_CASE("sha256 and sha512 match the FIPS 180 examples, one million 'a' and 1 GiB",
          "[sha2][vectors]") {
  const auto doc = nlohmann::json::parse(
      assent_test::read_file(std::string(ASSENT_VECTORS_DIR) + "/fips180/sha2_examples.json"));
  const auto& vectors = doc.at("vectors");
  REQUIRE(vectors.size() == 6);
  for (const auto& v : vectors) {
    const auto unit = v.at("message_ascii").get<std::string>();
    const auto repeat = v.at("repeat").get<std::size_t>();
    INFO(v.at("name").get<std::string>());
    REQUIRE(unit.size() * repeat * 8 == v.at("length_bits").get<std::uint64_t>());
#if !defined(__OPTIMIZE__)
    // 1 GiB through unoptimised SHA-512 takes minutes; optimised builds (and CI's) run it.
    if (unit.size() * repeat > (std::size_t{1} << 28)) {
      WARN("skipping the 1 GiB vector in an unoptimised build");
      continue;
    }
#endif
    // Long messages go through update() in 64 KiB pieces (fast path); short ones also through
    // the one-shot portable path.
    std::string chunk;
    const std::size_t per_chunk = repeat == 1 ? 1 : (std::size_t{1} << 16) / unit.size();
    for (std::size_t i = 0; i < per_chunk; ++i) chunk += unit;
    sha256 h256;
    sha512 h512;
    for (std::size_t done = 0; done < repeat; done += per_chunk) {
      const std::size_t n = std::min(per_chunk, repeat - done);
      const byte_view piece(reinterpret_cast<const std::uint8_t*>(chunk.data()), n * unit.size());
      h256.update(piece);
      h512.update(piece);
    }
    CHECK(to_bytes(h256.final()) == unhex_or_throw(v.at("sha256").get<std::string>()));
    CHECK(to_bytes(h512.final()) == unhex_or_throw(v.at("sha512").get<std::string>()));
    if (unit.size() * repeat <= (std::size_t{1} << 20)) {
      std::string whole;
      for (std::size_t i = 0; i < repeat; ++i) whole += unit;
      CHECK(to_bytes(sha256::hash_portable(whole)) ==
            unhex_or_throw(v.at("sha256").get<std::string>()));
      CHECK(to_bytes(sha512::hash_portable(whole)) ==
            unhex_or_throw(v.at("sha512").get<std::string>()));
    }
  }
}

TEST_CASE("sha2 incremental update split at every offset equals one-shot", "[sha2]") {
  std::mt19937_64 rng(0x5ca1ab1e);
  // 300 bytes spans more than two blocks of either hash, so splits land before, inside and after
  // every block boundary and in the padding block.
  const bytes msg = random_bytes(rng, 300);
  const auto want256 = sha256::hash(msg);
  const auto want512 = sha512::hash(msg);
  for (std::size_t i = 0; i <= msg.size(); ++i) {
    for (std::size_t j = i; j <= msg.size(); j += 37) {
      INFO("split at " << i << " and " << j);
      sha256 h256;
      sha512 h512;
      for (const auto& [from, to] : {std::pair{std::size_t{0}, i}, std::pair{i, j},
                                     std::pair{j, msg.size()}}) {
        h256.update(byte_view(msg.data() + from, to - from));
        h512.update(byte_view(msg.data() + from, to - from));
      }
      CHECK(h256.final() == want256);
      CHECK(h512.final() == want512);
    }
  }
  CHECK(hash_in_steps<sha256>(msg, 1) == want256);
  CHECK(hash_in_steps<sha512>(msg, 1) == want512);
}

TEST_CASE("sha2 final resets the object so it can hash the next message", "[sha2]") {
  const std::string abc = "abc";
  sha256 h256;
  sha512 h512;
  h256.update(std::string("some earlier message"));
  h512.update(std::string("some earlier message"));
  (void)h256.final();
  (void)h512.final();
  h256.update(abc);
  h512.update(abc);
  CHECK(h256.final() == sha256::hash(abc));
  CHECK(h512.final() == sha512::hash(abc));
  // A fresh object and a just-finished one both digest the empty message.
  CHECK(h256.final() == sha256::hash(byte_view{}));
  CHECK(h512.final() == sha512::hash(byte_view{}));
}

TEST_CASE("sha2 fast and portable paths agree with OpenSSL and libsodium on lengths 0..2000",
          "[sha2][differential]") {
  REQUIRE(sodium_init() >= 0);
  std::mt19937_64 rng(20261122);
  INFO("sha256 fast path: " << (assent::crypto::sha256_impl() == assent::crypto::sha_impl::sha_ni
                                    ? "sha_ni"
                                    : "portable"));
  for (std::size_t len = 0; len <= 2000; ++len) {
    INFO("length " << len);
    const bytes msg = random_bytes(rng, len);
    std::array<std::uint8_t, 32> ossl256{}, sod256{};
    std::array<std::uint8_t, 64> ossl512{}, sod512{};
    SHA256(msg.data(), msg.size(), ossl256.data());
    SHA512(msg.data(), msg.size(), ossl512.data());
    crypto_hash_sha256(sod256.data(), msg.data(), msg.size());
    crypto_hash_sha512(sod512.data(), msg.data(), msg.size());
    REQUIRE(ossl256 == sod256);
    REQUIRE(ossl512 == sod512);
    CHECK(sha256::hash(msg) == ossl256);
    CHECK(sha256::hash_portable(msg) == ossl256);
    CHECK(sha512::hash(msg) == ossl512);
    CHECK(sha512::hash_portable(msg) == ossl512);
  }
}

#if ASSENT_X86_64
TEST_CASE("every SHA-2 compression path this CPU can run agrees with the portable one",
          "[sha2][differential]") {
  namespace d = assent::crypto::detail;
  std::mt19937_64 rng(180);
  const bytes blocks = random_bytes(rng, 128 * 33);
  std::vector<std::pair<const char*, d::sha512_compress_fn>> paths512;
  if (d::cpu_has_bmi2()) paths512.emplace_back("bmi2", &d::sha512_compress_bmi2);
  if (d::cpu_has_avx512vl()) paths512.emplace_back("avx512vl", &d::sha512_compress_avx512vl);
  std::vector<std::pair<const char*, d::sha256_compress_fn>> paths256;
  if (d::cpu_has_sha_ni()) paths256.emplace_back("sha_ni", &d::sha256_compress_shani);
  if (paths512.empty() && paths256.empty()) WARN("this CPU runs only the portable SHA-2 code");
  // Chained calls of 1..33 blocks from a random starting state.
  for (std::size_t n = 1; n <= 33; n += 4) {
    std::uint64_t start512[8];
    std::uint32_t start256[8];
    for (auto& w : start512) w = rng();
    for (auto& w : start256) w = static_cast<std::uint32_t>(rng());
    std::uint64_t want512[8];
    std::uint32_t want256[8];
    std::copy(start512, start512 + 8, want512);
    std::copy(start256, start256 + 8, want256);
    d::sha512_compress_portable(want512, blocks.data(), n);
    d::sha256_compress_portable(want256, blocks.data(), 2 * n);
    for (const auto& [name, fn] : paths512) {
      INFO(name << ", " << n << " blocks");
      std::uint64_t got[8];
      std::copy(start512, start512 + 8, got);
      fn(got, blocks.data(), n);
      CHECK(std::equal(got, got + 8, want512));
    }
    for (const auto& [name, fn] : paths256) {
      INFO(name << ", " << 2 * n << " blocks");
      std::uint32_t got[8];
      std::copy(start256, start256 + 8, got);
      fn(got, blocks.data(), 2 * n);
      CHECK(std::equal(got, got + 8, want256));
    }
  }
}
#endif
