// assent audit verify | export | verify-export | metrics: the audit log after the fact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <assent/audit/checkpoint.hpp>
#include <assent/audit/export.hpp>
#include <assent/audit/file_sink.hpp>
#include <assent/audit/log_metrics.hpp>
#include <assent/audit/verify.hpp>
#include <assent/clock.hpp>
#include <assent/json/strict_parse.hpp>
#include <assent/json/time.hpp>

#include "audit_log.hpp"
#include "common.hpp"

namespace assent_cli {

inline constexpr const char* audit_help =
    R"(Usage: assent audit SUBCOMMAND ...

Subcommands:
  verify          check a log's hash chain (and a signed checkpoint)
  export          sign an export of a verified log
  verify-export   check a signed export offline
  metrics         governance metrics of a verified log
  append          record a host event (e.g. a closed post-incident review)

"assent audit SUBCOMMAND --help" describes each.
)";

inline constexpr const char* audit_verify_help =
    R"(Usage: assent audit verify LOG [--checkpoint FILE --keys JWKS --log-id ID] [--pretty]

Verifies an audit log (JSON Lines, as assent decide --audit writes it): every record's
canonical form and hash, and the chain of prev hashes from record 1. With a signed checkpoint
(LOG.checkpoint, written by decide --checkpoint-key), also that its signature verifies under
a key of the set bound to the log (its JWK's "logs" names ID), that it names log ID, and that
the log still holds every record it signed (a cut-back log is caught).
Prints {"valid", "code", "count", "head", "bad_seq", "message", "checkpoint"}; code is a stable
chain code (ok, malformed_line, truncated_line, sequence_gap, prev_mismatch, hash_mismatch,
fewer_than_checkpoint, checkpoint_signature_invalid, checkpoint_head_mismatch,
checkpoint_malformed).

Options:
  --checkpoint FILE   signed checkpoint to hold the log to (needs --keys and --log-id)
  --keys FILE         key set (JWKS) trusted to sign checkpoints
  --log-id ID         the log's id: the checkpoint must name it, its key be bound to it
  --pretty            indent the JSON
  -h, --help          this text

Exit status: 0 intact, 1 tampered (or the checkpoint does not verify), 2 usage error or an
unreadable log, checkpoint or key set.
)";

inline constexpr const char* audit_export_help =
    R"(Usage: assent audit export --key PRIVATE.jwk [--log-id ID] LOG

Verifies LOG and prints a signed export of it: one DSSE envelope (payloadType
application/vnd.assent.audit-export.v1+json) holding every record, the count, the head hash,
the log id and the export time. Anyone with the export key's public JWK can check it offline
(assent audit verify-export). A log that does not verify is not exported.

Options:
  --key FILE     private JWK (or PKCS#8 PEM) of the export key
  --log-id ID    the log's id in the export (default: LOG's file name)
  -h, --help     this text

Exit status: 0 export printed, 1 the log does not verify, 2 usage error or unreadable input.
)";

inline constexpr const char* audit_verify_export_help =
    R"(Usage: assent audit verify-export --keys JWKS --log-id ID [--pretty] EXPORT

Verifies a signed export ("-": stdin) of log ID offline: a signature by a trusted, not revoked
key of the set that is bound to log ID (its JWK's "logs" names ID), the export naming log ID,
the body's canonical form, every record's hash and the chain, and that count and head match
the records. Prints {"valid", "code", "log", "count", "head", "exported_at", "keyid",
"message", "chain": {"code", "bad_seq"}}; code is ok, malformed, signature_invalid, chain,
count_mismatch, head_mismatch or wrong_log.

Options:
  --keys FILE   key set (JWKS) trusted to sign exports
  --log-id ID   the log the export must be of
  --pretty      indent the JSON
  -h, --help    this text

Exit status: 0 authentic and intact, 1 not, 2 usage error, unreadable file, a file that is
not an export envelope at all (code malformed, no keyid), or a bad key set.
)";

inline constexpr const char* audit_metrics_help =
    R"(Usage: assent audit metrics [--pretty] LOG

Verifies LOG and prints governance metrics computed from its records alone: decisions,
allowed, denied, policy violations by reason, rejected credentials by reason, expired evidence,
break-glass uses and open post-incident reviews, approval latency (decision time minus the
approvals' issued_at).

Options:
  --pretty     indent the JSON
  -h, --help   this text

Exit status: 0 metrics printed, 1 the log does not verify, 2 usage error or unreadable log.
)";

inline constexpr const char* audit_append_help =
    R"(Usage: assent audit append --audit LOG [--checkpoint-key PRIVATE.jwk] [--log-id ID] EVENT

