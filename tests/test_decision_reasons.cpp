// Every reason code, each produced by the smallest change to an allowed scenario.
#include <functional>
#include <set>
#include <sstream>

#include "catch.hpp"
#include "decision_fixture.hpp"

// A named namespace keeps the using-directive out of the other files of a unity batch.
namespace decision_reasons_test {
using namespace decision_fixture;
using assent::reason;

namespace {

// An allowed production deploy (alice and dave approve bob's deploy), and the
// knobs each row turns.
struct scenario {
  nlohmann::json policy = acme_policy_document();
  std::optional<assent::memory_key_store> store;  // default: the world's store
  bool store_unavailable = false;
  bool sink_fails = false;
  assent::verifier_options options{};
  // Which host part fails (throws): none, or the policy, the clock, the claims reader, or a
  // member of the claims type that assent reads outside the named parts.
  enum class fault { none, policy, posture, clock, claims_reader, claims_member } host_fault = fault::none;
  assent::request req = deploy_request();
  std::vector<std::string> credentials;
};

struct outcome {
  assent::decision d;
};

assent::decision run(const world& w, scenario& s) {
  const auto pol = load(s.policy);
  recording_sink sink;
  sink.fail = s.sink_fails;
  unavailable_store down;
  const assent::key_store& keys = s.store_unavailable ? static_cast<const assent::key_store&>(down)
                                  : s.store ? static_cast<const assent::key_store&>(*s.store)
                                            : static_cast<const assent::key_store&>(w.store);
  const auto decide = [&](const auto& v) { return v.decide(s.req, s.credentials); };
  assent::decision d;
  using fault = scenario::fault;
  switch (s.host_fault) {
    case fault::none:
      d = decide(assent::verifier<assent::policy, assent::approval_claims, assent::fixed_clock>(
          pol, keys, sink, s.options, assent::fixed_clock{now}));
      break;
    case fault::policy: {
      const flaky_policy flaky{pol, true, false};
      d = decide(assent::verifier<flaky_policy, assent::approval_claims, assent::fixed_clock>(
          flaky, keys, sink, s.options, assent::fixed_clock{now}));
      break;
    }
    case fault::posture: {
      flaky_policy loose{pol, false, false};
      loose.edit_posture = [](assent::posture& p) { p.threshold = 0; };
      d = decide(assent::verifier<flaky_policy, assent::approval_claims, assent::fixed_clock>(
          loose, keys, sink, s.options, assent::fixed_clock{now}));
      break;
    }
    case fault::clock:
      d = decide(assent::verifier<assent::policy, assent::approval_claims, failing_clock>(pol, keys, sink, s.options));
      break;
    case fault::claims_reader:
      d = decide(assent::verifier<assent::policy, ticket_claims, assent::fixed_clock>(pol, keys, sink, s.options,
                                                                                     assent::fixed_clock{now}));
      break;
    case fault::claims_member:
      d = decide(assent::verifier<assent::policy, exploding_claims, assent::fixed_clock>(pol, keys, sink, s.options,
                                                                                        assent::fixed_clock{now}));
      break;
  }
  // Exactly one audit event per decision, whatever happened.
  CHECK(sink.events.size() == (s.sink_fails ? 0u : 1u));
  return d;
}

scenario allowed(const world& w) {
  scenario s;
  s.credentials = {sign(claims_for("alice", "apv-1"), w.keys.at("alice-1")),
                   sign(claims_for("dave", "apv-2"), w.keys.at("dave-1"))};
  return s;
}

// Replaces alice's credential with one built from modified claims and/or key.
void alice_signs(const world& w, scenario& s, const std::function<void(assent::approval_claims&)>& tweak,
                 const std::string& kid = "alice-1") {
  auto c = claims_for("alice", "apv-1");
  tweak(c);
  s.credentials[0] = forge(c, w.keys.at(kid));
}

struct row {
  const char* name;
  reason expected;
  std::function<void(const world&, scenario&)> change;
};

}  // namespace

TEST_CASE("the baseline scenario is allowed", "[decision]") {
  world w;
  auto s = allowed(w);
  auto d = run(w, s);
  INFO(to_json(d).dump(2));
  CHECK(d.allowed);
  CHECK(d.reasons.empty());
  CHECK(d.rejected.empty());
  CHECK(d.approvals.size() == 2);
  CHECK(d.approval_required);
  CHECK(d.capabilities_required == std::vector<std::string>{"deploy"});
  CHECK(d.time == now);
}

TEST_CASE("every reason code comes from the smallest change to an allowed decision", "[decision][reasons]") {
  world w;
  const std::vector<row> rows = {
      // --- per credential ---
      {"malformed envelope", reason::malformed_envelope, [](const world&, scenario& s) { s.credentials[0] = "{not json"; }},
      {"unsupported payload type", reason::unsupported_payload_type,
       [](const world& w2, scenario& s) {
         assent::dsse::envelope e;
         e.payload_type = "application/vnd.in-toto+json";
         const std::string body = claims_for("alice", "apv-1").id;
         e.payload.assign(body.begin(), body.end());
         auto sig = w2.keys.at("alice-1").sign(assent::byte_view(assent::dsse::pae(e)));
         e.signatures.push_back({"alice-1", assent::bytes(sig.begin(), sig.end())});
         s.credentials[0] = assent::dsse::serialize(e);
       }},
      {"unknown key", reason::unknown_key,
       [](const world&, scenario& s) { s.credentials[0] = forge(claims_for("alice", "apv-1"), world::stranger()); }},
      {"key store unavailable", reason::key_store_unavailable, [](const world&, scenario& s) { s.store_unavailable = true; }},
      {"invalid signature", reason::bad_signature,
       [](const world&, scenario& s) {
         auto env = *assent::dsse::parse_envelope(s.credentials[0]).value;
         env.signatures[0].sig[10] ^= 0x01;
         s.credentials[0] = assent::dsse::serialize(env);
       }},
      {"key revoked in the key set", reason::key_revoked,
       [](const world& w2, scenario& s) {
         s.store = w2.store_with("alice-1", [](auto& k) { k.status = assent::key_status::revoked; });
       }},
      {"key revoked by a policy override", reason::key_revoked,
       [](const world&, scenario& s) { s.policy["overrides"]["revoked_keys"] = {"alice-1"}; }},
      {"key expired", reason::key_expired,
       [](const world& w2, scenario& s) { s.store = w2.store_with("alice-1", [](auto& k) { k.expires_at = now - 1; }); }},
      {"key not yet valid", reason::key_not_yet_valid,
       [](const world& w2, scenario& s) { s.store = w2.store_with("alice-1", [](auto& k) { k.not_before = now + 3600; }); }},
      {"key retired before the credential was issued", reason::key_retired,
       [](const world& w2, scenario& s) {
         s.store = w2.store_with("alice-1", [](auto& k) {
           k.status = assent::key_status::retired;
           k.retired_at = now - 3600;
         });
       }},
      {"key not allowed for the environment", reason::key_environment_not_allowed,
       [](const world& w2, scenario& s) {
         s.store = w2.store_with("alice-1", [](auto& k) { k.environments = std::vector<std::string>{"staging"}; });
       }},
      {"malformed credential", reason::malformed_credential,
       [](const world& w2, scenario& s) {
         assent::dsse::envelope e;
         e.payload_type = std::string(assent::dsse::approval_payload_type);
         const std::string body = R"({"id":"apv-1","project":"payments"})";
         e.payload.assign(body.begin(), body.end());
         auto sig = w2.keys.at("alice-1").sign(assent::byte_view(assent::dsse::pae(e)));
         e.signatures.push_back({"alice-1", assent::bytes(sig.begin(), sig.end())});
         s.credentials[0] = assent::dsse::serialize(e);
       }},
      {"approver claim names someone else", reason::approver_mismatch,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.approver = "carol"; }); }},
      {"credential revoked", reason::credential_revoked,
       [](const world&, scenario& s) { s.policy["overrides"]["revoked_credentials"] = {"apv-1"}; }},
      {"spec hash mismatch", reason::spec_hash_mismatch,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.spec_hash = "sha256:" + std::string(64, 'd'); }); }},
      {"wrong environment", reason::wrong_environment,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.environment = "staging"; }); }},
      {"wrong project", reason::wrong_project,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.project = "ledger"; }); }},
      {"not yet valid", reason::not_yet_valid,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.not_before = now + 120; }); }},
      {"expired", reason::expired,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.expires_at = now; }); }},
      {"issued in the future", reason::issued_in_future,
       [](const world& w2, scenario& s) {
         alice_signs(w2, s, [](auto& c) {
           c.issued_at = now + 300;
           c.expires_at = now + 900;
         });
       }},
      {"lifetime longer than the environment allows", reason::lifetime_exceeds_policy,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.expires_at = c.issued_at + 3601; }); }},
      {"insufficient capabilities", reason::insufficient_capabilities,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.capabilities = {"replay.execute"}; }); }},
      {"bound to another initiator", reason::initiator_mismatch,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.initiator = "frank"; }); }},
      {"bound to another destination", reason::destination_mismatch,
       [](const world& w2, scenario& s) { alice_signs(w2, s, [](auto& c) { c.destination = "us-east"; }); }},
      {"self-approval", reason::self_approval,
       [](const world& w2, scenario& s) {
         auto c = claims_for("bob", "apv-9");
         s.credentials[0] = sign(c, w2.keys.at("bob-1"));
       }},
      {"approver role too low", reason::approver_role_too_low,
       [](const world& w2, scenario& s) { s.credentials[0] = sign(claims_for("frank", "apv-9"), w2.keys.at("frank-1")); }},
      {"duplicate approver (second key of one person)", reason::duplicate_approver,
       [](const world& w2, scenario& s) { s.credentials[1] = sign(claims_for("alice", "apv-2"), w2.keys.at("alice-2")); }},
      {"break-glass from someone who is not an owner", reason::break_glass_rejected,
       [](const world& w2, scenario& s) {
         alice_signs(w2, s, [](auto& c) {
           c.exception = assent::exception_claim{"break_glass", "alice", "outage", "INC-1"};
           c.expires_at = c.issued_at + 900;
         });
       }},
      {"the claims reader failed", reason::claims_unavailable,
       [](const world&, scenario& s) { s.host_fault = scenario::fault::claims_reader; }},
      {"the same credential twice", reason::duplicate_credential,
       [](const world&, scenario& s) { s.credentials[1] = s.credentials[0]; }},
      {"verification budget spent", reason::verification_budget_exhausted,
       [](const world&, scenario& s) { s.options.max_verifications = 1; }},
      // --- per decision ---
      {"unknown environment", reason::unknown_environment, [](const world&, scenario& s) { s.req.environment = "qa"; }},
      {"unknown action", reason::unknown_action, [](const world&, scenario& s) { s.req.action = "rollback"; }},
      {"forbidden action", reason::action_forbidden, [](const world&, scenario& s) { s.req.action = "delete_project"; }},
      {"frozen environment", reason::environment_frozen,
       [](const world&, scenario& s) { s.policy["overrides"]["frozen_environments"] = {"prod"}; }},
      {"disabled capability", reason::capability_disabled,
       [](const world&, scenario& s) { s.policy["overrides"]["disabled_capabilities"] = {"deploy"}; }},
      {"initiator role too low", reason::initiator_role_too_low,
       [](const world&, scenario& s) { s.req.initiator_roles = {"auditor"}; }},
      {"destination not allowed", reason::destination_not_allowed, [](const world&, scenario& s) { s.req.destination = "mars"; }},
      {"wrong source environment", reason::wrong_source_environment,
       [](const world& w2, scenario& s) {
         s.req.action = "replay.execute";
         s.req.source_environment = "staging";
         const std::vector<std::pair<std::string, std::string>> signers = {{"alice", "alice-1"}, {"dave", "dave-1"}};
         for (std::size_t i = 0; i < signers.size(); ++i) {
           auto c = claims_for(signers[i].first, "apv-r" + std::to_string(i));
           c.capabilities = {"replay.execute", "replay.elevated"};
           s.credentials[i] = sign(c, w2.keys.at(signers[i].second));
         }
       }},
      {"threshold not met", reason::threshold_not_met, [](const world&, scenario& s) { s.credentials.pop_back(); }},
      {"required duty missing", reason::required_duty_missing,
       [](const world&, scenario& s) { s.req.attributes = {{"affects_production_traffic", true}}; }},
      {"break-glass where it is not allowed", reason::break_glass_not_allowed,
       [](const world& w2, scenario& s) {
         s.policy["environments"]["prod"]["break_glass"] = {{"allowed", false}};
         auto c = claims_for("carol", "apv-bg");
         c.exception = assent::exception_claim{"break_glass", "carol", "outage", "INC-1"};
         c.expires_at = c.issued_at + 900;
         s.credentials = {sign(c, w2.keys.at("carol-1"))};
       }},
      {"rule not evaluable", reason::rule_not_evaluable,
       [](const world&, scenario& s) { s.req.attributes = {{"risk_tier", "High"}}; }},
      {"policy unavailable", reason::policy_unavailable,
       [](const world&, scenario& s) { s.host_fault = scenario::fault::policy; }},
      {"clock unavailable", reason::clock_unavailable,
       [](const world&, scenario& s) { s.host_fault = scenario::fault::clock; }},
      {"evaluation failed", reason::evaluation_failed,
       [](const world&, scenario& s) { s.host_fault = scenario::fault::claims_member; }},
      {"invalid posture", reason::invalid_posture,
       [](const world&, scenario& s) { s.host_fault = scenario::fault::posture; }},
      {"audit failed", reason::audit_failed, [](const world&, scenario& s) { s.sink_fails = true; }},
      {"malformed request", reason::malformed_request, [](const world&, scenario& s) { s.req.spec_hash = "md5:abc"; }},
      {"too many credentials", reason::too_many_credentials,
       [](const world&, scenario& s) { s.credentials.resize(65, s.credentials[0]); }},
  };

  std::set<reason> produced;
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto s = allowed(w);
      r.change(w, s);
      const auto d = run(w, s);
      INFO(to_json(d).dump(2));
      CHECK_FALSE(d.allowed);
      if (assent::is_credential_reason(r.expected)) {
        CHECK(has_rejection(d, r.expected));
      } else {
        CHECK(has_decision_reason(d, r.expected));
      }
    }
    produced.insert(r.expected);
  }
  // The table covers every code the library defines.
  for (const auto& entry : assent::detail::reason_names) {
    if (entry.code == reason::none) continue;
    INFO(entry.name);
    CHECK(produced.count(entry.code) == 1);
  }
}

