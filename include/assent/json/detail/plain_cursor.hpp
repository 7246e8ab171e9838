/// @file
/// A cursor for reading the plain shape of a document assent knows (an approval's claims, a DSSE
/// envelope) without building a JSON tree.
///
/// Plain means: one object of known member names, each named once, whose strings need no
/// unescaping, nested no deeper than the format needs. A plain reader accepts only what the full
/// reader (parse_strict and an object_reader) accepts with the same values, and says "not plain"
/// for everything else, so the full reader alone reports faults, in its documented order. The
/// speed is in the common case: a decision's claims and envelope are read here in a fraction of
/// the time a tree takes (no node allocations, no member lookups, no string copies of names).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "assent/config.hpp"
#include "assent/json/detail/scan.hpp"
#include "assent/json/detail/utf8.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {
namespace detail {

class plain_cursor {
 public:
  explicit plain_cursor(std::string_view text) noexcept
      : p_(reinterpret_cast<const unsigned char*>(text.data())), end_(p_ + text.size()) {}

  // Skips whitespace, then consumes c when it comes next.
  [[nodiscard]] bool consume(char c) noexcept {
    skip_ws();
    if (p_ == end_ || *p_ != static_cast<unsigned char>(c)) return false;
    ++p_;
    return true;
  }

  // Skips whitespace, then reads a string token whose bytes are its value: no escape, no control
  // byte, well-formed UTF-8 (what the full reader would refuse is refused here too). `out` views
  // the text between the quotes.
  [[nodiscard]] bool plain_string(std::string_view& out) noexcept {
    if (!consume('"')) return false;
    const unsigned char* const start = p_;
    for (;;) {
      p_ = skip_plain<true>(p_, end_);
      if (p_ == end_ || *p_ < 0x80) break;
      std::size_t len = 0;  // a non-ASCII scalar, checked where it stands
      if (next_scalar(std::string_view(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(end_ - p_)), len) < 0)
        return false;
      p_ += len;
    }
    if (p_ == end_ || *p_ != '"') return false;  // an escape, a control byte or no end
    out = std::string_view(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  // Skips whitespace; true when nothing else is left.
  [[nodiscard]] bool at_end() noexcept {
    skip_ws();
    return p_ == end_;
  }

 private:
  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  const unsigned char* p_;
  const unsigned char* const end_;
};

// Reads `{ "name": value, ... }` where every name is one of `names` and appears once; value(i)
// reads the value of names[i] and returns false when it is not plain. `seen` gets bit i for each
// member read. An empty object is plain (the caller checks which members it needs).
template <std::size_t N, typename ReadValue>
[[nodiscard]] bool plain_object(plain_cursor& cur, const std::array<std::string_view, N>& names,
                                std::uint64_t& seen, ReadValue&& value) {
  static_assert(N <= 64, "seen holds one bit per name");
  seen = 0;
  if (!cur.consume('{')) return false;
  if (cur.consume('}')) return true;
  do {
    std::string_view name;
    if (!cur.plain_string(name)) return false;
    std::size_t i = 0;
    while (i < N && names[i] != name) ++i;
    if (i == N || (seen >> i & 1u) != 0) return false;  // unknown or repeated: the full reader says which
    seen |= std::uint64_t{1} << i;
    if (!cur.consume(':') || !value(i)) return false;
  } while (cur.consume(','));
  return cur.consume('}');
}

// Reads `[ element, ... ]` with at least one element; element() reads one and returns false when
// it is not plain.
template <typename ReadElement>
[[nodiscard]] bool plain_array(plain_cursor& cur, ReadElement&& element) {
  if (!cur.consume('[')) return false;
  do {
    if (!element()) return false;
  } while (cur.consume(','));
  return cur.consume(']');
}

}  // namespace detail
}  // namespace json
ASSENT_END_NAMESPACE