Appends a host event to the audit log, through the same file sink decide uses (the log is
verified first, the record fdatasync'd before the command returns). EVENT ("-": stdin) is a JSON
object with a string member "type", e.g. the closing of a post-incident review after a
break-glass decision:

  {"type": "review_closed", "decision_seq": 4, "decision_hash": "sha256:...",
   "reviewer": "erin", "ticket": "PIR-12"}

(a closure counts only when it names the break-glass record's seq and hash and the reviewer
took no part in that decision; see docs/audit-format.md). Events of type "decision" and
"log_repaired" are refused: assent writes those records itself.
Prints the record's {"seq", "hash"}.

Options:
  --audit LOG            the audit log (created if absent)
  --checkpoint-key FILE  sign a checkpoint of the log into LOG.checkpoint when done
  --log-id ID            the log's id in checkpoints (default: LOG's file name)
  -h, --help             this text

Exit status: 0 recorded, 2 usage error, unreadable or unacceptable event, or a log that cannot
be opened or written.
)";

namespace detail {

inline nlohmann::json chain_json(const assent::audit::chain_result& r) {
  return {{"valid", r.ok()},
          {"code", std::string(to_string(r.code))},
          {"count", r.count},
          {"head", r.head},
          {"bad_seq", r.ok() ? nlohmann::json() : nlohmann::json(r.bad_seq)},
          {"message", r.message}};
}

// The log's id when none is given: its file name, as the file sink names it.
inline std::string default_log_id(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A log must be a file: it is read twice by some commands and streamed by the library.
inline void require_log_file(const std::string& path) {
  if (path == "-") fail("LOG must name a file");
}

}  // namespace detail

/// assent audit verify (see audit_verify_help).
inline int cmd_audit_verify(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(
      args, {{"checkpoint", true, false}, {"keys", true, false}, {"log-id", true, false}, {"pretty", false, false}});
  if (a.help) {
    ctx.out << audit_verify_help;
    return exit_ok;
  }
  a.operands(1, 1, "LOG file");
  const std::string& log = a.positional[0];
  detail::require_log_file(log);
  if (a.has("checkpoint") != a.has("keys")) fail("--checkpoint and --keys go together");
  if (a.has("log-id") != a.has("checkpoint")) fail("--checkpoint and --log-id go together");
  const std::string log_id = a.get("log-id").value_or("");

  assent::audit::chain_result r;
  nlohmann::json cp_json;  // null without a checkpoint
  if (const auto cp_path = a.get("checkpoint")) {
    const auto store = load_key_set(ctx, a.need("keys"));
    const std::string envelope = read_whole(ctx, *cp_path, std::size_t{1} << 16, "checkpoint file");
    const auto opened = assent::audit::open_checkpoint(envelope, *store, log_id);
    if (opened.ok()) {
      cp_json = {{"log", opened.value->log},
                 {"count", opened.value->count},
                 {"head", opened.value->head},
                 {"time", assent::json::format_rfc3339(opened.value->time)},
                 {"keyid", opened.keyid}};
    }
    r = assent::audit::verify_log_file_signed(log, envelope, *store, log_id);
  } else {
    r = assent::audit::verify_log_file(log);
  }
  if (r.code == assent::audit::chain_errc::io_error) fail("audit log " + quote(log) + ": " + r.message);
  nlohmann::json out = detail::chain_json(r);
  out["checkpoint"] = std::move(cp_json);
  print_json(ctx, out, a.has("pretty"));
  if (!r.ok()) ctx.err << "assent " << ctx.command << ": " << one_line(quote(log) + ": " + r.message) << '\n';
  return r.ok() ? exit_ok : exit_negative;
}

/// assent audit export (see audit_export_help).
inline int cmd_audit_export(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"key", true, false}, {"log-id", true, false}});
  if (a.help) {
    ctx.out << audit_export_help;
    return exit_ok;
  }
  a.operands(1, 1, "LOG file");
  const std::string& log = a.positional[0];
  detail::require_log_file(log);
  const assent::signing_key key = load_private_key(a.need("key"));
  const std::string log_id = a.get("log-id").value_or(detail::default_log_id(log));
  const auto r = assent::audit::export_log_file(log, log_id, assent::system_clock{}.now(), key);
  if (!r.ok()) {
    if (r.verification.code == assent::audit::chain_errc::io_error || r.verification.ok()) {
      fail("audit log " + quote(log) + ": " + r.error);
    }
    fail("audit log " + quote(log) + ": " + r.error, exit_negative);
  }
  ctx.out << *r.envelope << '\n';
  return exit_ok;
}

