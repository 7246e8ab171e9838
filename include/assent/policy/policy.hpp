/// @file
/// assent's default policy type: the governance document, validated, with
/// the rules that turn a request into an effective posture.
///
/// Build one with load_policy (policy/load.hpp). It is immutable once built
/// and shared between threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/policy/condition.hpp"
#include "assent/policy/posture.hpp"
#include "assent/reason.hpp"
#include "assent/request.hpp"

ASSENT_BEGIN_NAMESPACE

/// A rule: when every condition matches, add requirements (rules only tighten).
struct policy_rule {
  std::vector<rule_condition> when;           ///< empty: always matches
  std::vector<std::string> require_duties;    ///< duties to cover
  std::vector<std::string> require_capabilities;  ///< capabilities approvals must also cover
  std::optional<std::uint32_t> min_threshold;  ///< raise the threshold to at least this
  std::optional<std::uint32_t> min_approver_rank;  ///< raise the approver rank to at least this
};

/// One action in one environment, as the document states it.
struct action_policy {
  approval_mode approval = approval_mode::forbidden;
  std::vector<std::string> capabilities;
  std::uint32_t threshold = 1;
  std::optional<std::uint32_t> min_approver_rank;
  std::optional<std::uint32_t> min_initiator_rank;
  bool self_approval = false;
  std::optional<std::vector<std::string>> destinations;  ///< absent: any destination
  std::vector<std::string> hardened_destinations;
  bool separation_of_duties = false;
  std::optional<std::vector<std::string>> source_environments;  ///< absent: any source
};

/// One environment's posture.
struct environment_policy {
  std::int64_t max_credential_lifetime_seconds = 86400;
  std::int64_t clock_skew_seconds = 60;
  std::map<std::string, action_policy, std::less<>> actions;
  std::vector<policy_rule> rules;
  break_glass_posture break_glass;
};

/// Human overrides: they only ever deny more.
struct policy_overrides {
  std::set<std::string, std::less<>> frozen_environments;
  std::set<std::string, std::less<>> disabled_capabilities;
  std::set<std::string, std::less<>> revoked_credentials;
  std::set<std::string, std::less<>> revoked_keys;
};

/// What a policy says about one request before any credential is looked at.
struct posture_result {
  std::optional<posture> effective;  ///< absent when the environment or action is unknown
  std::vector<reason> denials;       ///< decision-level reasons found (empty: none)
};

/// The validated governance document.
class policy {
 public:
  /// Assembled by load_policy; not meant to be filled by hand.
  struct parts {
    std::uint32_t version = 1;
    std::string id;
    std::vector<std::string> roles;       // ranked, lowest first
    std::vector<std::string> duties;
    std::vector<std::string> risk_tiers;  // ranked, lowest first
    std::map<std::string, environment_policy, std::less<>> environments;
    policy_overrides overrides;
    std::string hash;                     // spec hash of the document's canonical form
    nlohmann::json document;              // the document as loaded
  };

  explicit policy(parts p) : p_(std::move(p)) {}

  [[nodiscard]] const std::string& id() const noexcept { return p_.id; }
  /// "sha256:<hex>" over the canonical (RFC 8785) form of the document.
  [[nodiscard]] const std::string& hash() const noexcept { return p_.hash; }
  [[nodiscard]] std::uint32_t version() const noexcept { return p_.version; }
  [[nodiscard]] const std::vector<std::string>& roles() const noexcept { return p_.roles; }
  [[nodiscard]] const std::vector<std::string>& duties() const noexcept { return p_.duties; }
  [[nodiscard]] const std::vector<std::string>& risk_tiers() const noexcept { return p_.risk_tiers; }
  [[nodiscard]] const policy_overrides& overrides() const noexcept { return p_.overrides; }
  [[nodiscard]] const nlohmann::json& document() const noexcept { return p_.document; }
  [[nodiscard]] const environment_policy* environment(std::string_view name) const noexcept {
    auto it = p_.environments.find(name);
    return it == p_.environments.end() ? nullptr : &it->second;
  }

  /// Rank of a role (0 = lowest), or nothing for a name that is not a ranked role.
  [[nodiscard]] std::optional<std::uint32_t> role_rank(std::string_view role) const noexcept {
    for (std::size_t i = 0; i < p_.roles.size(); ++i)
      if (p_.roles[i] == role) return static_cast<std::uint32_t>(i);
    return std::nullopt;
  }
  /// Highest rank among some role names (duties and unknown names have none).
  template <typename Roles>
  [[nodiscard]] std::optional<std::uint32_t> highest_rank(const Roles& names) const noexcept {
    std::optional<std::uint32_t> best;
    for (const auto& n : names) {
      auto r = role_rank(n);
      if (r && (!best || *r > *best)) best = r;
    }
    return best;
  }
  [[nodiscard]] bool is_credential_revoked(std::string_view id) const noexcept {
    return p_.overrides.revoked_credentials.count(id) != 0;
  }
  [[nodiscard]] bool is_key_revoked(std::string_view kid) const noexcept {
    return p_.overrides.revoked_keys.count(kid) != 0;
  }

