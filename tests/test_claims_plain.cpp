// The plain claims reader (credential/detail/plain_claims.hpp) is a fast path: it may only ever
// accept, and only what the full reader (strict JSON tree + object_reader) accepts, with the same
// values. Bodies here are built member by member from values at and across every rule's edge, in
// random order with random whitespace, then sometimes mutated byte by byte; every body goes
// through both readers and through parse_approval_claims, which must answer as the full reader.
#include <random>
#include <string>
#include <vector>

#include "assent/credential/claims.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

using assent_test::json_quoted;
using assent_test::random_ws;

// JSON text fragments per member: valid values, values one step past a rule, other types.
struct value_pools {
  std::vector<std::string> id, name, spec_hash, capabilities, time, note, exception, ext;

  value_pools() {
    id = {json_quoted("apv-1"), json_quoted("x:y.z_-9"), json_quoted(""), json_quoted("a b"), json_quoted(std::string(128, 'a')),
          json_quoted(std::string(129, 'a')), json_quoted("\xc3\xa9"), json_quoted("ap\\u0076-1"), "1", "null"};
    name = {json_quoted("payments"), json_quoted("prod"), json_quoted("pay\xc3\xa9"), json_quoted(""), json_quoted("a\x7f"),
            json_quoted("a\xc2\x85"), json_quoted(std::string(128, 'p')), json_quoted(std::string(129, 'p')),
            json_quoted("with space"), json_quoted("bad\xff"), json_quoted("esc\\u0061ped"), json_quoted("tab\\tname"), "[]", "true"};
    const std::string hex(64, 'c');
    spec_hash = {json_quoted("sha256:" + hex), json_quoted("sha256:" + std::string(64, 'C')), json_quoted("sha256:" + hex.substr(1)),
                 json_quoted("sha512:" + hex), json_quoted(""), "{}"};
    std::string many = "[";
    for (int i = 0; i < 33; ++i) many += (i ? ",\"c" : "\"c") + std::to_string(i) + "\"";
    const std::string just_enough = many.substr(0, many.rfind(',')) + "]";
    many += "]";
    capabilities = {"[\"deploy\"]", "[ \"deploy\" , \"replay.execute\" ]", "[]", "[\"deploy\",\"deploy\"]",
                    "[\"Deploy\"]", "[\"\"]", many, just_enough, "[1]", json_quoted("deploy"),
                    "[" + json_quoted(std::string(64, 'a')) + "]", "[" + json_quoted(std::string(65, 'a')) + "]",
                    "[\"dep\\u006coy\"]", "[\"deploy\",]"};
    time = {json_quoted("2026-11-21T10:00:00Z"), json_quoted("2026-11-21T10:00:00.5Z"), json_quoted("2026-11-21T12:00:00Z"),
            json_quoted("2026-11-21T11:30:00+01:00"), json_quoted("2026-11-21T11:00:00+01:00"), json_quoted("0000-01-01T00:00:00+01:00"), json_quoted("9999-12-31T23:59:59-01:00"),
            json_quoted("2026-02-29T00:00:00Z"), json_quoted(""), "1763719200", json_quoted("2026-11-21t10:00:00z")};
    note = {json_quoted(""), json_quoted("benchmark approval"), json_quoted("line\\nbreak"), json_quoted("raw\ttab"),
            json_quoted(std::string(1024, 'n')), json_quoted(std::string(1025, 'n')), json_quoted("del\x7f"), "null"};
    exception = {R"({"kind":"break_glass","owner":"carol","reason":"outage","incident":"INC-1"})", R"({"kind":"other"})"};
    ext = {R"({"ticket":"CHG-1","n":[1,2]})", "[]", "{}"};
  }
};

const char* const member_names[] = {"id",         "approver",   "project",   "environment", "spec_hash",
                                    "capabilities", "issued_at", "expires_at", "not_before", "initiator",
                                    "destination", "exception",  "note",      "ext"};

// A clean pick is one of a pool's first two values, which are valid; otherwise any value.
const std::string& pick(std::mt19937_64& rng, const std::vector<std::string>& pool, bool clean) {
  return pool[rng() % (clean ? 2 : pool.size())];
}

