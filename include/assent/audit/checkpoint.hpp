/// @file
/// Signed checkpoints: a log key's signature over {log id, count, head hash, time}.
///
/// A hash chain shows that no record was changed, inserted, removed or reordered, but not that
/// the log was not cut back: the first k records of a valid chain are a valid chain. A
/// checkpoint signed when the log held n records turns "fewer than n records" into a detected
/// fault. It is a DSSE envelope (payload type application/vnd.assent.checkpoint.v1+json) whose
/// payload is the JCS form of {"count": n, "head": "sha256:<hex>", "log": id, "time": RFC 3339}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assent/audit/detail/dsse.hpp"
#include "assent/audit/detail/posix_file.hpp"
#include "assent/audit/record.hpp"
#include "assent/config.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/json/time.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/keys/signing_key.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {

/// DSSE payload type of a checkpoint.
inline constexpr std::string_view checkpoint_payload_type = "application/vnd.assent.checkpoint.v1+json";

/// What a checkpoint states: log `log` held `count` records, the last with hash `head`, at `time`.
struct checkpoint {
  std::string log;                               ///< the log's id
  std::uint64_t count = 0;                       ///< records covered
  std::string head = std::string(genesis_hash);  ///< hash of record `count`
  std::int64_t time = 0;                         ///< when it was signed (UTC seconds)
};

/// Why a checkpoint was not accepted.
enum class checkpoint_errc : std::uint8_t {
  not_checked = 0,        ///< default: nothing was checked
  ok = 1,                 ///< signature valid under a trusted key, payload well formed
  malformed = 2,          ///< not a DSSE envelope, wrong payload type, or a malformed payload
  signature_invalid = 3,  ///< no signature verifies under a trusted (not revoked) key
  io_error = 4,           ///< the checkpoint file could not be read
};

/// The stable snake_case name of a checkpoint_errc.
[[nodiscard]] constexpr std::string_view to_string(checkpoint_errc c) noexcept {
  switch (c) {
    case checkpoint_errc::not_checked: return "not_checked";
    case checkpoint_errc::ok: return "ok";
    case checkpoint_errc::malformed: return "malformed";
    case checkpoint_errc::signature_invalid: return "signature_invalid";
    case checkpoint_errc::io_error: return "io_error";
  }
  return "unknown";
}

/// An opened checkpoint, or why not. Default: a failure.
struct checkpoint_result {
  checkpoint_errc code = checkpoint_errc::not_checked;  ///< ok or why not
  std::optional<checkpoint> value;                      ///< set when ok
  std::string keyid;                                    ///< the key whose signature verified
  std::string error;                                    ///< detail when not ok
  /// True when the checkpoint is authentic and well formed.
  [[nodiscard]] bool ok() const noexcept { return code == checkpoint_errc::ok && value.has_value(); }
};

/// The checkpoint payload: JCS of {"count","head","log","time"}; nullopt when a member has no
/// JSON form (log id not UTF-8, time outside years 0000-9999, count above max_seq).
[[nodiscard]] inline std::optional<std::string> checkpoint_payload(const checkpoint& c) noexcept {
  try {
    const std::string t = json::format_rfc3339(c.time);
    if (t.empty() || c.count > max_seq || !detail::is_chain_hash(c.head)) return std::nullopt;
    return json::canonicalize(
        nlohmann::json{{"count", c.count}, {"head", c.head}, {"log", c.log}, {"time", t}});
  } catch (...) {
    return std::nullopt;
  }
}

