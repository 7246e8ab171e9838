/// @file
/// Strict JSON parsing: one reading of a document, whoever reads it.
///
/// nlohmann::json::parse keeps the last of two equal member names, skips a byte-order mark and
/// has no size or depth limits. Two parsers that disagree on `{"role":"viewer","role":"admin"}`
/// let an attacker show one reader one meaning and another reader another, so everything assent
/// reads goes through parse_strict, which rejects what I-JSON (RFC 7493 §2.3) calls undefined.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"

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

// An input iterator over the text that records how many bytes the lexer has pulled. The SAX
// callbacks carry no position, so this is how a duplicate key or an over-deep container gets a
// byte offset. nlohmann reads at most one byte past the token it is reporting.
class counting_iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  counting_iterator(const char* p, const char* base, std::size_t* consumed) noexcept
      : p_(p), base_(base), consumed_(consumed) {}
  reference operator*() const noexcept { return *p_; }
  counting_iterator& operator++() noexcept {
    ++p_;
    *consumed_ = static_cast<std::size_t>(p_ - base_);
    return *this;
  }
  counting_iterator operator++(int) noexcept {
    counting_iterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const counting_iterator& a, const counting_iterator& b) noexcept {
    return a.p_ == b.p_;
  }
  friend bool operator!=(const counting_iterator& a, const counting_iterator& b) noexcept {
    return a.p_ != b.p_;
  }

 private:
  const char* p_;
  const char* base_;
  std::size_t* consumed_;
};

// nlohmann's messages quote the offending input, which may be any bytes. Keep messages printable
// ASCII so that putting one into a JSON audit record can never fail on invalid UTF-8.
inline std::string printable_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) c = '?';
  }
  return out;
}

// Builds the DOM like nlohmann's own json_sax_dom_parser, and enforces the limits and the
// uniqueness of member names as each event arrives, so a hostile text is refused before it is
// built in full.
class strict_sax {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = nlohmann::json::string_t;
  using binary_t = nlohmann::json::binary_t;

  strict_sax(const parse_limits& limits, const std::size_t* consumed) noexcept
      : limits_(limits), consumed_(consumed) {}

  bool null() { return add(nlohmann::json(nullptr)); }
  bool boolean(bool v) { return add(nlohmann::json(v)); }
  bool number_integer(number_integer_t v) { return add(nlohmann::json(v)); }
  bool number_unsigned(number_unsigned_t v) { return add(nlohmann::json(v)); }
  bool number_float(number_float_t v, const string_t& /*text*/) { return add(nlohmann::json(v)); }
  bool string(string_t& v) {
    if (v.size() > limits_.max_string_bytes) return fail(parse_errc::string_too_long, here(), "string too long");
    return add(nlohmann::json(std::move(v)));
  }
  bool binary(binary_t& /*unused*/) { return fail(parse_errc::syntax, here(), "binary value"); }

