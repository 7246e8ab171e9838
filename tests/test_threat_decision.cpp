// The threat model of one decision, one test case per fault class (docs/security.md, table
// "Threat model"): an attacker, or a careless admin, controls one input — the request, a
// credential, the policy document, the key set, or a host part that fails — and must never get
// a wrong allow or a decision without a record.
#include <algorithm>
#include <atomic>
#include <functional>
#include <stdexcept>

#include "assent/audit/memory_sink.hpp"
#include "assent/audit/record.hpp"
#include "catch.hpp"
#include "decision_fixture.hpp"

namespace threat_decision_test {
using namespace decision_fixture;
using assent::reason;

namespace {

using test_verifier = assent::verifier<assent::policy, assent::approval_claims, assent::fixed_clock>;

struct bench {
  world w;
  recording_sink sink;

  assent::decision decide(const nlohmann::json& policy_doc, const assent::request& req,
                          const std::vector<std::string>& creds, assent::verifier_options options = {}) {
    const auto pol = load(policy_doc);
    test_verifier v(pol, w.store, sink, options, assent::fixed_clock{now});
    return v.decide(req, creds);
  }
  std::string approve(const std::string& kid, const std::string& id) {
    const auto& key = w.keys.at(kid);
    return sign(claims_for(key.principal(), id), key);
  }
  // dave and erin: two admins, neither holds security_owner.
  std::vector<std::string> two_admins_without_security() { return {approve("dave-1", "d1"), approve("erin-1", "e1")}; }
};

std::string policy_fault(const nlohmann::json& doc) {
  const auto r = assent::load_policy(doc);
  return r.ok() ? std::string("loaded") : r.describe();
}

}  // namespace

TEST_CASE("threat: a risk tier the policy does not rank is a deny, never a skipped rule",
          "[threat][decision][rules]") {
  bench b;
  const auto doc = acme_policy_document();
  auto req = deploy_request();
  // The baseline: at "low" the two admins suffice; at "high" the rule requires security_owner.
  req.attributes = {{"risk_tier", "low"}};
  REQUIRE(b.decide(doc, req, b.two_admins_without_security()).allowed);
  req.attributes = {{"risk_tier", "high"}};
  const auto high = b.decide(doc, req, b.two_admins_without_security());
  REQUIRE_FALSE(high.allowed);
  CHECK(has_decision_reason(high, reason::required_duty_missing));
  for (const nlohmann::json& spelling : {nlohmann::json("High"), nlohmann::json("high "), nlohmann::json("HIGH"),
                                         nlohmann::json("hi\u200Bgh"), nlohmann::json("extreme"), nlohmann::json(""),
                                         nlohmann::json(3), nlohmann::json(true)}) {
    INFO(spelling.dump());
    req.attributes = {{"risk_tier", spelling}};
    const auto d = b.decide(doc, req, b.two_admins_without_security());
    CHECK_FALSE(d.allowed);
    CHECK(has_decision_reason(d, reason::rule_not_evaluable));
  }
}

TEST_CASE("threat: an equality condition on another type or spelling is a deny", "[threat][decision][rules]") {
  bench b;
  auto doc = acme_policy_document();
  doc["environments"]["prod"]["rules"].push_back(
      {{"when", {{"region", "eu"}}}, {"require_duties", {"release_owner"}}});
  auto req = deploy_request();
  req.attributes = {{"modifies_code", false}, {"region", "us"}};
  REQUIRE(b.decide(doc, req, b.two_admins_without_security()).allowed);
  for (const nlohmann::json& attrs :
       {nlohmann::json{{"modifies_code", "true"}}, nlohmann::json{{"modifies_code", 1}},
        nlohmann::json{{"modifies_code", "false"}}, nlohmann::json{{"region", "EU"}}, nlohmann::json{{"region", " eu"}},
        nlohmann::json{{"region", "e\u00ADu"}}, nlohmann::json{{"region", true}}}) {
    INFO(attrs.dump());
    req.attributes = attrs;
    const auto d = b.decide(doc, req, b.two_admins_without_security());
    CHECK_FALSE(d.allowed);
    CHECK(has_decision_reason(d, reason::rule_not_evaluable));
  }
  // A different value of the same kind is an ordinary non-match.
  req.attributes = {{"region", "eu-north"}};
  CHECK(b.decide(doc, req, b.two_admins_without_security()).allowed);
}

TEST_CASE("threat: the loader refuses rules and hardened paths that cannot be evaluated", "[threat][policy][rules]") {
  auto doc = acme_policy_document();
  auto& deploy = doc["environments"]["prod"]["actions"]["deploy"];
  deploy.erase("destinations");
  CHECK(policy_fault(doc).find("/environments/prod/actions/deploy/hardened_destinations") == 0);

  doc = acme_policy_document();
  doc["environments"]["prod"]["rules"].push_back({{"when", {{"region", "eu "}}}, {"require_duties", {"data_owner"}}});
  CHECK(policy_fault(doc).find("/environments/prod/rules/4/when/region") == 0);
  doc = acme_policy_document();
  doc["environments"]["prod"]["rules"].push_back({{"when", {{"Region", "eu"}}}, {"require_duties", {"data_owner"}}});
  CHECK(policy_fault(doc).find("/environments/prod/rules/4/when/Region") == 0);
  doc = acme_policy_document();
  doc["environments"]["prod"]["rules"].push_back(
      {{"when", {{"region", "e\u200Bu"}}}, {"require_duties", {"data_owner"}}});
  CHECK(policy_fault(doc).find("/environments/prod/rules/4/when/region") == 0);
}

TEST_CASE("threat: a destination spelled another way cannot skip the hardened path", "[threat][decision][hardened]") {
  bench b;
  auto doc = acme_policy_document();
  auto& deploy = doc["environments"]["prod"]["actions"]["deploy"];
  deploy["threshold"] = 1;
  deploy["self_approval"] = true;
  deploy["min_approver_role"] = "developer";
  auto req = deploy_request();
  for (const char* spelling : {"Hooks", "hooks ", "HOOKS", "ho\xE2\x80\x8Boks"}) {
    INFO(spelling);
    req.destination = spelling;
    const auto d = b.decide(doc, req, {b.approve("bob-1", "self")});
    CHECK_FALSE(d.allowed);
    CHECK(has_decision_reason(d, reason::malformed_request));
  }
}

TEST_CASE("threat: identities have one spelling: initiators, principals, claims and policy names",
          "[threat][decision][names]") {
  bench b;
  const auto doc = acme_policy_document();
  // The initiator bob approving his own deploy is self_approval; other spellings of bob must not
  // pass as someone else.
  auto req = deploy_request();
  req.initiator = "alice";
  const auto self = b.decide(doc, req, {b.approve("alice-1", "a1"), b.approve("dave-1", "d1")});
  REQUIRE(has_rejection(self, reason::self_approval));
  for (const std::string& spelling : {std::string("alice\0", 6), std::string("alice "), std::string("Alice"),
                                     std::string("al\xE2\x80\x8Dice"), std::string("alice\n"), std::string("")}) {
    INFO(spelling);
    req.initiator = spelling;
    const auto d = b.decide(doc, req, {b.approve("alice-1", "a1"), b.approve("dave-1", "d1")});
    CHECK_FALSE(d.allowed);
    CHECK(has_decision_reason(d, reason::malformed_request));
    const auto parsed = assent::parse_request(nlohmann::json{{"action", "deploy"},
                                                             {"project", "payments"},
                                                             {"environment", "prod"},
                                                             {"spec_hash", spec},
                                                             {"initiator", spelling}});
    CHECK((!parsed.ok() || assent::request_fault(*parsed.value).has_value()));
  }
  // A key set cannot hold Alice beside alice: names are lowercase, so no two differ by case.
  for (const char* principal : {"Alice", "alice ", "ali\xC2\xAD" "ce", "alice\n"}) {
    assent::key_record_spec ks = b.w.specs.at("alice-2");
    ks.principal = principal;
    CHECK_FALSE(assent::key_record::create(ks).first.has_value());
  }
  assent::key_record_spec role = b.w.specs.at("alice-2");
  role.roles = {"Admin"};
  CHECK_FALSE(assent::key_record::create(role).first.has_value());
  // Claims name their approver and bindings by the same rule.
  auto c = claims_for("alice", "a1");
  c.approver = "Alice";
  CHECK_FALSE(assent::parse_approval_claims(assent::byte_view(assent::to_json(c).dump())).ok());
  c = claims_for("alice", "a1");
  c.initiator = "bob ";
  CHECK_FALSE(assent::parse_approval_claims(assent::byte_view(assent::to_json(c).dump())).ok());
  // The policy too: owners, roles, destinations.
  auto pol = acme_policy_document();
  pol["environments"]["prod"]["break_glass"]["owners"] = {"Carol"};
  CHECK(policy_fault(pol).find("/environments/prod/break_glass/owners") == 0);
  pol = acme_policy_document();
  pol["roles"] = {"auditor", "developer", "Admin", "owner"};
  CHECK(policy_fault(pol).find("/roles") == 0);
  pol = acme_policy_document();
  pol["environments"]["prod"]["actions"]["deploy"]["destinations"] = {"eu-west", "us-east", "hooks", "Hooks"};
  CHECK(policy_fault(pol).find("/environments/prod/actions/deploy/destinations") == 0);
}

TEST_CASE("threat: overrides that could never match their target are refused at load", "[threat][policy][overrides]") {
  auto doc = acme_policy_document();
  doc["overrides"]["disabled_capabilities"] = {"Deploy"};
  CHECK(policy_fault(doc).find("/overrides/disabled_capabilities") == 0);
  doc = acme_policy_document();
  doc["overrides"]["revoked_credentials"] = {"apv-1 "};
  CHECK(policy_fault(doc).find("/overrides/revoked_credentials") == 0);
  doc = acme_policy_document();
  doc["overrides"]["revoked_keys"] = {"alice-1\n"};
  CHECK(policy_fault(doc).find("/overrides/revoked_keys") == 0);
  doc = acme_policy_document();
  doc["overrides"]["disabled_capabilities"] = {"deploy"};
  doc["overrides"]["revoked_credentials"] = {"apv-1"};
  doc["overrides"]["revoked_keys"] = {"alice-1"};
  CHECK(policy_fault(doc) == "loaded");
}

TEST_CASE("threat: key ids are printable and bounded before anything is echoed", "[threat][envelope]") {
  bench b;
  auto env = *assent::dsse::parse_envelope(b.approve("alice-1", "a1")).value;
  for (const std::string& keyid : {std::string("alice-1\n"), std::string("\x01\x02"), std::string("a\"b"),
                                  std::string("a b"), std::string(257, 'k'), std::string("\xC3\xA9")}) {
    env.signatures[0].keyid = keyid;
    const auto parsed = assent::dsse::parse_envelope(assent::dsse::serialize(env));
    CHECK_FALSE(parsed.ok());
    CHECK(parsed.error == assent::dsse::envelope_error::invalid_keyid);
  }
}

TEST_CASE("threat: the largest request the limits allow is still recorded", "[threat][decision][audit]") {
  // 64 distinct envelopes, each with 16 signatures under distinct 256-character keyids nobody
  // trusts, and 64 attributes of the longest value: 1024 rejected rows, all in one record.
  bench b;
  std::vector<std::string> creds;
  for (int e = 0; e < 64; ++e) {
    assent::dsse::envelope env;
    env.payload_type = std::string(assent::dsse::approval_payload_type);
    const std::string body = assent::to_json(claims_for("alice", "x" + std::to_string(e))).dump();
    env.payload.assign(body.begin(), body.end());
    for (int s = 0; s < 16; ++s) {
      std::string kid = std::to_string(e) + "-" + std::to_string(s) + "-";
      kid.resize(256, '~');
      env.signatures.push_back({kid, assent::bytes(64, 0)});
    }
    creds.push_back(assent::dsse::serialize(env));
  }
  auto req = deploy_request();
  req.attributes = nlohmann::json::object();
  for (int a = 0; a < 64; ++a) req.attributes["attr_" + std::to_string(a)] = std::string(1024, '"');
  assent::audit::memory_sink sink;
  const auto pol = load(acme_policy_document());
  test_verifier v(pol, b.w.store, sink, {}, assent::fixed_clock{now});
  const auto d = v.decide(req, creds);
  CHECK_FALSE(d.allowed);
  CHECK(d.rejected.size() == 1024);
  CHECK_FALSE(d.has_reason(reason::audit_failed));
  REQUIRE(d.audit_seq != 0);
  CHECK(sink.size() == 1);
  // One attribute more, or a longer value, is a malformed request (still recorded).
  req.attributes["attr_64"] = "x";
  const auto over = v.decide(req, creds);
  CHECK(over.reasons == std::vector<reason>{reason::malformed_request});
  CHECK(over.audit_seq != 0);
}

TEST_CASE("threat: identical credentials and signatures are verified once, within a budget",
          "[threat][decision][budget]") {
  bench b;
  const auto doc = acme_policy_document();
  // An envelope with 16 real keyids and random signatures, sent 64 times: verified once.
  std::vector<std::string> kids = {"alice-1", "alice-2", "bob-1", "carol-1", "dave-1", "erin-1", "frank-1"};
  const auto forged = [&](int salt, std::size_t signatures) {
    assent::dsse::envelope env;
    env.payload_type = std::string(assent::dsse::approval_payload_type);
    const std::string body = assent::to_json(claims_for("alice", "f" + std::to_string(salt))).dump();
    env.payload.assign(body.begin(), body.end());
    for (std::size_t s = 0; s < signatures; ++s)
      env.signatures.push_back({kids[s % kids.size()], assent::bytes(64, static_cast<std::uint8_t>(s + 1))});
    return assent::dsse::serialize(env);
  };
  const std::vector<std::string> same(64, forged(0, 7));
  const auto d = b.decide(doc, deploy_request(), same);
  CHECK(std::count_if(d.rejected.begin(), d.rejected.end(), [](const auto& r) { return r.why == reason::bad_signature; }) == 7);
  CHECK(std::count_if(d.rejected.begin(), d.rejected.end(),
                      [](const auto& r) { return r.why == reason::duplicate_credential; }) == 63);
  // 64 different envelopes: the budget (default 64) is spent, the rest are refused unverified.
  std::vector<std::string> many;
  for (int e = 0; e < 64; ++e) many.push_back(forged(e, 7));
  const auto spent = b.decide(doc, deploy_request(), many);
  CHECK(std::count_if(spent.rejected.begin(), spent.rejected.end(),
                      [](const auto& r) { return r.why == reason::bad_signature; }) == 64);
  CHECK(std::count_if(spent.rejected.begin(), spent.rejected.end(), [](const auto& r) {
          return r.why == reason::verification_budget_exhausted;
        }) == 64 * 7 - 64);
  // The same signature over the same body, in an envelope spelled differently (another base64
  // alphabet for the payload is refused, but member order and spacing are free): its verdict is
  // remembered, so a budget of one covers both.
  const std::string one = forged(1, 1);
  auto env = nlohmann::json::parse(one);
  const std::string respelled = "{ \"signatures\": " + env["signatures"].dump() + ", \"payloadType\": " +
                                env["payloadType"].dump() + ", \"payload\": " + env["payload"].dump() + " }";
  REQUIRE(respelled != one);
  assent::verifier_options tight;
  tight.max_verifications = 1;
  const auto memo = b.decide(doc, deploy_request(), {one, respelled}, tight);
  REQUIRE(memo.rejected.size() == 2);
  CHECK(memo.rejected[0].why == reason::bad_signature);
  CHECK(memo.rejected[1].why == reason::bad_signature);
  // A real approval past the budget is not counted: the budget is a hard bound, not a hint.
  const auto over = b.decide(doc, deploy_request(), {one, b.approve("alice-1", "a1"), b.approve("dave-1", "d1")}, tight);
  CHECK_FALSE(over.allowed);
  CHECK(has_rejection(over, reason::verification_budget_exhausted));
  // And an honest decision is untouched by it.
  CHECK(b.decide(doc, deploy_request(), {b.approve("alice-1", "a1"), b.approve("dave-1", "d1")}).allowed);
}

TEST_CASE("threat: a host part that throws is a recorded deny naming it, also when deferred",
          "[threat][decision][host]") {
  world w;
  const auto pol = load(acme_policy_document());
  const std::vector<std::string> creds = {sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                          sign(claims_for("dave", "d1"), w.keys.at("dave-1"))};
  const auto req = deploy_request();

  const auto check = [&](auto& v, recording_sink& sink, reason expected) {
    const auto d = v.decide(req, creds);
    CHECK_FALSE(d.allowed);
    CHECK(d.has_reason(expected));
    CHECK(d.audit_seq != 0);
    auto pending = v.decide_deferred(req, creds);
    const auto& later = pending.get();
    CHECK_FALSE(later.allowed);
    CHECK(later.has_reason(expected));
    REQUIRE(sink.events.size() == 2);
    CHECK(sink.events[0]["decision"] == "deny");
    CHECK(sink.events[1]["decision"] == "deny");
  };
  SECTION("key store") {
    recording_sink sink;
    throwing_store store;
    test_verifier v(pol, store, sink, {}, assent::fixed_clock{now});
    check(v, sink, reason::key_store_unavailable);
  }
  SECTION("policy, while resolving") {
    recording_sink sink;
    flaky_policy fp{pol, true, false};
    assent::verifier<flaky_policy, assent::approval_claims, assent::fixed_clock> v(fp, w.store, sink, {},
                                                                                  assent::fixed_clock{now});
    check(v, sink, reason::policy_unavailable);
  }
  SECTION("policy, while checking a credential") {
    recording_sink sink;
    flaky_policy fp{pol, false, true};
    assent::verifier<flaky_policy, assent::approval_claims, assent::fixed_clock> v(fp, w.store, sink, {},
                                                                                  assent::fixed_clock{now});
    check(v, sink, reason::policy_unavailable);
    CHECK(sink.events[0]["approvals"].empty());
  }
  SECTION("claims reader") {
    recording_sink sink;
    assent::verifier<assent::policy, ticket_claims, assent::fixed_clock> v(pol, w.store, sink, {},
                                                                           assent::fixed_clock{now});
    check(v, sink, reason::claims_unavailable);
  }
  SECTION("anything else: a host claims type whose member throws") {
    recording_sink sink;
    assent::verifier<assent::policy, exploding_claims, assent::fixed_clock> v(pol, w.store, sink, {},
                                                                              assent::fixed_clock{now});
    check(v, sink, reason::evaluation_failed);
  }
  SECTION("clock") {
    recording_sink sink;
    assent::verifier<assent::policy, assent::approval_claims, failing_clock> v(pol, w.store, sink, {}, failing_clock{});
    check(v, sink, reason::clock_unavailable);
    // The record carries the wall-clock time of the decision, not 0.
    CHECK(sink.times[0] > now);
  }
}

}  // namespace threat_decision_test

