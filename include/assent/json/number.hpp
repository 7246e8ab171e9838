/// @file
/// Numbers every JSON reader reads alike: the rule assent applies wherever JSON becomes bytes it
/// hashes or signs (spec hashes, policy hashes, request attributes, audit records).
///
/// RFC 8785 writes a number as the shortest form of the IEEE-754 double nearest to it, so
/// 1234567890123456789 and 1234567890123456800 have one canonical form, and one hash. Python,
/// Go (UseNumber) and Java read them as two different integers: an approval of one would allow
/// the other. So a literal is accepted only when it denotes exactly the number its canonical
/// form writes (docs/credential-format.md, "Numbers"):
///
///   the decimal value of the literal equals the decimal value of the shortest round-trip form
///   of the double nearest to it (the digits RFC 8785 §3.2.2.3 prints).
///
/// 0.1, 4.50, 1e-7, 1E30 and 9007199254740992 pass; 1234567890123456789, 9007199254740993,
/// 0.10000000000000000001 and 333333333.33333329 do not. A value built in code is held to the
/// matching rule: integers (int64, uint64) within ±(2^53 - 1), as I-JSON (RFC 7493 §2.2) bounds
/// exact integers, and finite doubles (a double is always exactly its shortest form's double).
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {

/// The largest integer magnitude every reader holds exactly: 2^53 - 1 (RFC 7493 §2.2).
inline constexpr std::uint64_t max_exact_integer = (std::uint64_t{1} << 53) - 1;

namespace detail {

// The significant digits of a decimal (no leading or trailing zeros) and the position of the
// decimal point before them: value = 0.d1d2...dk × 10^point. More than 17 digits is recorded as
// too_many (no double's shortest form has more).
struct decimal_digits {
  char digits[18];
  int count = 0;
  bool too_many = false;
  std::int64_t point = 0;
};

// Reads a literal already checked against RFC 8259's number grammar (the sign is skipped).
[[nodiscard]] inline decimal_digits literal_digits(std::string_view lit) noexcept {
  decimal_digits d;
  std::size_t i = (!lit.empty() && lit[0] == '-') ? 1 : 0;
  bool seen_nonzero = false;
  std::int64_t int_digits = 0, leading_zeros = 0;
  int trailing_zeros = 0;  // zeros after the last nonzero digit, not yet stored
  bool in_fraction = false;
  for (; i < lit.size(); ++i) {
    const char c = lit[i];
    if (c == '.') {
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;  // 'e' or 'E'
    if (!in_fraction) ++int_digits;
    if (!seen_nonzero && c == '0') {
      ++leading_zeros;
      continue;
    }
    seen_nonzero = true;
    if (c == '0') {
      ++trailing_zeros;
      continue;
    }
    // A nonzero digit: store the zeros held back, then it.
    for (; trailing_zeros > 0; --trailing_zeros) {
      if (d.count == 17) d.too_many = true;
      else d.digits[d.count++] = '0';
    }
    if (d.count == 17) d.too_many = true;
    else d.digits[d.count++] = c;
  }
  std::int64_t exp = 0;
  if (i < lit.size()) {  // exponent: saturate far beyond any double's range
    ++i;
    bool neg = false;
    if (i < lit.size() && (lit[i] == '+' || lit[i] == '-')) neg = lit[i++] == '-';
    for (; i < lit.size(); ++i) {
      if (exp < 100000000) exp = exp * 10 + (lit[i] - '0');
    }
    if (neg) exp = -exp;
  }
  d.point = int_digits - leading_zeros + exp;
  if (!seen_nonzero) d.point = 0;
  return d;
}

// The shortest round-trip digits of a finite, nonzero |v| (C++17 to_chars: ECMAScript's digits).
[[nodiscard]] inline decimal_digits shortest_digits(double v) noexcept {
  decimal_digits d;
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  if (res.ec != std::errc()) {
    d.too_many = true;
    return d;
  }
  const char* p = buf;
  for (; p != res.ptr && *p != 'e'; ++p) {
    if (*p != '.' && d.count < 17) d.digits[d.count++] = *p;
  }
  while (d.count > 0 && d.digits[d.count - 1] == '0') --d.count;
  std::int64_t exp = 0;
  bool neg = false;
  if (p != res.ptr) ++p;  // 'e'
  if (p != res.ptr && (*p == '+' || *p == '-')) neg = *p++ == '-';
  for (; p != res.ptr; ++p) exp = exp * 10 + (*p - '0');
  d.point = (neg ? -exp : exp) + 1;
  return d;
}

}  // namespace detail

/// True when a number literal (valid RFC 8259 syntax) denotes exactly the decimal value of the
/// shortest round-trip form of `nearest`, the double it rounds to: every reader, exact or
/// double-based, then reads the same number from it and from its canonical form.
[[nodiscard]] inline bool literal_is_exact(std::string_view literal, double nearest) noexcept {
  if (!std::isfinite(nearest)) return false;
  const detail::decimal_digits lit = detail::literal_digits(literal);
  if (nearest == 0) return lit.count == 0 && !lit.too_many;  // "0", "-0.0", "0e5"; not "1e-400"
  if (lit.too_many || lit.count == 0) return false;
  if ((!literal.empty() && literal[0] == '-') != std::signbit(nearest)) return false;
  const detail::decimal_digits dbl = detail::shortest_digits(nearest);
  if (dbl.too_many || dbl.count != lit.count || dbl.point != lit.point) return false;
  for (int i = 0; i < lit.count; ++i) {
    if (lit.digits[i] != dbl.digits[i]) return false;
  }
  return true;
}

/// True when a number held in a nlohmann value has one reading: an integer within
/// ±max_exact_integer or a finite double. Non-numbers give true.
[[nodiscard]] inline bool number_is_exact(const nlohmann::json& v) noexcept {
  switch (v.type()) {
    case nlohmann::json::value_t::number_integer: {
      const std::int64_t i = v.get_ref<const nlohmann::json::number_integer_t&>();
      return i >= -static_cast<std::int64_t>(max_exact_integer) && i <= static_cast<std::int64_t>(max_exact_integer);
    }
    case nlohmann::json::value_t::number_unsigned:
      return v.get_ref<const nlohmann::json::number_unsigned_t&>() <= max_exact_integer;
    case nlohmann::json::value_t::number_float: return std::isfinite(v.get_ref<const double&>());
    default: return true;
  }
}

/// Appends one RFC 6901 reference token ("~" as "~0", "/" as "~1") to a JSON pointer.
inline void append_pointer_token(std::string& pointer, std::string_view name) {
  pointer.push_back('/');
  for (const char c : name) {
    if (c == '~') pointer += "~0";
    else if (c == '/') pointer += "~1";
    else pointer.push_back(c);
  }
}

/// The JSON pointer (RFC 6901) of the first number in `value`, in document order, that
/// number_is_exact refuses, or nullopt when there is none. For values built in code (a request's
/// attributes, an event) before they are hashed: canonicalize refuses the same numbers, without
/// saying where. Walks without recursion.
[[nodiscard]] inline std::optional<std::string> inexact_number_path(const nlohmann::json& value) {
  struct frame {
    const nlohmann::json* v;
    nlohmann::json::const_iterator it;
    std::size_t index;
  };
  if (!value.is_structured()) {
    if (number_is_exact(value)) return std::nullopt;
    return std::string();
  }
  std::vector<frame> stack{{&value, value.cbegin(), 0}};
  while (!stack.empty()) {
    frame& top = stack.back();
    if (top.it == top.v->cend()) {
      stack.pop_back();
      continue;
    }
    const nlohmann::json& child = *top.it;
    const std::size_t index = top.index;
    const auto it = top.it;
    ++top.it;
    ++top.index;
    if (child.is_structured()) {
      stack.push_back({&child, child.cbegin(), 0});
      continue;
    }
    if (number_is_exact(child)) continue;
    std::string pointer;
    for (std::size_t i = 0; i + 1 < stack.size(); ++i) {
      // Each open container's current child is the one just before its iterator.
      const frame& f = stack[i];
      auto prev = f.it;
      --prev;
      if (f.v->is_object()) append_pointer_token(pointer, prev.key());
      else append_pointer_token(pointer, std::to_string(f.index - 1));
    }
    if (stack.back().v->is_object()) append_pointer_token(pointer, it.key());
    else append_pointer_token(pointer, std::to_string(index));
    return pointer;
  }
  return std::nullopt;
}

}  // namespace json
ASSENT_END_NAMESPACE
