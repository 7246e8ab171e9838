/// @file
/// Which required duties a set of approvers covers.
///
/// With separation of duties every duty needs a *different* approver: that
/// is a bipartite matching (duties to approvers), not a union, or one person
/// holding two duties would satisfy both. Sizes are tiny (a few duties, a
/// few approvers), so Kuhn's augmenting paths are plenty.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE
namespace detail {

/// Duties no approver (or, with separation, no separate approver) covers.
/// `holds[a][d]` says approver a holds duty d.
[[nodiscard]] inline std::vector<std::size_t> uncovered_duties(
    const std::vector<std::vector<bool>>& holds, std::size_t duty_count, bool separation) {
  std::vector<std::size_t> missing;
  if (!separation) {
    for (std::size_t d = 0; d < duty_count; ++d) {
      bool covered = false;
      for (const auto& row : holds) covered = covered || row[d];
      if (!covered) missing.push_back(d);
    }
    return missing;
  }
  const std::size_t npos = static_cast<std::size_t>(-1);
  std::vector<std::size_t> approver_of(duty_count, npos);  // duty -> approver
  std::vector<std::size_t> duty_of(holds.size(), npos);    // approver -> duty
  std::vector<bool> seen;
  // Try to give duty d an approver, moving earlier assignments along augmenting paths.
  auto augment = [&](auto&& self, std::size_t d) -> bool {
    for (std::size_t a = 0; a < holds.size(); ++a) {
      if (!holds[a][d] || seen[a]) continue;
      seen[a] = true;
      if (duty_of[a] == npos || self(self, duty_of[a])) {
        duty_of[a] = d;
        approver_of[d] = a;
        return true;
      }
    }
    return false;
  };
  for (std::size_t d = 0; d < duty_count; ++d) {
    seen.assign(holds.size(), false);
    if (!augment(augment, d)) missing.push_back(d);
  }
  return missing;
}

}  // namespace detail
ASSENT_END_NAMESPACE
