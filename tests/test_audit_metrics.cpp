// Governance metrics computed from a log's records alone.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/event.hpp"
#include "assent/audit/export.hpp"
#include "assent/audit/file_sink.hpp"
#include "assent/audit/log_metrics.hpp"
#include "assent/audit/memory_sink.hpp"
#include "catch.hpp"
#include "test_audit_util.hpp"

namespace {

using namespace assent::audit;
using assent_audit_test::make_key;
using assent_audit_test::t0;
using assent_audit_test::temp_dir;
using assent_audit_test::trust;

assent::decision make_decision(bool allowed, std::vector<assent::reason> reasons,
                               std::vector<assent::reason> rejected, bool exception = false,
                               std::int64_t issued_at = t0(-30)) {
  assent::decision d;
  d.allowed = allowed;
  d.action = "deploy";
  d.project = "payments";
  d.environment = "production";
  d.initiator = "alice";
  d.reasons = std::move(reasons);
  assent::accepted_approval a;
  a.credential_id = "c1";
  a.approver = "bob";
  a.keyid = "bob-key";
  a.exception = exception;
  a.issued_at = issued_at;
  d.approvals.push_back(a);
  for (std::size_t i = 0; i < rejected.size(); ++i) {
    assent::rejected_credential r;
    r.index = i + 1;
    r.why = rejected[i];
    d.rejected.push_back(r);
  }
  if (exception) {
    assent::exception_use e;
    e.kind = "break_glass";
    e.owner = "oncall";
    e.incident = "INC-" + std::to_string(d.rejected.size());
    d.exception = e;
  }
  return d;
}

log_metrics metrics_of(const memory_sink& sink) {
  metrics_accumulator acc;
  const auto res = verify_log_text(sink.text(), std::nullopt, acc.visitor());
  REQUIRE(res.ok());
  return acc.result();
}

}  // namespace

TEST_CASE("metrics count decisions, policy violations, rejections, expired evidence and host events",
          "[audit][metrics]") {
  using assent::reason;
  memory_sink sink;
  auto add = [&](const nlohmann::json& ev, std::int64_t t = t0()) { REQUIRE(sink.append(ev, t).ok); };
  add(assent::decision_event(make_decision(true, {}, {reason::expired})));                          // seq 1
  add(assent::decision_event(make_decision(false, {reason::threshold_not_met}, {reason::expired, reason::bad_signature})));
  add(assent::decision_event(make_decision(false, {reason::threshold_not_met, reason::required_duty_missing}, {})));
  add(assent::decision_event(make_decision(false, {reason::environment_frozen}, {reason::unknown_key}, false, t0(-90))));
  add({{"type", "override"}, {"who", "admin"}});
  add({{"type", "override"}, {"who", "admin"}});
  add({{"type", "note"}});
  const auto m = metrics_of(sink);
  CHECK(m.records == 7);
  CHECK(m.decisions == 4);
  CHECK(m.allowed == 1);
  CHECK(m.denied == 3);
  CHECK(m.policy_violations ==
        std::map<std::string, std::uint64_t>{{"threshold_not_met", 2}, {"required_duty_missing", 1}, {"environment_frozen", 1}});
  CHECK(m.rejections_by_reason ==
        std::map<std::string, std::uint64_t>{{"expired", 2}, {"bad_signature", 1}, {"unknown_key", 1}});
  CHECK(m.expired_evidence == 2);
  CHECK(m.host_events == std::map<std::string, std::uint64_t>{{"override", 2}, {"note", 1}});
  CHECK(m.exception_uses == 0);
  CHECK(m.open_reviews.empty());
  // Each decision event carries its approval's issued_at: 30, 30, 30 and 90 seconds before.
  CHECK(m.approval_latency.count == 4);
  CHECK(m.approval_latency.min == 30);
  CHECK(m.approval_latency.p50 == 30);
  CHECK(m.approval_latency.max == 90);
  CHECK(m.approval_latency.mean == Approx(45.0));
  CHECK(m.approvals_without_issued_at == 0);
  const auto j = to_json(m);
  CHECK(j.at("policy_violations").at("threshold_not_met") == 2);
  CHECK(j.at("expired_evidence") == 2);
}

