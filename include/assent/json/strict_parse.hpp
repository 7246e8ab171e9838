/// @file
/// Strict JSON parsing: one reading of a document, whoever reads it.
///
/// nlohmann::json::parse keeps the last of two equal member names, skips a byte-order mark and
/// has no size or depth limits. Two parsers that disagree on `{"role":"viewer","role":"admin"}`
/// let an attacker show one reader one meaning and another reader another, so everything assent
/// reads goes through parse_strict, which rejects what I-JSON (RFC 7493 §2.3) calls undefined.
#pragma once

#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/detail/scan.hpp"
#include "assent/json/detail/utf8.hpp"
#include "assent/json/number.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {

/// Why parse_strict refused a text. Values are stable: they are never renumbered or reused.
enum class parse_errc : std::uint8_t {
  not_parsed = 0,           ///< default: nothing was parsed (a default result is a failure)
  syntax = 1,               ///< not JSON text (RFC 8259 grammar): also comments, raw NUL bytes
  invalid_utf8 = 2,         ///< ill-formed UTF-8 or an unpaired surrogate escape in a string
  byte_order_mark = 3,      ///< a leading U+FEFF (RFC 8259 §8.1 forbids sending one)
  trailing_content = 4,     ///< anything but whitespace after the first value
  number_out_of_range = 5,  ///< a number whose magnitude overflows a double
  duplicate_key = 6,        ///< two members of one object share a name (RFC 7493 §2.3)
  too_large = 7,            ///< the text is longer than parse_limits::max_bytes
  too_deep = 8,             ///< containers nest deeper than parse_limits::max_depth
  string_too_long = 9,      ///< a string or member name exceeds parse_limits::max_string_bytes
  too_many_members = 10,    ///< an object has more than parse_limits::max_object_members
  too_many_elements = 11,   ///< an array has more than parse_limits::max_array_elements
  out_of_memory = 12,       ///< an allocation failed while building the value
  internal = 13,            ///< an unexpected exception inside the parser (a bug)
  inexact_number = 14,      ///< a number readers could read differently (json/number.hpp)
};

/// The stable snake_case name of a parse_errc.
[[nodiscard]] constexpr std::string_view to_string(parse_errc c) noexcept {
  switch (c) {
    case parse_errc::not_parsed: return "not_parsed";
    case parse_errc::syntax: return "syntax";
    case parse_errc::invalid_utf8: return "invalid_utf8";
    case parse_errc::byte_order_mark: return "byte_order_mark";
    case parse_errc::trailing_content: return "trailing_content";
    case parse_errc::number_out_of_range: return "number_out_of_range";
    case parse_errc::duplicate_key: return "duplicate_key";
    case parse_errc::too_large: return "too_large";
    case parse_errc::too_deep: return "too_deep";
    case parse_errc::string_too_long: return "string_too_long";
    case parse_errc::too_many_members: return "too_many_members";
    case parse_errc::too_many_elements: return "too_many_elements";
    case parse_errc::out_of_memory: return "out_of_memory";
    case parse_errc::internal: return "internal";
    case parse_errc::inexact_number: return "inexact_number";
  }
  return "unknown";
}

/// Bounds on what parse_strict accepts. Defaults suit credentials, key sets and policies.
struct parse_limits {
  /// Longest accepted text in bytes.
  std::size_t max_bytes = std::size_t{1} << 20;
  /// Deepest container nesting; a top-level object or array is depth 1. Containers are built
  /// without recursion here, but copying, comparing or dumping a nlohmann::json recurses once per
  /// level, so this bound is what keeps later code off the end of the stack.
  std::size_t max_depth = 32;
  /// Longest string value or member name, in bytes after unescaping.
  std::size_t max_string_bytes = std::size_t{1} << 20;
  /// Most members in one object.
  std::size_t max_object_members = std::size_t{1} << 16;
  /// Most elements in one array.
  std::size_t max_array_elements = std::size_t{1} << 16;
};

