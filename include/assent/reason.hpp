/// @file
/// Stable reason codes: why a credential was rejected or a decision denied.
///
/// Codes end up in audit logs that outlive library versions, so each has an
/// explicit value and a snake_case name that are never renumbered or reused.
/// New codes are appended. docs/reason-codes.md explains each one.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE

/// Why a credential was rejected (1..99) or a decision denied (100..).
enum class reason : std::uint16_t {
  none = 0,  ///< not a reason: the absence of one

  // --- per credential, in the order the checks run ---
  malformed_envelope = 1,           ///< not a DSSE envelope of assent's profile
  unsupported_payload_type = 2,     ///< payloadType is not an approval
  unknown_key = 3,                  ///< no trusted key has this keyid
  key_store_unavailable = 4,        ///< the key store could not answer
  bad_signature = 5,                ///< Ed25519 verification failed
  key_revoked = 6,                  ///< key revoked (key set status or policy override)
  key_expired = 7,                  ///< decision time is past the key's exp
  key_not_yet_valid = 8,            ///< decision time is before the key's nbf
  key_retired = 9,                  ///< key retired and the credential was issued after retired_at
  key_environment_not_allowed = 10, ///< the key may not approve for this environment
  malformed_credential = 11,        ///< the signed payload is not valid approval claims
  approver_mismatch = 12,           ///< claims name an approver other than the key's principal
  credential_revoked = 13,          ///< the credential id is revoked by an override
  spec_hash_mismatch = 14,          ///< approves another pipeline version
  wrong_environment = 15,           ///< approves another environment
  wrong_project = 16,               ///< approves another project
  not_yet_valid = 17,               ///< decision time is before not_before
  expired = 18,                     ///< decision time is at or past expires_at
  issued_in_future = 19,            ///< issued_at is later than now plus the allowed clock skew
  lifetime_exceeds_policy = 20,     ///< expires_at - issued_at is longer than the policy allows
  insufficient_capabilities = 21,   ///< does not cover every capability the action requires
  initiator_mismatch = 22,          ///< bound to another initiator
  destination_mismatch = 23,        ///< bound to another destination
  self_approval = 24,               ///< the approver is the initiator and the policy forbids it
  approver_role_too_low = 25,       ///< the approver's highest role ranks below the minimum
  duplicate_approver = 26,          ///< this principal is already counted
  break_glass_rejected = 27,        ///< an exception credential that the break-glass rules refuse
  claims_unavailable = 28,          ///< the host's claims reader failed (threw) on an authenticated body
  duplicate_credential = 29,        ///< the same bytes as an earlier credential of this decision
  verification_budget_exhausted = 30,  ///< the decision's budget of signature verifications is spent

  // --- per decision ---
  unknown_environment = 100,       ///< the policy does not name the environment
  unknown_action = 101,            ///< the environment does not name the action
  action_forbidden = 102,          ///< the action's approval mode is "forbidden"
  environment_frozen = 103,        ///< an override freezes the environment
  capability_disabled = 104,       ///< an override disables a capability the action needs
  initiator_role_too_low = 105,    ///< the initiator ranks below the action's minimum
  destination_not_allowed = 106,   ///< the destination is not in the action's list
  wrong_source_environment = 107,  ///< replay source environment not allowed
  threshold_not_met = 108,         ///< fewer distinct accepted approvers than required
  required_duty_missing = 109,     ///< a duty the rules require is not covered
  break_glass_not_allowed = 110,   ///< an exception was presented where break-glass is not allowed
  audit_failed = 111,              ///< the audit record could not be written (fail closed)
  malformed_request = 112,         ///< the host's request is invalid
  too_many_credentials = 113,      ///< more credentials than the verifier accepts in one decision
  rule_not_evaluable = 114,        ///< a rule's condition cannot be evaluated on the request's value
  policy_unavailable = 115,        ///< the policy failed (threw) while resolving the request
  clock_unavailable = 116,         ///< the clock failed (threw): the decision has no trusted time
  evaluation_failed = 117,         ///< the decision could not be evaluated (out of memory, a host part threw)
  invalid_posture = 118,           ///< the policy's posture for this request is inconsistent or impossible
};