std::string random_body(std::mt19937_64& rng, const value_pools& v) {
  std::vector<std::pair<std::string, std::string>> members;
  const auto add = [&](const char* name, const std::string& value) { members.emplace_back(name, value); };
  // Two bodies in three are valid and plain but for at most one member, so that the readers'
  // agreement on acceptance is tested as often as their agreement on refusal.
  const bool clean = rng() % 3 != 0;
  const auto keep = [&](int one_in) { return clean || rng() % one_in != 0; };
  if (keep(20)) add("id", pick(rng, v.id, clean));
  if (rng() % 3 == 0) add("approver", pick(rng, v.name, clean));
  if (keep(20)) add("project", pick(rng, v.name, clean));
  if (keep(20)) add("environment", pick(rng, v.name, clean));
  if (keep(20)) add("spec_hash", pick(rng, v.spec_hash, clean));
  if (keep(20)) add("capabilities", pick(rng, v.capabilities, clean));
  // issued_at before expires_at in the common case; any pair otherwise.
  const std::size_t t1 = clean ? rng() % 2 : rng() % v.time.size();
  const std::size_t t2 = clean ? 2 + rng() % 2 : rng() % v.time.size();
  if (keep(20)) add("issued_at", v.time[t1]);
  if (keep(20)) add("expires_at", v.time[t2]);
  if (rng() % 4 == 0) add("not_before", v.time[clean ? rng() % 2 : rng() % v.time.size()]);
  if (rng() % 3 == 0) add("initiator", pick(rng, v.name, clean));
  if (rng() % 3 == 0) add("destination", pick(rng, v.name, clean));
  if (rng() % 8 == 0) add("exception", pick(rng, v.exception, false));
  if (rng() % 3 == 0) add("note", pick(rng, v.note, clean));
  if (rng() % 8 == 0) add("ext", pick(rng, v.ext, false));
  if (clean && rng() % 2 == 0 && !members.empty()) {  // one member at or across a rule's edge
    auto& m = members[rng() % members.size()];
    const std::string& n = m.first;
    const std::vector<std::string>& pool = n == "id"             ? v.id
                                           : n == "spec_hash"    ? v.spec_hash
                                           : n == "capabilities" ? v.capabilities
                                           : n == "note"         ? v.note
                                           : n == "exception"    ? v.exception
                                           : n == "ext"          ? v.ext
                                           : n.find("_at") != std::string::npos || n == "not_before" ? v.time
                                                                                                       : v.name;
    m.second = pool[rng() % pool.size()];
  }
  if (rng() % 20 == 0) add("extra", json_quoted("x"));
  if (rng() % 20 == 0 && !members.empty()) members.push_back(members[rng() % members.size()]);  // a duplicate
  std::shuffle(members.begin(), members.end(), rng);
  std::string body = random_ws(rng) + "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i != 0) body += random_ws(rng) + ",";
    body += random_ws(rng) + json_quoted(members[i].first) + random_ws(rng) + ":" + random_ws(rng) + members[i].second;
  }
  body += random_ws(rng) + "}" + random_ws(rng);
  return body;
}

}  // namespace

TEST_CASE("plain claims reader accepts only what the full reader accepts, with the same values",
          "[claims][plain][differential]") {
  const value_pools pools;
  std::mt19937_64 rng(assent_test::differential_seed());
  const std::size_t rounds = 100 * assent_test::differential_count();
  std::size_t plain_accepted = 0, tree_only = 0, refused = 0;
  for (std::size_t i = 0; i < rounds; ++i) {
    std::string body = random_body(rng, pools);
    if (rng() % 4 == 0) assent_test::mutate_text(rng, body, std::string("{}[],:\"\\ a-Z09.") + "\x80\xc3\xa9\x01\x7f", 3);
    INFO("body: " << body);
    const assent::byte_view bytes{std::string_view(body)};
    assent::approval_claims plain;
    const bool is_plain = assent::detail::read_plain_claims(body, plain);
    const auto full = assent::detail::parse_claims_tree<assent::approval_claims>(bytes);
    const auto answer = assent::parse_approval_claims(bytes);
    if (is_plain) {
      ++plain_accepted;
      REQUIRE(full.ok());
      REQUIRE(assent::to_json(plain) == assent::to_json(*full.claims));
      REQUIRE(plain.ext.is_null());
      REQUIRE(!plain.exception);
    } else if (full.ok()) {
      ++tree_only;
    } else {
      ++refused;
    }
    // The public reader answers exactly as the full one: same claims, or the same fault.
    REQUIRE(answer.ok() == full.ok());
    REQUIRE(answer.error == full.error);
    if (answer.ok()) REQUIRE(assent::to_json(*answer.claims) == assent::to_json(*full.claims));
  }
  // All three outcomes were exercised, acceptance by the plain reader most of all.
  CHECK(plain_accepted > rounds / 10);
  CHECK(tree_only > rounds / 100);
  CHECK(refused > rounds / 10);
}

TEST_CASE("plain claims reader takes what issuers write", "[claims][plain]") {
  assent::approval_claims c;
  c.id = "apv-7";
  c.approver = "alice";
  c.project = "payments";
  c.environment = "prod";
  c.spec_hash = "sha256:" + std::string(64, 'a');
  c.capabilities = {"deploy", "replay.execute"};
  c.issued_at = 1763719200;
  c.expires_at = 1763722800;
  c.not_before = 1763719260;
  c.initiator = "bob";
  c.destination = "eu-west";
  c.note = "r\xc3\xa9sum\xc3\xa9 of the change";
  // assent's own issuer writes JCS; a host's may write pretty-printed JSON in another order.
  for (const std::string& body : {*assent::json::canonicalize(assent::to_json(c)), assent::to_json(c).dump(2)}) {
    INFO(body);
    assent::approval_claims plain;
    REQUIRE(assent::detail::read_plain_claims(body, plain));
    CHECK(assent::to_json(plain) == assent::to_json(c));
  }
  // What the plain reader leaves to the full one, and the full one still reads.
  c.ext = nlohmann::json{{"ticket", "CHG-1"}};
  assent::approval_claims plain;
  CHECK_FALSE(assent::detail::read_plain_claims(assent::to_json(c).dump(), plain));
  const auto full = assent::parse_approval_claims(assent::byte_view(std::string_view(assent::to_json(c).dump())));
  REQUIRE(full.ok());
  CHECK(full.claims->ext == c.ext);
}
