/// @file
/// The JSON Lines file sink: one record per line, hash-chained, fsync'd as the durability mode
/// says, optionally sealed by signed checkpoints in a sidecar file.
///
/// One writer per log: the sink holds flock(LOCK_EX | LOCK_NB) on the file for its lifetime, so
/// a second sink (in this process or another) fails to open instead of forking the chain.
/// Opening an existing log verifies every record (offline-fast: one parse and two SHA-256 per
/// record) and continues its chain. Only bytes after the last newline can be repaired, and only
/// after the signed checkpoint (if any) agrees with the records before them: a complete record
/// that lost its newline gets it back; the start of a record cut by a crash (and nothing that
/// could be a whole record) is cut off. Either repair is written into the chain as a
/// "log_repaired" record (what was cut and its hash) and reported in recovered_tail(). Any other
/// fault, anywhere, makes opening fail with the record's sequence number and leaves the file as
/// it was. The log is opened with O_NOFOLLOW and must be a regular file holding records.
/// append never throws: failures are receipts with ok == false (the verifier then denies: fail
/// closed), also a write refused for the file-size limit (EFBIG, when SIGXFSZ is ignored).
///
/// Group commit: a thread whose record is not yet durable either leads (writes every queued
/// line with one pwrite and one fdatasync) or waits for the leader's batch to cover it. A thread
/// that blocks on each record can put at most one record into a batch, so few deciding threads
/// mean small batches; submit_canonical + await let one thread keep many records in flight and
/// fill a batch on its own (verifier::decide_deferred).
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/checkpoint.hpp"
#include "assent/audit/detail/posix_file.hpp"
#include "assent/audit/record.hpp"
#include "assent/audit/sink.hpp"
#include "assent/audit/verify.hpp"
#include "assent/clock.hpp"
#include "assent/config.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/keys/signing_key.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {

/// When an append may return relative to the disk.
enum class durability : std::uint8_t {
  none = 0,        ///< after write(): in the page cache; a power loss can lose recent records
  per_record = 1,  ///< after write() and fdatasync() of that record alone
  group = 2,       ///< after an fdatasync() covering it, shared with concurrent appends (default)
};

/// How a file sink behaves.
struct file_sink_options {
  /// Durability of each append.
  durability mode = durability::group;
  /// group mode: the longest an append waits for another thread's fdatasync to cover its record
  /// before it gives up (returns !ok; the record may still be written by a later batch).
  std::chrono::milliseconds group_wait_limit{10000};
  /// group mode: the longest a new leader waits, before its write, for as many threads to be
  /// waiting for durability as were waiting when the last batch became durable (those threads
  /// usually come back at once with their next record), so they share one fdatasync; 0: never
  /// wait. A single-threaded host never waits: only its own thread was waiting.
  std::chrono::microseconds group_linger{200};
  /// The log's id in checkpoints and exports; empty: the file's name.
  std::string log_id;
  /// The log key that signs checkpoints; null: no checkpoints are written.
  std::shared_ptr<const signing_key> checkpoint_key;
  /// Write a checkpoint once this many records were appended since the last (0: not by count).
  std::uint64_t checkpoint_every_records = 1000;
  /// Write a checkpoint this often while records keep arriving (0: not by time).
  std::chrono::seconds checkpoint_every{60};
  /// Keys trusted to have signed an existing checkpoint sidecar (e.g. before a key rotation).
  /// Null: only checkpoint_key's own public key. Borrowed: must outlive open().
  const key_store* checkpoint_trust = nullptr;
  /// The clock of checkpoint times; empty: the system clock.
  std::function<std::int64_t()> clock;
};

/// What opening did to the log's tail. Every repair is itself recorded in the chain, as a
/// "log_repaired" record (docs/audit-format.md), so an auditor sees it.
struct tail_repair {
  bool repaired = false;           ///< opening changed the tail (bytes cut, or a newline appended)
  bool completed = false;          ///< the last record lacked only its newline, which was appended
  std::uint64_t kept_records = 0;  ///< records in the log before the repair record
  std::uint64_t kept_bytes = 0;    ///< the log's size before the repair record
  std::uint64_t removed_bytes = 0; ///< bytes cut (0 when none)
  std::string removed_hash;        ///< "sha256:<hex>" of the bytes cut (empty when none)
  std::uint64_t record_seq = 0;    ///< seq of the log_repaired record that audits the repair
  std::string reason;              ///< what was wrong with the tail
};

class file_sink;