/// Where and why a parse failed.
struct parse_error {
  /// The reason; not_parsed for a default-constructed error.
  parse_errc code = parse_errc::not_parsed;
  /// 0-based byte offset at which the fault was seen (the text's size for an early end).
  std::size_t offset = 0;
  /// Human-readable detail, printable ASCII only (safe to put in a log or a JSON string).
  std::string message;
  /// JSON pointer (RFC 6901) of the refused value, for inexact_number; empty otherwise.
  std::string path;
};

/// The outcome of parse_strict: a value, or an error. A default-constructed result is a failure.
struct parse_result {
  /// The document; present exactly when the parse succeeded.
  std::optional<nlohmann::json> value;
  /// Why the parse failed; meaningless when value is present.
  parse_error error;

  /// True when value holds the parsed document.
  [[nodiscard]] bool ok() const noexcept { return value.has_value(); }
  /// Same as ok().
  explicit operator bool() const noexcept { return ok(); }
};

namespace detail {

// Keeps messages printable ASCII, so that putting one into a JSON audit record can never fail
// on invalid UTF-8 (a duplicate name is quoted in its message).
inline std::string printable_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) c = '?';
  }
  return out;
}

// A number token, typed the way nlohmann types it: integers within ±max_exact_integer as int64
// (negative) or uint64, everything else as a double.
struct number_token {
  enum class kind : std::uint8_t { negative, non_negative, floating };
  kind k = kind::floating;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
};

// The tokens of RFC 8259 text with assent's refusals (NUL bytes, ill-formed UTF-8, unpaired
// surrogates, numbers out of range or inexact), shared by the tree reader below and the
// canonical reader of json/canonical_text.hpp so both read exactly the same language.
// Derived supplies pointer(): the JSON pointer of the value being read, for error messages.
template <typename Derived>
class strict_lexer {
 protected:
  strict_lexer(std::string_view text, const parse_limits& limits) noexcept
      : begin_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(begin_),
        end_(begin_ + text.size()),
        limits_(limits) {}

  [[nodiscard]] std::size_t offset() const noexcept { return static_cast<std::size_t>(p_ - begin_); }

