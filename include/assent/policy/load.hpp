/// @file
/// Loading a governance policy document: everything is validated, and every
/// fault is reported with its JSON path (RFC 6901 pointer).
///
/// Loading happens at configuration time, so it may be thorough: unknown
/// members, unknown roles, duties, tiers and environments named anywhere,
/// thresholds below 1, settings that would only loosen, all refused.
/// docs/policy-reference.md describes every member.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/access.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/credential/approval_claims.hpp"
#include "assent/names.hpp"
#include "assent/policy/policy.hpp"
#include "assent/spec_hash.hpp"

ASSENT_BEGIN_NAMESPACE

/// Why a policy did not load: the JSON path of the first fault and what is wrong there.
struct policy_error {
  std::string path;     ///< RFC 6901 pointer ("" for the document)
  std::string message;  ///< what is wrong
};

/// A loaded policy, or the first fault. Default-constructed: a failure.
struct policy_result {
  std::optional<assent::policy> value;  ///< present on success
  policy_error error;                   ///< meaningful when !value

  [[nodiscard]] bool ok() const noexcept { return value.has_value(); }
  /// "path: message", for one-line error output.
  [[nodiscard]] std::string describe() const {
    return (error.path.empty() ? std::string("(root)") : error.path) + ": " + error.message;
  }
};

/// The policy document versions this library understands.
inline constexpr std::uint64_t policy_document_version = 1;

namespace detail {

class policy_loader {
 public:
  explicit policy_loader(const nlohmann::json& doc) : doc_(doc) {}

  policy_result load() {
    policy::parts parts;
    parts.document = doc_;
    json::object_reader r(doc_);
    parts.version = static_cast<std::uint32_t>(r.required_uint("version", 1, 1000));
    if (r.ok() && parts.version != policy_document_version)
      r.fail("version", json::access_errc::invalid_value, "this library reads policy version 1");
    parts.id = r.required_string("id");
    parts.roles = r.required_string_array("roles", json::require_unique::yes, json::allow_empty::no);
    parts.duties = r.optional_string_array("duties").value_or(std::vector<std::string>{});
    parts.risk_tiers = r.optional_string_array("risk_tiers").value_or(std::vector<std::string>{});
    check_names(r, "roles", parts.roles);
    check_names(r, "duties", parts.duties);
    check_names(r, "risk_tiers", parts.risk_tiers);
    for (const auto& d : parts.duties) {
      if (std::find(parts.roles.begin(), parts.roles.end(), d) != parts.roles.end())
        r.fail("duties", json::access_errc::invalid_value, "\"" + d + "\" is both a role and a duty");
    }
    roles_ = parts.roles;
    duties_ = parts.duties;
    tiers_ = parts.risk_tiers;

    std::int64_t default_skew = 60;
    std::int64_t default_lifetime = 86400;
    r.optional_object("defaults", [&](json::object_reader& dr) {
      if (auto v = dr.optional_uint("clock_skew_seconds", 0, 3600)) default_skew = static_cast<std::int64_t>(*v);
      if (auto v = dr.optional_uint("max_credential_lifetime_seconds", 1, 31536000))
        default_lifetime = static_cast<std::int64_t>(*v);
    });

    // Environment names first, so rules and overrides anywhere can be checked against them.
    if (const auto* envs = doc_.is_object() && doc_.contains("environments") ? &doc_["environments"] : nullptr;
        envs != nullptr && envs->is_object()) {
      for (const auto& e : envs->items()) env_names_.insert(e.key());
    }
    r.required_object_map("environments", [&](const std::string& name, json::object_reader& er) {
      if (!is_valid_name(name))
        r.fail("environments", json::access_errc::invalid_value,
               "environment name \"" + name + "\" " + std::string(name_rule_text));
      parts.environments.emplace(name, load_environment(er, default_skew, default_lifetime));
    });
    if (r.ok() && parts.environments.empty())
      r.fail("environments", json::access_errc::empty, "at least one environment is required");

    r.optional_object("overrides", [&](json::object_reader& o) {
      for (const auto& e : o.optional_string_array("frozen_environments").value_or(std::vector<std::string>{})) {
        if (!env_names_.count(e)) o.fail("frozen_environments", json::access_errc::invalid_value, "unknown environment \"" + e + "\"");
        parts.overrides.frozen_environments.insert(e);
      }
      // An override that can never match its target would look like a defence and be none
      // ("Deploy" disables nothing, "<id> " revokes nothing): each follows its target's syntax.
      for (const auto& c : o.optional_string_array("disabled_capabilities").value_or(std::vector<std::string>{})) {
        if (!detail::is_valid_capability(c))
          o.fail("disabled_capabilities", json::access_errc::invalid_value, "\"" + c + "\" " + capability_rule);
        parts.overrides.disabled_capabilities.insert(c);
      }
      for (const auto& c : o.optional_string_array("revoked_credentials").value_or(std::vector<std::string>{})) {
        if (!detail::is_valid_claims_id(c))
          o.fail("revoked_credentials", json::access_errc::invalid_value,
                 "\"" + c + "\" must be a credential id: 1 to 128 of A-Z a-z 0-9 . _ : -");
        parts.overrides.revoked_credentials.insert(c);
      }
      for (const auto& k : o.optional_string_array("revoked_keys").value_or(std::vector<std::string>{})) {
        if (!is_valid_keyid(k))
          o.fail("revoked_keys", json::access_errc::invalid_value, "\"" + k + "\" " + std::string(keyid_rule_text));
        parts.overrides.revoked_keys.insert(k);
      }
    });

    if (auto fault = r.finish()) return failure(fault->path, describe_fault(*fault));

    auto hash = spec_hash_of_json(doc_);
    if (!hash) return failure("", "the document cannot be put in canonical form");
    parts.hash = std::move(*hash);
    policy_result out;
    out.value.emplace(std::move(parts));
    return out;
  }

