// The decision event in canonical form: canonical_decision_event writes JCS directly, and must
// agree byte for byte with canonicalize_event(decision_event(d)), the slow path through a JSON
// tree, on every decision, including strings that need escaping or are not valid UTF-8.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/event.hpp"
#include "assent/audit/memory_sink.hpp"
#include "assent/audit/record.hpp"
#include "assent/decision.hpp"
#include "catch.hpp"

namespace {

// Strings a host or a credential could put into a decision: plain, empty, escapes, controls,
// DEL, non-ASCII (two to four bytes), U+2028.
std::string random_text(std::mt19937_64& rng) {
  static const std::vector<std::string> pieces = {
      "",  "a", "prod", "deploy", "\"", "\\", "\n", "\t", "\b", "\f", "\r", std::string(1, '\x01'),
      std::string(1, '\x1f'), "\x7f", "\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x94\x91", "/", "apv-0001", " "};
  std::string s;
  const auto n = rng() % 5;
  for (std::uint64_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
  return s;
}

std::vector<std::string> random_list(std::mt19937_64& rng) {
  std::vector<std::string> v;
  const auto n = rng() % 4;
  for (std::uint64_t i = 0; i < n; ++i) v.push_back(random_text(rng));
  return v;
}

assent::decision random_decision(std::mt19937_64& rng) {
  assent::decision d;
  d.allowed = rng() % 2 == 0;
  d.approval_required = rng() % 2 == 0;
  d.action = random_text(rng);
  d.project = random_text(rng);
  d.environment = random_text(rng);
  d.spec_hash = random_text(rng);
  d.initiator = random_text(rng);
  if (rng() % 2) d.destination = random_text(rng);
  if (rng() % 2) d.source_environment = random_text(rng);
  // Attributes: names of any text (JCS sorts them by UTF-16 code units), every value type a
  // request may hold; sometimes empty, sometimes absent.
  if (rng() % 3 != 0) {
    d.attributes = nlohmann::json::object();
    for (auto n = rng() % 4; n > 0; --n) {
      const std::string name = random_text(rng);
      switch (rng() % 4) {
        case 0: d.attributes[name] = random_text(rng); break;
        case 1: d.attributes[name] = rng() % 2 == 0; break;
        case 2: d.attributes[name] = static_cast<std::int64_t>(rng() % 2000) - 1000; break;
        default: d.attributes[name] = static_cast<double>(rng() % 1000) / 8.0; break;
      }
    }
  }
  d.approvals_required = static_cast<std::uint32_t>(rng() % 4);
  d.capabilities_required = random_list(rng);
  for (auto n = rng() % 4; n > 0; --n) {
    assent::accepted_approval a;
    a.index = rng() % 70;
    a.credential_id = random_text(rng);
    a.approver = random_text(rng);
    a.keyid = random_text(rng);
    a.exception = rng() % 2 == 0;
    a.issued_at = 1763721000 + static_cast<std::int64_t>(rng() % 100000);
    d.approvals.push_back(a);
  }
  for (auto n = rng() % 4; n > 0; --n) {
    assent::rejected_credential r;
    r.index = rng() % 70;
    if (rng() % 2) r.credential_id = random_text(rng);
    if (rng() % 2) r.keyid = random_text(rng);
    r.why = static_cast<assent::reason>(1 + rng() % 27);
    d.rejected.push_back(r);
  }
  for (auto n = rng() % 3; n > 0; --n) d.reasons.push_back(static_cast<assent::reason>(100 + rng() % 14));
  d.missing.approvals = static_cast<std::uint32_t>(rng() % 5);
  d.missing.duties = random_list(rng);
  d.missing.capabilities = random_list(rng);
  d.policy_id = random_text(rng);
  d.policy_hash = random_text(rng);
  if (rng() % 2) {
    assent::exception_use e;
    e.kind = "break_glass";
    e.owner = random_text(rng);
    e.incident = random_text(rng);
    e.reason = random_text(rng);
    e.credential_ids = random_list(rng);
    d.exception = e;
  }
  return d;
}

}  // namespace

TEST_CASE("canonical_decision_event equals the JCS form of decision_event(d) byte for byte",
          "[audit][event]") {
  std::mt19937_64 rng(20261122);
  for (int i = 0; i < 2000; ++i) {
    const assent::decision d = random_decision(rng);
    const auto fast = assent::audit::canonical_decision_event(d);
    // canonicalize_event refuses type "decision" (a host event cannot be one); JCS itself is
    // the slow path.
    const auto slow = assent::json::canonicalize(assent::decision_event(d));
    REQUIRE(slow);
    REQUIRE(fast.ok());
    REQUIRE(fast.by_assent());
    REQUIRE(fast.text == *slow);
  }
}

TEST_CASE("canonical_decision_event refuses a decision whose strings are not valid UTF-8",
          "[audit][event]") {
  const std::vector<std::string> bad = {"\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "ok\xf5"};
  for (const auto& b : bad) {
    for (int field = 0; field < 6; ++field) {
      assent::decision d;
      d.action = "deploy";
      d.project = "payments";
      d.environment = "prod";
      d.initiator = "bob";
      switch (field) {
        case 0: d.initiator = b; break;
        case 1: d.capabilities_required = {"deploy", b}; break;
        case 2: d.rejected.push_back({0, b, std::nullopt, assent::reason::expired}); break;
        case 3: d.destination = b; break;
        case 4: d.attributes = nlohmann::json{{"risk_tier", b}}; break;
        default: d.policy_id = b; break;
      }
      const auto ce = assent::audit::canonical_decision_event(d);
      CHECK_FALSE(ce.ok());
      CHECK(ce.error.find("canonical") != std::string::npos);
      CHECK_FALSE(assent::json::canonicalize(assent::decision_event(d)));
    }
  }
}

namespace {

// A host sink that implements only append(json), as sinks written before append_canonical did.
class json_only_sink final : public assent::audit_sink {
 public:
  std::vector<nlohmann::json> events;
  assent::audit_receipt append(const nlohmann::json& event, std::int64_t) override {
    events.push_back(event);
    assent::audit_receipt r;
    r.ok = true;
    return r;
  }
};

}  // namespace

TEST_CASE("a sink that implements only append(json) receives canonical events as JSON", "[audit][event]") {
  std::mt19937_64 rng(7);
  json_only_sink sink;
  const assent::decision d = random_decision(rng);
  const auto ce = assent::audit::canonical_decision_event(d);
  REQUIRE(ce.ok());
  const auto receipt = sink.append_canonical(ce, 1763721000);
  CHECK(receipt.ok);
  REQUIRE(sink.events.size() == 1);
  CHECK(sink.events[0] == assent::decision_event(d));

  // A decision not made by canonical_decision_event never reaches a host's own sink either.
  assent::audit::canonical_event by_hand;
  by_hand.text = R"({"decision":"allow","type":"decision"})";
  const auto forged = sink.append_canonical(by_hand, 1763721000);
  CHECK_FALSE(forged.ok);
  CHECK(forged.error.find("reserved") != std::string::npos);
  CHECK(sink.events.size() == 1);

  // A failed canonical event never reaches the sink, and the receipt says why.
  assent::audit::canonical_event failed;
  failed.error = "the audit event is too large (2000000 bytes)";
  const auto refused = sink.append_canonical(failed, 1763721000);
  CHECK_FALSE(refused.ok);
  CHECK(refused.error == failed.error);
  CHECK(sink.events.size() == 1);
}

TEST_CASE("memory_sink records a canonical event exactly as it records the same event as JSON",
          "[audit][event]") {
  std::mt19937_64 rng(11);
  assent::audit::memory_sink a, b;
  assent::audit::chain_head head;
  std::string expected;
  for (int i = 0; i < 20; ++i) {
    const assent::decision d = random_decision(rng);
    REQUIRE(b.append_canonical(assent::audit::canonical_decision_event(d), 1763721000 + i).ok);
    // The same record built from the JSON tree's JCS form.
    auto rec = assent::audit::build_record(head, *assent::json::canonicalize(assent::decision_event(d)), 1763721000 + i);
    REQUIRE(rec);
    expected += rec->line;
    head = {rec->seq, rec->hash};
    // A decision event given as JSON is a host event, and refused.
    CHECK_FALSE(a.append(assent::decision_event(d), 1763721000 + i).ok);
  }
  CHECK(b.text() == expected);
  CHECK(a.size() == 0);
}
