/// @file
/// The effective posture: what one request must satisfy, after the
/// environment's action settings, its rules and the hardened path have been
/// combined. The verifier only ever sees this, so a host can bring its own
/// policy type as long as it can produce one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE

/// Whether an action needs approval.
enum class approval_mode : std::uint8_t {
  forbidden = 0,  ///< never allowed (the safest value is the default)
  required = 1,   ///< allowed only with enough valid approvals
  none = 2,       ///< allowed without approval, still audited
};

/// "required", "none" or "forbidden".
[[nodiscard]] constexpr std::string_view to_string(approval_mode m) noexcept {
  switch (m) {
    case approval_mode::required: return "required";
    case approval_mode::none: return "none";
    case approval_mode::forbidden: return "forbidden";
  }
  return "forbidden";
}

/// Break-glass settings of one environment.
struct break_glass_posture {
  bool allowed = false;                      ///< exceptions may stand in for normal approvals
  std::int64_t max_lifetime_seconds = 0;     ///< an exception credential lives at most this long
  std::vector<std::string> owners;           ///< principals who may issue exceptions
  std::vector<std::string> capabilities;     ///< capabilities an exception may cover
  std::uint32_t threshold = 1;               ///< distinct exception approvers needed
};

/// Everything one request must satisfy. Built by a policy; read by the verifier.
struct posture {
  approval_mode approval = approval_mode::forbidden;  ///< whether approval is needed
  std::vector<std::string> capabilities;     ///< every approval must cover all of these (sorted)
  std::uint32_t threshold = 1;               ///< distinct approvers needed
  std::optional<std::string> min_approver_role;  ///< lowest role an approver may hold
  std::optional<std::uint32_t> min_approver_rank;  ///< its rank (index in the ranked roles)
  bool self_approval = false;                ///< may the initiator approve their own action
  bool hardened = false;                     ///< the destination is hardened (tightened already)
  std::vector<std::string> required_duties;  ///< duties approvers must cover (sorted, unique)
  bool separation_of_duties = false;         ///< each duty by a different approver
  std::int64_t max_credential_lifetime_seconds = 86400;  ///< expires_at - issued_at at most
  std::int64_t clock_skew_seconds = 60;      ///< tolerance for clocks running ahead
  break_glass_posture break_glass;           ///< exception path
};

ASSENT_END_NAMESPACE
