/// @file
/// RFC 8785 canonical form straight from JSON text, without a tree.
///
/// A nlohmann tree costs 8 to 55 bytes per byte of text (a node per value, a heap block per
/// container), so hashing a large spec document through parse_strict and canonicalize needed
/// gigabytes. This reader reads the same language as parse_strict (the same lexer, the same
/// refusals and limits) and writes canonical bytes as it goes. Only the members of open objects
/// are held, because they must be sorted before they are written: its memory is the canonical
/// text inside the open objects (about the size of their text; a number such as 1e15 grows to
/// 16 digits), once more while an object whose members are out of order is rewritten, the
/// unescaped member names and 32 bytes per member. Everything outside every object goes to the
/// caller in pieces of about 64 KiB.
///
/// One difference in what is reported: a duplicate member name is found when its object closes,
/// so a text with a duplicate name and a later syntax error is refused as `syntax` here and as
/// `duplicate_key` by parse_strict. Texts parse_strict accepts give exactly
/// canonicalize(*parse_strict(text).value).
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "assent/config.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {
namespace detail {

// Emit is called as emit(const char*, std::size_t) with consecutive pieces of the canonical form.
template <typename Emit>
class canonical_reader : private strict_lexer<canonical_reader<Emit>> {
  using lexer = strict_lexer<canonical_reader<Emit>>;
  friend lexer;
  using lexer::end_;
  using lexer::fail;
  using lexer::limits_;
  using lexer::offset;
  using lexer::p_;
  using lexer::skip_ws;
  using lexer::unexpected;

 public:
  canonical_reader(std::string_view text, const parse_limits& limits, Emit& emit) noexcept
      : lexer(text, limits), emit_(emit) {}

  // Room for a canonical form as long as the text, reserved once: address space, touched only
  // as it is written. Growing by doubling would hold the old and the new buffer at once.
  void reserve_for(std::string_view text) { out_.reserve(text.size() + 1); }

  // Reads the whole text, emitting its canonical form; false with error() set on any refusal
  // (what was emitted before it is then meaningless).
  bool run() {
    skip_ws();
    if (!value()) return false;
    skip_ws();
    if (p_ != end_) return fail(parse_errc::trailing_content, offset(), "unexpected content after the JSON value");
    flush();
    return true;
  }

  [[nodiscard]] const json::parse_error& error() const noexcept { return this->error_; }

 private:
  struct member_ref {
    std::size_t name_off, name_len;  // in names_
    std::size_t text_off, text_end;  // `"name":value` in out_ (text_end is set when it closes)
  };
  struct frame {
    bool is_object;
    std::size_t count;          // members or elements so far
    std::size_t region_start;   // objects: where the object's members start in out_
    std::size_t members_begin;  // objects: its first entry in members_
  };

  static constexpr std::size_t flush_at = std::size_t{1} << 16;

  [[nodiscard]] std::string_view name_of(const member_ref& m) const noexcept {
    return std::string_view(names_).substr(m.name_off, m.name_len);
  }

  // The JSON pointer of the value being read (for an error message).
  [[nodiscard]] std::string pointer() const {
    std::string out;
    for (const frame& f : stack_) {
      if (f.is_object) append_pointer_token(out, name_of(members_[f.members_begin + f.count - 1]));
      else append_pointer_token(out, std::to_string(f.count - 1));
    }
    return out;
  }

  // Hands on what no open object needs any more.
  void flush() {
    if (open_objects_ == 0 && !out_.empty()) {
      emit_(out_.data(), out_.size());
      out_.clear();
    }
  }

  bool value() {
    for (;;) {
      // A value starts here.
      if (p_ == end_) return unexpected("a value");
      const unsigned char c = *p_;
      if (c == '{' || c == '[') {
        if (stack_.size() >= limits_.max_depth) return fail(parse_errc::too_deep, offset(), "nesting too deep");
        const bool is_object = c == '{';
        ++p_;
        skip_ws();
        if (p_ != end_ && *p_ == (is_object ? '}' : ']')) {
          ++p_;
          out_ += is_object ? "{}" : "[]";
        } else {
          stack_.push_back({is_object, 0, out_.size(), members_.size()});
          if (is_object) {
            ++open_objects_;
            out_.push_back('{');
            if (!member(stack_.back())) return false;
          } else {
            out_.push_back('[');
            if (!element(stack_.back())) return false;
          }
          continue;
        }
      } else if (!scalar()) {
        return false;
      }
      // A value ended: close containers or move to the next member or element.
      for (;;) {
        if (out_.size() >= flush_at) flush();
        if (stack_.empty()) return true;
        skip_ws();
        frame& top = stack_.back();
        if (p_ != end_ && *p_ == ',') {
          ++p_;
          skip_ws();
          if (top.is_object ? !member(top) : !element(top)) return false;
          break;
        }
        if (p_ != end_ && *p_ == (top.is_object ? '}' : ']')) {
          ++p_;
          if (top.is_object) {
            if (!close_object(top)) return false;
          } else {
            out_.push_back(']');
          }
          stack_.pop_back();
          continue;
        }
        return unexpected(top.is_object ? "',' or '}'" : "',' or ']'");
      }
    }
  }

