/// @file
/// RFC 8785 JSON Canonicalization Scheme (JCS): one byte string per JSON value.
///
/// assent hashes what it produces (spec hashes, audit records, exports) over this form, so any
/// other JCS implementation (the cyberphone reference, a JavaScript JSON.stringify with sorted
/// keys) reproduces the same hash. It is never used to re-serialise signed input.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/detail/scan.hpp"
#include "assent/json/detail/utf8.hpp"
#include "assent/json/number.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {
namespace detail {

// RFC 8785 §3.2.3: member names sort by their UTF-16 code units, compared as unsigned integers.
// Code points keep their order in UTF-16 except that U+E000..U+FFFF (one unit, 0xE000..0xFFFF)
// sort after every supplementary code point (a leading surrogate, 0xD800..0xDBFF). Moving that
// block above U+10FFFF gives a key whose order is the UTF-16 order. Both names must be valid.
[[nodiscard]] inline std::int32_t utf16_order_key(std::int32_t cp) noexcept {
  return (cp >= 0xE000 && cp <= 0xFFFF) ? cp + 0x200000 : cp;
}
[[nodiscard]] inline bool utf16_less(std::string_view a, std::string_view b) noexcept {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const std::int32_t ca = next_scalar(a, i);
    const std::int32_t cb = next_scalar(b, j);
    if (ca != cb) return utf16_order_key(ca) < utf16_order_key(cb);
  }
  return i == a.size() && j < b.size();  // a proper prefix sorts first
}

// RFC 8785 §3.2.2.2 (JSON.stringify's QuoteJSONString): only '"', '\\' and C0 controls are
// escaped; the five controls with a short form use it, the rest \u00xx in lowercase hex.
// Everything else, including U+007F and U+2028, is copied as UTF-8.
// Bytes that need no escape are copied in runs, not one push_back each: strings in audit
// events are mostly plain, and this loop was a fifth of the cost of recording a decision.
// Writes through put(const char*, std::size_t), so writers with their own buffer (the audit
// event writer) share this one escaping routine.
template <typename Put>
inline void write_string(Put&& put, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  put("\"", 1);
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  for (;;) {
    const unsigned char* run = p;
    p = skip_plain<false>(p, end);
    if (p != run) put(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p == end) break;
    const unsigned char u = *p++;
    switch (u) {
      case '"': put("\\\"", 2); break;
      case '\\': put("\\\\", 2); break;
      case '\b': put("\\b", 2); break;
      case '\f': put("\\f", 2); break;
      case '\n': put("\\n", 2); break;
      case '\r': put("\\r", 2); break;
      case '\t': put("\\t", 2); break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 0x0F]};
        put(esc, 6);
      }
    }
  }
  put("\"", 1);
}

inline void append_string(std::string& out, std::string_view s) {
  write_string([&out](const char* p, std::size_t n) { out.append(p, n); }, s);
}

// Appends the ECMAScript Number::toString form of a finite double (RFC 8785 §3.2.2.3, ECMA-262
// §6.1.6.1.20). The digits come from std::to_chars, whose shortest form is ES's: the fewest
// digits that read back as the same double, the one closest to the value when several qualify
// (C++17 [charconv.to.chars]/2). Only the layout of those digits is ES-specific.
inline bool append_number(std::string& out, double v) {
  if (!std::isfinite(v)) return false;  // JSON has no NaN or Infinity (RFC 8785 §3.2.2.3)
  if (v == 0) {                         // also -0: ES prints "0"
    out.push_back('0');
    return true;
  }
  if (v < 0) {
    out.push_back('-');
    v = -v;
  }
  // Scientific form gives "d[.ddd]e±x": the digit string and the exponent of its first digit.
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  if (res.ec != std::errc()) return false;
  const std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  const std::size_t e_pos = sci.find('e');
  if (e_pos == std::string_view::npos) return false;
  char digits[24];
  int k = 0;  // number of significant digits
  for (std::size_t i = 0; i < e_pos; ++i) {
    if (sci[i] != '.') digits[k++] = sci[i];
  }
  int exp10 = 0;
  {
    const char* p = sci.data() + e_pos + 1;
    const bool neg = *p == '-';
    if (*p == '-' || *p == '+') ++p;
    for (; p < sci.data() + sci.size(); ++p) exp10 = exp10 * 10 + (*p - '0');
    if (neg) exp10 = -exp10;
  }
  // ES names n the position of the decimal point: value = 0.d1d2...dk × 10^n.
  const int n = exp10 + 1;
  if (k <= n && n <= 21) {  // integer: the digits, then n-k zeros
    out.append(digits, static_cast<std::size_t>(k));
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {  // point inside the digits
    out.append(digits, static_cast<std::size_t>(n));
    out.push_back('.');
    out.append(digits + n, static_cast<std::size_t>(k - n));
  } else if (-6 < n && n <= 0) {  // small: "0.", -n zeros, the digits
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out.append(digits, static_cast<std::size_t>(k));
  } else {  // exponent form: d[.ddd]e±(n-1)
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, static_cast<std::size_t>(k - 1));
    }
    out.push_back('e');
    out.push_back(n - 1 < 0 ? '-' : '+');
    const int e = n - 1 < 0 ? 1 - n : n - 1;
    out += std::to_string(e);
  }
  return true;
}

