/// @file
/// Byte buffers and a non-owning view of bytes (C++17 has no std::span).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE

/// An owned byte string.
using bytes = std::vector<std::uint8_t>;

/// A non-owning view of contiguous bytes; cheap to copy, never null-terminated.
class byte_view {
 public:
  constexpr byte_view() noexcept = default;
  constexpr byte_view(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}
  byte_view(const bytes& b) noexcept : data_(b.data()), size_(b.size()) {}  // NOLINT: implicit by design
  template <std::size_t N>
  constexpr byte_view(const std::array<std::uint8_t, N>& a) noexcept  // NOLINT: implicit by design
      : data_(a.data()), size_(N) {}
  /// Views the characters of a string as bytes (UTF-8 text is signed and hashed as bytes).
  byte_view(std::string_view s) noexcept  // NOLINT: implicit by design
      : data_(reinterpret_cast<const std::uint8_t*>(s.data())), size_(s.size()) {}
  byte_view(const std::string& s) noexcept : byte_view(std::string_view(s)) {}  // NOLINT
  byte_view(const char* s) = delete;  // ambiguous: a C string is a pointer, not a length

  [[nodiscard]] constexpr const std::uint8_t* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] constexpr const std::uint8_t* begin() const noexcept { return data_; }
  [[nodiscard]] constexpr const std::uint8_t* end() const noexcept { return data_ + size_; }
  [[nodiscard]] constexpr std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }
  /// The bytes as a string_view (for text formats).
  [[nodiscard]] std::string_view as_chars() const noexcept {
    return {reinterpret_cast<const char*>(data_), size_};
  }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

ASSENT_END_NAMESPACE