/// The outcome of file_sink::open. Default: a failure.
struct file_sink_open_result {
  std::unique_ptr<file_sink> sink;  ///< the open sink, or null
  std::string error;                ///< why opening failed
  chain_result verification;        ///< the existing log's verification (also on failure)
  tail_repair repair;               ///< a torn tail that was cut back
  bool checkpoint_verified = false; ///< an existing sidecar was verified and agrees with the log
  /// True when sink is usable.
  [[nodiscard]] bool ok() const noexcept { return sink != nullptr; }
};

/// The JSON Lines audit log file. Thread-safe; see the file comment.
class file_sink final : public audit_sink {
 public:
  /// Opens (creating if absent) the log at `path`, takes the writer lock, verifies it, checks an
  /// existing checkpoint sidecar, then repairs a torn tail (see the file comment). Never throws.
  [[nodiscard]] static file_sink_open_result open(const std::string& path, file_sink_options options = {}) noexcept;

  /// Appends one record (see audit_sink). Never throws.
  [[nodiscard]] audit_receipt append(const nlohmann::json& event, std::int64_t time) override;
  /// Appends an event already in canonical form (how the verifier records decisions).
  [[nodiscard]] audit_receipt append_canonical(const canonical_event& event, std::int64_t time) override;
  /// group mode: chains the record and queues it for the next batch without waiting (a pending
  /// ticket); the other modes append at once (a settled ticket). Never throws.
  [[nodiscard]] audit_ticket submit_canonical(const canonical_event& event, std::int64_t time) override;
  /// Waits, at most group_wait_limit, until a batch covering the ticket's record is durable,
  /// leading that batch (without group_linger) when no other thread is writing one. Never throws.
  [[nodiscard]] audit_receipt await(const audit_ticket& ticket) override;

  /// Flushes, writes a final checkpoint, releases the lock. Idempotent; returns the first
  /// error met, if any. Appends after close fail.
  std::optional<std::string> close() noexcept;

  /// Writes a checkpoint for the records acknowledged so far (if any are new), now.
  std::optional<std::string> checkpoint_now() noexcept { return write_checkpoint(); }

  /// Closes (see close()).
  ~file_sink() override { (void)close(); }
  file_sink(const file_sink&) = delete;
  file_sink& operator=(const file_sink&) = delete;

  /// The repair made at open (repaired == false when there was none).
  [[nodiscard]] const tail_repair& recovered_tail() const noexcept { return repair_; }
  /// Count and hash of the last acknowledged record.
  [[nodiscard]] chain_head head() const {
    std::lock_guard<std::mutex> lk(mutex_);
    return acked_;
  }
  /// Why the sink refuses appends after an I/O failure (empty while healthy).
  [[nodiscard]] std::string failure() const {
    std::lock_guard<std::mutex> lk(mutex_);
    return failure_;
  }
  /// The last checkpoint write error (empty when the last write succeeded or none was due).
  [[nodiscard]] std::string checkpoint_error() const {
    std::lock_guard<std::mutex> lk(mutex_);
    return checkpoint_error_;
  }
  /// The log file.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// The checkpoint sidecar: the log's path + ".checkpoint".
  [[nodiscard]] const std::string& checkpoint_path() const noexcept { return checkpoint_path_; }
  /// The log's id.
  [[nodiscard]] const std::string& log_id() const noexcept { return log_id_; }
  /// The durability mode.
  [[nodiscard]] durability mode() const noexcept { return options_.mode; }

 private:
  file_sink(std::string path, file_sink_options options) : path_(std::move(path)), options_(std::move(options)) {
    checkpoint_path_ = path_ + ".checkpoint";
    log_id_ = options_.log_id;
    if (log_id_.empty()) {
      const auto slash = path_.find_last_of('/');
      log_id_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    }
  }

  [[nodiscard]] std::int64_t now() const {
    return options_.clock ? options_.clock() : system_clock{}.now();
  }
  [[nodiscard]] std::optional<std::string> open_impl(file_sink_open_result& res);
  [[nodiscard]] std::optional<std::string> repair_tail(file_sink_open_result& res, std::uint64_t file_size,
                                                       const std::string& reason);
  [[nodiscard]] std::unique_lock<std::mutex> lock_briefly();
  [[nodiscard]] bool usable_locked(audit_receipt& out) const;
  void acknowledge_locked(const chain_head& h);
  void flush_locked(std::unique_lock<std::mutex>& lk);
  [[nodiscard]] static std::optional<record_draft> draft(const canonical_event& ce, std::int64_t time, audit_receipt& out);
  [[nodiscard]] bool submit_locked(const record_draft& draft, audit_receipt& out);
  void wait_durable_locked(std::unique_lock<std::mutex>& lk, audit_receipt& out, bool linger);
  std::optional<std::string> write_checkpoint() noexcept;
  void checkpointer_loop();