  bool fail(parse_errc code, std::size_t at, std::string message) {
    error_.code = code;
    error_.offset = at;
    error_.message = std::move(message);
    return false;
  }
  bool unexpected(const char* expected) {
    if (p_ == end_) return fail(parse_errc::syntax, offset(), std::string("unexpected end of text; expected ") + expected);
    return fail(parse_errc::syntax, offset(), std::string("unexpected character; expected ") + expected);
  }

  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // true, false or null at p_.
  bool literal_word(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) {
      return fail(parse_errc::syntax, offset(), "invalid literal");
    }
    p_ += word.size();
    return true;
  }

  // RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, held to the rule of
  // json/number.hpp: the literal must denote exactly the number its canonical form writes.
  bool number(number_token& out) {
    const unsigned char* const start = p_;
    const auto digit = [this] { return p_ != end_ && *p_ >= '0' && *p_ <= '9'; };
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (!digit()) return unexpected("a digit");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (digit()) ++p_;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (!digit()) return unexpected("a digit after '.'");
      while (digit()) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digit()) return unexpected("a digit in the exponent");
      while (digit()) ++p_;
    }
    if (integral && p_ - start <= 17) {
      // At most 16 digits: no overflow. Within ±(2^53 - 1) an integer is exact in every reader.
      std::uint64_t mag = 0;
      for (const unsigned char* q = start + (negative ? 1 : 0); q != p_; ++q) mag = mag * 10 + (*q - '0');
      if (mag <= max_exact_integer) {
        if (negative) {
          out.k = number_token::kind::negative;
          out.i = -static_cast<std::int64_t>(mag);
        } else {
          out.k = number_token::kind::non_negative;
          out.u = mag;
        }
        return true;
      }
    }
    // Fractions, exponents and large integers: the nearest double through nlohmann's own number
    // reader (its rounding and its refusal of magnitudes that overflow a double), then the rule.
    const std::string_view literal(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p_ - start));
    const std::size_t at = static_cast<std::size_t>(start - begin_);
    double d = 0;
    try {
      const nlohmann::json v = nlohmann::json::parse(literal);
      if (!v.is_number()) return fail(parse_errc::syntax, at, "invalid number");
      d = v.get<double>();
    } catch (const nlohmann::json::out_of_range&) {
      return fail(parse_errc::number_out_of_range, at, "number out of range");
    } catch (const nlohmann::json::parse_error&) {
      return fail(parse_errc::syntax, at, "invalid number");
    }
    if (!std::isfinite(d)) return fail(parse_errc::number_out_of_range, at, "number out of range");
    if (!literal_is_exact(literal, d)) {
      std::string shown(literal.substr(0, 40));
      if (literal.size() > 40) shown += "...";
      std::string path = static_cast<Derived*>(this)->pointer();
      fail(parse_errc::inexact_number, at,
           "number " + shown + " at " + (path.empty() ? std::string("the top level") : printable_ascii(path)) +
               " has no exact IEEE-754 double form (readers would disagree on its value; write it as a string)");
      error_.path = std::move(path);
      return false;
    }
    out.k = number_token::kind::floating;
    out.d = d;
    return true;
  }

  // Four hex digits after "\u".
  bool hex4(std::uint32_t& v) {
    if (end_ - p_ < 4) {
      p_ = end_;
      return unexpected("four hex digits");
    }
    v = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      const unsigned char c = *p_;
      std::uint32_t d = 0;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10u;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10u;
      else return fail(parse_errc::syntax, offset(), "invalid \\u escape");
      v = (v << 4) | d;
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // A string token at p_ (which is '"'), unescaped into out; p_ ends after the closing quote.
  bool string_token(std::string& out) {
    ++p_;
    for (;;) {
      // Plain bytes are copied in runs, found eight at a time.
      const unsigned char* run = p_;
      p_ = skip_plain<true>(p_, end_);
      out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return fail(parse_errc::syntax, offset(), "unterminated string");
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return fail(parse_errc::syntax, offset(), "control character in a string");
      if (c >= 0x80) {
        std::size_t len = 0;
        const std::string_view rest(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(end_ - p_));
        if (next_scalar(rest, len) < 0) return fail(parse_errc::invalid_utf8, offset(), "ill-formed UTF-8");
        out.append(rest.data(), len);
        p_ += len;
        continue;
      }
      // A backslash escape.
      ++p_;
      if (p_ == end_) return fail(parse_errc::syntax, offset(), "unterminated string");
      switch (*p_) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          ++p_;
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(parse_errc::invalid_utf8, offset(), "unpaired surrogate escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
              return fail(parse_errc::invalid_utf8, offset(), "unpaired surrogate escape");
            p_ += 2;
            std::uint32_t low = 0;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail(parse_errc::invalid_utf8, offset(), "unpaired surrogate escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          continue;  // p_ is already past the escape
        }
        default: return fail(parse_errc::syntax, offset(), "invalid escape");
      }
      ++p_;
    }
  }

  const unsigned char* const begin_;
  const unsigned char* p_;
  const unsigned char* const end_;
  const parse_limits& limits_;
  json::parse_error error_;
};

// A hand-written reader of RFC 8259 text that builds the nlohmann value directly. It replaced
// nlohmann's SAX lexer, which pulled the text one byte at a time through an input adapter and
// was most of the cost of a decision outside Ed25519. It reads what nlohmann accepts (tests
// compare the two on random and mutated texts) and numbers the way nlohmann types them
// (integers as int64 or uint64, fractions and exponents through nlohmann itself, so rounding is
// nlohmann's), and adds assent's refusals: duplicate names, limits, NUL bytes, a byte-order
// mark, and numbers that readers could read differently (json/number.hpp), which includes every
// integer beyond ±(2^53 - 1) that is not exactly a double; one that is (2^60) is held as a
// double, the type its canonical form has. Containers are built without recursion.
class strict_reader : private strict_lexer<strict_reader> {
  friend class strict_lexer<strict_reader>;