TEST_CASE("the six rejection paths every approval platform must block", "[decision][reasons]") {
  // Named explicitly: unknown key, invalid signature, spec-hash mismatch, wrong environment,
  // expired, insufficient capabilities — each alone turns the allowed scenario into a deny.
  world w;
  const std::vector<std::pair<reason, std::function<void(scenario&)>>> paths = {
      {reason::unknown_key, [&](scenario& s) { s.credentials[0] = forge(claims_for("alice", "apv-1"), world::stranger()); }},
      {reason::bad_signature,
       [&](scenario& s) {
         // Same signature over a different body: the payload was changed after signing.
         auto env = *assent::dsse::parse_envelope(s.credentials[0]).value;
         auto other = *assent::dsse::parse_envelope(sign(claims_for("alice", "apv-7"), w.keys.at("alice-1"))).value;
         other.signatures = env.signatures;
         s.credentials[0] = assent::dsse::serialize(other);
       }},
      {reason::spec_hash_mismatch,
       [&](scenario& s) { alice_signs(w, s, [](auto& c) { c.spec_hash = "sha256:" + std::string(64, 'e'); }); }},
      {reason::wrong_environment, [&](scenario& s) { alice_signs(w, s, [](auto& c) { c.environment = "staging"; }); }},
      {reason::expired, [&](scenario& s) { alice_signs(w, s, [](auto& c) { c.expires_at = now - 1; }); }},
      {reason::insufficient_capabilities, [&](scenario& s) { alice_signs(w, s, [](auto& c) { c.capabilities = {"read"}; }); }},
  };
  for (const auto& [expected, change] : paths) {
    auto s = allowed(w);
    change(s);
    const auto d = run(w, s);
    INFO(assent::to_string(expected));
    CHECK_FALSE(d.allowed);
    REQUIRE(d.rejected.size() == 1);
    CHECK(d.rejected[0].why == expected);
    CHECK(has_decision_reason(d, reason::threshold_not_met));
  }
}

