/// @file
/// Chain verification: is a log (a file, or its text) an intact chain, and does it still hold
/// everything a signed checkpoint says it held?
///
/// The answer is OK with the record count and head hash, or the first bad sequence number and
/// why. Checks per line, in this order: the line is a well-formed canonical record (else
/// malformed_line, or truncated_line for bytes after the last newline), seq is the next number
/// (sequence_gap: a deleted, inserted or reordered record), the hash matches the content
/// (hash_mismatch: an edited record), prev is the previous hash (prev_mismatch: a record
/// rebuilt or moved with its own hash recomputed). Then, with a checkpoint: the record at the
/// checkpoint's count has its head hash (checkpoint_head_mismatch), and the log is not shorter
/// (fewer_than_checkpoint: a cut-back that the chain alone cannot show).
#pragma once

#include <fcntl.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assent/audit/checkpoint.hpp"
#include "assent/audit/detail/posix_file.hpp"
#include "assent/audit/record.hpp"
#include "assent/config.hpp"
#include "assent/keys/key_store.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {

/// Why a log failed verification. Values are stable; to_string gives the code.
enum class chain_errc : std::uint8_t {
  not_verified = 0,                  ///< default: nothing was verified
  ok = 1,                            ///< an intact chain (consistent with the checkpoint, if any)
  malformed_line = 2,                ///< not a canonical record line
  truncated_line = 3,                ///< bytes after the last newline: a torn or cut write
  sequence_gap = 4,                  ///< seq is not the previous seq + 1
  prev_mismatch = 5,                 ///< prev is not the previous record's hash
  hash_mismatch = 6,                 ///< hash is not the hash of the record's content
  fewer_than_checkpoint = 7,         ///< the log holds fewer records than the checkpoint signed
  checkpoint_signature_invalid = 8,  ///< the checkpoint is not signed by a trusted key
  checkpoint_head_mismatch = 9,      ///< the record at the checkpoint's count has another hash
  checkpoint_malformed = 10,         ///< the checkpoint is not a checkpoint (or of another log)
  io_error = 11,                     ///< the log or checkpoint could not be read
};

/// The stable snake_case name of a chain_errc.
[[nodiscard]] constexpr std::string_view to_string(chain_errc c) noexcept {
  switch (c) {
    case chain_errc::not_verified: return "not_verified";
    case chain_errc::ok: return "ok";
    case chain_errc::malformed_line: return "malformed_line";
    case chain_errc::truncated_line: return "truncated_line";
    case chain_errc::sequence_gap: return "sequence_gap";
    case chain_errc::prev_mismatch: return "prev_mismatch";
    case chain_errc::hash_mismatch: return "hash_mismatch";
    case chain_errc::fewer_than_checkpoint: return "fewer_than_checkpoint";
    case chain_errc::checkpoint_signature_invalid: return "checkpoint_signature_invalid";
    case chain_errc::checkpoint_head_mismatch: return "checkpoint_head_mismatch";
    case chain_errc::checkpoint_malformed: return "checkpoint_malformed";
    case chain_errc::io_error: return "io_error";
  }
  return "unknown";
}

/// The outcome of verifying a log. Default: a failure (not_verified).
struct chain_result {
  chain_errc code = chain_errc::not_verified;    ///< ok or the first fault
  std::uint64_t count = 0;                       ///< records verified before the fault (all, when ok)
  std::string head = std::string(genesis_hash);  ///< hash of record `count`
  std::uint64_t bad_seq = 0;                     ///< sequence number of the first bad record (0 when ok)
  std::string message;                           ///< detail for a human
  std::uint64_t good_bytes = 0;                  ///< bytes of the log up to and including record `count`
  /// True for an intact chain.
  [[nodiscard]] bool ok() const noexcept { return code == chain_errc::ok; }
};

/// One verified record, as handed to a visitor.
struct record_view {
  std::uint64_t seq = 0;                 ///< its sequence number
  std::int64_t time = 0;                 ///< its time (UTC seconds)
  std::string_view hash;                 ///< its chain hash
  const nlohmann::json* event = nullptr; ///< its event (an object with a string "type")
};

