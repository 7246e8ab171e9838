// assent approve, sign, cosign: the producer's side. Each prints one DSSE envelope (one line of
// compact JSON, so envelopes can be collected as JSON Lines).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <assent/bytes.hpp>
#include <assent/clock.hpp>
#include <assent/credential/claims.hpp>
#include <assent/credential/issue.hpp>
#include <assent/envelope.hpp>
#include <assent/keys/signing_key.hpp>

#include "common.hpp"

namespace assent_cli {

inline constexpr const char* approve_help =
    R"(Usage: assent approve --key PRIVATE.jwk --project P --env E --spec-hash H --cap C [--cap C ...]
                      [--ttl 30m] [--not-before T] [--initiator U] [--destination D]
                      [--id ID] [--note TEXT] [--no-approver]
                      [--exception-incident ID --exception-reason TEXT]

Signs an approval: the claims below in a DSSE envelope (payloadType
application/vnd.assent.approval.v1+json), issued now, signed by the key. The approver is the
key's principal. Prints the envelope (one line of JSON).

Options:
  --key FILE                private JWK (or PKCS#8 PEM) of the approver
  --project P               project approved for
  --env E                   environment approved for
  --spec-hash H             "sha256:<64 hex>" of the exact change (see assent hash)
  --cap C                   capability approved (repeat, or comma-separate: --cap deploy,rollback)
  --ttl DURATION            validity from now: number with s, m, h or d (default 30m)
  --not-before T            not valid before this RFC 3339 time
  --initiator U             only this initiator may use it
  --destination D           only for this destination
  --id ID                   credential id (default: apv- and 32 random hex digits)
  --note TEXT               free text for people
  --no-approver             leave the approver out of the claims, so that other principals can
                            co-sign the same envelope (assent cosign)
  --exception-incident ID   break-glass: the incident this emergency approval serves
  --exception-reason TEXT   break-glass: why (both are needed; the owner is the key's principal)
  -h, --help                this text

Exit status: 0 envelope printed, 2 usage error, unreadable key or claims the verifier would refuse.
)";

inline constexpr const char* sign_help =
    R"(Usage: assent sign --key PRIVATE.jwk [--type PAYLOAD_TYPE] FILE

Signs the bytes of FILE ("-": stdin) as the body of a DSSE envelope and prints the envelope.
With --type application/vnd.assent.approval.v1+json the body must be valid approval claims
(the same rules the verifier applies), and its approver, when present, the key's principal.

Options:
  --key FILE         private JWK (or PKCS#8 PEM)
  --type TYPE        payloadType (default application/octet-stream)
  -h, --help         this text

Exit status: 0 envelope printed, 2 usage error, unreadable or unacceptable input.
)";

inline constexpr const char* cosign_help =
    R"(Usage: assent cosign --key PRIVATE.jwk ENVELOPE

Adds the key's signature to an existing envelope (a file, "-": stdin) over the same body
bytes, so earlier signatures stay valid, and prints the new envelope. Existing signatures are
not checked (assent verify does that). Refused: an envelope assent does not read, a key that
already signed it, a full signature list, and for an approval, claims that name another
approver than the key's principal.

Options:
  --key FILE         private JWK (or PKCS#8 PEM)
  -h, --help         this text

Exit status: 0 envelope printed, 2 usage error, unreadable input or a refused co-signature.
)";

/// assent approve (see approve_help).
inline int cmd_approve(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"key", true, false},
                                             {"project", true, false},
                                             {"env", true, false},
                                             {"spec-hash", true, false},
                                             {"cap", true, true},
                                             {"ttl", true, false},
                                             {"not-before", true, false},
                                             {"initiator", true, false},
                                             {"destination", true, false},
                                             {"id", true, false},
                                             {"note", true, false},
                                             {"no-approver", false, false},
                                             {"exception-incident", true, false},
                                             {"exception-reason", true, false}});
  if (a.help) {
    ctx.out << approve_help;
    return exit_ok;
  }
  a.operands(0, 0, "");
  // Every argument is checked before the key file is opened.
  const std::string key_path = a.need("key");
  const std::string project = a.need("project");
  const std::string environment = a.need("env");
  const std::string spec_hash = a.need("spec-hash");
  std::vector<std::string> capabilities;
  for (const auto& c : a.all("cap")) {
    for (auto& item : split_list(c)) capabilities.push_back(std::move(item));
  }
  if (capabilities.empty()) fail("--cap is required (see --help)");
  const std::int64_t ttl = parse_duration_option("ttl", a.get("ttl").value_or("30m"));
  std::optional<std::int64_t> not_before;
  if (const auto t = a.get("not-before")) not_before = parse_time_option("not-before", *t);
  const auto incident = a.get("exception-incident");
  const auto reason = a.get("exception-reason");
  if (incident.has_value() != reason.has_value()) {
    fail("a break-glass approval needs both --exception-incident and --exception-reason");
  }

  const assent::signing_key key = load_private_key(key_path);
  const std::int64_t now = assent::system_clock{}.now();
  assent::approval_claims claims =
      assent::make_approval_claims(project, environment, spec_hash, std::move(capabilities), now, ttl);
  if (const auto id = a.get("id")) claims.id = *id;
  claims.not_before = not_before;
  claims.initiator = a.get("initiator");
  claims.destination = a.get("destination");
  claims.note = a.get("note");
  if (incident) {
    if (key.principal().empty()) fail("a break-glass approval needs a key with a principal (its owner)");
    claims.exception = assent::exception_claim{"break_glass", key.principal(), *reason, *incident};
  }
  assent::issue_options options;
  options.bind_approver = !a.has("no-approver");
  std::string envelope;
  try {
    envelope = assent::issue_approval(claims, key, options);
  } catch (const std::invalid_argument& e) {
    fail(std::string("cannot issue the approval: ") + e.what());
  }
  ctx.out << envelope << '\n';
  return exit_ok;
}