// Appends a scalar; false for what JSON cannot hold (binary, discarded, NaN, bad UTF-8).
inline bool append_scalar(std::string& out, const nlohmann::json& v) {
  using t = nlohmann::json::value_t;
  switch (v.type()) {
    case t::null: out += "null"; return true;
    case t::boolean: out += v.get_ref<const bool&>() ? "true" : "false"; return true;
    case t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (!valid_utf8(s)) return false;
      append_string(out, s);
      return true;
    }
    // JCS serialises the IEEE-754 double a number denotes. An integer beyond ±(2^53 - 1) would
    // be rounded (2^53 + 1 to 9007199254740992), and readers that keep integers exact (Python,
    // Go with UseNumber, Java) would see two values where the hash sees one: refused
    // (json/number.hpp).
    case t::number_integer:
      if (!number_is_exact(v)) return false;
      return append_number(out, static_cast<double>(v.get_ref<const nlohmann::json::number_integer_t&>()));
    case t::number_unsigned:
      if (!number_is_exact(v)) return false;
      return append_number(out, static_cast<double>(v.get_ref<const nlohmann::json::number_unsigned_t&>()));
    case t::number_float: return append_number(out, v.get_ref<const double&>());
    case t::object:
    case t::array:
    case t::binary:
    case t::discarded:
    default: return false;
  }
}

// One open container while canonicalize walks the value without recursion (a value built in
// code can nest deeper than the stack allows).
struct jcs_frame {
  const nlohmann::json* value;
  std::vector<const nlohmann::json::object_t::value_type*> members;  // objects: sorted members
  std::size_t next = 0;
};

inline bool open_container(std::string& out, std::vector<jcs_frame>& stack, const nlohmann::json& v) {
  jcs_frame f{&v, {}, 0};
  if (v.is_object()) {
    const auto& obj = *v.get_ptr<const nlohmann::json::object_t*>();
    f.members.reserve(obj.size());
    for (const auto& m : obj) {
      if (!valid_utf8(m.first)) return false;  // utf16_less needs well-formed names
      f.members.push_back(&m);
    }
    // nlohmann keeps members in UTF-8 byte order, which is code point order; sort again by
    // UTF-16 units. Names are unique, so the sort needs no stability.
    std::sort(f.members.begin(), f.members.end(),
              [](const auto* a, const auto* b) { return utf16_less(a->first, b->first); });
    out.push_back('{');
  } else {
    out.push_back('[');
  }
  stack.push_back(std::move(f));
  return true;
}

inline std::optional<std::string> canonicalize(const nlohmann::json& root) {
  std::string out;
  if (!root.is_object() && !root.is_array()) {
    if (!append_scalar(out, root)) return std::nullopt;
    return out;
  }
  std::vector<jcs_frame> stack;
  if (!open_container(out, stack, root)) return std::nullopt;
  while (!stack.empty()) {
    jcs_frame& top = stack.back();
    const bool is_obj = top.value->is_object();
    const std::size_t size = is_obj ? top.members.size() : top.value->size();
    if (top.next == size) {
      out.push_back(is_obj ? '}' : ']');
      stack.pop_back();
      continue;
    }
    if (top.next > 0) out.push_back(',');
    const nlohmann::json* child = nullptr;
    if (is_obj) {
      const auto* m = top.members[top.next];
      append_string(out, m->first);
      out.push_back(':');
      child = &m->second;
    } else {
      child = &(*top.value)[top.next];
    }
    ++top.next;  // before open_container: it may reallocate the stack and invalidate `top`
    if (child->is_object() || child->is_array()) {
      if (!open_container(out, stack, *child)) return std::nullopt;
    } else if (!append_scalar(out, *child)) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace detail

/// The RFC 8785 canonical form of a value, or nullopt when the value has no JSON form (a NaN or
/// infinite double, a string or member name that is not valid UTF-8, a binary or discarded
/// value, an integer beyond ±(2^53 - 1), which has no exact double: json/number.hpp). Numbers are
/// serialised as the IEEE-754 double they denote, integers included. Never throws: running out
/// of memory also gives nullopt.
[[nodiscard]] inline std::optional<std::string> canonicalize(const nlohmann::json& value) noexcept {
  try {
    return detail::canonicalize(value);
  } catch (...) {  // std::bad_alloc; nothing else is thrown on this path
    return std::nullopt;
  }
}

/// The ECMAScript Number::toString form of a double as RFC 8785 §3.2.2.3 uses it (`1e+21`,
/// `0.000001`, `1e-7`, `-0` as `0`), or nullopt for NaN and infinities.
[[nodiscard]] inline std::optional<std::string> canonical_number(double value) noexcept {
  try {
    std::string out;
    if (!detail::append_number(out, value)) return std::nullopt;
    return out;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace json
ASSENT_END_NAMESPACE