 public:
  strict_reader(std::string_view text, const parse_limits& limits) noexcept : strict_lexer(text, limits) {}

  // Reads the whole text into root; false with error() set on any refusal.
  bool run(nlohmann::json& root) {
    skip_ws();
    if (!value(root)) return false;
    skip_ws();
    if (p_ != end_) return fail(parse_errc::trailing_content, offset(), "unexpected content after the JSON value");
    return true;
  }

  [[nodiscard]] const json::parse_error& error() const noexcept { return error_; }

 private:
  struct frame {
    nlohmann::json* container;
    bool is_object;
    const std::string* name;  // objects: the name of the member being read
  };

  // The JSON pointer of the value being read (for an error message).
  [[nodiscard]] std::string pointer() const {
    std::string out;
    for (const frame& f : stack_) {
      if (f.is_object) append_pointer_token(out, f.name != nullptr ? *f.name : std::string());
      else append_pointer_token(out, std::to_string(f.container->size() - 1));
    }
    return out;
  }

  // One value (scalar or container, with everything inside it) into `out`.
  bool value(nlohmann::json& out) {
    nlohmann::json* slot = &out;
    for (;;) {
      // A value starts here.
      if (p_ == end_) return unexpected("a value");
      const unsigned char c = *p_;
      if (c == '{' || c == '[') {
        if (stack_.size() >= limits_.max_depth) return fail(parse_errc::too_deep, offset(), "nesting too deep");
        const bool is_object = c == '{';
        *slot = is_object ? nlohmann::json::object() : nlohmann::json::array();
        ++p_;
        skip_ws();
        if (p_ != end_ && *p_ == (is_object ? '}' : ']')) {
          ++p_;  // empty container: a complete value
        } else {
          stack_.push_back({slot, is_object, nullptr});
          slot = is_object ? member(stack_.back()) : element(stack_.back());
          if (slot == nullptr) return false;
          continue;
        }
      } else if (!scalar(*slot)) {
        return false;
      }
      // A value ended: close containers or move to the next member or element.
      for (;;) {
        if (stack_.empty()) return true;
        skip_ws();
        frame& top = stack_.back();
        if (p_ != end_ && *p_ == ',') {
          ++p_;
          skip_ws();
          slot = top.is_object ? member(top) : element(top);
          if (slot == nullptr) return false;
          break;
        }
        if (p_ != end_ && *p_ == (top.is_object ? '}' : ']')) {
          ++p_;
          stack_.pop_back();
          continue;
        }
        return unexpected(top.is_object ? "',' or '}'" : "',' or ']'");
      }
    }
  }

  // `"name" :` of the next member of the object of f; returns the member's slot.
  nlohmann::json* member(frame& f) {
    if (p_ == end_ || *p_ != '"') {
      unexpected("a member name");
      return nullptr;
    }
    std::string name;
    if (!string_token(name)) return nullptr;
    const std::size_t name_end = offset() - 1;  // its closing quote
    if (name.size() > limits_.max_string_bytes) {
      fail(parse_errc::string_too_long, name_end, "member name too long");
      return nullptr;
    }
    auto& members = *f.container->get_ptr<nlohmann::json::object_t*>();
    if (members.size() >= limits_.max_object_members) {
      fail(parse_errc::too_many_members, name_end, "too many object members");
      return nullptr;
    }
    // Names compare after unescaping, so "a" and "\u0061" collide, as RFC 8259 §8.3 requires.
    auto inserted = members.emplace(std::move(name), nullptr);
    if (!inserted.second) {
      fail(parse_errc::duplicate_key, name_end,
           "duplicate member name \"" + printable_ascii(inserted.first->first) + "\"");
      return nullptr;
    }
    f.name = &inserted.first->first;  // map nodes do not move
    skip_ws();
    if (p_ == end_ || *p_ != ':') {
      unexpected("':'");
      return nullptr;
    }
    ++p_;
    skip_ws();
    return &inserted.first->second;
  }

