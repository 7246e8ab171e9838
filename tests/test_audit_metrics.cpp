// Governance metrics computed from a log's records alone.
#include <map>
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
  auto decide = [&](const assent::decision& d) {
    REQUIRE(sink.append_canonical(assent::audit::canonical_decision_event(d), t0()).ok);
  };
  decide(make_decision(true, {}, {reason::expired}));  // seq 1
  decide(make_decision(false, {reason::threshold_not_met}, {reason::expired, reason::bad_signature}));
  decide(make_decision(false, {reason::threshold_not_met, reason::required_duty_missing}, {}));
  decide(make_decision(false, {reason::environment_frozen}, {reason::unknown_key}, false, t0(-90)));
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
  std::map<std::uint64_t, std::string> hash;
  auto add = [&](const nlohmann::json& ev, std::int64_t t) {
    const auto r = sink.append(ev, t);
    REQUIRE(r.ok);
    return r.seq;
  };
  auto decide = [&](const assent::decision& d, std::int64_t t) {
    const auto r = sink.append_canonical(assent::audit::canonical_decision_event(d), t);
    REQUIRE(r.ok);
    hash[r.seq] = r.hash;
    return r.seq;
  };
  auto closing = [&](std::uint64_t seq, const std::string& h, const std::string& reviewer) {
    return nlohmann::json{{"type", "review_closed"}, {"decision_seq", seq}, {"decision_hash", h}, {"reviewer", reviewer}};
  };
  const auto plain = decide(make_decision(true, {}, {}), t0(1));
  const auto e1 = decide(make_decision(true, {}, {}, true), t0(2));
  const auto e2 = decide(make_decision(true, {}, {assent::reason::expired}, true), t0(3));
  // e2's participants (initiator alice, exception owner oncall, approver bob) cannot close it,
  // nor can anyone without its hash, nor with another record's hash.
  const auto by_initiator = add(closing(e2, hash[e2], "alice"), t0(4));
  const auto by_owner = add(closing(e2, hash[e2], "oncall"), t0(4));
  const auto by_approver = add(closing(e2, hash[e2], "bob"), t0(4));
  const auto no_hash = add({{"type", "review_closed"}, {"decision_seq", e2}, {"reviewer", "sec"}}, t0(4));
  const auto wrong_hash = add(closing(e2, hash[e1], "sec"), t0(4));
  const auto no_reviewer = add({{"type", "review_closed"}, {"decision_seq", e2}, {"decision_hash", hash[e2]}}, t0(4));
  const auto closes = add(closing(e1, hash[e1], "sec"), t0(4));
  const auto again = add(closing(e1, hash[e1], "sec"), t0(5));          // already closed
  const auto wrong = add(closing(plain, hash[plain], "sec"), t0(6));    // no exception there
  const auto future = add(closing(99, hash[e1], "sec"), t0(7));         // no such record
  const auto no_seq = add({{"type", "review_closed"}}, t0(8));
  const auto m = metrics_of(sink);
  CHECK(m.exception_uses == 2);
  CHECK(m.reviews_closed == 1);
  REQUIRE(m.open_reviews.size() == 1);
  CHECK(m.open_reviews[0].decision_seq == e2);
  CHECK(m.open_reviews[0].decision_hash == hash[e2]);
  CHECK(m.open_reviews[0].opened_at == t0(3));
  CHECK(m.open_reviews[0].incident == "INC-1");
  CHECK(m.open_reviews[0].owner == "oncall");
  CHECK(m.invalid_review_closures == std::vector<std::uint64_t>{by_initiator, by_owner, by_approver, no_hash, wrong_hash,
                                                                no_reviewer, again, wrong, future, no_seq});
  CHECK(m.host_events.empty());
  (void)closes;
}