 private:
  static constexpr const char* capability_rule = "must be 1 to 64 of a-z 0-9 . _ -";
  // Every name the policy compares with a request, a key or a credential follows the one name
  // rule (names.hpp): a name that cannot occur there would make its rule or list a dead letter.
  static void check_names(json::object_reader& r, std::string_view member, const std::vector<std::string>& names) {
    for (const auto& n : names)
      if (!is_valid_name(n))
        r.fail(member, json::access_errc::invalid_value, "\"" + n + "\" " + std::string(name_rule_text));
  }
  static void check_capabilities(json::object_reader& r, std::string_view member, const std::vector<std::string>& caps) {
    for (const auto& c : caps)
      if (!detail::is_valid_capability(c))
        r.fail(member, json::access_errc::invalid_value, "\"" + c + "\" " + capability_rule);
  }
  static std::string describe_fault(const json::access_error& e) {
    std::string s(json::to_string(e.code));
    if (!e.detail.empty()) s += ": " + e.detail;
    return s;
  }
  static policy_result failure(std::string path, std::string message) {
    policy_result out;
    out.error = {std::move(path), std::move(message)};
    return out;
  }

  std::optional<std::uint32_t> rank_of(json::object_reader& r, std::string_view member,
                                       const std::optional<std::string>& role) const {
    if (!role) return std::nullopt;
    for (std::size_t i = 0; i < roles_.size(); ++i)
      if (roles_[i] == *role) return static_cast<std::uint32_t>(i);
    r.fail(member, json::access_errc::invalid_value, "unknown role \"" + *role + "\"");
    return std::nullopt;
  }
  void check_duties(json::object_reader& r, std::string_view member, const std::vector<std::string>& duties) const {
    for (const auto& d : duties) {
      if (std::find(duties_.begin(), duties_.end(), d) == duties_.end())
        r.fail(member, json::access_errc::invalid_value, "unknown duty \"" + d + "\"");
    }
  }
  void check_environments(json::object_reader& r, std::string_view member, const std::vector<std::string>& envs) const {
    for (const auto& e : envs) {
      if (!env_names_.count(e)) r.fail(member, json::access_errc::invalid_value, "unknown environment \"" + e + "\"");
    }
  }
  std::optional<std::uint32_t> tier_rank(std::string_view tier) const {
    for (std::size_t i = 0; i < tiers_.size(); ++i)
      if (tiers_[i] == tier) return static_cast<std::uint32_t>(i);
    return std::nullopt;
  }

