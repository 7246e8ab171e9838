/// @file
/// Audit records: one hash-chained JSON line per event (docs/audit-format.md).
///
/// A record is the RFC 8785 (JCS) form of {"event", "hash", "prev", "seq", "time"} followed by
/// "\n". `hash` is "sha256:" + hex of SHA-256 over the JCS form of the same object without its
/// hash member; `prev` is the previous record's hash (64 zeros before the first record). The
/// five member names are ASCII and the scalar members never need escaping, so both forms are
/// assembled from the canonical event by concatenation in JCS member order (event, hash, prev,
/// seq, time); tests check the result against json::canonicalize of the whole object.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/sink.hpp"
#include "assent/config.hpp"
#include "assent/crypto/sha256.hpp"
#include "assent/encoding.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/json/time.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {

/// Prefix of every chain hash.
inline constexpr std::string_view hash_prefix = "sha256:";
/// The `prev` of record 1: "sha256:" and 64 zeros.
inline constexpr std::string_view genesis_hash =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
/// Largest sequence number: JCS writes numbers as IEEE-754 doubles (RFC 8785 §3.2.2.3), which
/// hold every integer up to 2^53 - 1 exactly.
inline constexpr std::uint64_t max_seq = (std::uint64_t{1} << 53) - 1;
/// Longest record line in bytes, newline excluded; readers refuse longer lines.
inline constexpr std::size_t max_record_bytes = std::size_t{1} << 20;
/// Deepest nesting of a record line (the record object is depth 1, its event depth 2).
inline constexpr std::size_t max_record_depth = 32;
/// Most members of one object or elements of one array anywhere in a record.
inline constexpr std::size_t max_container_size = std::size_t{1} << 16;

/// The limits readers apply to one record line; writers refuse events that would break them.
[[nodiscard]] inline json::parse_limits record_parse_limits() noexcept {
  json::parse_limits l;
  l.max_bytes = max_record_bytes;
  l.max_depth = max_record_depth;
  l.max_string_bytes = max_record_bytes;
  l.max_object_members = max_container_size;
  l.max_array_elements = max_container_size;
  return l;
}

/// Where a chain stands: how many records it holds and the hash of the last one.
struct chain_head {
  std::uint64_t count = 0;                   ///< records so far (the last seq)
  std::string hash = std::string(genesis_hash);  ///< hash of record `count` (genesis when 0)
};

/// A record ready to be written.
struct built_record {
  std::uint64_t seq = 0;  ///< its sequence number
  std::string hash;       ///< its chain hash, "sha256:<hex>"
  std::string line;       ///< the JCS record and a trailing "\n", as written to the log
};

