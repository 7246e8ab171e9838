/// @file
/// Issuing approvals and co-signing them: the producer's side of the credential format.
///
/// Verification never runs this code. An issuer refuses (throws std::invalid_argument, or
/// returns nullopt with a reason) whatever the verifier would refuse as malformed, so a broken
/// approval fails at the desk that makes it, not at deploy time.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/credential/claims.hpp"
#include "assent/crypto/random.hpp"
#include "assent/encoding.hpp"
#include "assent/envelope.hpp"
#include "assent/keys/signing_key.hpp"

ASSENT_BEGIN_NAMESPACE

/// Choices for issue_approval.
struct issue_options {
  /// Fill an absent `approver` with the key's principal (when the key has one). Leave false for
  /// an approval that several principals will co-sign: a present approver binds the approval to
  /// one principal, and the verifier refuses every other principal's signature over it.
  bool bind_approver = true;
};

/// Signs claims as a new approval envelope (payloadType dsse::approval_payload_type, one
/// signature by `key`) and returns its JSON. The body is the claims' compact JSON (members in
/// name order). Throws std::invalid_argument when the claims break a rule of
/// parse_approval_claims, when `approver` names another principal than the key's, or when the
/// body or kid exceed the envelope profile's limits.
[[nodiscard]] inline std::string issue_approval(const approval_claims& claims,
                                                const signing_key& key,
                                                const issue_options& options = {}) {
  approval_claims c = claims;
  if (!key.principal().empty()) {
    if (!c.approver && options.bind_approver) c.approver = key.principal();
    if (c.approver && *c.approver != key.principal()) {
      throw std::invalid_argument("approver \"" + *c.approver + "\" is not the key's principal \"" +
                                  key.principal() + "\"");
    }
  }
  const nlohmann::json j = to_json(c);
  // The verifier reads the body back with parse_approval_claims: run it here first.
  const claims_result check = parse_approval_claims(j);
  if (!check) throw std::invalid_argument("invalid approval claims: " + check.error);
  const std::string body = j.dump();
  if (body.size() > dsse::envelope_limits{}.max_payload_bytes) {
    throw std::invalid_argument("the claims body has " + std::to_string(body.size()) +
                                " bytes, more than " +
                                std::to_string(dsse::envelope_limits{}.max_payload_bytes));
  }
  dsse::envelope env;
  env.payload_type = std::string(dsse::approval_payload_type);
  env.payload.assign(body.begin(), body.end());
  if (auto refused = dsse::add_signature(env, key)) throw std::invalid_argument(*refused);
  return dsse::serialize(env);
}

/// Adds key's signature over the same body to an envelope and returns the new envelope JSON (the
/// body bytes are kept as they are, so earlier signatures stay valid). Refuses, returning
/// nullopt with the reason in *error, an envelope parse_envelope refuses, a keyid already
/// present, a full signature list, and for an approval: a body that is not valid claims, or
/// claims whose `approver` names another principal than the key's (when the key names one).
[[nodiscard]] inline std::optional<std::string> cosign(std::string_view envelope_json,
                                                       const signing_key& key,
                                                       std::string* error = nullptr) {
  const auto refuse = [&](std::string why) -> std::optional<std::string> {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  dsse::envelope_result parsed = dsse::parse_envelope(envelope_json);
  if (!parsed) {
    return refuse("not an acceptable envelope: " + std::string(dsse::to_string(parsed.error)) +
                  ": " + parsed.message);
  }
  dsse::envelope& env = *parsed.value;
  if (env.payload_type == dsse::approval_payload_type) {
    const claims_result claims = parse_approval_claims(byte_view(env.payload));
    if (!claims) return refuse("the body is not valid approval claims: " + claims.error);
    // A key without a principal cannot be judged here; the verifier judges it by the key store.
    if (claims.claims->approver && !key.principal().empty() &&
        *claims.claims->approver != key.principal()) {
      return refuse("the approval names approver \"" + *claims.claims->approver +
                    "\"; a signature by \"" + key.principal() + "\" would not count");
    }
  }
  if (auto refused = dsse::add_signature(env, key)) return refuse(std::move(*refused));
  if (error != nullptr) error->clear();
  return dsse::serialize(env);
}

/// A fresh approval id, "apv-" and 32 lowercase hex digits (128 bits from the OS, so ids of
/// independent issuers do not collide). Throws std::runtime_error if the OS has no randomness.
[[nodiscard]] inline std::string generate_approval_id() {
  std::array<std::uint8_t, 16> r{};
  if (!crypto::os_random(r))
    throw std::runtime_error("assent: the operating system gave no random bytes");
  return "apv-" + hex_encode(r);
}

/// Claims with every required member set and a fresh id; set optional members on the result.
/// Valid for `valid_for_seconds` from `issued_at` (UTC seconds).
[[nodiscard]] inline approval_claims make_approval_claims(
    std::string project, std::string environment, std::string spec_hash,
    std::vector<std::string> capabilities, std::int64_t issued_at, std::int64_t valid_for_seconds) {
  approval_claims c;
  c.id = generate_approval_id();
  c.project = std::move(project);
  c.environment = std::move(environment);
  c.spec_hash = std::move(spec_hash);
  c.capabilities = std::move(capabilities);
  c.issued_at = issued_at;
  c.expires_at = issued_at + valid_for_seconds;
  return c;
}

ASSENT_END_NAMESPACE
