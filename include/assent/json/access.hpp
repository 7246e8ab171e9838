/// @file
/// Typed, strict, non-throwing reads of JSON objects, with the JSON path of every fault.
///
/// A parser of claims, key sets or policies reads like its schema:
///
///     json::object_reader r(document);
///     const auto version   = r.required_string("version");
///     const auto threshold = r.required_uint("threshold", 1, 16);
///     const auto roles     = r.required_string_array("roles");
///     r.required_object("subject", [&](json::object_reader& s) { id = s.required_string("id"); });
///     if (auto error = r.finish()) return *error;  // e.g. "/subject/id: missing"
///
/// Every accessor checks presence, type and range; a fault is recorded (not thrown) with its
/// RFC 6901 JSON Pointer ("/environments/prod/threshold") and the accessor returns a neutral
/// value. finish() adds members nobody read (a misspelt "treshold" must not silently vanish) and
/// returns the first fault. The only exception that can leave this file is std::bad_alloc.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/time.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {

/// What was wrong with a member. Values are stable: they are never renumbered or reused.
enum class access_errc : std::uint8_t {
  missing = 1,            ///< a required member is absent
  wrong_type = 2,         ///< present with another JSON type (null counts as a type)
  out_of_range = 3,       ///< a number outside the accepted bounds
  empty = 4,              ///< an empty string (or list) where one is not allowed
  duplicate_element = 5,  ///< an array that must hold distinct values repeats one
  unknown_member = 6,     ///< a member the schema does not name
  invalid_value = 7,      ///< the right type, but not an accepted value (format, choice)
};

/// The stable snake_case name of an access_errc.
[[nodiscard]] constexpr std::string_view to_string(access_errc c) noexcept {
  switch (c) {
    case access_errc::missing: return "missing";
    case access_errc::wrong_type: return "wrong_type";
    case access_errc::out_of_range: return "out_of_range";
    case access_errc::empty: return "empty";
    case access_errc::duplicate_element: return "duplicate_element";
    case access_errc::unknown_member: return "unknown_member";
    case access_errc::invalid_value: return "invalid_value";
  }
  return "unknown";
}

/// One fault found while reading: what, where (an RFC 6901 JSON Pointer, "" for the root), why.
struct access_error {
  access_errc code = access_errc::invalid_value;
  std::string path;
  std::string detail;
};

/// "path: code: detail", with "(root)" for the empty pointer.
[[nodiscard]] inline std::string describe(const access_error& e) {
  std::string out = e.path.empty() ? std::string("(root)") : e.path;
  out += ": ";
  out += to_string(e.code);
  if (!e.detail.empty()) {
    out += ": ";
    out += e.detail;
  }
  return out;
}