  std::string path_, checkpoint_path_, log_id_;
  file_sink_options options_;
  detail::unique_fd fd_;
  tail_repair repair_;

  mutable std::mutex mutex_;
  std::condition_variable flushed_cv_;  // group: a batch became durable (or failed)
  chain_head head_;                     // last record built (chained, maybe not yet written)
  chain_head acked_;                    // last record acknowledged (durable as the mode says)
  std::uint64_t write_offset_ = 0;      // file size up to acked_ (group: up to the last batch)
  std::string pending_, spare_;         // group: lines waiting for a leader, a reusable buffer
  std::string line_;                    // none, per_record: the line being written (reused)
  chain_head batch_head_;               // group: last record of the batch being written (leader only)
  bool flushing_ = false;               // group: a leader is writing a batch
  std::vector<std::uint64_t> waiting_;  // group: seq of each thread waiting for a record not yet durable
  std::size_t expected_waiters_ = 1;    // group: how many were waiting when the last batch became durable
  std::condition_variable joined_cv_;   // group: a thread began waiting (for a lingering leader)
  bool opened_ = false;                 // open() succeeded: close() flushes and checkpoints
  bool closed_ = false;
  std::string failure_;                 // set on an I/O failure: the sink is unusable
  std::string checkpoint_error_;

  // Checkpoints: the io mutex serialises writers of the sidecar; the rest is under mutex_.
  std::mutex checkpoint_io_;
  std::optional<std::uint64_t> checkpointed_count_;  // what the sidecar covers
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false, stopping_ = false;
  std::thread checkpointer_;
};

inline file_sink_open_result file_sink::open(const std::string& path, file_sink_options options) noexcept {
  file_sink_open_result res;
  try {
    std::unique_ptr<file_sink> s(new file_sink(path, std::move(options)));
    if (auto err = s->open_impl(res)) {
      res.error = std::move(*err);
      return res;
    }
    s->repair_ = res.repair;
    s->opened_ = true;
    if (s->options_.checkpoint_key &&
        (s->options_.checkpoint_every_records > 0 || s->options_.checkpoint_every.count() > 0)) {
      s->checkpointer_ = std::thread([p = s.get()] { p->checkpointer_loop(); });
    }
    res.sink = std::move(s);
  } catch (const std::exception& e) {
    res.sink.reset();
    res.error = std::string("cannot open the audit log: ") + e.what();
  } catch (...) {
    res.sink.reset();
    res.error = "cannot open the audit log";
  }
  return res;
}

namespace detail {

// True when `tail` (the bytes after the log's last newline) can be what a crash leaves of a
// record being written. A write puts down a prefix of "record\n", so a torn tail is the first
// bytes of a record line, cut anywhere, perhaps followed by zeros (blocks a file system
// allocated but never wrote). No strict prefix of a JSON object is JSON: a complete value
// followed by anything, a raw control byte (canonical JSON escapes them), a tail that does not
// begin like a record, or a parse that fails well before the end cannot be torn; such a tail is
// corruption (a flipped newline, an edit) and is never cut.
[[nodiscard]] inline bool is_torn_record(std::string_view tail) {
  const auto last = tail.find_last_not_of('\0');
  if (last == std::string_view::npos) return true;  // zeros only
  const std::string_view p = tail.substr(0, last + 1);
  constexpr std::string_view start = "{\"event\":{\"";
  if (p.substr(0, std::min(p.size(), start.size())) != start.substr(0, std::min(p.size(), start.size()))) return false;
  for (const char c : p)
    if (static_cast<unsigned char>(c) < 0x20) return false;
  const auto parsed = json::parse_strict(p, record_parse_limits());
  if (parsed.ok() || parsed.error.code == json::parse_errc::trailing_content) return false;
  // A value cut mid-way fails at the cut, or at the start of the token it cut (a literal, a
  // \u escape, a surrogate pair, a UTF-8 sequence, a number): at most a few bytes back.
  return parsed.error.offset + 16 >= p.size();
}

}  // namespace detail