/// Reads a checkpoint payload: exactly the four members, canonical bytes. Never throws.
[[nodiscard]] inline std::optional<checkpoint> parse_checkpoint_payload(std::string_view payload) noexcept {
  try {
    auto parsed = json::parse_strict(payload);
    if (!parsed.ok()) return std::nullopt;
    const nlohmann::json& v = *parsed.value;
    if (!v.is_object() || v.size() != 4) return std::nullopt;
    const auto count = v.find("count"), head = v.find("head"), log = v.find("log"), time = v.find("time");
    if (count == v.end() || head == v.end() || log == v.end() || time == v.end()) return std::nullopt;
    if (!count->is_number_unsigned() || count->get<std::uint64_t>() > max_seq) return std::nullopt;
    if (!head->is_string() || !detail::is_chain_hash(head->get_ref<const std::string&>())) return std::nullopt;
    if (!log->is_string() || !time->is_string()) return std::nullopt;
    const auto t = json::parse_rfc3339(time->get_ref<const std::string&>());
    if (!t) return std::nullopt;
    checkpoint c{log->get<std::string>(), count->get<std::uint64_t>(), head->get<std::string>(), *t};
    const auto again = checkpoint_payload(c);  // one spelling per checkpoint
    if (!again || *again != payload) return std::nullopt;
    return c;
  } catch (...) {
    return std::nullopt;
  }
}

/// Signs a checkpoint with the log key: the DSSE envelope as JSON text, or nullopt when the
/// checkpoint has no payload form (see checkpoint_payload).
[[nodiscard]] inline std::optional<std::string> sign_checkpoint(const checkpoint& c, const signing_key& key) noexcept {
  const auto payload = checkpoint_payload(c);
  if (!payload) return std::nullopt;
  return detail::dsse_sign(checkpoint_payload_type, *payload, key);
}

/// Verifies a checkpoint of log `log_id` against trusted keys (at least one signature by a key
/// the store finds, that is not revoked and that is bound to `log_id`: key_record::logs) and
/// reads its payload, which must name `log_id`. An empty `log_id` is refused: a checkpoint is
/// only evidence about the log it was expected to be about. Never throws.
[[nodiscard]] inline checkpoint_result open_checkpoint(std::string_view envelope, const key_store& keys,
                                                       std::string_view log_id) noexcept {
  checkpoint_result out;
  if (log_id.empty()) {
    out.code = checkpoint_errc::malformed;
    out.error = "no log id was given to hold the checkpoint to";
    return out;
  }
  auto opened = detail::dsse_open(envelope, checkpoint_payload_type, keys, log_id);
  if (!opened.ok) {
    out.code = opened.malformed ? checkpoint_errc::malformed : checkpoint_errc::signature_invalid;
    out.error = std::move(opened.error);
    return out;
  }
  auto c = parse_checkpoint_payload(opened.payload);
  if (!c) {
    out.code = checkpoint_errc::malformed;
    out.error = "the checkpoint payload is not {count, head, log, time} in canonical form";
    return out;
  }
  if (c->log != log_id) {
    out.code = checkpoint_errc::malformed;
    out.error = "the checkpoint is for log \"" + c->log + "\", not \"" + std::string(log_id) + "\"";
    return out;
  }
  out.code = checkpoint_errc::ok;
  out.value = std::move(c);
  out.keyid = std::move(opened.keyid);
  return out;
}

/// Reads and verifies a checkpoint file of log `log_id` (see open_checkpoint).
[[nodiscard]] inline checkpoint_result read_checkpoint_file(const std::string& path, const key_store& keys,
                                                            std::string_view log_id) noexcept {
  try {
    std::string error;
    const auto text = detail::read_small_file(path, std::size_t{1} << 16, error);
    if (!text) {
      checkpoint_result out;
      out.code = checkpoint_errc::io_error;
      out.error = error;
      return out;
    }
    return open_checkpoint(*text, keys, log_id);
  } catch (...) {
    checkpoint_result out;
    out.code = checkpoint_errc::io_error;
    out.error = "out of memory";
    return out;
  }
}

/// Signs a checkpoint and atomically replaces the file at `path` with it (write a temporary
/// file, fsync, rename, fsync the directory). Returns an error message, or nullopt on success.
[[nodiscard]] inline std::optional<std::string> write_checkpoint_file(const std::string& path, const checkpoint& c,
                                                                      const signing_key& key) noexcept {
  try {
    auto env = sign_checkpoint(c, key);
    if (!env) return std::string("the checkpoint cannot be signed (no payload form)");
    env->push_back('\n');
    return detail::replace_file_atomically(path, *env);
  } catch (...) {
    return std::string("out of memory while writing the checkpoint");
  }
}

}  // namespace audit
ASSENT_END_NAMESPACE