/// The JSON Pointer of member `name` inside `parent` (RFC 6901 §3: '~' as "~0", '/' as "~1").
[[nodiscard]] inline std::string pointer_child(std::string_view parent, std::string_view name) {
  std::string out(parent);
  out.push_back('/');
  for (const char c : name) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

/// The JSON Pointer of element `index` inside `parent`.
[[nodiscard]] inline std::string pointer_child(std::string_view parent, std::size_t index) {
  std::string out(parent);
  out.push_back('/');
  out += std::to_string(index);
  return out;
}

/// The largest integer every JSON reader holds exactly (2^53 - 1, RFC 7493 §2.2).
inline constexpr std::uint64_t max_safe_integer = (std::uint64_t{1} << 53) - 1;

/// Whether an empty string or list is acceptable.
enum class allow_empty : bool { no = false, yes = true };
/// Whether a list must hold distinct values.
enum class require_unique : bool { no = false, yes = true };

/// Reads the members of one JSON object, recording every fault with its path.
class object_reader {
 public:
  /// Reads `value`, which must be an object, found at JSON Pointer `path` ("" for a document).
  explicit object_reader(const nlohmann::json& value, std::string path = {}) : path_(std::move(path)) {
    if (value.is_object()) {
      object_ = value.get_ptr<const nlohmann::json::object_t*>();
    } else {
      add(access_errc::wrong_type, path_, expected("an object", value));
    }
  }
  object_reader(const object_reader&) = delete;
  object_reader& operator=(const object_reader&) = delete;

  /// A string member; "" on a fault. Empty strings are refused unless `empty` says otherwise.
  [[nodiscard]] std::string required_string(std::string_view name, allow_empty empty = allow_empty::no) {
    auto v = read_string(name, true, empty);
    return v ? std::move(*v) : std::string();
  }
  /// A string member that may be absent (nullopt when absent or faulty).
  [[nodiscard]] std::optional<std::string> optional_string(std::string_view name,
                                                           allow_empty empty = allow_empty::no) {
    return read_string(name, false, empty);
  }
  /// A string member that must equal one of `choices` (e.g. {"allow", "deny"}); "" on a fault.
  [[nodiscard]] std::string required_choice(std::string_view name, std::initializer_list<std::string_view> choices) {
    auto v = read_string(name, true, allow_empty::yes);
    if (!v) return {};
    for (const std::string_view c : choices) {
      if (*v == c) return std::move(*v);
    }
    std::string list;
    for (const std::string_view c : choices) {
      if (!list.empty()) list += ", ";
      list += c;
    }
    add(access_errc::invalid_value, path_of(name), "must be one of: " + list);
    return {};
  }

  /// A non-negative integer member in [min, max]; 0 on a fault. A number written with a fraction
  /// or an exponent (2.0, 2e0) is a wrong_type: counts and thresholds are written as integers;
  /// any number beyond 2^53 - 1 is out_of_range.
  [[nodiscard]] std::uint64_t required_uint(std::string_view name, std::uint64_t min = 0,
                                            std::uint64_t max = max_safe_integer) {
    return read_uint(name, true, min, max).value_or(0);
  }
  /// As required_uint, for a member that may be absent.
  [[nodiscard]] std::optional<std::uint64_t> optional_uint(std::string_view name, std::uint64_t min = 0,
                                                           std::uint64_t max = max_safe_integer) {
    return read_uint(name, false, min, max);
  }

  /// A boolean member; false on a fault.
  [[nodiscard]] bool required_bool(std::string_view name) { return read_bool(name, true).value_or(false); }
  /// A boolean member that may be absent.
  [[nodiscard]] std::optional<bool> optional_bool(std::string_view name) { return read_bool(name, false); }

  /// An RFC 3339 date-time string member (see parse_rfc3339) as UTC epoch seconds; 0 on a fault.
  [[nodiscard]] std::int64_t required_time(std::string_view name) { return read_time(name, true).value_or(0); }
  /// As required_time, for a member that may be absent.
  [[nodiscard]] std::optional<std::int64_t> optional_time(std::string_view name) { return read_time(name, false); }

  /// An array of non-empty strings, distinct unless `unique` says otherwise; empty on a fault.
  [[nodiscard]] std::vector<std::string> required_string_array(std::string_view name,
                                                               require_unique unique = require_unique::yes,
                                                               allow_empty empty_list = allow_empty::yes) {
    auto v = read_string_array(name, true, unique, empty_list);
    return v ? std::move(*v) : std::vector<std::string>();
  }
  /// As required_string_array, for a member that may be absent.
  [[nodiscard]] std::optional<std::vector<std::string>> optional_string_array(
      std::string_view name, require_unique unique = require_unique::yes, allow_empty empty_list = allow_empty::yes) {
    return read_string_array(name, false, unique, empty_list);
  }

  /// Reads an object member with `read(object_reader&)`; its faults become this reader's.
  template <class F>
  void required_object(std::string_view name, F&& read) {
    read_object(name, true, read);
  }
  /// As required_object for a member that may be absent; returns whether `read` ran.
  template <class F>
  bool optional_object(std::string_view name, F&& read) {
    return read_object(name, false, read);
  }
  /// Reads an object whose members (names chosen by the document) are all objects, calling
  /// `read(const std::string& key, object_reader&)` for each in member-name order.
  template <class F>
  void required_object_map(std::string_view name, F&& read) {
    read_object_map(name, true, read);
  }
  /// As required_object_map for a member that may be absent; returns whether it was present.
  template <class F>
  bool optional_object_map(std::string_view name, F&& read) {
    return read_object_map(name, false, read);
  }
  /// Reads an array of objects, calling `read(std::size_t index, object_reader&)` for each.
  template <class F>
  void required_object_array(std::string_view name, F&& read, allow_empty empty_list = allow_empty::yes) {
    read_object_array(name, true, read, empty_list);
  }
  /// As required_object_array for a member that may be absent; returns whether it was present.
  template <class F>
  bool optional_object_array(std::string_view name, F&& read, allow_empty empty_list = allow_empty::yes) {
    return read_object_array(name, false, read, empty_list);
  }

  /// The raw member of any type (marked as read), or nullptr (recording `missing`) when absent.
  [[nodiscard]] const nlohmann::json* required_value(std::string_view name) { return lookup(name, true); }
  /// The raw member of any type (marked as read), or nullptr when absent.
  [[nodiscard]] const nlohmann::json* optional_value(std::string_view name) { return lookup(name, false); }
  /// Marks a member as read without looking at it (it is then never an unknown member).
  void ignore(std::string_view name) { (void)lookup(name, false); }
  /// Accepts members nobody reads (for formats that require ignoring them, e.g. RFC 7517 §4).
  void allow_unknown_members() noexcept { allow_unknown_ = true; }

  /// Finishes a reader the caller built itself (for a value found through optional_value, at a
  /// path made with pointer_child) and moves its faults into this one, in order.
  void absorb(object_reader& child) {
    (void)child.finish();
    for (auto& e : child.errors_) errors_.push_back(std::move(e));
    child.errors_.clear();
  }

  /// Records a fault found by the caller's own check of member `name`.
  void fail(std::string_view name, access_errc code, std::string detail) {
    add(code, path_of(name), std::move(detail));
  }
  /// The JSON Pointer of member `name` of this object.
  [[nodiscard]] std::string path_of(std::string_view name) const { return pointer_child(path_, name); }
  /// The JSON Pointer of this object.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  /// True while no fault has been recorded.
  [[nodiscard]] bool ok() const noexcept { return errors_.empty(); }
  /// Records members nobody read as unknown_member (once; unless allowed), then returns the first
  /// fault in reading order, or nullopt when the object matched the schema.
  [[nodiscard]] std::optional<access_error> finish() {
    if (!finished_) {
      finished_ = true;
      if (object_ != nullptr && !allow_unknown_) {
        for (const auto& m : *object_) {
          if (!was_read(m.first)) add(access_errc::unknown_member, path_of(m.first), "unknown member");
        }
      }
    }
    if (errors_.empty()) return std::nullopt;
    return errors_.front();
  }
  /// Every fault recorded so far, in reading order.
  [[nodiscard]] const std::vector<access_error>& errors() const noexcept { return errors_; }

 private:
  static std::string expected(std::string_view what, const nlohmann::json& got) {
    return "expected " + std::string(what) + ", got " + got.type_name();
  }

  [[nodiscard]] bool was_read(std::string_view name) const noexcept {
    for (const auto& n : read_)
      if (n == name) return true;
    return false;
  }

  void add(access_errc code, std::string path, std::string detail) {
    errors_.push_back(access_error{code, std::move(path), std::move(detail)});
  }

  const nlohmann::json* lookup(std::string_view name, bool required) {
    if (object_ == nullptr) return nullptr;  // already reported: this is not an object
    if (!was_read(name)) read_.emplace_back(name);
    const auto it = object_->find(name);  // nlohmann's object_t compares with std::less<>
    if (it == object_->end()) {
      if (required) add(access_errc::missing, path_of(name), "required member is absent");
      return nullptr;
    }
    return &it->second;
  }

  std::optional<std::string> read_string(std::string_view name, bool required, allow_empty empty) {
    const nlohmann::json* v = lookup(name, required);
    if (v == nullptr) return std::nullopt;
    const auto* s = v->get_ptr<const std::string*>();
    if (s == nullptr) {
      add(access_errc::wrong_type, path_of(name), expected("a string", *v));
      return std::nullopt;
    }
    if (s->empty() && empty == allow_empty::no) {
      add(access_errc::empty, path_of(name), "must not be empty");
      return std::nullopt;
    }
    return *s;
  }

  std::optional<std::uint64_t> read_uint(std::string_view name, bool required, std::uint64_t min, std::uint64_t max) {
    const nlohmann::json* v = lookup(name, required);
    if (v == nullptr) return std::nullopt;
    std::uint64_t n = 0;
    if (const auto* u = v->get_ptr<const nlohmann::json::number_unsigned_t*>()) {
      n = *u;
    } else if (const auto* i = v->get_ptr<const nlohmann::json::number_integer_t*>()) {
      if (*i < 0) {
        add(access_errc::out_of_range, path_of(name), range_text(min, max));
        return std::nullopt;
      }
      n = static_cast<std::uint64_t>(*i);
    } else if (const auto* d = v->get_ptr<const nlohmann::json::number_float_t*>();
               d != nullptr && std::fabs(*d) > static_cast<double>(max_safe_integer)) {
      // An integer literal beyond 2^53 - 1 is read as the double it is (json/number.hpp): a
      // count that large is out of range, whatever its spelling.
      add(access_errc::out_of_range, path_of(name), range_text(min, max));
      return std::nullopt;
    } else {
      add(access_errc::wrong_type, path_of(name), expected("an integer", *v));
      return std::nullopt;
    }
    if (n < min || n > max) {
      add(access_errc::out_of_range, path_of(name), range_text(min, max));
      return std::nullopt;
    }
    return n;
  }

  static std::string range_text(std::uint64_t min, std::uint64_t max) {
    return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  }

  std::optional<bool> read_bool(std::string_view name, bool required) {
    const nlohmann::json* v = lookup(name, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) {
      add(access_errc::wrong_type, path_of(name), expected("a boolean", *v));
      return std::nullopt;
    }
    return v->get_ref<const bool&>();
  }

  std::optional<std::int64_t> read_time(std::string_view name, bool required) {
    auto s = read_string(name, required, allow_empty::yes);
    if (!s) return std::nullopt;
    const auto t = parse_rfc3339(*s);
    if (!t) add(access_errc::invalid_value, path_of(name), "expected an RFC 3339 date-time like 2026-01-31T09:30:00Z");
    return t;
  }

  std::optional<std::vector<std::string>> read_string_array(std::string_view name, bool required,
                                                            require_unique unique, allow_empty empty_list) {
    const nlohmann::json* v = lookup(name, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_array()) {
      add(access_errc::wrong_type, path_of(name), expected("an array of strings", *v));
      return std::nullopt;
    }
    if (v->empty() && empty_list == allow_empty::no) {
      add(access_errc::empty, path_of(name), "must not be an empty list");
      return std::nullopt;
    }
    const std::string base = path_of(name);
    std::vector<std::string> out;
    out.reserve(v->size());
    bool good = true;
    for (std::size_t i = 0; i < v->size(); ++i) {
      const auto* s = (*v)[i].get_ptr<const std::string*>();
      if (s == nullptr) {
        add(access_errc::wrong_type, pointer_child(base, i), expected("a string", (*v)[i]));
        good = false;
        continue;
      }
      if (s->empty()) {
        add(access_errc::empty, pointer_child(base, i), "must not be empty");
        good = false;
        continue;
      }
      if (unique == require_unique::yes) {
        for (std::size_t j = 0; j < out.size(); ++j) {  // lists here are short; keep it simple
          if (out[j] == *s) {
            add(access_errc::duplicate_element, pointer_child(base, i), "repeats an earlier element");
            good = false;
            break;
          }
        }
      }
      out.push_back(*s);
    }
    if (!good) return std::nullopt;
    return out;
  }

  template <class F>
  bool read_object(std::string_view name, bool required, F& read) {
    const nlohmann::json* v = lookup(name, required);
    if (v == nullptr) return false;
    object_reader child(*v, path_of(name));
    if (child.object_ != nullptr) read(child);
    absorb(child);
    return true;
  }

  template <class F>
  bool read_object_map(std::string_view name, bool required, F& read) {
    const nlohmann::json* v = lookup(name, required);
    if (v == nullptr) return false;
    if (!v->is_object()) {
      add(access_errc::wrong_type, path_of(name), expected("an object", *v));
      return true;
    }
    const std::string base = path_of(name);
    for (const auto& m : *v->get_ptr<const nlohmann::json::object_t*>()) {
      object_reader child(m.second, pointer_child(base, m.first));
      if (child.object_ != nullptr) read(m.first, child);
      absorb(child);
    }
    return true;
  }

  template <class F>
  bool read_object_array(std::string_view name, bool required, F& read, allow_empty empty_list) {
    const nlohmann::json* v = lookup(name, required);
    if (v == nullptr) return false;
    if (!v->is_array()) {
      add(access_errc::wrong_type, path_of(name), expected("an array of objects", *v));
      return true;
    }
    if (v->empty() && empty_list == allow_empty::no) {
      add(access_errc::empty, path_of(name), "must not be an empty list");
      return true;
    }
    const std::string base = path_of(name);
    for (std::size_t i = 0; i < v->size(); ++i) {
      object_reader child((*v)[i], pointer_child(base, i));
      if (child.object_ != nullptr) read(i, child);
      absorb(child);
    }
    return true;
  }

  std::string path_;
  const nlohmann::json::object_t* object_ = nullptr;
  // The names looked up so far. A reader asks for a fixed, small set of names (a couple of dozen
  // at most), so a vector searched linearly beats a std::set's node allocation per name.
  std::vector<std::string> read_;
  std::vector<access_error> errors_;
  bool allow_unknown_ = false;
  bool finished_ = false;
};

}  // namespace json
ASSENT_END_NAMESPACE