  // `"name" :` of the next member: its name kept, `"name":` written.
  bool member(frame& f) {
    if (p_ == end_ || *p_ != '"') return unexpected("a member name");
    scratch_.clear();
    if (!this->string_token(scratch_)) return false;
    const std::size_t name_end = offset() - 1;
    if (scratch_.size() > limits_.max_string_bytes) return fail(parse_errc::string_too_long, name_end, "member name too long");
    if (f.count >= limits_.max_object_members) return fail(parse_errc::too_many_members, name_end, "too many object members");
    if (f.count > 0) out_.push_back(',');
    members_.push_back({names_.size(), scratch_.size(), out_.size(), 0});
    names_ += scratch_;
    append_string(out_, scratch_);
    out_.push_back(':');
    ++f.count;
    skip_ws();
    if (p_ == end_ || *p_ != ':') return unexpected("':'");
    ++p_;
    skip_ws();
    return true;
  }

  bool element(frame& f) {
    if (f.count >= limits_.max_array_elements) return fail(parse_errc::too_many_elements, offset(), "too many array elements");
    if (f.count > 0) out_.push_back(',');
    ++f.count;
    return true;
  }

  // Sorts the members of the object of f (RFC 8785 §3.2.3) and writes it in their place. The
  // object was written as read, `{` and commas included: members already in order (the common
  // case) need only the closing brace, others are copied once in their order.
  bool close_object(const frame& f) {
    const auto first = members_.begin() + static_cast<std::ptrdiff_t>(f.members_begin);
    const std::size_t names_start = first->name_off;  // this object's names, before sorting
    for (auto it = first; it != members_.end(); ++it) {
      it->text_end = (it + 1 == members_.end()) ? out_.size() : (it + 1)->text_off - 1;  // before its comma
    }
    const auto less = [this](const member_ref& a, const member_ref& b) { return utf16_less(name_of(a), name_of(b)); };
    const bool in_order = std::is_sorted(first, members_.end(), less);
    if (!in_order) std::sort(first, members_.end(), less);
    for (auto it = first; it + 1 < members_.end(); ++it) {
      if (name_of(*it) == name_of(*(it + 1))) {
        return fail(parse_errc::duplicate_key, offset() - 1,
                    "duplicate member name \"" + printable_ascii(name_of(*it)) + "\"");
      }
    }
    if (in_order) {
      out_.push_back('}');
    } else {
      std::string sorted;
      sorted.reserve(out_.size() - f.region_start + 1);
      sorted.push_back('{');
      for (auto it = first; it != members_.end(); ++it) {
        if (it != first) sorted.push_back(',');
        sorted.append(out_, it->text_off, it->text_end - it->text_off);
      }
      sorted.push_back('}');
      out_.resize(f.region_start);
      out_ += sorted;
    }
    names_.resize(names_start);
    members_.erase(first, members_.end());
    --open_objects_;
    return true;
  }

  bool scalar() {
    switch (*p_) {
      case '"': {
        const std::size_t start = offset();
        scratch_.clear();
        if (!this->string_token(scratch_)) return false;
        if (scratch_.size() > limits_.max_string_bytes) return fail(parse_errc::string_too_long, start, "string too long");
        append_string(out_, scratch_);
        return true;
      }
      case 't': return this->literal_word("true") && (out_ += "true", true);
      case 'f': return this->literal_word("false") && (out_ += "false", true);
      case 'n': return this->literal_word("null") && (out_ += "null", true);
      default: {
        if (*p_ != '-' && (*p_ < '0' || *p_ > '9')) return unexpected("a value");
        number_token n;
        if (!this->number(n)) return false;
        double d = n.d;
        if (n.k == number_token::kind::negative) d = static_cast<double>(n.i);
        if (n.k == number_token::kind::non_negative) d = static_cast<double>(n.u);
        if (!append_number(out_, d)) return fail(parse_errc::number_out_of_range, offset(), "number out of range");
        return true;
      }
    }
  }

  Emit& emit_;
  std::string out_;
  std::string names_;
  std::string scratch_;
  std::vector<member_ref> members_;
  std::vector<frame> stack_;
  std::size_t open_objects_ = 0;
};

}  // namespace detail

/// Reads one JSON text as parse_strict does and hands its RFC 8785 canonical form to
/// emit(const char*, std::size_t) in consecutive pieces, holding only the members of open
/// objects (see the file comment). Returns true on success; on a refusal false, with `error`
/// set as parse_strict would set it (what was emitted is then to be discarded). Never throws
/// unless emit does: running out of memory is parse_errc::out_of_memory.
template <typename Emit>
[[nodiscard]] bool canonicalize_text(std::string_view text, const parse_limits& limits, Emit&& emit,
                                     parse_error& error) noexcept {
  try {
    if (!detail::acceptable_text(text, limits, error)) return false;
    detail::canonical_reader<std::remove_reference_t<Emit>> reader(text, limits, emit);
    reader.reserve_for(text);
    if (reader.run()) return true;
    error = reader.error();
  } catch (const std::bad_alloc&) {
    error.code = parse_errc::out_of_memory;
    error.offset = 0;
    error.message = "out of memory";  // short enough not to allocate
    error.path.clear();
  } catch (...) {
    error.code = parse_errc::internal;
    error.offset = 0;
    error.message = "internal error";
    error.path.clear();
  }
  return false;
}

/// The RFC 8785 canonical form of a JSON text, read as parse_strict reads it (nullopt with
/// `error` set on a refusal), without building a tree.
[[nodiscard]] inline std::optional<std::string> canonicalize_text(std::string_view text, const parse_limits& limits,
                                                                 parse_error& error) noexcept {
  try {
    std::string out;
    if (!canonicalize_text(text, limits, [&out](const char* p, std::size_t n) { out.append(p, n); }, error)) {
      return std::nullopt;
    }
    return out;
  } catch (...) {
    error = {};
    error.code = parse_errc::out_of_memory;
    return std::nullopt;
  }
}

}  // namespace json
ASSENT_END_NAMESPACE