  environment_policy load_environment(json::object_reader& er, std::int64_t skew, std::int64_t lifetime) {
    environment_policy env;
    env.clock_skew_seconds = skew;
    env.max_credential_lifetime_seconds = lifetime;
    if (auto v = er.optional_uint("clock_skew_seconds", 0, 3600)) env.clock_skew_seconds = static_cast<std::int64_t>(*v);
    if (auto v = er.optional_uint("max_credential_lifetime_seconds", 1, 31536000))
      env.max_credential_lifetime_seconds = static_cast<std::int64_t>(*v);
    er.required_object_map("actions", [&](const std::string& name, json::object_reader& ar) {
      if (!is_valid_name(name))
        er.fail("actions", json::access_errc::invalid_value, "action name \"" + name + "\" " + std::string(name_rule_text));
      env.actions.emplace(name, load_action(ar));
    });
    er.optional_object_array("rules", [&](std::size_t, json::object_reader& rr) { env.rules.push_back(load_rule(rr)); });
    er.optional_object("break_glass", [&](json::object_reader& br) { env.break_glass = load_break_glass(br); });
    return env;
  }

  action_policy load_action(json::object_reader& ar) {
    action_policy a;
    const std::string mode = ar.required_choice("approval", {"required", "none", "forbidden"});
    a.approval = mode == "required" ? approval_mode::required
                 : mode == "none"   ? approval_mode::none
                                    : approval_mode::forbidden;
    const bool required = a.approval == approval_mode::required;
    // Members that only mean something when approval is required are refused elsewhere, so a
    // document never says more than it enforces.
    for (const char* m : {"capabilities", "threshold", "min_approver_role", "self_approval",
                          "hardened_destinations", "separation_of_duties"}) {
      if (!required && ar.optional_value(m) != nullptr)
        ar.fail(m, json::access_errc::invalid_value, "only allowed when approval is \"required\"");
    }
    if (required) {
      a.capabilities = ar.required_string_array("capabilities", json::require_unique::yes, json::allow_empty::no);
      check_capabilities(ar, "capabilities", a.capabilities);
      a.threshold = static_cast<std::uint32_t>(ar.optional_uint("threshold", 1, 64).value_or(1));
      a.min_approver_rank = rank_of(ar, "min_approver_role", ar.optional_string("min_approver_role"));
      a.self_approval = ar.optional_bool("self_approval").value_or(false);
      a.hardened_destinations = ar.optional_string_array("hardened_destinations").value_or(std::vector<std::string>{});
      check_names(ar, "hardened_destinations", a.hardened_destinations);
      a.separation_of_duties = ar.optional_bool("separation_of_duties").value_or(false);
    }
    a.min_initiator_rank = rank_of(ar, "min_initiator_role", ar.optional_string("min_initiator_role"));
    a.destinations = ar.optional_string_array("destinations", json::require_unique::yes, json::allow_empty::no);
    if (a.destinations) check_names(ar, "destinations", *a.destinations);
    // The hardened path matches the request's destination against this list; without an allowed
    // list, a destination outside it (a typo, another spelling) would skip the hardened path and
    // still be allowed. So a hardened destination is always one of a closed list.
    if (!a.hardened_destinations.empty() && !a.destinations)
      ar.fail("hardened_destinations", json::access_errc::invalid_value,
              "requires \"destinations\": a destination outside a closed list would skip the hardened path");
    if (a.destinations) {
      for (const auto& h : a.hardened_destinations) {
        if (std::find(a.destinations->begin(), a.destinations->end(), h) == a.destinations->end())
          ar.fail("hardened_destinations", json::access_errc::invalid_value,
                  "\"" + h + "\" is not one of the action's destinations");
      }
    }
    a.source_environments = ar.optional_string_array("source_environments", json::require_unique::yes, json::allow_empty::no);
    if (a.source_environments) check_environments(ar, "source_environments", *a.source_environments);
    return a;
  }