/// Called with each record once it is verified (in sequence order).
using record_visitor = std::function<void(const record_view&)>;

/// Verifies a chain one line at a time. After the first fault it ignores further lines.
class chain_verifier {
 public:
  /// A verifier of a chain from its first record; with a checkpoint (already authenticated,
  /// see open_checkpoint) the chain must also agree with it.
  explicit chain_verifier(std::optional<checkpoint> cp = std::nullopt) : cp_(std::move(cp)) {}

  /// Checks the next record line (without its newline); false at the first fault.
  bool feed(std::string_view line, std::uint64_t line_bytes_with_newline, const record_visitor* visit = nullptr) {
    if (done()) return false;
    const std::uint64_t expect = res_.count + 1;
    auto lr = parse_record(line);
    switch (lr.code) {
      case line_errc::ok: break;
      case line_errc::hash_mismatch:
        // A record that is in sequence but whose content does not match its hash was edited;
        // one that is out of sequence is better reported as a gap.
        if (lr.record && lr.record->seq != expect) return fail(chain_errc::sequence_gap, expect, gap(expect, lr.record->seq));
        return fail(chain_errc::hash_mismatch, expect, lr.message);
      default: return fail(chain_errc::malformed_line, expect, lr.message);
    }
    const parsed_record& r = *lr.record;
    if (r.seq != expect) return fail(chain_errc::sequence_gap, expect, gap(expect, r.seq));
    if (r.prev != res_.head)
      return fail(chain_errc::prev_mismatch, expect, "prev is " + r.prev + ", the previous record's hash is " + res_.head);
    if (cp_ && r.seq == cp_->count && r.hash != cp_->head)
      return fail(chain_errc::checkpoint_head_mismatch, expect,
                  "record " + std::to_string(r.seq) + " has hash " + r.hash + ", the checkpoint signed " + cp_->head);
    res_.count = r.seq;
    res_.head = r.hash;
    res_.good_bytes += line_bytes_with_newline;
    if (visit && *visit) (*visit)(record_view{r.seq, r.time, r.hash, &r.event});
    return true;
  }

  /// Records a fault found outside a line (a torn tail, an I/O error); returns false.
  bool fail(chain_errc code, std::uint64_t seq, std::string message) {
    if (done()) return false;
    res_.code = code;
    res_.bad_seq = seq;
    res_.message = "record " + std::to_string(seq) + ": " + std::move(message);
    return false;
  }

  /// Ends verification: ok, unless a fault was seen or the chain is shorter than the checkpoint.
  [[nodiscard]] chain_result finish() {
    if (!done()) {
      if (cp_ && res_.count < cp_->count) {
        fail(chain_errc::fewer_than_checkpoint, res_.count + 1,
             "missing: the log holds " + std::to_string(res_.count) + " records, the checkpoint signed " +
                 std::to_string(cp_->count));
      } else {
        res_.code = chain_errc::ok;
      }
    }
    return res_;
  }

  /// True once a fault was recorded.
  [[nodiscard]] bool done() const noexcept { return res_.code != chain_errc::not_verified; }
  /// The state so far (count and head of the verified prefix).
  [[nodiscard]] const chain_result& state() const noexcept { return res_; }

 private:
  static std::string gap(std::uint64_t expect, std::uint64_t got) {
    return "expected seq " + std::to_string(expect) + ", found " + std::to_string(got);
  }
  std::optional<checkpoint> cp_;
  chain_result res_;
};

namespace detail {

// A checkpoint fault as a chain result.
inline chain_result checkpoint_failure(const checkpoint_result& cr) {
  chain_result out;
  switch (cr.code) {
    case checkpoint_errc::signature_invalid: out.code = chain_errc::checkpoint_signature_invalid; break;
    case checkpoint_errc::io_error: out.code = chain_errc::io_error; break;
    default: out.code = chain_errc::checkpoint_malformed; break;
  }
  out.message = "checkpoint: " + cr.error;
  return out;
}

}  // namespace detail