/// assent audit verify-export (see audit_verify_export_help).
inline int cmd_audit_verify_export(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"keys", true, false}, {"log-id", true, false}, {"pretty", false, false}});
  if (a.help) {
    ctx.out << audit_verify_export_help;
    return exit_ok;
  }
  a.operands(1, 1, "EXPORT file");
  const auto store = load_key_set(ctx, a.need("keys"));
  const std::string log_id = a.need("log-id");
  if (log_id.empty()) fail("--log-id must not be empty");
  const std::string text =
      read_whole(ctx, a.positional[0], assent::audit::default_max_export_bytes, "export file");
  const auto v = assent::audit::verify_export(text, *store, log_id);
  nlohmann::json out = {{"valid", v.ok()},
                        {"code", std::string(to_string(v.code))},
                        {"log", v.log},
                        {"count", v.count},
                        {"head", v.head},
                        {"exported_at", v.exported_at != 0 ? nlohmann::json(assent::json::format_rfc3339(v.exported_at))
                                                           : nlohmann::json()},
                        {"keyid", v.keyid},
                        {"message", v.message},
                        {"chain",
                         {{"code", std::string(to_string(v.chain.code))},
                          {"bad_seq", v.chain.ok() || v.chain.bad_seq == 0 ? nlohmann::json() : nlohmann::json(v.chain.bad_seq)}}}};
  print_json(ctx, out, a.has("pretty"));
  if (!v.ok()) {
    ctx.err << "assent " << ctx.command << ": " << one_line(quote(a.positional[0]) + ": " + std::string(to_string(v.code)) + ": " + v.message) << '\n';
  }
  if (v.ok()) return exit_ok;
  // Not an export envelope at all (empty, not JSON): malformed input, not a failed check.
  return v.code == assent::audit::export_errc::malformed && v.keyid.empty() ? exit_usage : exit_negative;
}

/// assent audit append (see audit_append_help).
inline int cmd_audit_append(context& ctx, const std::vector<std::string>& args) {
  const arguments a =
      parse_arguments(args, {{"audit", true, false}, {"checkpoint-key", true, false}, {"log-id", true, false}});
  if (a.help) {
    ctx.out << audit_append_help;
    return exit_ok;
  }
  a.operands(1, 1, "EVENT file");
  const std::string log = a.need("audit");
  detail::require_log_file(log);
  const std::string text = read_whole(ctx, a.positional[0], json_input_limit, "event file");
  const auto parsed = assent::json::parse_strict(text);
  if (!parsed.ok()) {
    fail("event file " + quote(a.positional[0]) + ": not valid JSON at byte " + std::to_string(parsed.error.offset) +
         ": " + parsed.error.message);
  }
  // Decision (and repair) records come from assent alone: an operator's tool must not make one
  // up. The sink refuses them too; this says so before the log is opened.
  if (parsed.value->is_object()) {
    const auto type = parsed.value->find("type");
    if (type != parsed.value->end() && type->is_string() &&
        assent::audit::is_reserved_event_type(type->get_ref<const std::string&>())) {
      fail("event file " + quote(a.positional[0]) + ": type " + quote(type->get<std::string>()) +
           " is written by assent itself (decision records by assent decide only)");
    }
  }
  auto opened = open_audit_log(ctx, log, a.get("checkpoint-key"), a.get("log-id"));
  const assent::audit_receipt receipt = opened->append(*parsed.value, assent::system_clock{}.now());
  const auto closed = opened->close();
  if (!receipt.ok) fail("audit log " + quote(log) + ": the event was not recorded: " + receipt.error);
  if (closed) ctx.warn("audit log " + quote(log) + ": " + *closed);
  print_json(ctx, {{"seq", receipt.seq}, {"hash", receipt.hash}});
  return exit_ok;
}

/// assent audit metrics (see audit_metrics_help).
inline int cmd_audit_metrics(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"pretty", false, false}});
  if (a.help) {
    ctx.out << audit_metrics_help;
    return exit_ok;
  }
  a.operands(1, 1, "LOG file");
  const std::string& log = a.positional[0];
  detail::require_log_file(log);
  assent::audit::chain_result chain;
  const auto m = assent::audit::metrics_from_log_file(log, &chain);
  if (!m) {
    const int status = chain.code == assent::audit::chain_errc::io_error ? exit_usage : exit_negative;
    fail("audit log " + quote(log) + " does not verify: " + std::string(to_string(chain.code)) + ": " + chain.message,
         status);
  }
  print_json(ctx, to_json(*m), a.has("pretty"));
  return exit_ok;
}

}  // namespace assent_cli
