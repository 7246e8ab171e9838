/// @file
/// A key set read against the policy that will judge its keys' approvals.
///
/// A role in the key set that the policy does not know (a typo such as "amdin") gives its holder
/// no rank and covers no duty, so it surfaces only at decision time, as approver_role_too_low on
/// a deploy that should have been allowed. An environment the policy does not name is the same
/// kind of silent mistake. This check finds both when the key set is published
/// (`assent policy check POLICY --keys KEYS`).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "assent/config.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/policy/policy.hpp"

ASSENT_BEGIN_NAMESPACE

/// One key-set entry the policy cannot read.
struct key_set_mismatch {
  std::string kid;     ///< the key
  std::string member;  ///< "roles" or "environments"
  std::string value;   ///< the role or environment the policy does not name
};

/// Every role of a key that is neither a ranked role nor a duty of `pol`, and every environment a
/// key is limited to that `pol` does not name; in kid order. Empty when the two agree.
[[nodiscard]] inline std::vector<key_set_mismatch> check_key_set(const policy& pol, const memory_key_store& keys) {
  std::vector<key_set_mismatch> out;
  const auto& roles = pol.roles();
  const auto& duties = pol.duties();
  keys.for_each([&](const key_record& k) {
    for (const auto& r : k.roles()) {
      if (std::find(roles.begin(), roles.end(), r) == roles.end() &&
          std::find(duties.begin(), duties.end(), r) == duties.end())
        out.push_back({k.kid(), "roles", r});
    }
    if (k.environments()) {
      for (const auto& e : *k.environments())
        if (pol.environment(e) == nullptr) out.push_back({k.kid(), "environments", e});
    }
  });
  return out;
}

ASSENT_END_NAMESPACE