  policy_rule load_rule(json::object_reader& rr) {
    policy_rule rule;
    rr.required_object("when", [&](json::object_reader& wr) {
      wr.allow_unknown_members();  // attribute names are the host's own
      const nlohmann::json* when = nullptr;
      if (const auto* self = rr.optional_value("when")) when = self;
      if (when == nullptr || !when->is_object()) return;
      for (const auto& item : when->items()) {
        rule_condition c;
        c.attribute = item.key();
        const auto& v = item.value();
        if (!is_valid_name(c.attribute))
          wr.fail(item.key(), json::access_errc::invalid_value, "attribute name " + std::string(name_rule_text));
        if (v.is_object()) {
          json::object_reader cr(v, wr.path_of(item.key()));
          const std::string tier = cr.required_string("at_least");
          if (cr.ok()) {
            c.at_least_tier = tier_rank(tier);
            if (!c.at_least_tier) cr.fail("at_least", json::access_errc::invalid_value, "unknown risk tier \"" + tier + "\"");
          }
          if (auto fault = cr.finish()) wr.fail(item.key(), fault->code, describe_at(*fault, wr.path_of(item.key())));
        } else if (v.is_string() || v.is_boolean() || v.is_number()) {
          if (c.attribute == "risk_tier" && v.is_string() && !tier_rank(v.get_ref<const std::string&>()))
            wr.fail(item.key(), json::access_errc::invalid_value, "unknown risk tier \"" + v.get<std::string>() + "\"");
          if (v.is_string() && !is_valid_attribute_value(v))
            wr.fail(item.key(), json::access_errc::invalid_value, "not a value a request attribute can hold");
          if (v.is_string() && !detail::is_plain_condition_text(v.get_ref<const std::string&>()))
            wr.fail(item.key(), json::access_errc::invalid_value,
                    "must not start or end with white space or hold invisible format characters");
          c.equals = v;
        } else {
          wr.fail(item.key(), json::access_errc::wrong_type, "expected a string, boolean, number or {\"at_least\": tier}");
        }
        rule.when.push_back(std::move(c));
      }
    });
    rule.require_duties = rr.optional_string_array("require_duties").value_or(std::vector<std::string>{});
    check_duties(rr, "require_duties", rule.require_duties);
    rule.require_capabilities = rr.optional_string_array("require_capabilities").value_or(std::vector<std::string>{});
    check_capabilities(rr, "require_capabilities", rule.require_capabilities);
    if (auto t = rr.optional_uint("min_threshold", 1, 64)) rule.min_threshold = static_cast<std::uint32_t>(*t);
    rule.min_approver_rank = rank_of(rr, "min_approver_role", rr.optional_string("min_approver_role"));
    if (rr.ok() && rule.require_duties.empty() && rule.require_capabilities.empty() && !rule.min_threshold &&
        !rule.min_approver_rank)
      rr.fail("require_duties", json::access_errc::missing, "a rule must require something");
    return rule;
  }

  // A nested reader's fault re-expressed from the parent's viewpoint (its path is deeper).
  static std::string describe_at(const json::access_error& e, const std::string& parent) {
    std::string rest = e.path.size() > parent.size() ? e.path.substr(parent.size()) : std::string();
    return (rest.empty() ? std::string() : rest + ": ") + describe_fault(e);
  }

  break_glass_posture load_break_glass(json::object_reader& br) {
    break_glass_posture bg;
    bg.allowed = br.required_bool("allowed");
    if (!bg.allowed) {
      for (const char* m : {"max_lifetime_seconds", "owners", "capabilities", "threshold"}) br.ignore(m);
      return bg;
    }
    bg.max_lifetime_seconds = static_cast<std::int64_t>(br.required_uint("max_lifetime_seconds", 1, 86400));
    bg.owners = br.required_string_array("owners", json::require_unique::yes, json::allow_empty::no);
    check_names(br, "owners", bg.owners);
    bg.capabilities = br.required_string_array("capabilities", json::require_unique::yes, json::allow_empty::no);
    check_capabilities(br, "capabilities", bg.capabilities);
    bg.threshold = static_cast<std::uint32_t>(br.optional_uint("threshold", 1, 64).value_or(1));
    return bg;
  }

  const nlohmann::json& doc_;
  std::vector<std::string> roles_, duties_, tiers_;
  std::set<std::string, std::less<>> env_names_;
};

}  // namespace detail

/// Loads a policy from a parsed document.
[[nodiscard]] inline policy_result load_policy(const nlohmann::json& document) {
  try {
    return detail::policy_loader(document).load();
  } catch (const std::exception& e) {  // only bad_alloc is expected here
    policy_result out;
    out.error = {"", std::string("cannot load policy: ") + e.what()};
    return out;
  }
}

/// Parses (strictly: duplicate members are an error) and loads a policy document.
[[nodiscard]] inline policy_result load_policy(std::string_view text) {
  auto parsed = json::parse_strict(text);
  if (!parsed.ok()) {
    policy_result out;
    out.error = {"", "not valid JSON at byte " + std::to_string(parsed.error.offset) + ": " + parsed.error.message};
    return out;
  }
  return load_policy(*parsed.value);
}
/// Parses and loads a policy document held in a string (avoids the json/string_view ambiguity).
[[nodiscard]] inline policy_result load_policy(const std::string& text) { return load_policy(std::string_view(text)); }
/// Parses and loads a policy document from a C string.
[[nodiscard]] inline policy_result load_policy(const char* text) { return load_policy(std::string_view(text)); }

ASSENT_END_NAMESPACE
