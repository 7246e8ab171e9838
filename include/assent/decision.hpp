/// @file
/// The answer to one request: allow or deny, and everything that led there.
///
/// `decision` is [[nodiscard]] and a default-constructed one is a deny: an
/// authoriser whose result can be ignored, or whose zero value says yes, is a
/// bug waiting to happen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/time.hpp"
#include "assent/reason.hpp"

ASSENT_BEGIN_NAMESPACE

/// An approval that counted (or could count) towards the decision.
struct accepted_approval {
  std::size_t index = 0;          ///< position of the credential in the request
  std::string credential_id;      ///< the claims' id
  std::string approver;           ///< principal, from the key store
  std::string keyid;              ///< the key that signed
  std::vector<std::string> roles; ///< the principal's roles, from the key store
  bool exception = false;         ///< a break-glass credential
  std::int64_t issued_at = 0;     ///< when the approval was issued (UTC seconds), for approval-age metrics
};

/// A credential (or one signature of it) that did not count, and why.
struct rejected_credential {
  std::size_t index = 0;                     ///< position of the credential in the request
  std::optional<std::string> credential_id;  ///< the claims' id, once authenticated
  std::optional<std::string> keyid;          ///< the signature's keyid, when one was read
  reason why = reason::malformed_envelope;   ///< exactly one reason
};

/// What would still be needed for an allow.
struct missing_requirements {
  std::uint32_t approvals = 0;             ///< distinct approvers still needed
  std::vector<std::string> duties;         ///< duties no (separate) approver covers
  std::vector<std::string> capabilities;   ///< capabilities presented approvals lacked
};

/// A break-glass exception the decision relied on.
struct exception_use {
  std::string kind;                         ///< "break_glass"
  std::string owner;                        ///< who declared it
  std::string incident;                     ///< incident reference
  std::string reason;                       ///< free-text justification
  std::vector<std::string> credential_ids;  ///< the exception credentials used
  bool review_required = true;              ///< a post-incident review is always due
};

/// The outcome of a decision. Default: deny.
struct [[nodiscard]] decision {
  bool allowed = false;                       ///< the only field that authorises
  bool approval_required = true;              ///< the action's posture needs approval
  std::string action, project, environment, spec_hash, initiator;  ///< echo of the request
  std::optional<std::string> destination;         ///< echo of the request (where the action goes)
  std::optional<std::string> source_environment;  ///< echo of the request (replays)
  nlohmann::json attributes;                      ///< the request's attributes; null when it had none
  /// Distinct approvers the posture required (its threshold, the hardened path included); 0 when
  /// approval was not required or the request was refused before a posture applied.
  std::uint32_t approvals_required = 0;
  std::vector<std::string> capabilities_required;  ///< what every approval had to cover
  std::vector<accepted_approval> approvals;   ///< approvals that counted
  std::vector<rejected_credential> rejected;  ///< credentials that did not, with reasons
  missing_requirements missing;               ///< what an allow would still need
  std::vector<reason> reasons;                ///< decision-level reasons (empty on allow)
  std::string policy_id, policy_hash;         ///< which policy decided
  std::optional<exception_use> exception;     ///< set when break-glass carried the decision
  std::int64_t time = 0;                      ///< the decision's one clock reading (UTC seconds)
  std::uint64_t audit_seq = 0;                ///< sequence number of the audit record
  std::string audit_hash;                     ///< chain hash of the audit record

  /// True only for an allow.
  [[nodiscard]] explicit operator bool() const noexcept { return allowed; }

  /// Whether `r` is among the decision-level reasons or is why a credential was rejected: the
  /// question every host asks of a deny ("was it the expired approval?").
  [[nodiscard]] bool has_reason(reason r) const noexcept {
    for (const auto why : reasons) {
      if (why == r) return true;
    }
    for (const auto& c : rejected) {
      if (c.why == r) return true;
    }
    return false;
  }
};

/// The decision as JSON, with stable member names (docs/reason-codes.md).
[[nodiscard]] inline nlohmann::json to_json(const decision& d) {
  nlohmann::json approvals = nlohmann::json::array();
  for (const auto& a : d.approvals) {
    approvals.push_back({{"index", a.index},
                         {"credential_id", a.credential_id},
                         {"approver", a.approver},
                         {"keyid", a.keyid},
                         {"roles", a.roles},
                         {"exception", a.exception},
                         {"issued_at", json::format_rfc3339(a.issued_at)}});
  }
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& r : d.rejected) {
    nlohmann::json row = {{"index", r.index}, {"reason", std::string(to_string(r.why))}};
    row["credential_id"] = r.credential_id ? nlohmann::json(*r.credential_id) : nlohmann::json();
    row["keyid"] = r.keyid ? nlohmann::json(*r.keyid) : nlohmann::json();
    rejected.push_back(std::move(row));
  }
  nlohmann::json reasons = nlohmann::json::array();
  for (auto r : d.reasons) reasons.push_back(std::string(to_string(r)));
  nlohmann::json exc;  // null unless an exception was used
  if (d.exception) {
    exc = {{"kind", d.exception->kind},
           {"owner", d.exception->owner},
           {"incident", d.exception->incident},
           {"reason", d.exception->reason},
           {"credential_ids", d.exception->credential_ids},
           {"review_required", d.exception->review_required}};
  }
  return {{"decision", d.allowed ? "allow" : "deny"},
          {"time", json::format_rfc3339(d.time)},
          {"approval_required", d.approval_required},
          {"action", d.action},
          {"project", d.project},
          {"environment", d.environment},
          {"spec_hash", d.spec_hash},
          {"initiator", d.initiator},
          {"destination", d.destination ? nlohmann::json(*d.destination) : nlohmann::json()},
          {"source_environment", d.source_environment ? nlohmann::json(*d.source_environment) : nlohmann::json()},
          {"attributes", d.attributes.is_object() ? d.attributes : nlohmann::json::object()},
          {"approvals_required", d.approvals_required},
          {"capabilities_required", d.capabilities_required},
          {"approvals", std::move(approvals)},
          {"rejected", std::move(rejected)},
          {"missing",
           {{"approvals", d.missing.approvals},
            {"duties", d.missing.duties},
            {"capabilities", d.missing.capabilities}}},
          {"reasons", std::move(reasons)},
          {"policy", {{"id", d.policy_id}, {"hash", d.policy_hash}}},
          {"exception", std::move(exc)},
          {"audit", {{"seq", d.audit_seq}, {"hash", d.audit_hash}}}};
}

/// Lets nlohmann convert a decision (`nlohmann::json j = d;`): the same form as to_json(d).
inline void to_json(nlohmann::json& j, const decision& d) { j = to_json(d); }

ASSENT_END_NAMESPACE