/// Verifies a log held in memory (its whole text, JSON Lines). `cp` must already be
/// authenticated (open_checkpoint); see verify_log_text_signed for an envelope. Never throws
/// (an allocation failure is reported as io_error).
[[nodiscard]] inline chain_result verify_log_text(std::string_view text, const std::optional<checkpoint>& cp = std::nullopt,
                                                  const record_visitor& visit = {}) noexcept {
  try {
    chain_verifier v(cp);
    std::size_t pos = 0;
    while (pos < text.size()) {
      const auto nl = text.find('\n', pos);
      if (nl == std::string_view::npos) {
        v.fail(chain_errc::truncated_line, v.state().count + 1, "the last line has no newline (a torn or cut write)");
        break;
      }
      if (nl - pos > max_record_bytes) {
        v.fail(chain_errc::malformed_line, v.state().count + 1, "line longer than " + std::to_string(max_record_bytes) + " bytes");
        break;
      }
      if (!v.feed(text.substr(pos, nl - pos), nl + 1 - pos, &visit)) break;
      pos = nl + 1;
    }
    return v.finish();
  } catch (...) {
    chain_result out;
    out.code = chain_errc::io_error;
    out.message = "out of memory";
    return out;
  }
}

/// Verifies a log file, streaming (memory stays bounded by one record). See verify_log_text.
[[nodiscard]] inline chain_result verify_log_file(const std::string& path, const std::optional<checkpoint>& cp = std::nullopt,
                                                  const record_visitor& visit = {}) noexcept {
  try {
    chain_verifier v(cp);
    detail::unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
      v.fail(chain_errc::io_error, 1, detail::errno_message("cannot open " + path, errno));
      return v.finish();
    }
    detail::line_reader reader(fd.get(), max_record_bytes);
    for (;;) {
      std::string_view line;
      const auto st = reader.next(line);
      const std::uint64_t next = v.state().count + 1;
      if (st == detail::line_reader::status::end) break;
      if (st == detail::line_reader::status::error) {
        v.fail(chain_errc::io_error, next, detail::errno_message("cannot read " + path, reader.errno_value()));
        break;
      }
      if (st == detail::line_reader::status::too_long) {
        v.fail(chain_errc::malformed_line, next, "line longer than " + std::to_string(max_record_bytes) + " bytes");
        break;
      }
      if (st == detail::line_reader::status::unterminated) {
        v.fail(chain_errc::truncated_line, next, "the last line has no newline (a torn or cut write)");
        break;
      }
      if (!v.feed(line, reader.line_end() - reader.line_start(), &visit)) break;
    }
    return v.finish();
  } catch (...) {
    chain_result out;
    out.code = chain_errc::io_error;
    out.message = "out of memory";
    return out;
  }
}

/// Verifies log file `log_id` against a signed checkpoint envelope: the checkpoint must verify
/// under a key of `keys` bound to `log_id` and name `log_id` (see open_checkpoint), then the
/// chain must agree with it.
[[nodiscard]] inline chain_result verify_log_file_signed(const std::string& path, std::string_view checkpoint_envelope,
                                                         const key_store& keys, std::string_view log_id,
                                                         const record_visitor& visit = {}) noexcept {
  const auto cr = open_checkpoint(checkpoint_envelope, keys, log_id);
  if (!cr.ok()) return detail::checkpoint_failure(cr);
  return verify_log_file(path, cr.value, visit);
}

/// Verifies log `log_id`, held in memory, against a signed checkpoint envelope.
[[nodiscard]] inline chain_result verify_log_text_signed(std::string_view text, std::string_view checkpoint_envelope,
                                                         const key_store& keys, std::string_view log_id,
                                                         const record_visitor& visit = {}) noexcept {
  const auto cr = open_checkpoint(checkpoint_envelope, keys, log_id);
  if (!cr.ok()) return detail::checkpoint_failure(cr);
  return verify_log_text(text, cr.value, visit);
}

}  // namespace audit
ASSENT_END_NAMESPACE