  bool start_object(std::size_t /*unknown*/) {
    if (!open_ok()) return false;
    return push(nlohmann::json::object());
  }
  bool key(string_t& name) {
    if (name.size() > limits_.max_string_bytes) {
      return fail(parse_errc::string_too_long, here(), "member name too long");
    }
    auto& obj = *stack_.back()->get_ptr<nlohmann::json::object_t*>();
    if (obj.size() >= limits_.max_object_members) {
      return fail(parse_errc::too_many_members, here(), "too many object members");
    }
    // Names compare after unescaping, so "a" and "\u0061" collide, as RFC 8259 §8.3 requires.
    auto inserted = obj.emplace(std::move(name), nullptr);
    if (!inserted.second) {
      return fail(parse_errc::duplicate_key, here(),
                  "duplicate member name \"" + printable_ascii(inserted.first->first) + "\"");
    }
    slot_ = &inserted.first->second;
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t /*unknown*/) {
    if (!open_ok()) return false;
    return push(nlohmann::json::array());
  }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::json::exception& ex) {
    // nlohmann counts the byte it failed on (or a virtual byte past the end) from 1.
    const std::size_t offset = position > 0 ? position - 1 : 0;
    std::string_view what = ex.what();
    if (const auto bracket = what.find("] "); bracket != std::string_view::npos) {
      what.remove_prefix(bracket + 2);  // drop "[json.exception.parse_error.101] "
    }
    parse_errc code = parse_errc::syntax;
    if (root_done_) {
      code = parse_errc::trailing_content;
    } else if (ex.id == 406) {  // out_of_range.406: "number overflow parsing ..."
      code = parse_errc::number_out_of_range;
    } else if (what.find("UTF-8") != std::string_view::npos ||
               what.find("surrogate") != std::string_view::npos) {
      // The lexer's wording is the only place the cause is told apart; if it ever changes the
      // code degrades to `syntax` (still a refusal) and the invalid_utf8 tests say so.
      code = parse_errc::invalid_utf8;
    }
    return fail(code, offset, printable_ascii(what));
  }

  [[nodiscard]] bool root_done() const noexcept { return root_done_; }
  [[nodiscard]] const json::parse_error& error() const noexcept { return error_; }
  [[nodiscard]] bool failed() const noexcept { return error_.code != parse_errc::not_parsed; }
  nlohmann::json& root() noexcept { return root_; }

 private:
  // Offset of the last byte the lexer read: for '{', '[' and a member name's closing quote that
  // is the token itself; for a scalar it may be the one byte of lookahead after it.
  [[nodiscard]] std::size_t here() const noexcept { return *consumed_ > 0 ? *consumed_ - 1 : 0; }

  bool fail(parse_errc code, std::size_t offset, std::string message) {
    if (!failed()) {  // the first fault is the one reported
      error_.code = code;
      error_.offset = offset;
      error_.message = std::move(message);
    }
    return false;
  }

  bool open_ok() {
    if (stack_.size() >= limits_.max_depth) return fail(parse_errc::too_deep, here(), "nesting too deep");
    return true;
  }

  // Places a scalar or a fresh container where the grammar says it goes; returns where it went.
  nlohmann::json* place(nlohmann::json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    nlohmann::json& parent = *stack_.back();
    if (parent.is_array()) {
      auto& arr = *parent.get_ptr<nlohmann::json::array_t*>();
      if (arr.size() >= limits_.max_array_elements) {
        fail(parse_errc::too_many_elements, here(), "too many array elements");
        return nullptr;
      }
      // Growing this array cannot move an open container: only its last element can be open,
      // and that element is closed before the array grows again.
      arr.push_back(std::move(v));
      return &arr.back();
    }
    *slot_ = std::move(v);
    return slot_;
  }

  bool add(nlohmann::json&& v) {
    if (place(std::move(v)) == nullptr) return false;
    if (stack_.empty()) root_done_ = true;
    return true;
  }

  bool push(nlohmann::json&& container) {
    nlohmann::json* where = place(std::move(container));
    if (where == nullptr) return false;
    stack_.push_back(where);
    return true;
  }

  bool close() {
    stack_.pop_back();
    if (stack_.empty()) root_done_ = true;  // what follows now can only be trailing content
    return true;
  }

  const parse_limits& limits_;
  const std::size_t* consumed_;
  nlohmann::json root_;
  std::vector<nlohmann::json*> stack_;
  nlohmann::json* slot_ = nullptr;
  bool root_done_ = false;
  json::parse_error error_;  // qualified: the SAX callback parse_error hides the type
};

}  // namespace detail

/// Parses one JSON text (RFC 8259) strictly: no duplicate member names, no comments, no
/// byte-order mark, nothing but whitespace after the value, valid UTF-8, finite numbers, and the
/// given limits. Never throws: every failure, including running out of memory, is a parse_error.
[[nodiscard]] inline parse_result parse_strict(std::string_view text, const parse_limits& limits = {}) noexcept {
  parse_result result;
  try {
    if (text.size() > limits.max_bytes) {
      result.error = {parse_errc::too_large, limits.max_bytes, "input larger than the size limit"};
      return result;
    }
    // nlohmann silently skips a UTF-8 BOM; a second parser may not, so refuse it.
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
      result.error = {parse_errc::byte_order_mark, 0, "byte order mark"};
      return result;
    }
    // nlohmann's lexer takes a NUL byte for the end of the input, so "{}\0anything" would parse
    // as "{}". A raw NUL is never valid JSON text (inside strings it must be escaped), so refuse.
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
      result.error = {parse_errc::syntax, nul, "NUL byte in the text"};
      return result;
    }
    std::size_t consumed = 0;
    detail::strict_sax sax(limits, &consumed);
    const char* begin = text.data();
    detail::counting_iterator first(begin, begin, &consumed);
    detail::counting_iterator last(begin + text.size(), begin, &consumed);
    const bool ok = nlohmann::json::sax_parse(first, last, &sax, nlohmann::json::input_format_t::json,
                                              /*strict=*/true, /*ignore_comments=*/false);
    if (!ok || sax.failed()) {
      result.error = sax.error();
      if (result.error.code == parse_errc::not_parsed) result.error = {parse_errc::internal, 0, "parser stopped"};
      return result;
    }
    result.value.emplace(std::move(sax.root()));
  } catch (const std::bad_alloc&) {
    result.value.reset();
    result.error.code = parse_errc::out_of_memory;
    result.error.offset = 0;
    result.error.message = "out of memory";  // short enough not to allocate
  } catch (...) {
    result.value.reset();
    result.error.code = parse_errc::internal;
    result.error.offset = 0;
    result.error.message = "internal error";  // short enough not to allocate
  }
  return result;
}

}  // namespace json
ASSENT_END_NAMESPACE