namespace detail {
struct reason_name {
  reason code;
  std::string_view name;
  std::string_view text;  // for people; the name is the stable key
};
// One table: to_string and parse_reason cannot drift apart.
inline constexpr reason_name reason_names[] = {
    {reason::none, "none", "not a reason: the absence of one"},
    {reason::malformed_envelope, "malformed_envelope", "not a DSSE envelope of assent's profile"},
    {reason::unsupported_payload_type, "unsupported_payload_type", "payloadType is not an approval"},
    {reason::unknown_key, "unknown_key", "no trusted key has this keyid"},
    {reason::key_store_unavailable, "key_store_unavailable", "the key store could not answer"},
    {reason::bad_signature, "bad_signature", "Ed25519 verification failed"},
    {reason::key_revoked, "key_revoked", "key revoked (key set status or policy override)"},
    {reason::key_expired, "key_expired", "decision time is past the key's exp"},
    {reason::key_not_yet_valid, "key_not_yet_valid", "decision time is before the key's nbf"},
    {reason::key_retired, "key_retired", "key retired and the credential was issued after retired_at"},
    {reason::key_environment_not_allowed, "key_environment_not_allowed", "the key may not approve for this environment"},
    {reason::malformed_credential, "malformed_credential", "the signed payload is not valid approval claims"},
    {reason::approver_mismatch, "approver_mismatch", "claims name an approver other than the key's principal"},
    {reason::credential_revoked, "credential_revoked", "the credential id is revoked by an override"},
    {reason::spec_hash_mismatch, "spec_hash_mismatch", "approves another pipeline version"},
    {reason::wrong_environment, "wrong_environment", "approves another environment"},
    {reason::wrong_project, "wrong_project", "approves another project"},
    {reason::not_yet_valid, "not_yet_valid", "decision time is before not_before"},
    {reason::expired, "expired", "decision time is at or past expires_at"},
    {reason::issued_in_future, "issued_in_future", "issued_at is later than now plus the allowed clock skew"},
    {reason::lifetime_exceeds_policy, "lifetime_exceeds_policy", "expires_at - issued_at is longer than the policy allows"},
    {reason::insufficient_capabilities, "insufficient_capabilities", "does not cover every capability the action requires"},
    {reason::initiator_mismatch, "initiator_mismatch", "bound to another initiator"},
    {reason::destination_mismatch, "destination_mismatch", "bound to another destination"},
    {reason::self_approval, "self_approval", "the approver is the initiator and the policy forbids it"},
    {reason::approver_role_too_low, "approver_role_too_low", "the approver's highest role ranks below the minimum"},
    {reason::duplicate_approver, "duplicate_approver", "this principal is already counted"},
    {reason::break_glass_rejected, "break_glass_rejected", "an exception credential that the break-glass rules refuse"},
    {reason::claims_unavailable, "claims_unavailable", "the host's claims reader failed (threw) on an authenticated body"},
    {reason::duplicate_credential, "duplicate_credential", "the same bytes as an earlier credential of this decision"},
    {reason::verification_budget_exhausted, "verification_budget_exhausted", "the decision's budget of signature verifications is spent"},
    {reason::unknown_environment, "unknown_environment", "the policy does not name the environment"},
    {reason::unknown_action, "unknown_action", "the environment does not name the action"},
    {reason::action_forbidden, "action_forbidden", "the action's approval mode is \"forbidden\""},
    {reason::environment_frozen, "environment_frozen", "an override freezes the environment"},
    {reason::capability_disabled, "capability_disabled", "an override disables a capability the action needs"},
    {reason::initiator_role_too_low, "initiator_role_too_low", "the initiator ranks below the action's minimum"},
    {reason::destination_not_allowed, "destination_not_allowed", "the destination is not in the action's list"},
    {reason::wrong_source_environment, "wrong_source_environment", "replay source environment not allowed"},
    {reason::threshold_not_met, "threshold_not_met", "fewer distinct accepted approvers than required"},
    {reason::required_duty_missing, "required_duty_missing", "a duty the rules require is not covered"},
    {reason::break_glass_not_allowed, "break_glass_not_allowed", "an exception was presented where break-glass is not allowed"},
    {reason::audit_failed, "audit_failed", "the audit record could not be written (fail closed)"},
    {reason::malformed_request, "malformed_request", "the host's request is invalid"},
    {reason::too_many_credentials, "too_many_credentials", "more credentials than the verifier accepts in one decision"},
    {reason::rule_not_evaluable, "rule_not_evaluable", "a rule's condition cannot be evaluated on the request's value"},
    {reason::policy_unavailable, "policy_unavailable", "the policy failed (threw) while resolving the request"},
    {reason::clock_unavailable, "clock_unavailable", "the clock failed (threw): the decision has no trusted time"},
    {reason::evaluation_failed, "evaluation_failed", "the decision could not be evaluated (out of memory, a host part threw)"},
    {reason::invalid_posture, "invalid_posture", "the policy's posture for this request is inconsistent or impossible"},
};
}  // namespace detail

/// The stable snake_case code of a reason ("unknown" for a value outside the enum).
[[nodiscard]] constexpr std::string_view to_string(reason r) noexcept {
  for (const auto& entry : detail::reason_names) {
    if (entry.code == r) return entry.name;
  }
  return "unknown";
}

/// A short text for people ("the key store could not answer"); the stable code is to_string.
[[nodiscard]] constexpr std::string_view describe(reason r) noexcept {
  for (const auto& entry : detail::reason_names) {
    if (entry.code == r) return entry.text;
  }
  return "not a reason code this version of assent knows";
}

/// Writes the stable code, as logs and tests compare it.
inline std::ostream& operator<<(std::ostream& os, reason r) { return os << to_string(r); }

/// The reason a stable code names, if any (reads codes back from audit logs).
[[nodiscard]] constexpr std::optional<reason> parse_reason(std::string_view code) noexcept {
  for (const auto& entry : detail::reason_names) {
    if (entry.name == code) return entry.code;
  }
  return std::nullopt;
}

/// True for codes that reject one credential rather than a whole decision.
[[nodiscard]] constexpr bool is_credential_reason(reason r) noexcept {
  const auto v = static_cast<std::uint16_t>(r);
  return v >= 1 && v < 100;
}

ASSENT_END_NAMESPACE
