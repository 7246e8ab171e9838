// Audit records: the line format of docs/audit-format.md, what can be recorded, and how a single
// line is read back and refused.
#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "assent/audit/memory_sink.hpp"
#include "assent/audit/record.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/time.hpp"
#include "catch.hpp"
#include "test_audit_util.hpp"

namespace {

using namespace assent::audit;
using assent_audit_test::host_event;
using assent_audit_test::split_lines;
using assent_audit_test::t0;

std::string without_newline(const std::string& line) { return line.substr(0, line.size() - 1); }

}  // namespace

TEST_CASE("audit records are the JCS form of {event, hash, prev, seq, time} chained from the genesis hash",
          "[audit][record]") {
  memory_sink sink;
  for (std::uint64_t i = 1; i <= 3; ++i) {
    const auto r = sink.append(host_event(i), t0(static_cast<std::int64_t>(i)));
    REQUIRE(r.ok);
    CHECK(r.seq == i);
  }
  const auto lines = split_lines(sink.text());
  REQUIRE(lines.size() == 3);
  std::string prev(genesis_hash);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto v = nlohmann::json::parse(lines[i]);
    // The line is exactly the canonical form of its value (the shortcut assembly agrees with JCS).
    CHECK(assent::json::canonicalize(v) == lines[i]);
    CHECK(v.size() == 5);
    CHECK(v.at("seq") == i + 1);
    CHECK(v.at("prev") == prev);
    CHECK(v.at("time") == assent::json::format_rfc3339(t0(static_cast<std::int64_t>(i + 1))));
    CHECK(v.at("event") == host_event(i + 1));
    // The hash covers the canonical form without the hash member.
    auto unhashed = v;
    unhashed.erase("hash");
    const auto digest = assent::crypto::sha256::hash(*assent::json::canonicalize(unhashed));
    std::string expect = "sha256:";
    for (auto b : digest) {
      static const char* hx = "0123456789abcdef";
      expect.push_back(hx[b >> 4]);
      expect.push_back(hx[b & 15]);
    }
    CHECK(v.at("hash") == expect);
    prev = v.at("hash").get<std::string>();
  }
  CHECK(sink.head().hash == prev);
  CHECK(sink.head().count == 3);
}

TEST_CASE("audit records hold events with non-ASCII text, escapes and numbers in their canonical form",
          "[audit][record]") {
  memory_sink sink;
  const nlohmann::json ev = {{"type", "override"},
                             {"\xc3\xa9t\xc3\xa9", "line\nbreak \"quoted\" \x01 \xe2\x82\xac \xf0\x9f\x98\x80"},
                             {"n", {1, -2, 3.5, 1e21, 0.000001, 9007199254740991LL}},
                             {"ok", true},
                             {"none", nullptr},
                             {"\xee\x80\x80", 1},
                             {"\xf0\x9f\x98\x80", 2}};
  const auto r = sink.append(ev, t0());
  REQUIRE(r.ok);
  const auto line = without_newline(sink.lines().at(0));
  CHECK(assent::json::canonicalize(nlohmann::json::parse(line)) == line);
  const auto back = parse_record(line);
  REQUIRE(back.code == line_errc::ok);
  CHECK(back.record->event == nlohmann::json::parse(*assent::json::canonicalize(ev)));
}

TEST_CASE("canonicalize_event refuses what cannot be recorded, with the reason", "[audit][record]") {
  CHECK(canonicalize_event(nlohmann::json::array({1})).error.find("object") != std::string::npos);
  CHECK(canonicalize_event(nlohmann::json("decision")).error.find("object") != std::string::npos);
  CHECK(canonicalize_event({{"kind", "x"}}).error.find("\"type\"") != std::string::npos);
  CHECK(canonicalize_event({{"type", 7}}).error.find("\"type\"") != std::string::npos);
  CHECK(canonicalize_event({{"type", ""}}).error.find("\"type\"") != std::string::npos);
  CHECK(canonicalize_event({{"type", "x"}, {"v", std::nan("")}}).error.find("canonical") != std::string::npos);
  CHECK(canonicalize_event({{"type", "x"}, {"v", std::numeric_limits<double>::infinity()}}).error.find("canonical") !=
        std::string::npos);
  CHECK(canonicalize_event({{"type", "x"}, {"v", "\xff\xfe"}}).error.find("canonical") != std::string::npos);
  CHECK(canonicalize_event({{"type", "x"}}).ok());
}