namespace detail {

// "sha256:" + lowercase hex of a digest.
inline void append_hash(std::string& out, const crypto::sha256::digest_type& d) {
  out += hash_prefix;
  out += hex_encode(d);
}

// True for "sha256:" followed by exactly 64 lowercase hex digits (the only form assent writes).
[[nodiscard]] inline bool is_chain_hash(std::string_view s) noexcept {
  if (s.size() != hash_prefix.size() + 64 || s.substr(0, hash_prefix.size()) != hash_prefix) return false;
  for (std::size_t i = hash_prefix.size(); i < s.size(); ++i) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Walks canonical JSON text and checks the nesting depth and container sizes that readers
// enforce (record_parse_limits), without building a value. `base_depth` is the depth of the
// container holding the text. Strings are skipped with memchr: in valid JSON a '"' ends a
// string unless an odd number of backslashes precedes it.
[[nodiscard]] inline bool within_reader_limits(std::string_view text, std::size_t base_depth) noexcept {
  // A container's entries are its commas plus one, so counting commas is enough.
  std::array<std::size_t, max_record_depth + 1> commas{};
  std::size_t depth = base_depth;
  const char* const p = text.data();
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    switch (p[i]) {
      case '"': {
        std::size_t from = i + 1;
        for (;;) {
          const void* q = from < n ? std::memchr(p + from, '"', n - from) : nullptr;
          if (!q) return false;
          const auto k = static_cast<std::size_t>(static_cast<const char*>(q) - p);
          std::size_t backslashes = 0;
          while (k - backslashes > i + 1 && p[k - 1 - backslashes] == '\\') ++backslashes;
          if (backslashes % 2 == 0) {
            i = k;
            break;
          }
          from = k + 1;
        }
        break;
      }
      case '{':
      case '[':
        if (++depth > max_record_depth) return false;
        commas[depth] = 0;
        break;
      case '}':
      case ']':
        if (depth <= base_depth) return false;
        --depth;
        break;
      case ',':
        if (depth > base_depth && ++commas[depth] >= max_container_size) return false;
        break;
      default: break;
    }
  }
  return depth == base_depth;
}

// {"event":E,"hash":"H","prev":"P","seq":N,"time":"T"}: the record line without its newline.
inline void append_record_form(std::string& out, std::string_view event, std::string_view hash,
                               std::string_view prev, std::uint64_t seq, std::string_view time) {
  out += "{\"event\":";
  out += event;
  out += ",\"hash\":\"";
  out += hash;
  out += "\",\"prev\":\"";
  out += prev;
  out += "\",\"seq\":";
  out += std::to_string(seq);
  out += ",\"time\":\"";
  out += time;
  out += "\"}";
}

// The chain hash of a record from its parts: SHA-256 over
// {"event":E,"prev":"P","seq":N,"time":"T"} (the record without hash, in JCS member order),
// fed piece by piece instead of assembled.
// The hash is split where the record's place in the chain begins: hash_event_part covers what
// the event alone decides (most of the bytes), finish_hash the rest.
[[nodiscard]] inline crypto::sha256 hash_event_part(std::string_view event) noexcept {
  crypto::sha256 h;
  h.update(std::string_view("{\"event\":"));
  h.update(event);
  h.update(std::string_view(",\"prev\":\""));
  return h;
}

[[nodiscard]] inline std::string finish_hash(crypto::sha256 h, std::string_view prev, std::uint64_t seq,
                                             std::string_view time) {
  h.update(prev);
  h.update(std::string_view("\",\"seq\":"));
  h.update(std::to_string(seq));
  h.update(std::string_view(",\"time\":\""));
  h.update(time);
  h.update(std::string_view("\"}"));
  std::string out;
  out.reserve(hash_prefix.size() + 64);
  append_hash(out, h.final());
  return out;
}

[[nodiscard]] inline std::string hash_parts(std::string_view event, std::string_view prev, std::uint64_t seq,
                                            std::string_view time) {
  return finish_hash(hash_event_part(event), prev, seq, time);
}

// The size and shape checks every canonical event passes before it may become a record: room
// for the record's own members (256 bytes) within max_record_bytes, and the reader limits. A
// writer that knows its event's shape (canonical_decision_event: depth 3, lists it counted)
// checks that itself and passes check_shape = false.
[[nodiscard]] inline canonical_event recordable(std::string text, bool check_shape = true) {
  canonical_event out;
  if (text.size() > max_record_bytes - 256) {
    out.error = "the audit event is too large (" + std::to_string(text.size()) + " bytes)";
    return out;
  }
  if (check_shape && !within_reader_limits(text, 1)) {
    out.error = "the audit event nests deeper than " + std::to_string(max_record_depth - 1) +
                " levels or has a container of more than " + std::to_string(max_container_size) + " entries";
    return out;
  }
  out.text = std::move(text);
  return out;
}

// The end of the JSON string whose opening quote is at p[i]: the index of its closing quote,
// or n when it has none.
[[nodiscard]] inline std::size_t string_end(const char* p, std::size_t n, std::size_t i) noexcept {
  std::size_t from = i + 1;
  for (;;) {
    const void* q = from < n ? std::memchr(p + from, '"', n - from) : nullptr;
    if (!q) return n;
    const auto k = static_cast<std::size_t>(static_cast<const char*>(q) - p);
    std::size_t backslashes = 0;
    while (k - backslashes > i + 1 && p[k - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return k;
    from = k + 1;
  }
}

// True when canonical event text has a top-level member "type" whose value is a reserved type
// (or when the text is too broken to tell, which no sink should record either). A scan of the
// top level, no parse: it runs for every host event a built-in sink records.
[[nodiscard]] inline bool names_reserved_type(std::string_view text) noexcept {
  const char* const p = text.data();
  const std::size_t n = text.size();
  std::size_t depth = 0;
  bool expect_name = false;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (c == '"') {
      const std::size_t end = string_end(p, n, i);
      if (end == n) return true;
      if (depth == 1 && expect_name) {
        expect_name = false;
        if (std::string_view(p + i + 1, end - i - 1) == "type" && end + 2 < n && p[end + 1] == ':' && p[end + 2] == '"') {
          const std::size_t vend = string_end(p, n, end + 2);
          if (vend == n) return true;
          if (is_reserved_event_type(std::string_view(p + end + 3, vend - end - 3))) return true;
          i = vend;
          continue;
        }
      }
      i = end;
    } else if (c == '{' || c == '[') {
      ++depth;
      expect_name = c == '{' && depth == 1;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return true;
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_name = true;
    }
  }
  return false;
}

// Why a sink must not record `ce`, if it must not: it failed, or it carries a reserved type
// without being assent's own (see canonical_event).
[[nodiscard]] inline std::optional<std::string> refusal(const canonical_event& ce) {
  if (!ce.ok()) return ce.error.empty() ? std::string("empty audit event") : ce.error;
  if (!ce.by_assent() && names_reserved_type(ce.text))
    return std::string("event types \"decision\" and \"log_repaired\" are reserved: assent writes those records itself");
  return std::nullopt;
}

}  // namespace detail

/// Checks that an event can be recorded and returns its JCS form: it must be an object with a
/// string member "type" that is not reserved (is_reserved_event_type: decision records come from
/// the verifier alone), have a JCS form (no NaN, valid UTF-8), and stay within the limits
/// readers apply to a record line. Never throws.
[[nodiscard]] inline canonical_event canonicalize_event(const nlohmann::json& event) noexcept {
  canonical_event out;
  try {
    if (!event.is_object()) {
      out.error = "an audit event must be a JSON object";
      return out;
    }
    const auto type = event.find("type");
    if (type == event.end() || !type->is_string() || type->get_ref<const std::string&>().empty()) {
      out.error = "an audit event needs a non-empty string member \"type\"";
      return out;
    }
    if (is_reserved_event_type(type->get_ref<const std::string&>())) {
      out.error = "an audit event of type \"" + type->get<std::string>() +
                  "\" is written by assent itself; a host event needs another type";
      return out;
    }
    auto text = json::canonicalize(event);
    if (!text) {
      out.error = "the audit event has no canonical JSON form (a NaN or infinite number, or invalid UTF-8)";
      return out;
    }
    return detail::recordable(std::move(*text));
  } catch (...) {  // std::bad_alloc
    out.text.clear();
    out.error = "out of memory while canonicalizing the audit event";
  }
  return out;
}

/// What a record owes to its event and time alone, computed before its place in the chain is
/// known: the RFC 3339 time and the SHA-256 state over the event. A sink drafts outside its lock
/// and holds the lock only to chain the draft (append_record), which hashes about 120 bytes
/// instead of the whole event, so concurrent appenders rarely wait for each other.
struct record_draft {
  std::string_view event;   ///< the canonical event text (borrowed: must outlive the draft)
  std::string time;         ///< `time` in RFC 3339 form
  crypto::sha256 hashed;    ///< SHA-256 state after {"event":E,"prev":"
};

/// Drafts a record of `event` (from canonicalize_event) observed at `time`. Returns nullopt when
/// `time` has no RFC 3339 form (outside years 0000-9999). Never throws (nullopt on allocation
/// failure).
[[nodiscard]] inline std::optional<record_draft> draft_record(std::string_view event, std::int64_t time) noexcept {
  try {
    record_draft d{event, json::format_rfc3339(time), detail::hash_event_part(event)};
    if (d.time.empty()) return std::nullopt;
    return d;
  } catch (...) {
    return std::nullopt;
  }
}

/// Chains a draft after `head`: appends its record line (with the newline) to `out` and returns
/// the new head, or nullopt when the chain is full (max_seq). On an exception (std::bad_alloc)
/// `out` is left as it was.
[[nodiscard]] inline std::optional<chain_head> append_record(std::string& out, const record_draft& draft,
                                                            const chain_head& head) {
  if (head.count >= max_seq) return std::nullopt;
  chain_head next{head.count + 1, detail::finish_hash(draft.hashed, head.hash, head.count + 1, draft.time)};
  const std::size_t mark = out.size();
  try {
    out.reserve(mark + draft.event.size() + 272);
    detail::append_record_form(out, draft.event, next.hash, head.hash, next.count, draft.time);
    out.push_back('\n');
  } catch (...) {
    out.resize(mark);
    throw;
  }
  return next;
}

/// Builds the record that follows `head`: seq head.count + 1, prev head.hash. `event` must come
/// from canonicalize_event. Returns nullopt when the chain is full (max_seq) or `time` has no
/// RFC 3339 form (outside years 0000-9999). Never throws (nullopt on allocation failure).
[[nodiscard]] inline std::optional<built_record> build_record(const chain_head& head, std::string_view event,
                                                              std::int64_t time) noexcept {
  try {
    const auto draft = draft_record(event, time);
    if (!draft) return std::nullopt;
    built_record r;
    auto next = append_record(r.line, *draft, head);
    if (!next) return std::nullopt;
    r.seq = next->count;
    r.hash = std::move(next->hash);
    return r;
  } catch (...) {
    return std::nullopt;
  }
}

/// A record read back from a line and checked on its own (canonical form, own hash).
struct parsed_record {
  std::uint64_t seq = 0;    ///< its sequence number
  std::int64_t time = 0;    ///< UTC seconds
  std::string prev;         ///< previous record's hash
  std::string hash;         ///< its own hash (verified against its content)
  nlohmann::json event;     ///< the event object
};

/// Why a single line is not a good record.
enum class line_errc : std::uint8_t {
  not_checked = 0,    ///< default: nothing was checked
  ok = 1,             ///< a well-formed canonical record whose hash matches its content
  unparsable = 2,     ///< not JSON text (or over the reader limits): typical of a torn write
  not_a_record = 3,   ///< JSON, but not an object with exactly the five members and their types
  not_canonical = 4,  ///< a record, but its bytes are not the JCS form of its value
  hash_mismatch = 5,  ///< the hash member is not the hash of the record's content
};

/// The outcome of parse_record.
struct line_result {
  line_errc code = line_errc::not_checked;  ///< ok or why not
  std::string message;                      ///< detail for a human
  std::optional<parsed_record> record;      ///< set when the line is a record (even on hash_mismatch)
};

/// Reads one record line (no trailing newline) and checks everything that does not depend on
/// the rest of the chain: JSON syntax under record_parse_limits, exactly the members event
/// (object with a string "type"), hash, prev, seq (1..max_seq), time (RFC 3339 as written by
/// assent), the bytes being the record's JCS form, and the hash. Never throws.
[[nodiscard]] inline line_result parse_record(std::string_view line) noexcept {
  line_result out;
  try {
    auto parsed = json::parse_strict(line, record_parse_limits());
    if (!parsed.ok()) {
      out.code = line_errc::unparsable;
      out.message = "not JSON: " + std::string(json::to_string(parsed.error.code)) + " at byte " +
                    std::to_string(parsed.error.offset);
      return out;
    }
    nlohmann::json& v = *parsed.value;
    auto shape_error = [&](const char* why) {
      out.code = line_errc::not_a_record;
      out.message = why;
      return out;
    };
    if (!v.is_object() || v.size() != 5) return shape_error("not an object with exactly event, hash, prev, seq, time");
    auto ev = v.find("event"), hs = v.find("hash"), pv = v.find("prev"), sq = v.find("seq"), tm = v.find("time");
    if (ev == v.end() || hs == v.end() || pv == v.end() || sq == v.end() || tm == v.end())
      return shape_error("not an object with exactly event, hash, prev, seq, time");
    if (!ev->is_object()) return shape_error("event is not an object");
    auto ty = ev->find("type");
    if (ty == ev->end() || !ty->is_string() || ty->get_ref<const std::string&>().empty())
      return shape_error("event has no non-empty string type");
    if (!hs->is_string() || !detail::is_chain_hash(hs->get_ref<const std::string&>()))
      return shape_error("hash is not \"sha256:\" and 64 lowercase hex digits");
    if (!pv->is_string() || !detail::is_chain_hash(pv->get_ref<const std::string&>()))
      return shape_error("prev is not \"sha256:\" and 64 lowercase hex digits");
    if (!sq->is_number_unsigned() || sq->get<std::uint64_t>() < 1 || sq->get<std::uint64_t>() > max_seq)
      return shape_error("seq is not an integer from 1 to 2^53-1");
    if (!tm->is_string()) return shape_error("time is not a string");
    const std::string& ts = tm->get_ref<const std::string&>();
    const auto t = json::parse_rfc3339(ts);
    if (!t || json::format_rfc3339(*t) != ts) return shape_error("time is not RFC 3339 UTC as YYYY-MM-DDTHH:MM:SSZ");

    parsed_record r;
    r.seq = sq->get<std::uint64_t>();
    r.time = *t;
    r.prev = pv->get_ref<const std::string&>();
    r.hash = hs->get_ref<const std::string&>();
    const auto event_text = json::canonicalize(*ev);
    if (!event_text) return shape_error("event has no canonical form");
    std::string expect;
    expect.reserve(line.size());
    detail::append_record_form(expect, *event_text, r.hash, r.prev, r.seq, ts);
    if (expect != line) {
      out.code = line_errc::not_canonical;
      out.message = "the line is not the canonical (RFC 8785) form of its record";
      return out;
    }
    const std::string h = detail::hash_parts(*event_text, r.prev, r.seq, ts);
    r.event = std::move(*ev);
    const bool match = h == r.hash;
    out.record = std::move(r);
    if (!match) {
      out.code = line_errc::hash_mismatch;
      out.message = "hash does not match the record's content (computed " + h + ")";
      return out;
    }
    out.code = line_errc::ok;
    return out;
  } catch (...) {
    out.record.reset();
    out.code = line_errc::unparsable;
    out.message = "out of memory while reading the record";
    return out;
  }
}

}  // namespace audit
ASSENT_END_NAMESPACE