namespace threat_decision_test {

TEST_CASE("threat: a host policy's posture is enforced only as it reads", "[threat][decision][host]") {
  world w;
  const auto pol = load(acme_policy_document());
  const auto req = deploy_request();
  // bob (developer) and frank (developer): no admin among them.
  const std::vector<std::string> developers = {sign(claims_for("frank", "f1"), w.keys.at("frank-1")),
                                               sign(claims_for("alice", "a1"), w.keys.at("alice-1"))};
  const std::vector<std::function<void(assent::posture&)>> edits = {
      [](assent::posture& p) { p.threshold = 0; },                            // allows with nothing
      [](assent::posture& p) { p.min_approver_rank.reset(); },                // role without its rank
      [](assent::posture& p) { p.min_approver_role.reset(); },                // rank without its role
      [](assent::posture& p) { *p.min_approver_rank = 1; },                   // "admin" read as rank 1
      [](assent::posture& p) { p.capabilities.clear(); },                     // nothing to cover
      [](assent::posture& p) { p.capabilities = {"Deploy"}; },                // matches no capability
      [](assent::posture& p) { p.hardened = true; p.threshold = 1; },         // hardened, then loosened
      [](assent::posture& p) { p.approval = static_cast<assent::approval_mode>(7); },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    INFO("edit " << i);
    recording_sink sink;
    flaky_policy host{pol, false, false};
    host.edit_posture = edits[i];
    assent::verifier<flaky_policy, assent::approval_claims, assent::fixed_clock> v(host, w.store, sink, {},
                                                                                  assent::fixed_clock{now});
    const auto d = v.decide(req, i == 0 ? std::vector<std::string>{} : developers);
    CHECK_FALSE(d.allowed);
    CHECK(d.reasons == std::vector<reason>{reason::invalid_posture});
    CHECK(sink.events.size() == 1);
  }
  // The unedited posture is enforced as usual.
  recording_sink sink;
  flaky_policy host{pol, false, false};
  assent::verifier<flaky_policy, assent::approval_claims, assent::fixed_clock> v(host, w.store, sink, {},
                                                                                assent::fixed_clock{now});
  CHECK(v.decide(req, std::vector<std::string>{sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                               sign(claims_for("dave", "d1"), w.keys.at("dave-1"))})
            .allowed);
}

TEST_CASE("threat: a host claims type adds checks, never removes assent's", "[threat][decision][host]") {
  world w;
  const auto pol = load(acme_policy_document());
  recording_sink sink;
  assent::verifier<assent::policy, lax_claims, assent::fixed_clock> v(pol, w.store, sink, {},
                                                                     assent::fixed_clock{now});
  const auto body_signed = [&](const std::string& kid, const std::function<void(nlohmann::json&)>& edit) {
    const auto& key = w.keys.at(kid);
    auto body = assent::to_json(claims_for(key.principal(), "c-" + kid));
    edit(body);
    assent::dsse::envelope e;
    e.payload_type = std::string(assent::dsse::approval_payload_type);
    const std::string text = body.dump();
    e.payload.assign(text.begin(), text.end());
    const auto sig = key.sign(assent::byte_view(assent::dsse::pae(e)));
    e.signatures.push_back({key.kid(), assent::bytes(sig.begin(), sig.end())});
    return assent::dsse::serialize(e);
  };
  const auto good = [](nlohmann::json&) {};
  REQUIRE(v.decide(deploy_request(), std::vector<std::string>{body_signed("alice-1", good), body_signed("dave-1", good)})
              .allowed);
  const std::vector<std::function<void(nlohmann::json&)>> lax = {
      [](nlohmann::json& b) { b["capabilities"] = {"deploy", "DEPLOY!"}; },
      [](nlohmann::json& b) { b["capabilities"] = {"deploy", "deploy"}; },
      [](nlohmann::json& b) { b["id"] = "id with spaces"; },
      [](nlohmann::json& b) { b["spec_hash"] = "SHA256:" + std::string(64, 'C'); },
      [](nlohmann::json& b) { b["expires_at"] = b["issued_at"]; },
      [](nlohmann::json& b) { b["approver"] = "Alice"; },
  };
  for (std::size_t i = 0; i < lax.size(); ++i) {
    INFO("edit " << i);
    const auto d =
        v.decide(deploy_request(), std::vector<std::string>{body_signed("alice-1", lax[i]), body_signed("dave-1", good)});
    CHECK_FALSE(d.allowed);
    CHECK(has_rejection(d, reason::malformed_credential));
  }
}

}  // namespace threat_decision_test
