// Small helpers shared by assent's tests: hex for vector files, reading files, random bytes, and
// the settings that tests/main.cpp takes from the command line.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "assent/bytes.hpp"

namespace assent_test {

// The settings below are defined in tests/main.cpp, which fills them from the command line.

/// Number of random cases each differential test runs; `--differential-count N` sets it (the
/// default keeps the differential tests to a few seconds under ASan in CI).
[[nodiscard]] std::size_t differential_count() noexcept;
/// Seed of the differential tests' PRNG; `--differential-seed S` sets it (to replay a failure).
[[nodiscard]] std::uint64_t differential_seed() noexcept;

/// Decodes lowercase or uppercase hex (an independent helper: tests must not trust the code under
/// test to read their vectors). Returns nullopt on odd length or a non-hex character.
[[nodiscard]] inline std::optional<assent::bytes> unhex(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) return std::nullopt;
  assent::bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return out;
}

/// Decodes hex that a vector file guarantees to be well formed; throws (failing the test) if not.
[[nodiscard]] inline assent::bytes unhex_or_throw(std::string_view text) {
  auto decoded = unhex(text);
  if (!decoded) throw std::runtime_error("test vector holds invalid hex: " + std::string(text));
  return *decoded;
}

/// Decodes hex of exactly N bytes; throws (failing the test) otherwise.
template <std::size_t N>
[[nodiscard]] std::array<std::uint8_t, N> unhex_array(std::string_view text) {
  const auto decoded = unhex_or_throw(text);
  if (decoded.size() != N) {
    throw std::runtime_error("test vector hex has " + std::to_string(decoded.size()) + " bytes, expected " +
                             std::to_string(N) + ": " + std::string(text));
  }
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = decoded[i];
  return out;
}

/// Lowercase hex of bytes (for failure messages).
[[nodiscard]] inline std::string hex(assent::byte_view data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const std::uint8_t b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

/// The bytes of any range of bytes (a digest, a key, an std::array): for comparisons.
template <class Range>
[[nodiscard]] assent::bytes to_bytes(const Range& range) {
  return assent::bytes(range.begin(), range.end());
}

/// n bytes from rng (a fixed-seed generator, so failures reproduce).
[[nodiscard]] inline assent::bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
  assent::bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

/// Mutates text in place for differential tests: 1 to max_edits edits, each replacing a byte with
/// one of `alphabet`, deleting one or two bytes, inserting one, or (when `truncate`) cutting the
/// text at a random point.
inline void mutate_text(std::mt19937_64& rng, std::string& text, std::string_view alphabet, int max_edits,
                        bool truncate = false) {
  const int edits = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(max_edits));
  for (int m = 0; m < edits && !text.empty(); ++m) {
    const std::size_t pos = rng() % text.size();
    switch (rng() % (truncate ? 4 : 3)) {
      case 0: text[pos] = alphabet[rng() % alphabet.size()]; break;
      case 1: text.erase(pos, 1 + rng() % 2); break;
      case 2: text.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      default: text.resize(pos); break;
    }
  }
}

/// `raw` between double quotes, as is: a JSON string token when raw needs no escaping, and a
/// deliberately bad one when it holds what JSON forbids raw.
[[nodiscard]] inline std::string json_quoted(const std::string& raw) { return "\"" + raw + "\""; }

/// JSON whitespace of a random kind and length, often none.
[[nodiscard]] inline std::string random_ws(std::mt19937_64& rng) {
  static const char* const spaces[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
  return spaces[rng() % 7];
}

/// The whole content of the file at path; throws (failing the test) if unreadable.
[[nodiscard]] inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

/// Full path of a file under tests/vectors (ASSENT_VECTORS_DIR is set by tests/CMakeLists.txt).
[[nodiscard]] inline std::string vector_path(std::string_view relative) {
  return std::string(ASSENT_VECTORS_DIR) + "/" + std::string(relative);
}

/// The whole content of a file under tests/vectors; throws (failing the test) if unreadable.
[[nodiscard]] inline std::string read_vector_file(std::string_view relative) {
  const std::string path = vector_path(relative);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test vector file " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace assent_test