TEST_CASE("an exception decision opens a post-incident review until a review_closed event names it",
          "[audit][metrics]") {
  memory_sink sink;
  auto add = [&](const nlohmann::json& ev, std::int64_t t) {
    const auto r = sink.append(ev, t);
    REQUIRE(r.ok);
    return r.seq;
  };
  const auto plain = add(assent::decision_event(make_decision(true, {}, {})), t0(1));
  const auto e1 = add(assent::decision_event(make_decision(true, {}, {}, true)), t0(2));
  const auto e2 = add(assent::decision_event(make_decision(true, {}, {assent::reason::expired}, true)), t0(3));
  const auto closes = add({{"type", "review_closed"}, {"decision_seq", e1}, {"reviewer", "sec"}}, t0(4));
  const auto again = add({{"type", "review_closed"}, {"decision_seq", e1}}, t0(5));        // already closed
  const auto wrong = add({{"type", "review_closed"}, {"decision_seq", plain}}, t0(6));     // no exception there
  const auto future = add({{"type", "review_closed"}, {"decision_seq", 99}}, t0(7));      // no such record
  const auto no_seq = add({{"type", "review_closed"}}, t0(8));
  const auto m = metrics_of(sink);
  CHECK(m.exception_uses == 2);
  CHECK(m.reviews_closed == 1);
  REQUIRE(m.open_reviews.size() == 1);
  CHECK(m.open_reviews[0].decision_seq == e2);
  CHECK(m.open_reviews[0].opened_at == t0(3));
  CHECK(m.open_reviews[0].incident == "INC-1");
  CHECK(m.open_reviews[0].owner == "oncall");
  CHECK(m.invalid_review_closures == std::vector<std::uint64_t>{again, wrong, future, no_seq});
  CHECK(m.host_events.empty());
  (void)closes;
}

TEST_CASE("approval latency is the decision time minus each approval's issued_at", "[audit][metrics]") {
  memory_sink sink;
  // A decision event as a host (or a future verifier) records it, with issued_at per approval,
  // as RFC 3339 text or integer seconds.
  auto decision_with = [](std::vector<nlohmann::json> approvals) {
    return nlohmann::json{{"type", "decision"}, {"decision", "allow"}, {"approvals", approvals},
                          {"rejected", nlohmann::json::array()}, {"reasons", nlohmann::json::array()},
                          {"exception", nullptr}};
  };
  REQUIRE(sink.append(decision_with({{{"approver", "a"}, {"issued_at", assent::json::format_rfc3339(t0(0))}},
                                     {{"approver", "b"}, {"issued_at", t0(50)}}}),
                      t0(100))
              .ok);  // 100 s and 50 s
  REQUIRE(sink.append(decision_with({{{"approver", "c"}, {"issued_at", t0(190)}}, {{"approver", "d"}}}), t0(200)).ok);  // 10 s
  REQUIRE(sink.append(decision_with({{{"approver", "e"}, {"issued_at", "yesterday"}}}), t0(300)).ok);
  const auto m = metrics_of(sink);
  CHECK(m.approval_latency.count == 3);
  CHECK(m.approval_latency.min == 10);
  CHECK(m.approval_latency.max == 100);
  CHECK(m.approval_latency.p50 == 50);
  CHECK(m.approval_latency.p95 == 100);
  CHECK(m.approval_latency.mean == Approx(160.0 / 3));
  CHECK(m.approvals_without_issued_at == 2);
}

TEST_CASE("metrics from a log file, and from its signed export, are the same; a corrupt log has none",
          "[audit][metrics]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  {
    file_sink_options o;
    o.mode = durability::none;
    auto s = file_sink::open(path, o);
    REQUIRE(s.ok());
    REQUIRE(s.sink->append(assent::decision_event(make_decision(false, {assent::reason::threshold_not_met},
                                                                {assent::reason::expired})),
                           t0())
                .ok);
    REQUIRE(s.sink->append(assent::decision_event(make_decision(true, {}, {}, true)), t0()).ok);
  }
  chain_result chain;
  const auto from_file = metrics_from_log_file(path, &chain);
  REQUIRE(from_file);
  CHECK(chain.ok());
  const auto key = make_key(51, "export-key");
  const auto exp = export_log_file(path, "log", t0(), *key);
  REQUIRE(exp.ok());
  metrics_accumulator acc;
  REQUIRE(verify_export(*exp.envelope, *trust({key}), acc.visitor()).ok());
  CHECK(to_json(acc.result()) == to_json(*from_file));
  CHECK(from_file->expired_evidence == 1);
  CHECK(from_file->open_reviews.size() == 1);

  std::string text = assent_audit_test::read_file(path);
  text[text.find("threshold_not_met")] = 'T';
  assent_audit_test::write_file(path, text);
  CHECK_FALSE(metrics_from_log_file(path, &chain));
  CHECK(chain.code == chain_errc::hash_mismatch);
  CHECK(chain.bad_seq == 1);
}
