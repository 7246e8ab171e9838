/// @file
/// Audit events: the JSON object each decision (or host action) records.
///
/// A decision event answers who initiated what, where, whether approval was
/// required, which approvals were provided and which were refused (and why),
/// which capabilities were required, what was decided under which policy,
/// and whether an exception was used. docs/audit-format.md lists the members.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/decision.hpp"
#include "assent/json/time.hpp"

ASSENT_BEGIN_NAMESPACE

/// The audit event of a decision (type "decision").
[[nodiscard]] inline nlohmann::json decision_event(const decision& d) {
  nlohmann::json approvals = nlohmann::json::array();
  for (const auto& a : d.approvals) {
    approvals.push_back({{"credential_id", a.credential_id},
                         {"approver", a.approver},
                         {"keyid", a.keyid},
                         {"issued_at", json::format_rfc3339(a.issued_at)},
                         {"exception", a.exception}});
  }
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& r : d.rejected) {
    rejected.push_back({{"index", r.index},
                        {"credential_id", r.credential_id ? nlohmann::json(*r.credential_id) : nlohmann::json()},
                        {"keyid", r.keyid ? nlohmann::json(*r.keyid) : nlohmann::json()},
                        {"reason", std::string(to_string(r.why))}});
  }
  nlohmann::json reasons = nlohmann::json::array();
  for (auto r : d.reasons) reasons.push_back(std::string(to_string(r)));
  nlohmann::json exc;
  if (d.exception) {
    exc = {{"kind", d.exception->kind},
           {"owner", d.exception->owner},
           {"incident", d.exception->incident},
           {"credential_ids", d.exception->credential_ids},
           {"review_required", true}};
  }
  return {{"type", "decision"},
          {"decision", d.allowed ? "allow" : "deny"},
          {"action", d.action},
          {"project", d.project},
          {"environment", d.environment},
          {"spec_hash", d.spec_hash},
          {"initiator", d.initiator},
          {"approval_required", d.approval_required},
          {"capabilities_required", d.capabilities_required},
          {"approvals", std::move(approvals)},
          {"rejected", std::move(rejected)},
          {"reasons", std::move(reasons)},
          {"missing",
           {{"approvals", d.missing.approvals},
            {"duties", d.missing.duties},
            {"capabilities", d.missing.capabilities}}},
          {"policy", {{"id", d.policy_id}, {"hash", d.policy_hash}}},
          {"exception", std::move(exc)}};
}

ASSENT_END_NAMESPACE