TEST_CASE("recordable events stay within what readers accept: depth, container size and line length",
          "[audit][record]") {
  // The record is depth 1, its event depth 2; readers accept depth 32.
  auto nested = [](std::size_t levels) {
    nlohmann::json inner = nlohmann::json::array();
    for (std::size_t i = 1; i < levels; ++i) inner = nlohmann::json::array({inner});
    return nlohmann::json{{"type", "deep"}, {"a", inner}};
  };
  const auto deepest = canonicalize_event(nested(max_record_depth - 2));
  REQUIRE(deepest.ok());
  auto rec = build_record(chain_head{}, deepest.text, t0());
  REQUIRE(rec);
  CHECK(parse_record(without_newline(rec->line)).code == line_errc::ok);
  CHECK(canonicalize_event(nested(max_record_depth - 1)).error.find("deeper") != std::string::npos);

  nlohmann::json wide = {{"type", "wide"}, {"a", nlohmann::json::array()}};
  for (std::size_t i = 0; i < max_container_size; ++i) wide["a"].push_back(0);
  const auto widest = canonicalize_event(wide);
  REQUIRE(widest.ok());
  rec = build_record(chain_head{}, widest.text, t0());
  REQUIRE(rec);
  CHECK(parse_record(without_newline(rec->line)).code == line_errc::ok);
  wide["a"].push_back(0);
  CHECK_FALSE(canonicalize_event(wide).ok());

  const std::size_t around = canonicalize_event({{"type", "t"}, {"s", ""}}).text.size();
  const std::size_t room = max_record_bytes - 256 - around;
  const auto largest = canonicalize_event({{"type", "t"}, {"s", std::string(room, 'x')}});
  REQUIRE(largest.ok());
  CHECK(largest.text.size() == max_record_bytes - 256);
  rec = build_record(chain_head{}, largest.text, t0());
  REQUIRE(rec);
  CHECK(parse_record(without_newline(rec->line)).code == line_errc::ok);
  CHECK(canonicalize_event({{"type", "t"}, {"s", std::string(room + 1, 'x')}}).error.find("too large") !=
        std::string::npos);
}

TEST_CASE("build_record refuses times RFC 3339 cannot write and a full chain", "[audit][record]") {
  const std::string ev = canonicalize_event({{"type", "x"}}).text;
  CHECK_FALSE(build_record(chain_head{}, ev, -62167219201LL));  // 0000-01-01T00:00:00Z minus 1 s
  CHECK(build_record(chain_head{}, ev, -62167219200LL));
  CHECK_FALSE(build_record(chain_head{}, ev, 253402300800LL));  // 10000-01-01T00:00:00Z
  chain_head full;
  full.count = max_seq;
  CHECK_FALSE(build_record(full, ev, t0()));
  full.count = max_seq - 1;
  const auto last = build_record(full, ev, t0());
  REQUIRE(last);
  CHECK(last->seq == max_seq);
  CHECK(parse_record(without_newline(last->line)).code == line_errc::ok);
}

TEST_CASE("a draft chained with append_record gives the record build_record gives", "[audit][record]") {
  // Sinks draft outside their lock and chain under it; the two halves must add up to the rule.
  const std::string ev = canonicalize_event(host_event(7)).text;
  chain_head head;
  for (int i = 0; i < 3; ++i) {
    const auto draft = draft_record(ev, t0(i));
    REQUIRE(draft);
    const auto whole = build_record(head, ev, t0(i));
    REQUIRE(whole);
    std::string buffer = "earlier lines\n";
    const auto next = append_record(buffer, *draft, head);
    REQUIRE(next);
    CHECK(next->count == whole->seq);
    CHECK(next->hash == whole->hash);
    CHECK(buffer == "earlier lines\n" + whole->line);
    CHECK(parse_record(without_newline(whole->line)).code == line_errc::ok);
    head = *next;
  }
  CHECK_FALSE(draft_record(ev, 253402300800LL));  // no RFC 3339 form
  chain_head full;
  full.count = max_seq;
  std::string buffer = "kept";
  CHECK_FALSE(append_record(buffer, *draft_record(ev, t0()), full));
  CHECK(buffer == "kept");
}

