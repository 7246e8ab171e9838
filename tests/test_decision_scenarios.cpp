// The governance rules as scenarios, and properties over random policies,
// requests and credential sets.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <set>
#include <thread>

#include "assent/audit/file_sink.hpp"
#include "assent/audit/verify.hpp"
#include "catch.hpp"
#include "decision_fixture.hpp"
#include "test_audit_util.hpp"

// A named namespace keeps the using-directive out of the other files of a unity batch.
namespace decision_scenarios_test {
using namespace decision_fixture;
using assent::reason;

namespace {

using test_verifier = assent::verifier<assent::policy, assent::approval_claims, assent::fixed_clock>;

struct harness {
  world w;
  recording_sink sink;

  assent::decision decide(const nlohmann::json& policy_doc, const assent::request& req,
                          const std::vector<std::string>& creds, const assent::key_store* store = nullptr) {
    const auto pol = load(policy_doc);
    test_verifier v(pol, store ? *store : w.store, sink, {}, assent::fixed_clock{now});
    return v.decide(req, creds);
  }
  std::string approve(const std::string& kid, const std::string& id,
                      const std::function<void(assent::approval_claims&)>& tweak = {}) {
    const auto& key = w.keys.at(kid);
    auto c = claims_for(key.principal(), id);
    if (tweak) tweak(c);
    return sign(c, key);
  }
};

std::set<std::string> approvers(const assent::decision& d) {
  std::set<std::string> out;
  for (const auto& a : d.approvals) out.insert(a.approver);
  return out;
}

}  // namespace

TEST_CASE("a production deploy needs two distinct admins, never the initiator", "[decision][scenario]") {
  harness h;
  const auto doc = acme_policy_document();
  const auto req = deploy_request();
  SECTION("two admins: allowed") {
    auto d = h.decide(doc, req, {h.approve("alice-1", "a1"), h.approve("erin-1", "a2")});
    CHECK(d.allowed);
    CHECK(approvers(d) == std::set<std::string>{"alice", "erin"});
  }
  SECTION("one admin and the initiator: denied, one approval missing") {
    auto d = h.decide(doc, req, {h.approve("alice-1", "a1"), h.approve("bob-1", "a2")});
    CHECK_FALSE(d.allowed);
    CHECK(has_rejection(d, reason::self_approval));
    CHECK(has_decision_reason(d, reason::threshold_not_met));
    CHECK(d.missing.approvals == 1);
  }
  SECTION("no approvals: denied with the reasons") {
    auto d = h.decide(doc, req, {});
    CHECK_FALSE(d.allowed);
    CHECK(d.reasons == std::vector<reason>{reason::threshold_not_met});
    CHECK(d.missing.approvals == 2);
  }
}

TEST_CASE("one person with two keys is counted once", "[decision][scenario]") {
  harness h;
  auto d = h.decide(acme_policy_document(), deploy_request(), {h.approve("alice-1", "a1"), h.approve("alice-2", "a2")});
  CHECK_FALSE(d.allowed);
  CHECK(d.approvals.size() == 1);
  REQUIRE(d.rejected.size() == 1);
  CHECK(d.rejected[0].why == reason::duplicate_approver);
  CHECK(d.rejected[0].keyid == "alice-2");
  CHECK(d.missing.approvals == 1);
}

TEST_CASE("a hardened destination cannot be loosened by threshold 1 or self-approval", "[decision][scenario][hardened]") {
  harness h;
  auto doc = acme_policy_document();
  auto& deploy = doc["environments"]["prod"]["actions"]["deploy"];
  deploy["threshold"] = 1;
  deploy["self_approval"] = true;
  deploy["min_approver_role"] = "developer";
  auto req = deploy_request();
  req.destination = "hooks";
  CHECK_FALSE(h.decide(doc, req, {h.approve("alice-1", "a1")}).allowed);
  auto self = h.decide(doc, req, {h.approve("alice-1", "a1"), h.approve("bob-1", "a2")});
  CHECK_FALSE(self.allowed);
  CHECK(has_rejection(self, reason::self_approval));
  CHECK(h.decide(doc, req, {h.approve("alice-1", "a1"), h.approve("erin-1", "a2")}).allowed);
  const auto hooks = h.decide(doc, req, {h.approve("alice-1", "a1")});
  CHECK(hooks.approvals_required == 2);
  CHECK(hooks.destination == std::optional<std::string>("hooks"));
  // The same policy elsewhere: one approval, even the initiator's own, is enough.
  req.destination = "eu-west";
  const auto elsewhere = h.decide(doc, req, {h.approve("bob-1", "a1")});
  CHECK(elsewhere.allowed);
  CHECK(elsewhere.approvals_required == 1);
}

TEST_CASE("decision::has_reason finds decision-level and per-credential reasons", "[decision][reasons]") {
  harness h;
  const auto d = h.decide(acme_policy_document(), deploy_request(),
                          {h.approve("alice-1", "a1", [](assent::approval_claims& c) { c.expires_at = now - 1; })});
  REQUIRE_FALSE(d.allowed);
  CHECK(d.has_reason(reason::threshold_not_met));  // decision level
  CHECK(d.has_reason(reason::expired));            // why the one credential did not count
  CHECK_FALSE(d.has_reason(reason::bad_signature));
  CHECK_FALSE(assent::decision{}.has_reason(reason::threshold_not_met));
  CHECK(to_json(d)["approvals_required"] == 2);
}

TEST_CASE("request attributes must be flat facts: strings, booleans, finite numbers", "[decision][request]") {
  harness h;
  const auto doc = acme_policy_document();
  const std::vector<std::string> creds = {h.approve("alice-1", "a1"), h.approve("erin-1", "a2")};
  auto req = deploy_request();
  req.attributes = {{"risk_tier", "low"}, {"modifies_code", false}, {"lines", 12.5}};
  CHECK(h.decide(doc, req, creds).allowed);
  for (const nlohmann::json& bad : {nlohmann::json{{"nested", {{"a", 1}}}}, nlohmann::json{{"list", {1, 2}}},
                                    nlohmann::json{{"nothing", nullptr}}, nlohmann::json{{"nan", std::nan("")}},
                                    nlohmann::json::array()}) {
    req.attributes = bad;
    const auto d = h.decide(doc, req, creds);
    CHECK_FALSE(d.allowed);
    CHECK(d.reasons == std::vector<reason>{reason::malformed_request});
  }
}

TEST_CASE("dry-run replay needs no approval; execute-mode replay needs elevated coverage", "[decision][scenario][replay]") {
  harness h;
  const auto doc = acme_policy_document();
  auto req = deploy_request();
  req.destination.reset();
  req.source_environment = "prod";
  req.action = "replay.dry_run";
  auto dry = h.decide(doc, req, {});
  CHECK(dry.allowed);
  CHECK_FALSE(dry.approval_required);
  CHECK(h.sink.events.back()["approval_required"] == false);

  req.action = "replay.execute";
  auto plain = h.decide(doc, req, {h.approve("alice-1", "r1", [](auto& c) { c.capabilities = {"replay.execute"}; })});
  CHECK_FALSE(plain.allowed);
  CHECK(has_rejection(plain, reason::insufficient_capabilities));
  CHECK(plain.missing.capabilities == std::vector<std::string>{"replay.elevated"});
  auto elevated = h.decide(
      doc, req, {h.approve("alice-1", "r2", [](auto& c) { c.capabilities = {"replay.execute", "replay.elevated"}; })});
  CHECK(elevated.allowed);
  req.source_environment = "staging";
  auto elsewhere = h.decide(
      doc, req, {h.approve("alice-1", "r3", [](auto& c) { c.capabilities = {"replay.execute", "replay.elevated"}; })});
  CHECK_FALSE(elsewhere.allowed);
  CHECK(has_decision_reason(elsewhere, reason::wrong_source_environment));
}

TEST_CASE("duties from risk tier and lineage, with and without separation of duties", "[decision][scenario][duties]") {
  harness h;
  h.w.add({"gina-1", "gina", {"admin", "security_owner", "data_owner"}});
  auto doc = acme_policy_document();
  auto req = deploy_request();
  req.attributes = {{"risk_tier", "high"}, {"modifies_data_lineage", true}};
  SECTION("separate owners cover both duties") {
    CHECK(h.decide(doc, req, {h.approve("alice-1", "a1"), h.approve("dave-1", "a2")}).allowed);
  }
  SECTION("with separation, one person cannot cover two duties") {
    auto d = h.decide(doc, req, {h.approve("gina-1", "a1"), h.approve("erin-1", "a2")});
    CHECK_FALSE(d.allowed);
    CHECK(d.reasons == std::vector<reason>{reason::required_duty_missing});
    CHECK(d.missing.duties.size() == 1);
  }
  SECTION("without separation, one person may cover both") {
    doc["environments"]["prod"]["actions"]["deploy"]["separation_of_duties"] = false;
    CHECK(h.decide(doc, req, {h.approve("gina-1", "a1"), h.approve("erin-1", "a2")}).allowed);
  }
  SECTION("a missing duty is named") {
    auto d = h.decide(doc, req, {h.approve("alice-1", "a1"), h.approve("erin-1", "a2")});
    CHECK_FALSE(d.allowed);
    CHECK(d.missing.duties == std::vector<std::string>{"data_owner"});
  }
}

TEST_CASE("break-glass deploy is allowed, flagged, and needs a post-incident review", "[decision][scenario][break_glass]") {
  harness h;
  const auto doc = acme_policy_document();
  auto emergency = [&](std::int64_t lifetime, std::vector<std::string> caps) {
    return h.approve("carol-1", "bg-1", [&](auto& c) {
      c.exception = assent::exception_claim{"break_glass", "carol", "payments down", "INC-4711"};
      c.expires_at = c.issued_at + lifetime;
      c.capabilities = caps;
    });
  };
  auto d = h.decide(doc, deploy_request(), {emergency(900, {"deploy"})});
  INFO(to_json(d).dump(2));
  CHECK(d.allowed);
  REQUIRE(d.exception);
  CHECK(d.exception->review_required);
  CHECK(d.exception->incident == "INC-4711");
  CHECK(d.exception->owner == "carol");
  const auto& event = h.sink.events.back();
  CHECK(event["exception"]["review_required"] == true);
  CHECK(event["exception"]["incident"] == "INC-4711");

  auto too_long = h.decide(doc, deploy_request(), {emergency(901, {"deploy"})});
  CHECK_FALSE(too_long.allowed);
  CHECK(has_rejection(too_long, reason::break_glass_rejected));
  auto wider = h.decide(doc, deploy_request(), {emergency(900, {"deploy", "replay.execute"})});
  CHECK_FALSE(wider.allowed);
  CHECK(has_rejection(wider, reason::break_glass_rejected));
  // Normal approvals carry the decision without an exception when they suffice.
  auto normal = h.decide(doc, deploy_request(), {h.approve("alice-1", "a1"), h.approve("erin-1", "a2"), emergency(900, {"deploy"})});
  CHECK(normal.allowed);
  CHECK_FALSE(normal.exception);
}

TEST_CASE("a frozen environment denies even a fully approved deploy, and records the approvals", "[decision][scenario][overrides]") {
  harness h;
  auto doc = acme_policy_document();
  doc["overrides"]["frozen_environments"] = {"prod"};
  auto d = h.decide(doc, deploy_request(), {h.approve("alice-1", "a1"), h.approve("erin-1", "a2")});
  CHECK_FALSE(d.allowed);
  CHECK(d.reasons == std::vector<reason>{reason::environment_frozen});
  CHECK(h.sink.events.back()["approvals"].size() == 2);
  CHECK(h.sink.events.back()["decision"] == "deny");
}

TEST_CASE("a revoked key invalidates everything it signed, whenever it was issued", "[decision][scenario][keys]") {
  harness h;
  auto store = h.w.store_with("alice-1", [](auto& k) { k.status = assent::key_status::revoked; });
  auto d = h.decide(acme_policy_document(), deploy_request(),
                    {h.approve("alice-1", "a1", [](auto& c) { c.issued_at = now - 3000; }), h.approve("erin-1", "a2")},
                    &store);
  CHECK_FALSE(d.allowed);
  CHECK(has_rejection(d, reason::key_revoked));
}

TEST_CASE("a retired key is valid for credentials issued before its rotation date only", "[decision][scenario][keys]") {
  harness h;
  auto store = h.w.store_with("alice-1", [](auto& k) {
    k.status = assent::key_status::retired;
    k.retired_at = now - 100;
  });
  auto before = h.decide(acme_policy_document(), deploy_request(),
                         {h.approve("alice-1", "a1", [](auto& c) { c.issued_at = now - 600; }), h.approve("erin-1", "a2")},
                         &store);
  CHECK(before.allowed);
  auto after = h.decide(acme_policy_document(), deploy_request(),
                        {h.approve("alice-1", "a1", [](auto& c) { c.issued_at = now - 50; }), h.approve("erin-1", "a2")},
                        &store);
  CHECK_FALSE(after.allowed);
  CHECK(has_rejection(after, reason::key_retired));
}

TEST_CASE("the audit event answers who, where, whether approval was required, which approvals and capabilities", "[decision][audit]") {
  harness h;
  auto req = deploy_request();
  req.attributes = {{"risk_tier", "low"}, {"change_size", 12}};
  auto d = h.decide(acme_policy_document(), req,
                    {h.approve("alice-1", "a1"), h.approve("erin-1", "a2"), "garbage"});
  REQUIRE(h.sink.events.size() == 1);
  const auto& e = h.sink.events[0];
  CHECK(h.sink.times[0] == now);
  CHECK(e["type"] == "decision");
  CHECK(e["decision"] == "allow");
  CHECK(e["initiator"] == "bob");
  CHECK(e["environment"] == "prod");
  CHECK(e["project"] == "payments");
  CHECK(e["spec_hash"] == spec);
  // Where exactly: the destination, the source of a replay (none here), the facts rules read.
  CHECK(e["destination"] == "eu-west");
  CHECK(e["source_environment"].is_null());
  CHECK(e["attributes"] == req.attributes);
  CHECK(e["approval_required"] == true);
  CHECK(e["approvals_required"] == 2);
  CHECK(e["capabilities_required"] == nlohmann::json{"deploy"});
  CHECK(e["approvals"].size() == 2);
  CHECK(e["approvals"][0]["credential_id"] == "a1");
  CHECK(e["approvals"][0]["keyid"] == "alice-1");
  CHECK(e["rejected"].size() == 1);
  CHECK(e["rejected"][0]["reason"] == "malformed_envelope");
  CHECK(e["policy"]["id"] == "acme-release-governance");
  CHECK(e["policy"]["hash"] == d.policy_hash);
  CHECK(d.audit_seq == 1);
}

TEST_CASE("the signature cache skips only the Ed25519 check", "[decision][cache]") {
  world w;
  recording_sink sink;
  auto doc = acme_policy_document();
  const auto pol = load(doc);
  assent::verifier_options opts;
  opts.signature_cache_capacity = 64;
  test_verifier v(pol, w.store, sink, opts, assent::fixed_clock{now});
  const std::vector<std::string> creds = {sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                          sign(claims_for("erin", "a2"), w.keys.at("erin-1"))};
  CHECK(v.decide(deploy_request(), creds).allowed);
  CHECK(v.decide(deploy_request(), creds).allowed);  // warm
  // Revocation still applies to a cached credential.
  auto revoked_store = w.store_with("alice-1", [](auto& k) { k.status = assent::key_status::revoked; });
  test_verifier v2(pol, revoked_store, sink, opts, assent::fixed_clock{now});
  CHECK_FALSE(v2.decide(deploy_request(), creds).allowed);
  // Time still applies.
  test_verifier later(pol, w.store, sink, opts, assent::fixed_clock{now + 3600});
  CHECK_FALSE(later.decide(deploy_request(), creds).allowed);
  // A tampered envelope is not a cache hit.
  auto env = *assent::dsse::parse_envelope(creds[0]).value;
  env.signatures[0].sig[0] ^= 1;
  auto tampered = creds;
  tampered[0] = assent::dsse::serialize(env);
  auto d = v.decide(deploy_request(), tampered);
  CHECK_FALSE(d.allowed);
  CHECK(has_rejection(d, reason::bad_signature));
}

TEST_CASE("verifier metrics count outcomes, reasons, exceptions and approval age", "[decision][metrics]") {
  world w;
  recording_sink sink;
  const auto pol = load(acme_policy_document());
  test_verifier v(pol, w.store, sink, {}, assent::fixed_clock{now});
  (void)v.decide(deploy_request(), std::vector<std::string>{sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                                            sign(claims_for("erin", "a2"), w.keys.at("erin-1"))});
  (void)v.decide(deploy_request(), std::vector<std::string>{"junk"});
  CHECK(v.metrics().allowed() == 1);
  CHECK(v.metrics().denied() == 1);
  CHECK(v.metrics().reason_count(reason::malformed_envelope) == 1);
  CHECK(v.metrics().reason_count(reason::threshold_not_met) == 1);
  const auto j = v.metrics().to_json();
  CHECK(j["approval_age_seconds"]["count"] == 2);
  CHECK(j["approval_age_seconds"]["sum"] == 1200);  // two approvals issued 600 s before use
}

TEST_CASE("one verifier decides from 8 threads at once", "[decision][threads]") {
  world w;
  recording_sink sink;
  const auto pol = load(acme_policy_document());
  assent::verifier_options opts;
  opts.signature_cache_capacity = 16;
  test_verifier v(pol, w.store, sink, opts, assent::fixed_clock{now});
  const std::vector<std::string> good = {sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                         sign(claims_for("erin", "a2"), w.keys.at("erin-1"))};
  const std::vector<std::string> bad = {good[0]};
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const bool expect_allow = (i + t) % 2 == 0;
        const auto d = v.decide(deploy_request(), expect_allow ? good : bad);
        if (d.allowed != expect_allow) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  CHECK(sink.events.size() == 160);
  CHECK(v.metrics().allowed() + v.metrics().denied() == 160);
}

TEST_CASE("deferred decisions from 4 threads, many in flight each, are released once durable",
          "[decision][threads]") {
  world w;
  assent_audit_test::temp_dir dir;
  const std::string path = dir.file("audit.log");
  auto opened = assent::audit::file_sink::open(path);  // group commit by default
  REQUIRE(opened.ok());
  const auto pol = load(acme_policy_document());
  test_verifier v(pol, w.store, *opened.sink, {}, assent::fixed_clock{now});
  const std::vector<std::string> good = {sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                         sign(claims_for("erin", "a2"), w.keys.at("erin-1"))};
  const std::vector<std::string> bad = {good[0]};
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  std::vector<std::vector<std::pair<std::uint64_t, bool>>> seen(4);  // (audit_seq, allowed)
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::pair<assent::pending_decision, bool>> flight;
      const auto release_oldest = [&] {
        const auto& d = flight.front().first.get();
        if (d.allowed != flight.front().second || d.audit_seq == 0 || !flight.front().first.settled()) ++wrong;
        if (opened.sink->head().count < d.audit_seq) ++wrong;  // released before its record was durable
        seen[t].emplace_back(d.audit_seq, d.allowed);
        flight.erase(flight.begin());
      };
      for (int i = 0; i < 30; ++i) {
        const bool expect_allow = (i + t) % 3 != 0;
        flight.emplace_back(v.decide_deferred(deploy_request(), expect_allow ? good : bad), expect_allow);
        if (flight.size() >= 8) release_oldest();
      }
      while (!flight.empty()) release_oldest();
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  CHECK(v.metrics().allowed() + v.metrics().denied() == 120);
  REQUIRE(opened.sink->close() == std::nullopt);
  // Each released decision names its own record, and that record says what was released.
  std::map<std::uint64_t, bool> recorded;
  const auto res = assent::audit::verify_log_text(assent_audit_test::read_file(path), std::nullopt,
                                                  [&](const assent::audit::record_view& r) {
                                                    recorded[r.seq] = r.event->at("decision") == "allow";
                                                  });
  REQUIRE(res.ok());
  CHECK(res.count == 120);
  std::size_t matched = 0;
  for (const auto& rows : seen) {
    for (const auto& [seq, allowed] : rows) {
      const auto it = recorded.find(seq);
      if (it != recorded.end() && it->second == allowed) ++matched;
    }
  }
  CHECK(matched == 120);
}

TEST_CASE("a deferred decision whose record fails is a deny with audit_failed, counted once",
          "[decision][threads]") {
  world w;
  recording_sink sink;  // implements append only: the default submit records at once
  const auto pol = load(acme_policy_document());
  test_verifier v(pol, w.store, sink, {}, assent::fixed_clock{now});
  const std::vector<std::string> good = {sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                         sign(claims_for("erin", "a2"), w.keys.at("erin-1"))};
  auto ok = v.decide_deferred(deploy_request(), good);
  CHECK_FALSE(ok.settled());
  CHECK(ok.audit_seq() == 1);
  CHECK(ok.get().allowed);
  CHECK(ok.get().audit_seq == 1);
  sink.fail = true;
  auto failed = v.decide_deferred(deploy_request(), good);
  const auto& d = failed.get();
  CHECK_FALSE(d.allowed);
  CHECK(has_decision_reason(d, reason::audit_failed));
  const auto reasons = d.reasons.size();
  CHECK(failed.get().reasons.size() == reasons);  // settling twice adds nothing
  CHECK(v.metrics().allowed() == 1);
  CHECK(v.metrics().denied() == 1);
  CHECK(v.metrics().reason_count(reason::audit_failed) == 1);
  assent::pending_decision empty;
  CHECK_FALSE(empty.get().allowed);
  CHECK(has_decision_reason(empty.get(), reason::audit_failed));
}

namespace {

// A sink that accepts every record into a batch and then loses the batch: each ticket is
// pending, each await fails (a disk that fails at fdatasync time).
class batch_losing_sink final : public assent::audit_sink {
 public:
  assent::audit_receipt append(const nlohmann::json&, std::int64_t) override { return {}; }
  assent::audit_ticket submit_canonical(const assent::audit::canonical_event&, std::int64_t) override {
    assent::audit_ticket t;
    t.pending = true;
    t.receipt.seq = ++submitted;
    t.issuer = this;
    return t;
  }
  assent::audit_receipt await(const assent::audit_ticket& t) override {
    ++awaited;
    assent::audit_receipt r;
    r.error = "fdatasync failed (simulated) for record " + std::to_string(t.receipt.seq);
    return r;
  }
  std::uint64_t submitted = 0, awaited = 0;
};

}  // namespace

TEST_CASE("a deferred allow whose record is lost at await is released as a deny", "[decision][threads]") {
  world w;
  batch_losing_sink sink;
  const auto pol = load(acme_policy_document());
  test_verifier v(pol, w.store, sink, {}, assent::fixed_clock{now});
  const std::vector<std::string> good = {sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                         sign(claims_for("erin", "a2"), w.keys.at("erin-1"))};
  auto p = v.decide_deferred(deploy_request(), good);
  CHECK(p.audit_seq() == 1);
  CHECK(v.metrics().allowed() + v.metrics().denied() == 0);  // counted when released
  const auto& d = p.get();
  CHECK_FALSE(d.allowed);
  CHECK(d.reasons == std::vector<reason>{reason::audit_failed});  // the approvals themselves held
  CHECK(d.approvals.size() == 2);
  CHECK(d.audit_seq == 0);
  CHECK(sink.awaited == 1);
  CHECK(v.metrics().denied() == 1);
  CHECK(v.metrics().allowed() == 0);
}

TEST_CASE("a pending decision releases its verdict once: moving it leaves an empty deny", "[decision][threads]") {
  world w;
  recording_sink sink;
  const auto pol = load(acme_policy_document());
  test_verifier v(pol, w.store, sink, {}, assent::fixed_clock{now});
  const std::vector<std::string> good = {sign(claims_for("alice", "a1"), w.keys.at("alice-1")),
                                         sign(claims_for("erin", "a2"), w.keys.at("erin-1"))};
  auto first = v.decide_deferred(deploy_request(), good);
  assent::pending_decision second(std::move(first));
  CHECK(second.get().allowed);
  CHECK_FALSE(first.get().allowed);  // NOLINT(bugprone-use-after-move): the point of the test
  CHECK(has_decision_reason(first.get(), reason::audit_failed));
  assent::pending_decision third;
  third = std::move(second);
  CHECK(third.get().allowed);  // already settled: the same verdict, not counted again
  CHECK_FALSE(second.get().allowed);  // NOLINT(bugprone-use-after-move)
  CHECK(v.metrics().allowed() == 1);
  CHECK(v.metrics().denied() == 0);
}

// ---------------------------------------------------------------------------
// Properties over random policies, requests and credential sets.

namespace {

struct random_case {
  nlohmann::json policy;
  assent::request req;
  std::vector<std::string> pool;  // candidate credentials, valid and not
};

random_case make_case(harness& h, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  random_case rc;
  rc.policy = acme_policy_document();
  auto& deploy = rc.policy["environments"]["prod"]["actions"]["deploy"];
  deploy["threshold"] = 1 + pick(3);
  const char* roles[] = {"auditor", "developer", "admin", "owner"};
  deploy["min_approver_role"] = roles[pick(4)];
  deploy["separation_of_duties"] = pick(2) == 0;
  deploy["self_approval"] = pick(2) == 0;
  rc.req = deploy_request();
  const char* dests[] = {"eu-west", "us-east", "hooks"};
  rc.req.destination = dests[pick(3)];
  const char* tiers[] = {"low", "medium", "high", "critical"};
  rc.req.attributes = {{"risk_tier", tiers[pick(4)]}, {"modifies_data_lineage", pick(2) == 0},
                       {"modifies_code", pick(3) == 0}};
  const char* kids[] = {"alice-1", "alice-2", "bob-1", "carol-1", "dave-1", "erin-1", "frank-1"};
  const std::size_t n = 2 + pick(5);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string kid = kids[pick(7)];
    const std::string id = "p" + std::to_string(i);
    switch (pick(6)) {
      case 0: rc.pool.push_back(h.approve(kid, id, [](auto& c) { c.expires_at = now - 5; })); break;
      case 1: rc.pool.push_back(h.approve(kid, id, [](auto& c) { c.spec_hash = "sha256:" + std::string(64, '9'); })); break;
      case 2:
        rc.pool.push_back(h.approve("carol-1", id, [](auto& c) {
          c.exception = assent::exception_claim{"break_glass", "carol", "r", "INC-1"};
          c.expires_at = c.issued_at + 900;
        }));
        break;
      default: rc.pool.push_back(h.approve(kid, id)); break;
    }
  }
  return rc;
}

std::string summary(const assent::decision& d) {
  std::vector<std::string> reasons;
  for (auto r : d.reasons) reasons.emplace_back(assent::to_string(r));
  std::sort(reasons.begin(), reasons.end());
  std::string s = d.allowed ? "allow" : "deny";
  for (const auto& r : reasons) s += " " + r;
  s += " missing=" + std::to_string(d.missing.approvals);
  return s;
}

}  // namespace