inline std::optional<std::string> file_sink::open_impl(file_sink_open_result& res) {
  bool created = false;
  // O_NOFOLLOW: a symbolic link planted at the log's path must not make a writer open, cut
  // back or append to the file it points to.
  fd_ = detail::unique_fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600));
  if (fd_.valid()) {
    created = true;
  } else if (errno == EEXIST) {
    fd_ = detail::unique_fd(::open(path_.c_str(), O_RDWR | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
  }
  if (!fd_.valid()) {
    if (errno == ELOOP) return "audit log " + path_ + " is a symbolic link; refusing to follow it (name the file itself)";
    return detail::errno_message("cannot open audit log " + path_, errno);
  }
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return detail::errno_message("cannot stat " + path_, errno);
  if (!S_ISREG(st.st_mode)) return "audit log " + path_ + " is not a regular file";
  if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return "audit log " + path_ + " is already open for writing (another sink holds its lock); one writer per log";
    return detail::errno_message("cannot lock audit log " + path_, errno);
  }
  if (created) {
    // The new directory entry must survive a crash before the first record is acknowledged.
    if (auto err = detail::sync_parent_dir(path_)) return err;
  }

  // The sidecar is read before anything else, so that nothing is changed in a log it refuses.
  std::optional<checkpoint> cp;
  const bool sidecar = ::access(checkpoint_path_.c_str(), F_OK) == 0;
  if (sidecar && (options_.checkpoint_trust || options_.checkpoint_key)) {
    memory_key_store own;
    const key_store* trust = options_.checkpoint_trust;
    if (!trust) {
      const auto& key = *options_.checkpoint_key;
      key_record_spec spec;
      spec.kid = key.kid();
      spec.public_key = key.public_key();
      spec.principal = key.principal().empty() ? log_id_ : key.principal();
      spec.logs = std::vector<std::string>{log_id_};  // the sink's own key signs this log
      auto rec = key_record::create(std::move(spec));
      if (!rec.first) return "checkpoint key: " + rec.second;
      if (auto e = own.add(std::move(*rec.first))) return *e;
      trust = &own;
    }
    const auto cr = read_checkpoint_file(checkpoint_path_, *trust, log_id_);
    if (!cr.ok()) {
      res.verification = detail::checkpoint_failure(cr);
      return "audit log " + path_ + ": " + res.verification.message;
    }
    cp = cr.value;
  }
  std::string head_at_cp;
  chain_verifier v;
  const record_visitor visit = [&](const record_view& r) {
    if (cp && r.seq == cp->count) head_at_cp = std::string(r.hash);
  };
  detail::line_reader reader(fd_.get(), max_record_bytes);
  std::string torn;        // why the tail is cut, when it is
  bool complete = false;   // the tail is a whole record that lacks only its newline
  for (;;) {
    std::string_view line;
    const auto st2 = reader.next(line);
    const std::uint64_t next = v.state().count + 1;
    using rs = detail::line_reader::status;
    if (st2 == rs::end) break;
    if (st2 == rs::error) {
      res.verification = v.state();
      res.verification.code = chain_errc::io_error;
      return detail::errno_message("cannot read audit log " + path_, reader.errno_value());
    }
    if (st2 == rs::too_long) {
      v.fail(chain_errc::malformed_line, next, "line longer than " + std::to_string(max_record_bytes) + " bytes");
      break;
    }
    if (st2 == rs::unterminated) {
      // A record kept whole when only its newline is missing: it may have been acknowledged.
      chain_verifier trial = v;
      if (trial.feed(line, line.size() + 1, &visit)) {
        v = std::move(trial);
        complete = true;
      } else if (detail::is_torn_record(line)) {
        torn = "the last line is the start of a record cut by a crash (no newline)";
      } else {
        v.fail(chain_errc::truncated_line, next,
               "the last line has no newline and is neither a whole record nor the start of one (" +
                   trial.state().message + "); refusing to cut it");
      }
      break;
    }
    // A line with its newline was written whole: if it is not the next record, it is corruption.
    if (!v.feed(line, reader.line_end() - reader.line_start(), &visit)) break;
  }
  chain_result state = v.state();
  if (v.done()) {
    res.verification = state;
    if (state.count == 0 && state.good_bytes == 0)
      return "audit log " + path_ + " is not an audit log, or is corrupt from its first line (" + state.message +
             "); refusing to open or change it";
    return "audit log " + path_ + " is corrupt at " + state.message + "; refusing to open (a bad record is never skipped)";
  }
  state.code = chain_errc::ok;
  state.bad_seq = 0;
  state.message.clear();
  if (!torn.empty() && state.count == 0) {
    res.verification = state;
    return "audit log " + path_ + " holds no complete record, only " + torn +
           "; refusing to cut a file that may not be an audit log (remove it if it is)";
  }
  // The checkpoint is checked before any byte changes: a log cut below what was signed is
  // refused as it is.
  if (cp) {
    if (state.count < cp->count) {
      state.code = chain_errc::fewer_than_checkpoint;
      state.bad_seq = state.count + 1;
      state.message = "record " + std::to_string(state.bad_seq) + ": missing: the log holds " +
                      std::to_string(state.count) + " records, the checkpoint signed " + std::to_string(cp->count);
      res.verification = state;
      return "audit log " + path_ + " was cut back: " + state.message;
    }
    if (cp->count > 0 && head_at_cp != cp->head) {
      state.code = chain_errc::checkpoint_head_mismatch;
      state.bad_seq = cp->count;
      state.message = "record " + std::to_string(cp->count) + " does not have the hash the checkpoint signed";
      res.verification = state;
      return "audit log " + path_ + ": " + state.message;
    }
    res.checkpoint_verified = true;
    checkpointed_count_ = cp->count;
  }
  head_.count = acked_.count = state.count;
  head_.hash = acked_.hash = state.head;
  write_offset_ = state.good_bytes;
  if (complete || !torn.empty()) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (complete) res.repair.completed = true;
    if (auto err = repair_tail(res, size, complete ? std::string("the last record had no newline") : torn)) return err;
    state.count = head_.count;
    state.head = head_.hash;
    state.good_bytes = write_offset_;
  }
  res.verification = state;
  return std::nullopt;
}