TEST_CASE("host events cannot pass for decision or repair records in any built-in sink", "[audit][metrics][forgery]") {
  const nlohmann::json forged = {{"type", "decision"}, {"decision", "allow"}};
  const nlohmann::json repair = {{"type", "log_repaired"}};
  assent::audit::canonical_event by_hand;  // canonical text made by a host, not by assent
  by_hand.text = R"({"decision":"allow","type":"decision"})";
  assent::audit::canonical_event nested_ok;  // "type":"decision" deeper down is just data
  nested_ok.text = R"({"inner":{"type":"decision"},"type":"note"})";
  CHECK_FALSE(canonicalize_event(forged).ok());
  CHECK_FALSE(canonicalize_event(repair).ok());

  memory_sink mem;
  CHECK_FALSE(mem.append(forged, t0()).ok);
  CHECK_FALSE(mem.append(repair, t0()).ok);
  const auto r = mem.append_canonical(by_hand, t0());
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("reserved") != std::string::npos);
  CHECK(mem.append_canonical(nested_ok, t0()).ok);
  // The scan skips strings whole: a quoted "type":"decision" inside a value is data, a real
  // top-level type after arrays and objects is found.
  assent::audit::canonical_event quoted;
  quoted.text = R"({"a":"x\",\"type\":\"decision","type":"note"})";
  const auto quoted_receipt = mem.append_canonical(quoted, t0());
  INFO(quoted_receipt.error);
  CHECK(quoted_receipt.ok);
  assent::audit::canonical_event late;
  late.text = R"({"a":[1,{"b":"c"}],"s":"\\","type":"decision"})";
  CHECK_FALSE(mem.append_canonical(late, t0()).ok);
  CHECK(mem.submit_canonical(by_hand, t0()).receipt.error.find("reserved") != std::string::npos);

  temp_dir dir;
  file_sink_options o;
  o.mode = durability::per_record;
  auto f = file_sink::open(dir.file("audit.log"), o);
  REQUIRE(f.ok());
  CHECK_FALSE(f.sink->append(forged, t0()).ok);
  CHECK_FALSE(f.sink->append_canonical(by_hand, t0()).ok);
  CHECK_FALSE(f.sink->submit_canonical(by_hand, t0()).receipt.ok);
  assent::audit::tee_sink tee({mem, *f.sink});
  CHECK_FALSE(tee.append_canonical(by_hand, t0()).ok);

  // The verifier's path still records decisions.
  const auto real = assent::audit::canonical_decision_event(make_decision(true, {}, {}));
  CHECK(real.by_assent());
  CHECK(f.sink->append_canonical(real, t0()).ok);
  CHECK(mem.append_canonical(real, t0()).ok);
  REQUIRE(f.sink->close() == std::nullopt);
  const auto mf = metrics_from_log_file(dir.file("audit.log"));
  REQUIRE(mf);
  CHECK(mf->decisions == 1);
  CHECK(metrics_of(mem).decisions == 1);
  CHECK(metrics_of(mem).allowed == 1);
}

TEST_CASE("approval latency is the decision time minus each approval's issued_at", "[audit][metrics]") {
  // Decision events as a future verifier might record them, with issued_at per approval as
  // RFC 3339 text or integer seconds. Sinks refuse decision events from JSON, so the log is
  // built record by record.
  std::string log;
  assent::audit::chain_head head;
  auto decision_with = [&](std::vector<nlohmann::json> approvals, std::int64_t t) {
    const nlohmann::json ev{{"type", "decision"}, {"decision", "allow"}, {"approvals", approvals},
                            {"rejected", nlohmann::json::array()}, {"reasons", nlohmann::json::array()},
                            {"exception", nullptr}};
    auto rec = build_record(head, *assent::json::canonicalize(ev), t);
    REQUIRE(rec);
    log += rec->line;
    head = {rec->seq, rec->hash};
  };
  decision_with({{{"approver", "a"}, {"issued_at", assent::json::format_rfc3339(t0(0))}}, {{"approver", "b"}, {"issued_at", t0(50)}}},
                t0(100));  // 100 s and 50 s
  decision_with({{{"approver", "c"}, {"issued_at", t0(190)}}, {{"approver", "d"}}}, t0(200));  // 10 s
  decision_with({{{"approver", "e"}, {"issued_at", "yesterday"}}}, t0(300));
  metrics_accumulator acc;
  REQUIRE(verify_log_text(log, std::nullopt, acc.visitor()).ok());
  const auto m = acc.result();
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
    REQUIRE(s.sink
                ->append_canonical(assent::audit::canonical_decision_event(make_decision(
                                       false, {assent::reason::threshold_not_met}, {assent::reason::expired})),
                                   t0())
                .ok);
    REQUIRE(s.sink->append_canonical(assent::audit::canonical_decision_event(make_decision(true, {}, {}, true)), t0()).ok);
  }
  chain_result chain;
  const auto from_file = metrics_from_log_file(path, &chain);
  REQUIRE(from_file);
  CHECK(chain.ok());
  const auto key = make_key(51, "export-key");
  const auto exp = export_log_file(path, "log", t0(), *key);
  REQUIRE(exp.ok());
  metrics_accumulator acc;
  REQUIRE(verify_export(*exp.envelope, *trust({key}), "log", acc.visitor()).ok());
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
