/// @file
/// The verifier's check of a posture before it enforces it.
///
/// A posture is what a policy type says one request must satisfy. assent's own policy builds
/// consistent ones, but a host's policy type can return anything, and the verifier must never
/// enforce less than the posture appears to say: a `min_approver_role` without its rank would
/// enforce no rank at all, a threshold of 0 on an action that requires approval would allow with
/// no credential. So an inconsistent or impossible posture is refused (reason::invalid_posture),
/// a deny that is recorded like any other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assent/config.hpp"
#include "assent/credential/approval_claims.hpp"
#include "assent/names.hpp"
#include "assent/policy/posture.hpp"

ASSENT_BEGIN_NAMESPACE
namespace detail {

// Why `p` cannot be enforced as it reads, or nullptr when it can. `rank_of_role(name)` is the
// policy's rank of one role name (its highest_rank over that one name).
template <typename RankOf>
[[nodiscard]] const char* posture_fault(const posture& p, RankOf&& rank_of_role) {
  if (p.approval != approval_mode::required && p.approval != approval_mode::none &&
      p.approval != approval_mode::forbidden)
    return "approval mode is not one of required, none, forbidden";
  if (p.max_credential_lifetime_seconds < 1) return "max_credential_lifetime_seconds is below 1";
  if (p.clock_skew_seconds < 0 || p.clock_skew_seconds > 3600) return "clock_skew_seconds is outside 0..3600";
  // A role name and its rank are one fact: both present and agreeing, or neither.
  if (p.min_approver_role.has_value() != p.min_approver_rank.has_value())
    return "min_approver_role and min_approver_rank must be given together";
  if (p.min_approver_role) {
    const std::optional<std::uint32_t> rank = rank_of_role(*p.min_approver_role);
    if (!rank || *rank != *p.min_approver_rank) return "min_approver_rank is not the rank of min_approver_role";
  }
  for (const auto& d : p.required_duties)
    if (!is_valid_name(d)) return "a required duty is not a valid name";
  for (const auto& c : p.capabilities)
    if (!is_valid_capability(c)) return "a required capability is not a valid capability";
  if (p.approval == approval_mode::required) {
    if (p.threshold < 1) return "an action that requires approval needs a threshold of at least 1";
    if (p.capabilities.empty()) return "an action that requires approval needs at least one capability";
    if (p.hardened && (p.threshold < 2 || p.self_approval)) return "a hardened posture was loosened";
  }
  if (p.break_glass.allowed) {
    const auto& bg = p.break_glass;
    if (bg.threshold < 1) return "break-glass needs a threshold of at least 1";
    if (p.hardened && bg.threshold < 2) return "a hardened posture was loosened";
    if (bg.max_lifetime_seconds < 1) return "break-glass max_lifetime_seconds is below 1";
    if (bg.owners.empty() || bg.capabilities.empty()) return "break-glass needs owners and capabilities";
    for (const auto& o : bg.owners)
      if (!is_valid_name(o)) return "a break-glass owner is not a valid name";
    for (const auto& c : bg.capabilities)
      if (!is_valid_capability(c)) return "a break-glass capability is not a valid capability";
  }
  return nullptr;
}

}  // namespace detail
ASSENT_END_NAMESPACE
