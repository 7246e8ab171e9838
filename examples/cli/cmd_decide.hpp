// assent decide: one request, its credentials, the policy and the trusted keys in; the
// library's decision out (and, with --audit, appended to a hash-chained log).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <assent/audit/memory_sink.hpp>
#include <assent/clock.hpp>
#include <assent/credential/claims.hpp>
#include <assent/decision.hpp>
#include <assent/envelope.hpp>
#include <assent/verifier.hpp>

#include "audit_log.hpp"
#include "cmd_verify.hpp"
#include "common.hpp"

namespace assent_cli {

inline constexpr const char* decide_help =
    R"(Usage: assent decide --policy POLICY --keys JWKS --request REQUEST [--audit LOG]
                     [--checkpoint-key PRIVATE.jwk] [--log-id ID] [--at TIME] [--pretty]
                     [CREDENTIAL ...]

Decides whether the action in REQUEST may go ahead, given the approval envelopes (each
CREDENTIAL file holds one; "-" reads JSON Lines from stdin), the policy and the trusted keys.
Prints the decision as JSON: "decision" is "allow" or "deny"; rejected credentials and
decision-level reasons carry stable reason codes. A credential that does not parse is not an
error: it is listed under "rejected" (malformed_envelope).

Options:
  --policy FILE          policy document
  --keys FILE            trusted key set (JWKS)
  --request FILE         the request: {"action", "project", "environment", "spec_hash",
                         "initiator", ...}
  --audit LOG            append the decision's record to this JSON Lines audit log (created if
                         absent, verified before appending; fdatasync'd before the decision is
                         returned). Without it the record goes to an in-memory log and is lost.
                         If the record cannot be written the decision is deny (audit_failed).
  --checkpoint-key FILE  with --audit: sign a checkpoint of the log into LOG.checkpoint when done
                         (and verify an existing one before appending)
  --log-id ID            with --audit: the log's id in checkpoints (default: LOG's file name)
  --at TIME              decide as of this RFC 3339 time instead of now (investigations,
                         what-if); not with --audit: a log records decisions when they happen
  --pretty               indent the JSON
  -h, --help             this text

At most 65 credentials are read (the verifier accepts 64; more is a deny,
too_many_credentials), each up to 64 KiB: reading stops there, whatever stdin still holds.

Exit status: 0 allow, 1 deny, 2 usage error, unreadable file, or a bad policy, key set or
request (the message names the file and the JSON path).
)";

namespace detail {

template <typename Clock>
assent::decision run_decision(const assent::policy& pol, const assent::key_store& keys, assent::audit_sink& sink,
                              Clock clock, const assent::request& req, const std::vector<std::string>& credentials) {
  const assent::verifier<assent::policy, assent::approval_claims, Clock> v(pol, keys, sink, assent::verifier_options{},
                                                                          clock);
  return v.decide(req, credentials);
}

}  // namespace detail

/// assent decide (see decide_help).
inline int cmd_decide(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"policy", true, false},
                                             {"keys", true, false},
                                             {"request", true, false},
                                             {"audit", true, false},
                                             {"checkpoint-key", true, false},
                                             {"log-id", true, false},
                                             {"at", true, false},
                                             {"pretty", false, false}});
  if (a.help) {
    ctx.out << decide_help;
    return exit_ok;
  }
  const std::string policy_path = a.need("policy");
  const std::string keys_path = a.need("keys");
  const std::string request_path = a.need("request");
  std::optional<std::int64_t> at;
  if (const auto t = a.get("at")) at = parse_time_option("at", *t);
  const auto audit_path = a.get("audit");
  if (!audit_path && (a.has("checkpoint-key") || a.has("log-id"))) fail("--checkpoint-key and --log-id need --audit");
  // A record carries the time it was appended: a decision as of another time never enters a
  // log as if it had happened then (an allow from approvals that have since expired).
  if (at && audit_path) fail("--at and --audit exclude each other: a what-if decision is never written to an audit log");
  if (audit_path && *audit_path == "-") fail("--audit must name a file");

  const assent::policy pol = load_policy_file(ctx, policy_path);
  const auto store = load_key_set(ctx, keys_path);
  const assent::request req = load_request_file(ctx, request_path);

  // Credentials: bytes as received. A file is read up to one byte past the envelope limit, so
  // an oversized one is refused by the verifier (malformed_envelope), not slurped. Reading stops
  // at one credential more than the verifier accepts (it then denies, too_many_credentials):
  // an endless stdin costs at most (max_credentials + 1) x (max_envelope_bytes + 1) bytes.
  const std::size_t cap = assent::dsse::envelope_limits{}.max_envelope_bytes;
  const std::size_t most = assent::verifier_options{}.max_credentials + 1;
  std::vector<std::string> credentials;
  for (const auto& f : a.positional) {
    if (credentials.size() >= most) break;
    if (f == "-") {
      detail::for_each_stdin_line(ctx, cap, [&](std::string_view line) {
        credentials.emplace_back(line);
        return credentials.size() < most;
      });
    } else {
      credentials.push_back(read_input(ctx, f, cap, "credential file").text);
    }
  }

  std::unique_ptr<assent::audit::file_sink> file;
  assent::audit::memory_sink memory;
  assent::audit_sink* sink = &memory;
  if (audit_path) {
    file = open_audit_log(ctx, *audit_path, a.get("checkpoint-key"), a.get("log-id"));
    sink = file.get();
  }

  const assent::decision d =
      at ? detail::run_decision(pol, *store, *sink, assent::fixed_clock{*at}, req, credentials)
         : detail::run_decision(pol, *store, *sink, assent::system_clock{}, req, credentials);
  if (file) {
    // The record itself was acknowledged (fdatasync'd) before decide returned; what close can
    // still fail at is the checkpoint.
    if (const auto err = file->close()) ctx.warn("audit log " + quote(*audit_path) + ": " + *err);
  }
  print_json(ctx, assent::to_json(d), a.has("pretty"));
  return d.allowed ? exit_ok : exit_negative;
}

}  // namespace assent_cli