  /// The effective posture for a request, and every decision-level denial
  /// the request itself earns. The checks run in a fixed order (documented in
  /// docs/policy-reference.md): environment, action, freeze, approval mode,
  /// disabled capabilities, initiator rank, destination, source environment.
  [[nodiscard]] posture_result resolve(const request& req) const {
    posture_result out;
    const environment_policy* env = environment(req.environment);
    if (env == nullptr) {
      out.denials.push_back(reason::unknown_environment);
      return out;
    }
    auto act_it = env->actions.find(req.action);
    if (act_it == env->actions.end()) {
      out.denials.push_back(reason::unknown_action);
      return out;
    }
    const action_policy& act = act_it->second;

    posture p;
    p.approval = act.approval;
    p.capabilities = act.capabilities;
    p.threshold = act.threshold;
    p.min_approver_rank = act.min_approver_rank;
    p.self_approval = act.self_approval;
    p.separation_of_duties = act.separation_of_duties;
    p.max_credential_lifetime_seconds = env->max_credential_lifetime_seconds;
    p.clock_skew_seconds = env->clock_skew_seconds;
    p.break_glass = env->break_glass;

    // Rules add requirements; nothing in a rule can loosen the action. A rule that cannot be
    // evaluated on this request denies it (policy/condition.hpp): skipping it could only loosen.
    bool unevaluable = false;
    for (const auto& rule : env->rules) {
      const rule_match m = evaluate_rule(rule, req.attributes);
      if (m == rule_match::unevaluable) unevaluable = true;
      if (m != rule_match::yes) continue;
      p.required_duties.insert(p.required_duties.end(), rule.require_duties.begin(),
                               rule.require_duties.end());
      p.capabilities.insert(p.capabilities.end(), rule.require_capabilities.begin(),
                            rule.require_capabilities.end());
      if (rule.min_threshold) p.threshold = std::max(p.threshold, *rule.min_threshold);
      if (rule.min_approver_rank && (!p.min_approver_rank || *p.min_approver_rank < *rule.min_approver_rank))
        p.min_approver_rank = rule.min_approver_rank;
    }
    sort_unique(p.required_duties);
    sort_unique(p.capabilities);
    if (p.min_approver_rank) p.min_approver_role = p_.roles[*p.min_approver_rank];

    // The hardened path: two distinct approvers, none of them the initiator,
    // whatever threshold and self_approval say.
    if (req.destination &&
        std::find(act.hardened_destinations.begin(), act.hardened_destinations.end(),
                  *req.destination) != act.hardened_destinations.end()) {
      p.hardened = true;
      p.threshold = std::max<std::uint32_t>(p.threshold, 2);
      p.self_approval = false;
      p.break_glass.threshold = std::max<std::uint32_t>(p.break_glass.threshold, 2);
    }

    if (p_.overrides.frozen_environments.count(req.environment) != 0)
      out.denials.push_back(reason::environment_frozen);
    if (unevaluable) out.denials.push_back(reason::rule_not_evaluable);
    if (act.approval == approval_mode::forbidden) out.denials.push_back(reason::action_forbidden);
    for (const auto& cap : p.capabilities) {
      if (p_.overrides.disabled_capabilities.count(cap) != 0) {
        out.denials.push_back(reason::capability_disabled);
        break;
      }
    }
    if (act.min_initiator_rank) {
      auto rank = highest_rank(req.initiator_roles);
      if (!rank || *rank < *act.min_initiator_rank) out.denials.push_back(reason::initiator_role_too_low);
    }
    if (act.destinations) {
      if (!req.destination || std::find(act.destinations->begin(), act.destinations->end(),
                                        *req.destination) == act.destinations->end())
        out.denials.push_back(reason::destination_not_allowed);
    }
    if (act.source_environments) {
      if (!req.source_environment ||
          std::find(act.source_environments->begin(), act.source_environments->end(),
                    *req.source_environment) == act.source_environments->end())
        out.denials.push_back(reason::wrong_source_environment);
    }
    out.effective = std::move(p);
    return out;
  }

  /// Does a rule's `when` match these request attributes? Every listed attribute must match;
  /// one the request lacks does not. Unevaluable, whatever the other conditions say, when any
  /// present attribute cannot be compared with its condition: an `at_least` tier that is not a
  /// string the policy ranks, or an equality of another kind or another spelling (match_equals).
  [[nodiscard]] rule_match evaluate_rule(const policy_rule& rule, const nlohmann::json& attributes) const {
    rule_match out = rule_match::yes;
    for (const auto& cond : rule.when) {
      const auto it = attributes.is_object() ? attributes.find(cond.attribute) : attributes.end();
      if (!attributes.is_object() || it == attributes.end()) {
        out = rule_match::no;
        continue;
      }
      rule_match m = rule_match::no;
      if (cond.at_least_tier) {
        const auto tier = it->is_string() ? tier_rank(it->get_ref<const std::string&>()) : std::nullopt;
        m = !tier ? rule_match::unevaluable : *tier >= *cond.at_least_tier ? rule_match::yes : rule_match::no;
      } else {
        m = match_equals(*it, cond.equals);
      }
      if (m == rule_match::unevaluable) return m;
      if (m == rule_match::no) out = rule_match::no;
    }
    return out;
  }

  /// Rank of a risk tier (0 = lowest), if the policy names it.
  [[nodiscard]] std::optional<std::uint32_t> tier_rank(std::string_view tier) const noexcept {
    for (std::size_t i = 0; i < p_.risk_tiers.size(); ++i)
      if (p_.risk_tiers[i] == tier) return static_cast<std::uint32_t>(i);
    return std::nullopt;
  }

 private:
  static void sort_unique(std::vector<std::string>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  parts p_;
};

ASSENT_END_NAMESPACE