// Repairs the tail found by open_impl (head_ and write_offset_ are the good prefix, up to and
// including a record that lacked only its newline) and records the repair as the next record:
// the newline and the repair record go down in one write; cut bytes are cut first, with the
// repair record written and fdatasync'd right after, so a crash in between loses at most the
// record of a cut that removed no record.
inline std::optional<std::string> file_sink::repair_tail(file_sink_open_result& res, std::uint64_t file_size,
                                                         const std::string& reason) {
  tail_repair& rep = res.repair;
  const bool complete = rep.completed;
  // good bytes exclude the missing newline when completing (feed counted it).
  const std::uint64_t cut_at = complete ? write_offset_ - 1 : write_offset_;
  rep.kept_records = head_.count;
  rep.kept_bytes = write_offset_;
  std::string removed;
  if (!complete) {
    if (file_size < cut_at) return "audit log " + path_ + " changed while it was being opened";
    removed.resize(static_cast<std::size_t>(file_size - cut_at));
    std::size_t got = 0;
    while (got < removed.size()) {
      const ssize_t n = ::pread(fd_.get(), &removed[got], removed.size() - got, static_cast<off_t>(cut_at + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return detail::errno_message("cannot read the torn tail of " + path_, n < 0 ? errno : EIO);
      got += static_cast<std::size_t>(n);
    }
    rep.removed_bytes = removed.size();
    rep.removed_hash = std::string(hash_prefix) + hex_encode(crypto::sha256::hash(removed));
  }
  nlohmann::json event = {{"type", std::string(repair_event_type)},
                          {"repair", complete ? "newline_appended" : "torn_tail_cut"},
                          {"after_seq", head_.count},
                          {"at_byte", cut_at},
                          {"dropped_bytes", rep.removed_bytes},
                          {"dropped_sha256", complete ? nlohmann::json() : nlohmann::json(rep.removed_hash)},
                          {"reason", reason}};
  auto text = json::canonicalize(event);
  if (!text) return std::string("cannot record the repair of ") + path_;
  canonical_event ce = detail::recordable(std::move(*text));
  if (!ce.ok()) return "cannot record the repair of " + path_ + ": " + ce.error;
  ce.by_assent_ = true;  // a reserved type only the sink writes
  auto rec = build_record(head_, ce.text, now());
  if (!rec) return "cannot record the repair of " + path_ + " (the clock is outside years 0000-9999, or the chain is full)";
  std::string out = complete ? "\n" + rec->line : rec->line;
  if (!complete && ::ftruncate(fd_.get(), static_cast<off_t>(cut_at)) != 0)
    return detail::errno_message("cannot cut back the torn tail of " + path_, errno);
  if (!detail::pwrite_all(fd_.get(), out, cut_at))
    return detail::errno_message("cannot write the repair record of " + path_, errno);
  if (!detail::sync_data(fd_.get())) return detail::errno_message("cannot fdatasync " + path_, errno);
  head_.count = acked_.count = rec->seq;
  head_.hash = acked_.hash = rec->hash;
  write_offset_ = cut_at + out.size();
  rep.repaired = true;
  rep.record_seq = rec->seq;
  rep.reason = complete ? reason + "; appended it (record " + std::to_string(rep.kept_records) + " kept)"
                        : reason + "; cut " + std::to_string(rep.removed_bytes) + " bytes (" + rep.removed_hash +
                              ") back to record " + std::to_string(rep.kept_records);
  rep.reason += ", recorded as record " + std::to_string(rec->seq);
  return std::nullopt;
}

inline bool file_sink::usable_locked(audit_receipt& out) const {
  if (closed_) {
    out.error = "the audit log " + path_ + " is closed";
    return false;
  }
  if (!failure_.empty()) {
    out.error = "the audit log " + path_ + " refuses appends after an earlier failure: " + failure_;
    return false;
  }
  return true;
}

// Takes mutex_ for an append, trying a little before sleeping on it: an append holds it for
// well under a microsecond (append_record), while a futex sleep and wake-up cost several (more
// in a virtual machine), and two threads appending at once met that often enough to cost a
// third of their throughput in group mode.
inline std::unique_lock<std::mutex> file_sink::lock_briefly() {
  for (int i = 0; i < 100; ++i) {
    if (mutex_.try_lock()) return std::unique_lock<std::mutex>(mutex_, std::adopt_lock);
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();  // tells the core this is a spin (frees the sibling hyperthread)
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
  return std::unique_lock<std::mutex>(mutex_);
}

// Marks records up to h acknowledged and wakes the checkpointer when enough are new.
inline void file_sink::acknowledge_locked(const chain_head& h) {
  acked_ = h;
  const std::uint64_t every = options_.checkpoint_every_records;
  if (options_.checkpoint_key && every > 0 && !checkpoint_due_ &&
      h.count - checkpointed_count_.value_or(0) >= every) {
    checkpoint_due_ = true;
    checkpoint_cv_.notify_one();
  }
}

// Group commit, leader side: write every pending line with one pwrite and one fdatasync while
// the others wait; lines appended meanwhile go into the next batch.
inline void file_sink::flush_locked(std::unique_lock<std::mutex>& lk) {
  flushing_ = true;
  std::string batch = std::move(spare_);
  batch.clear();
  batch.swap(pending_);
  // The batch ends with the last record chained. Copied into a member whose string already
  // has room for a hash, so nothing here allocates once the batch is out of pending_.
  batch_head_.count = head_.count;
  batch_head_.hash.assign(head_.hash);
  const chain_head& batch_head = batch_head_;
  const std::uint64_t offset = write_offset_;
  lk.unlock();
  const bool written = detail::pwrite_all(fd_.get(), batch, offset);
  const int write_errno = errno;
  const bool synced = written && detail::sync_data(fd_.get());
  const int sync_errno = errno;
  bool truncated = false;
  if (!written) truncated = ::ftruncate(fd_.get(), static_cast<off_t>(offset)) == 0;
  lk.lock();
  flushing_ = false;
  // The waiters this batch covers stop counting now, not when they wake up (a leader that comes
  // straight back must not find them still counted); with those still waiting they are the
  // threads expected back for the next batch.
  expected_waiters_ = std::max<std::size_t>(waiting_.size(), 1);
  if (synced) {
    waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(),
                                  [&](std::uint64_t seq) { return seq <= batch_head.count; }),
                   waiting_.end());
    write_offset_ = offset + batch.size();
    acknowledge_locked(batch_head);
  } else {
    // Later records are already chained on this batch, so nothing after it can be written:
    // fail closed. (After a failed fdatasync the kernel may have dropped the pages; whether
    // they reached the disk is unknowable, so the sink does not retry.)
    try {
      failure_ = written ? detail::errno_message("fdatasync failed", sync_errno)
                         : detail::errno_message("write failed", write_errno) +
                               (truncated ? " (partial write cut back)" : " (a partial record may remain; reopen repairs it)");
    } catch (...) {
      failure_.assign("I/O failed");  // short enough to need no allocation: the sink must fail
    }
  }
  batch.clear();
  spare_ = std::move(batch);
  flushed_cv_.notify_all();
}

inline audit_receipt file_sink::append(const nlohmann::json& event, std::int64_t time) {
  return append_canonical(canonicalize_event(event), time);
}

// Drafts the record of `ce` (outside the lock); nullopt, with out.error, when it cannot be one.
inline std::optional<record_draft> file_sink::draft(const canonical_event& ce, std::int64_t time, audit_receipt& out) {
  if (auto refused = detail::refusal(ce)) {
    out.error = std::move(*refused);
    return std::nullopt;
  }
  auto d = draft_record(ce.text, time);
  if (!d) out.error = "cannot build the record (time outside years 0000-9999, or out of memory)";
  return d;
}

// Chains the next record. group: queued for a leader (out.ok stays false until a batch covers
// it). Other modes: written (and fdatasync'd for per_record) now. False, with out.error, when
// there is no record.
inline bool file_sink::submit_locked(const record_draft& draft, audit_receipt& out) {
  if (!usable_locked(out)) return false;
  const bool group = options_.mode == durability::group;
  if (!group) line_.clear();
  auto h = append_record(group ? pending_ : line_, draft, head_);
  if (!h) {
    out.error = "cannot build the record: the chain is full";
    return false;
  }
  if (!group) {
    if (!detail::pwrite_all(fd_.get(), line_, write_offset_)) {
      const int err = errno;
      // Nothing is chained on this record yet: cut the partial write and stay usable.
      if (::ftruncate(fd_.get(), static_cast<off_t>(write_offset_)) != 0)
        failure_ = detail::errno_message("write failed and the partial record could not be cut back", err);
      out.error = detail::errno_message("cannot write the audit record", err);
      return false;
    }
    if (options_.mode == durability::per_record && !detail::sync_data(fd_.get())) {
      failure_ = detail::errno_message("fdatasync failed", errno);
      out.error = "the audit record may not be durable: " + failure_;
      return false;
    }
    write_offset_ += line_.size();
  }
  // The record is in the log (or queued for it): the head moves before anything that can throw,
  // or the next record would take the same seq.
  head_ = std::move(*h);
  if (!group) {
    acknowledge_locked(head_);
    out.ok = true;
  }
  out.seq = head_.count;
  out.hash = head_.hash;
  return true;
}

// Group commit, appender side: returns once a batch covering record out.seq is durable (out.ok),
// or with out.error (and seq and hash cleared) after a failure or group_wait_limit. `linger`:
// as a leader, wait group_linger for the threads expected back (see file_sink_options). Only
// blocking appends linger: each of their threads brings one record, so the batch grows only if
// the leader waits; a thread with many records in flight fills batches by itself, and lingering
// would only keep its fdatasync from overlapping with another thread building records.
inline void file_sink::wait_durable_locked(std::unique_lock<std::mutex>& lk, audit_receipt& out, bool linger) {
  const std::uint64_t seq = out.seq;
  if (acked_.count >= seq) {
    out.ok = true;
    return;
  }
  struct waiting {  // listed in waiting_ until a batch covers it; lk is held in both
    std::vector<std::uint64_t>& list;
    std::uint64_t seq;
    waiting(std::vector<std::uint64_t>& l, std::uint64_t s) : list(l), seq(s) { list.push_back(seq); }
    ~waiting() {  // still listed only when leaving without its record (failure, timeout)
      const auto it = std::find(list.begin(), list.end(), seq);
      if (it != list.end()) list.erase(it);
    }
    waiting(const waiting&) = delete;
    waiting& operator=(const waiting&) = delete;
  } listed(waiting_, seq);
  joined_cv_.notify_one();
  const auto fail = [&out](std::string why) {
    out = audit_receipt{};
    out.error = std::move(why);
  };
  const auto deadline = std::chrono::steady_clock::now() + options_.group_wait_limit;
  while (acked_.count < seq) {
    if (!failure_.empty()) return fail("the audit record was not written: " + failure_);
    if (!flushing_) {
      // Lead: claim the batch, give the threads expected back a moment to join it, write.
      flushing_ = true;
      if (linger && options_.group_linger.count() > 0 && waiting_.size() < expected_waiters_) {
        const auto until = std::min(deadline, std::chrono::steady_clock::now() + options_.group_linger);
        while (waiting_.size() < expected_waiters_ && joined_cv_.wait_until(lk, until) == std::cv_status::no_timeout) {
        }
      }
      flush_locked(lk);
      continue;
    }
    if (flushed_cv_.wait_until(lk, deadline) == std::cv_status::timeout && acked_.count < seq && flushing_)
      return fail("timed out waiting for the audit log to become durable (the record may still be written)");
  }
  out.ok = true;
}

inline audit_receipt file_sink::append_canonical(const canonical_event& ce, std::int64_t time) {
  audit_receipt out;
  try {
    const auto d = draft(ce, time, out);
    if (!d) return out;
    auto lk = lock_briefly();
    if (submit_locked(*d, out) && options_.mode == durability::group) wait_durable_locked(lk, out, true);
  } catch (...) {  // std::bad_alloc, std::system_error from a mutex
    out = audit_receipt{};
    out.error = "the audit record was not written (out of memory or a system error)";
  }
  return out;
}

inline audit_ticket file_sink::submit_canonical(const canonical_event& ce, std::int64_t time) {
  audit_ticket t;
  try {
    const auto d = draft(ce, time, t.receipt);
    if (!d) return t;
    const auto lk = lock_briefly();
    t.pending = submit_locked(*d, t.receipt) && !t.receipt.ok;
    t.issuer = this;
  } catch (...) {
    t = audit_ticket{};
    t.receipt.error = "the audit record was not written (out of memory or a system error)";
  }
  return t;
}

inline audit_receipt file_sink::await(const audit_ticket& ticket) {
  if (!ticket.pending) return ticket.receipt;
  audit_receipt out;
  try {
    auto lk = lock_briefly();
    if (ticket.issuer != this || ticket.receipt.seq == 0 || ticket.receipt.seq > head_.count) {
      out.error = "the ticket is not for a record of this audit log";
      return out;
    }
    out.seq = ticket.receipt.seq;
    out.hash = ticket.receipt.hash;
    wait_durable_locked(lk, out, false);
  } catch (...) {
    out = audit_receipt{};
    out.error = "the audit record was not written (out of memory or a system error)";
  }
  return out;
}

inline std::optional<std::string> file_sink::write_checkpoint() noexcept {
  try {
    if (!options_.checkpoint_key) return std::string("no checkpoint key is configured");
    std::lock_guard<std::mutex> io(checkpoint_io_);
    chain_head h;
    {
      std::lock_guard<std::mutex> lk(mutex_);
      if (!fd_.valid()) return std::string("the audit log is closed");
      h = acked_;
      if (checkpointed_count_ && *checkpointed_count_ == h.count) return std::nullopt;
    }
    // A checkpoint may only cover records that are on disk, or a crash could leave the log
    // shorter than its own checkpoint. In the other modes acknowledged means durable already.
    std::optional<std::string> err;
    if (options_.mode == durability::none && !detail::sync_data(fd_.get()))
      err = detail::errno_message("fdatasync before the checkpoint failed", errno);
    if (!err) err = write_checkpoint_file(checkpoint_path_, checkpoint{log_id_, h.count, h.hash, now()}, *options_.checkpoint_key);
    std::lock_guard<std::mutex> lk(mutex_);
    if (err) {
      checkpoint_error_ = *err;
      return err;
    }
    checkpoint_error_.clear();
    checkpointed_count_ = h.count;
    return std::nullopt;
  } catch (...) {
    return std::string("the checkpoint could not be written (out of memory or a system error)");
  }
}

inline void file_sink::checkpointer_loop() {
  std::unique_lock<std::mutex> lk(mutex_);
  while (!stopping_) {
    if (options_.checkpoint_every.count() > 0)
      checkpoint_cv_.wait_for(lk, options_.checkpoint_every, [this] { return stopping_ || checkpoint_due_; });
    else
      checkpoint_cv_.wait(lk, [this] { return stopping_ || checkpoint_due_; });
    if (stopping_) break;
    checkpoint_due_ = false;
    lk.unlock();
    (void)write_checkpoint();  // an error stays readable through checkpoint_error()
    lk.lock();
  }
}

inline std::optional<std::string> file_sink::close() noexcept {
  std::optional<std::string> first;
  try {
    {
      std::unique_lock<std::mutex> lk(mutex_);
      if (closed_) return std::nullopt;
      closed_ = true;  // new appends fail from here on
      if (!opened_) {  // a failed open writes nothing, not even a checkpoint
        fd_.reset();
        return std::nullopt;
      }
      // Finish the group: appenders still waiting (or gone after a timeout) get their batch.
      while (flushing_ || (!pending_.empty() && failure_.empty())) {
        if (flushing_) flushed_cv_.wait(lk);
        else flush_locked(lk);
      }
      if (!failure_.empty()) first = failure_;
      stopping_ = true;
      checkpoint_cv_.notify_all();
    }
    if (checkpointer_.joinable()) checkpointer_.join();
    if (options_.checkpoint_key) {
      if (auto err = write_checkpoint(); err && !first) first = err;
    }
    std::lock_guard<std::mutex> io(checkpoint_io_);
    std::lock_guard<std::mutex> lk(mutex_);
    fd_.reset();  // releases the flock
  } catch (...) {
    if (!first) first = "error while closing the audit log";
  }
  return first;
}

}  // namespace audit
ASSENT_END_NAMESPACE