TEST_CASE("reason codes are stable and round-trip", "[decision][reasons]") {
  CHECK(static_cast<int>(reason::unknown_key) == 3);
  CHECK(static_cast<int>(reason::audit_failed) == 111);
  CHECK(assent::to_string(reason::spec_hash_mismatch) == "spec_hash_mismatch");
  for (const auto& entry : assent::detail::reason_names) CHECK(assent::parse_reason(entry.name) == entry.code);
  CHECK_FALSE(assent::parse_reason("no_such_reason").has_value());
  const assent::decision d;
  CHECK_FALSE(d.allowed);  // default is a deny
  CHECK_FALSE(static_cast<bool>(d));
}

}  // namespace decision_reasons_test

namespace decision_reasons_test {
TEST_CASE("every reason code has a text for people; streams and JSON conversions use the stable code",
          "[decision][reasons]") {
  for (const auto& entry : assent::detail::reason_names) {
    INFO(entry.name);
    CHECK_FALSE(assent::describe(entry.code).empty());
    std::ostringstream os;
    os << entry.code;
    CHECK(os.str() == entry.name);
  }
  CHECK(assent::describe(reason::key_store_unavailable) == "the key store could not answer");
  world w;
  auto s = allowed(w);
  const auto d = run(w, s);
  const nlohmann::json j = d;  // the usual nlohmann conversion
  CHECK(j == to_json(d));
}
}  // namespace decision_reasons_test