TEST_CASE("properties: monotone in approvals and rules, independent of credential order", "[decision][property]") {
  harness h;
  std::mt19937_64 rng(20261122);
  for (int iteration = 0; iteration < 60; ++iteration) {
    auto rc = make_case(h, rng);
    INFO("iteration " << iteration << " policy " << rc.policy["environments"]["prod"]["actions"]["deploy"].dump());
    const auto full = h.decide(rc.policy, rc.req, rc.pool);

    // Removing one credential never turns deny into allow (equivalently, adding never turns allow into deny).
    for (std::size_t i = 0; i < rc.pool.size(); ++i) {
      auto fewer = rc.pool;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
      const auto d = h.decide(rc.policy, rc.req, fewer);
      if (!full.allowed) CHECK_FALSE(d.allowed);
    }
    // Order does not matter.
    auto shuffled = rc.pool;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const auto reordered = h.decide(rc.policy, rc.req, shuffled);
    CHECK(summary(reordered) == summary(full));
    CHECK(approvers(reordered) == approvers(full));

    // Tightening the policy never turns deny into allow.
    auto stricter = rc.policy;
    stricter["environments"]["prod"]["rules"].push_back(
        {{"when", nlohmann::json::object()}, {"require_duties", {"model_owner"}}});
    if (!full.allowed) CHECK_FALSE(h.decide(stricter, rc.req, rc.pool).allowed);
    auto hardened = rc.policy;
    hardened["environments"]["prod"]["actions"]["deploy"]["hardened_destinations"] = {"eu-west", "us-east", "hooks"};
    if (!full.allowed) CHECK_FALSE(h.decide(hardened, rc.req, rc.pool).allowed);
  }
}

}  // namespace decision_scenarios_test