  // The slot of the next element of the array of f.
  nlohmann::json* element(frame& f) {
    auto& elements = *f.container->get_ptr<nlohmann::json::array_t*>();
    if (elements.size() >= limits_.max_array_elements) {
      fail(parse_errc::too_many_elements, offset(), "too many array elements");
      return nullptr;
    }
    // Growing this array cannot move an open container: only its last element can be open, and
    // that element is closed before the array grows again.
    elements.emplace_back();
    return &elements.back();
  }

  bool scalar(nlohmann::json& out) {
    switch (*p_) {
      case '"': {
        std::string s;
        const std::size_t start = offset();
        if (!string_token(s)) return false;
        if (s.size() > limits_.max_string_bytes) return fail(parse_errc::string_too_long, start, "string too long");
        out = std::move(s);
        return true;
      }
      case 't': return literal_word("true") && (out = true, true);
      case 'f': return literal_word("false") && (out = false, true);
      case 'n': return literal_word("null") && (out = nullptr, true);
      default: {
        if (*p_ != '-' && (*p_ < '0' || *p_ > '9')) return unexpected("a value");
        number_token n;
        if (!number(n)) return false;
        switch (n.k) {
          case number_token::kind::negative: out = nlohmann::json::number_integer_t{n.i}; break;
          case number_token::kind::non_negative: out = nlohmann::json::number_unsigned_t{n.u}; break;
          case number_token::kind::floating: out = nlohmann::json::number_float_t{n.d}; break;
        }
        return true;
      }
    }
  }

  std::vector<frame> stack_;
};

// The checks on the whole text that come before reading it, in this order: its size, a leading
// byte-order mark (nlohmann silently skips one; another parser may not), a raw NUL byte
// (nlohmann's lexer takes one for the end of the input, so "{}\0anything" would parse as "{}";
// a raw NUL is never valid JSON text). false with `error` set on a refusal.
inline bool acceptable_text(std::string_view text, const parse_limits& limits, parse_error& error) {
  if (text.size() > limits.max_bytes) {
    error = {parse_errc::too_large, limits.max_bytes, "input larger than the size limit", {}};
    return false;
  }
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    error = {parse_errc::byte_order_mark, 0, "byte order mark", {}};
    return false;
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    error = {parse_errc::syntax, nul, "NUL byte in the text", {}};
    return false;
  }
  return true;
}

}  // namespace detail

/// Parses one JSON text (RFC 8259) strictly: no duplicate member names, no comments, no
/// byte-order mark, nothing but whitespace after the value, valid UTF-8, numbers every reader
/// reads alike (json/number.hpp: inexact_number, with the JSON pointer in error.path), and the
/// given limits. Never throws: every failure, including running out of memory, is a parse_error.
[[nodiscard]] inline parse_result parse_strict(std::string_view text, const parse_limits& limits = {}) noexcept {
  parse_result result;
  try {
    if (!detail::acceptable_text(text, limits, result.error)) return result;
    nlohmann::json root;
    detail::strict_reader reader(text, limits);
    if (!reader.run(root)) {
      result.error = reader.error();
      return result;
    }
    result.value.emplace(std::move(root));
  } catch (const std::bad_alloc&) {
    result.value.reset();
    result.error.code = parse_errc::out_of_memory;
    result.error.offset = 0;
    result.error.message = "out of memory";  // short enough not to allocate
    result.error.path.clear();
  } catch (...) {
    result.value.reset();
    result.error.code = parse_errc::internal;
    result.error.offset = 0;
    result.error.message = "internal error";  // short enough not to allocate
    result.error.path.clear();
  }
  return result;
}

}  // namespace json
ASSENT_END_NAMESPACE