TEST_CASE("parse_record refuses lines that are not canonical records, naming the fault", "[audit][record]") {
  memory_sink sink;
  REQUIRE(sink.append(host_event(1), t0()).ok);
  const std::string good = without_newline(sink.lines().at(0));
  REQUIRE(parse_record(good).code == line_errc::ok);
  auto v = nlohmann::json::parse(good);

  auto dump_canonical = [](const nlohmann::json& j) { return *assent::json::canonicalize(j); };
  auto with = [&](const char* key, const nlohmann::json& value) {
    auto c = v;
    c[key] = value;
    return dump_canonical(c);
  };
  CHECK(parse_record("").code == line_errc::unparsable);
  CHECK(parse_record(good.substr(0, good.size() - 1)).code == line_errc::unparsable);
  CHECK(parse_record(good + " ").code == line_errc::not_canonical);
  CHECK(parse_record(" " + good).code == line_errc::not_canonical);
  CHECK(parse_record(v.dump(1)).code == line_errc::not_canonical);
  CHECK(parse_record("[1]").code == line_errc::not_a_record);
  CHECK(parse_record(with("extra", 1)).code == line_errc::not_a_record);
  {
    auto c = v;
    c.erase("time");
    CHECK(parse_record(dump_canonical(c)).code == line_errc::not_a_record);
  }
  CHECK(parse_record(with("seq", 0)).code == line_errc::not_a_record);
  CHECK(parse_record(with("seq", -1)).code == line_errc::not_a_record);
  CHECK(parse_record(with("seq", 1.5)).code == line_errc::not_a_record);
  CHECK(parse_record(with("seq", "1")).code == line_errc::not_a_record);
  CHECK(parse_record(with("time", "2026-01-01T01:00:00+01:00")).code == line_errc::not_a_record);
  CHECK(parse_record(with("time", "2026-01-01T00:00:00.5Z")).code == line_errc::not_a_record);
  CHECK(parse_record(with("time", 1767225600)).code == line_errc::not_a_record);
  std::string upper = v["hash"].get<std::string>();
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(parse_record(with("hash", "sha256:" + upper.substr(7))).code == line_errc::not_a_record);
  CHECK(parse_record(with("prev", "sha256:00")).code == line_errc::not_a_record);
  CHECK(parse_record(with("event", {{"kind", "no type"}})).code == line_errc::not_a_record);
  CHECK(parse_record(with("event", "text")).code == line_errc::not_a_record);
  // Same members, other content: the hash no longer matches.
  const auto edited = parse_record(with("event", {{"type", "test"}, {"n", 2}, {"note", "event 1"}}));
  CHECK(edited.code == line_errc::hash_mismatch);
  REQUIRE(edited.record);
  CHECK(edited.record->seq == 1);
  // Duplicate member names are refused by the strict parser, never resolved.
  std::string dup = good;
  dup.insert(1, "\"seq\":1,");
  CHECK(parse_record(dup).code == line_errc::unparsable);
}

TEST_CASE("the memory sink refuses an unrecordable event without consuming a sequence number", "[audit][record]") {
  memory_sink sink;
  const auto bad = sink.append({{"no", "type"}}, t0());
  CHECK_FALSE(bad.ok);
  CHECK(bad.seq == 0);
  CHECK_FALSE(bad.error.empty());
  const auto bad_time = sink.append(host_event(1), 253402300800LL);
  CHECK_FALSE(bad_time.ok);
  const auto good = sink.append(host_event(1), t0());
  CHECK(good.ok);
  CHECK(good.seq == 1);
}

TEST_CASE("the null sink accepts everything and keeps no chain", "[audit][record]") {
  null_sink sink;
  const auto r = sink.append(host_event(1), t0());
  CHECK(r.ok);
  CHECK(r.seq == 0);
  CHECK(r.hash.empty());
}

TEST_CASE("the tee sink is ok only when every branch is, and tries every branch", "[audit][record]") {
  struct failing_sink final : assent::audit_sink {
    int calls = 0;
    assent::audit_receipt append(const nlohmann::json&, std::int64_t) override {
      ++calls;
      assent::audit_receipt r;
      r.error = "disk on fire";
      return r;
    }
  };
  struct throwing_sink final : assent::audit_sink {
    assent::audit_receipt append(const nlohmann::json&, std::int64_t) override { throw std::runtime_error("boom"); }
  };
  memory_sink a, b;
  tee_sink both({a, b});
  const auto r = both.append(host_event(1), t0());
  CHECK(r.ok);
  CHECK(r.seq == 1);
  CHECK(r.hash == a.head().hash);
  CHECK(a.text() == b.text());

  failing_sink f;
  memory_sink c;
  tee_sink broken({f, c});
  const auto r2 = broken.append(host_event(1), t0());
  CHECK_FALSE(r2.ok);
  CHECK(r2.error.find("sink 0: disk on fire") != std::string::npos);
  CHECK(f.calls == 1);
  CHECK(c.size() == 1);  // the healthy branch still recorded the attempt

  throwing_sink t;
  memory_sink d;
  tee_sink throws({d, t});
  const auto r3 = throws.append(host_event(1), t0());
  CHECK_FALSE(r3.ok);
  CHECK(r3.error.find("sink 1") != std::string::npos);
  CHECK(r3.seq == 1);

  tee_sink empty({});
  CHECK_FALSE(empty.append(host_event(1), t0()).ok);
}