/// assent sign (see sign_help).
inline int cmd_sign(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"key", true, false}, {"type", true, false}});
  if (a.help) {
    ctx.out << sign_help;
    return exit_ok;
  }
  a.operands(1, 1, "FILE to sign");
  const std::string type = a.get("type").value_or("application/octet-stream");
  if (type.empty()) fail("--type must not be empty");
  const std::size_t limit = assent::dsse::envelope_limits{}.max_payload_bytes;
  const std::string body = read_whole(ctx, a.positional[0], limit, "payload file");
  const assent::signing_key key = load_private_key(a.need("key"));

  if (type == assent::dsse::approval_payload_type) {
    const assent::claims_result claims = assent::parse_approval_claims(assent::byte_view(body));
    if (!claims) fail("the payload is not valid approval claims: " + claims.error);
    if (claims.claims->approver && !key.principal().empty() && *claims.claims->approver != key.principal()) {
      fail("the claims name approver " + quote(*claims.claims->approver) + ", not the key's principal " +
           quote(key.principal()));
    }
  }
  assent::dsse::envelope env;
  env.payload_type = type;
  env.payload.assign(body.begin(), body.end());
  if (auto refused = assent::dsse::add_signature(env, key)) fail(*refused);
  std::string text;
  try {
    text = assent::dsse::serialize(env);
  } catch (const std::exception&) {
    fail("--type must be valid UTF-8");
  }
  // What is printed must be an envelope assent itself reads.
  const auto back = assent::dsse::parse_envelope(text);
  if (!back) fail(std::string("the envelope would not be readable: ") + std::string(to_string(back.error)) + ": " + back.message);
  ctx.out << text << '\n';
  return exit_ok;
}

/// assent cosign (see cosign_help).
inline int cmd_cosign(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"key", true, false}});
  if (a.help) {
    ctx.out << cosign_help;
    return exit_ok;
  }
  a.operands(1, 1, "ENVELOPE to co-sign");
  const std::size_t limit = assent::dsse::envelope_limits{}.max_envelope_bytes;
  const std::string envelope = read_whole(ctx, a.positional[0], limit, "envelope file");
  const assent::signing_key key = load_private_key(a.need("key"));
  std::string why;
  const auto signed_again = assent::cosign(envelope, key, &why);
  if (!signed_again) fail("cannot co-sign " + quote(a.positional[0]) + ": " + why);
  ctx.out << *signed_again << '\n';
  return exit_ok;
}

}  // namespace assent_cli
