// Approval claims: the documented example, round trips through to_json, every rule of the format
// with the reason and JSON Pointer it is refused with, strict reading of body bytes, and the
// claims_traits extension point for a host's own claims type.
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "assent/credential/claims.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

using assent::approval_claims;
using assent::byte_view;
using nlohmann::json;

// Epoch seconds of a UTC civil time by the C library (independent of assent's RFC 3339 code).
std::int64_t utc(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm));
}

const std::string hash64 = "sha256:" + std::string(64, 'a').replace(10, 6, "0123ef");

// The example of docs/credential-format.md.
json example() {
  return json{{"id", "apv-2026-11-21-0001"},
              {"approver", "alice"},
              {"project", "payments"},
              {"environment", "prod"},
              {"spec_hash", hash64},
              {"capabilities", {"deploy"}},
              {"issued_at", "2026-11-21T10:00:00Z"},
              {"expires_at", "2026-11-21T11:00:00Z"},
              {"not_before", "2026-11-21T10:05:00Z"},
              {"initiator", "bob"},
              {"destination", "eu-west"},
              {"exception",
               {{"kind", "break_glass"},
                {"owner", "carol"},
                {"reason", "payment outage"},
                {"incident", "INC-4711"}}},
              {"note", "free text up to 1 KiB"},
              {"ext", json::object()}};
}

json minimal() {
  return json{{"id", "a"},
              {"project", "p"},
              {"environment", "e"},
              {"spec_hash", hash64},
              {"capabilities", {"deploy"}},
              {"issued_at", "2026-11-21T10:00:00Z"},
              {"expires_at", "2026-11-21T10:00:01Z"}};
}

// Expects j to be refused, the error starting with `prefix` ("JSON Pointer: code").
void expect_fault(const json& j, const std::string& prefix) {
  INFO("claims: " << j.dump().substr(0, 300));
  const auto r = assent::parse_approval_claims(j);
  CHECK_FALSE(r.ok());
  INFO("error: " << r.error);
  CHECK(r.error.rfind(prefix, 0) == 0);
  // Reading the same document from bytes gives the same verdict.
  const std::string text = j.dump();
  const auto from_bytes = assent::parse_approval_claims(byte_view(text));
  CHECK(from_bytes.error == r.error);
}

json with(json j, const std::string& member, json value) {
  j[member] = std::move(value);
  return j;
}

json without(json j, const std::string& member) {
  j.erase(member);
  return j;
}

}  // namespace

TEST_CASE("approval claims: the documented example parses with every member", "[claims]") {
  const std::string text = example().dump();
  const auto r = assent::parse_approval_claims(byte_view(text));
  INFO(r.error);
  REQUIRE(r.ok());
  const approval_claims& c = *r.claims;
  CHECK(c.id == "apv-2026-11-21-0001");
  CHECK(c.approver == std::optional<std::string>("alice"));
  CHECK(c.project == "payments");
  CHECK(c.environment == "prod");
  CHECK(c.spec_hash == hash64);
  CHECK(c.capabilities == std::vector<std::string>{"deploy"});
  CHECK(c.issued_at == utc(2026, 11, 21, 10, 0, 0));
  CHECK(c.expires_at == utc(2026, 11, 21, 11, 0, 0));
  CHECK(c.not_before == std::optional<std::int64_t>(utc(2026, 11, 21, 10, 5, 0)));
  CHECK(c.initiator == std::optional<std::string>("bob"));
  CHECK(c.destination == std::optional<std::string>("eu-west"));
  REQUIRE(c.exception);
  CHECK(c.exception->kind == "break_glass");
  CHECK(c.exception->owner == "carol");
  CHECK(c.exception->reason == "payment outage");
  CHECK(c.exception->incident == "INC-4711");
  CHECK(c.note == std::optional<std::string>("free text up to 1 KiB"));
  CHECK(c.ext == json::object());
}

TEST_CASE("approval claims: only the required members are needed", "[claims]") {
  const auto r = assent::parse_approval_claims(minimal());
  INFO(r.error);
  REQUIRE(r.ok());
  CHECK_FALSE(r.claims->approver);
  CHECK_FALSE(r.claims->not_before);
  CHECK_FALSE(r.claims->initiator);
  CHECK_FALSE(r.claims->destination);
  CHECK_FALSE(r.claims->exception);
  CHECK_FALSE(r.claims->note);
  CHECK(r.claims->ext.is_null());
  CHECK(assent::to_json(*r.claims) == minimal());  // absent members stay absent
}

TEST_CASE("approval claims: to_json writes what parse_approval_claims reads back unchanged",
          "[claims]") {
  const auto r = assent::parse_approval_claims(example());
  REQUIRE(r.ok());
  const json j = assent::to_json(*r.claims);
  CHECK(j == example());
  const auto again = assent::parse_approval_claims(j);
  REQUIRE(again.ok());
  CHECK(assent::to_json(*again.claims) == j);

  // Offsets and fractions are read as the UTC instant and written back in Z form.
  json offset = minimal();
  offset["issued_at"] = "2026-11-21T12:00:00.75+02:00";
  offset["expires_at"] = "2026-11-21T05:30:00-05:00";
  const auto o = assent::parse_approval_claims(offset);
  REQUIRE(o.ok());
  CHECK(o.claims->issued_at == utc(2026, 11, 21, 10, 0, 0));
  CHECK(o.claims->expires_at == utc(2026, 11, 21, 10, 30, 0));
  CHECK(assent::to_json(*o.claims)["issued_at"] == "2026-11-21T10:00:00Z");
  CHECK(assent::to_json(*o.claims)["expires_at"] == "2026-11-21T10:30:00Z");
}

TEST_CASE("approval claims refuse a missing required member, naming it", "[claims]") {
  for (const char* member :
       {"id", "project", "environment", "spec_hash", "capabilities", "issued_at", "expires_at"}) {
    expect_fault(without(minimal(), member), std::string("/") + member + ": missing");
  }
}

TEST_CASE("approval claims refuse members the format does not name", "[claims]") {
  expect_fault(with(minimal(), "approvers", json::array({"alice"})), "/approvers: unknown_member");
  expect_fault(with(minimal(), "Project", "p"), "/Project: unknown_member");
  json x = example();
  x["exception"]["ticket"] = "T-1";
  expect_fault(x, "/exception/ticket: unknown_member");
  // Unknown members are reported after every other fault.
  expect_fault(with(without(minimal(), "id"), "zzz", 1), "/id: missing");
}

TEST_CASE("approval claims refuse members of the wrong type", "[claims]") {
  expect_fault(json::array(), "(root): wrong_type");
  expect_fault(json("claims"), "(root): wrong_type");
  expect_fault(with(minimal(), "id", 1), "/id: wrong_type");
  expect_fault(with(minimal(), "approver", nullptr), "/approver: wrong_type");
  expect_fault(with(minimal(), "project", json::array({"p"})), "/project: wrong_type");
  expect_fault(with(minimal(), "capabilities", "deploy"), "/capabilities: wrong_type");
  expect_fault(with(minimal(), "capabilities", json::array({"deploy", 7})),
               "/capabilities/1: wrong_type");
  expect_fault(with(minimal(), "issued_at", 1763719200), "/issued_at: wrong_type");
  expect_fault(with(minimal(), "exception", "break_glass"), "/exception: wrong_type");
  expect_fault(with(minimal(), "note", false), "/note: wrong_type");
  expect_fault(with(minimal(), "ext", json::array()), "/ext: wrong_type");
  expect_fault(with(minimal(), "ext", nullptr), "/ext: wrong_type");
}

TEST_CASE("approval claims: id is 1 to 128 of A-Z a-z 0-9 . _ : -", "[claims]") {
  CHECK(assent::parse_approval_claims(with(minimal(), "id", "Az09._:-")).ok());
  CHECK(assent::parse_approval_claims(with(minimal(), "id", std::string(128, 'x'))).ok());
  expect_fault(with(minimal(), "id", ""), "/id: empty");
  expect_fault(with(minimal(), "id", std::string(129, 'x')), "/id: invalid_value");
  for (const char* bad : {"a b", "a/b", "a\tb", "caf\xc3\xa9", "a@b", "a+b"}) {
    expect_fault(with(minimal(), "id", bad), "/id: invalid_value");
  }
}

TEST_CASE("approval claims: names follow the one name rule (lowercase ASCII, 1 to 128 bytes)",
          "[claims][names]") {
  for (const char* member : {"approver", "project", "environment", "initiator", "destination"}) {
    INFO(member);
    CHECK(assent::parse_approval_claims(with(minimal(), member, "eu-west/1.a_b:c@d+e")).ok());
    CHECK(assent::parse_approval_claims(with(minimal(), member, std::string(128, 'n'))).ok());
    const std::string at = std::string("/") + member;
    expect_fault(with(minimal(), member, ""), at + ": empty");
    expect_fault(with(minimal(), member, std::string(129, 'n')), at + ": invalid_value");
    // Control characters, white space, case, non-ASCII and invisible characters: each would
    // give one identity a second spelling.
    for (const char* bad : {"a\tb", "a\nb", "a\x01", "a\x7f", "a\xc2\x85", "a b", "Alice", "Z\xc3\xbcrich",
                            "al\xe2\x80\x8bice", "-lead", ".x"}) {
      expect_fault(with(minimal(), member, bad), at + ": invalid_value");
    }
  }
}

TEST_CASE("approval claims: a string built in code that is not UTF-8 is refused, not thrown",
          "[claims]") {
  const auto r = assent::parse_approval_claims(with(minimal(), "project", "p\xff"));
  CHECK_FALSE(r.ok());
  CHECK(r.error.rfind("/project: invalid_value", 0) == 0);
  json bad_ext = minimal();
  bad_ext["ext"] = json{{"k", "\xc3"}};
  const auto e = assent::parse_approval_claims(bad_ext);
  CHECK_FALSE(e.ok());
  CHECK(e.error.rfind("/ext: invalid_value", 0) == 0);
}

TEST_CASE("approval claims: spec_hash is sha256: and 64 lowercase hex digits", "[claims]") {
  const std::string hex64(64, 'f');
  CHECK(assent::parse_approval_claims(with(minimal(), "spec_hash", "sha256:" + hex64)).ok());
  for (const std::string& bad :
       {"sha256:" + std::string(64, 'F'), "sha256:" + std::string(63, 'f'),
        "sha256:" + std::string(65, 'f'), "SHA256:" + hex64, "sha512:" + hex64, hex64,
        "sha256:" + std::string(63, 'f') + "g", std::string("sha256:")}) {
    expect_fault(with(minimal(), "spec_hash", bad), "/spec_hash: invalid_value");
  }
  expect_fault(with(minimal(), "spec_hash", ""), "/spec_hash: empty");
}

TEST_CASE("approval claims: capabilities are a non-empty list of distinct names of a-z 0-9 . _ -",
          "[claims]") {
  CHECK(assent::parse_approval_claims(
            with(minimal(), "capabilities", {"deploy", "db.migrate", "roll_back-2"}))
            .ok());
  CHECK(
      assent::parse_approval_claims(with(minimal(), "capabilities", {std::string(64, 'c')})).ok());
  expect_fault(with(minimal(), "capabilities", json::array()), "/capabilities: empty");
  expect_fault(with(minimal(), "capabilities", {"deploy", "deploy"}),
               "/capabilities/1: duplicate_element");
  expect_fault(with(minimal(), "capabilities", {"deploy", ""}), "/capabilities/1: empty");
  expect_fault(with(minimal(), "capabilities", {"deploy", "Deploy"}),
               "/capabilities/1: invalid_value");
  expect_fault(with(minimal(), "capabilities", {"de ploy"}), "/capabilities/0: invalid_value");
  expect_fault(with(minimal(), "capabilities", {"deploy:prod"}), "/capabilities/0: invalid_value");
  expect_fault(with(minimal(), "capabilities", {std::string(65, 'c')}),
               "/capabilities/0: invalid_value");
  json many = json::array();
  for (int i = 0; i < 33; ++i) many.push_back("c" + std::to_string(i));
  expect_fault(with(minimal(), "capabilities", many), "/capabilities: out_of_range");
  many.erase(many.size() - 1);
  CHECK(assent::parse_approval_claims(with(minimal(), "capabilities", many)).ok());
}

TEST_CASE("approval claims: times are RFC 3339 and the window is not empty", "[claims][time]") {
  for (const char* bad : {"2026-11-21 10:00:00Z", "2026-11-21T10:00:00", "2026-11-21t10:00:00z",
                          "1763719200", "2026-02-29T10:00:00Z", "2026-11-21T10:00:60Z", ""}) {
    INFO(bad);
    expect_fault(with(minimal(), "issued_at", bad), "/issued_at: invalid_value");
    expect_fault(with(minimal(), "not_before", bad), "/not_before: invalid_value");
  }
  // Instants an offset moves outside the years 0000-9999 cannot be written back in UTC.
  expect_fault(with(minimal(), "issued_at", "0000-01-01T00:30:00+01:00"),
               "/issued_at: invalid_value");
  expect_fault(with(minimal(), "expires_at", "9999-12-31T23:30:00-01:00"),
               "/expires_at: invalid_value");
  CHECK(assent::parse_approval_claims(with(minimal(), "issued_at", "0000-01-01T00:30:00-01:00"))
            .ok());
  expect_fault(with(minimal(), "expires_at", "2026-11-21T10:00:00Z"),
               "/expires_at: invalid_value");  // == issued
  expect_fault(with(minimal(), "expires_at", "2026-11-21T09:00:00Z"), "/expires_at: invalid_value");
  expect_fault(with(minimal(), "not_before", "2026-11-21T10:00:01Z"),
               "/not_before: invalid_value");  // == expires
  // not_before may precede issued_at (an approval prepared in advance of its own issue is odd,
  // but harmless: the window still ends at expires_at).
  CHECK(assent::parse_approval_claims(with(minimal(), "not_before", "2026-11-21T09:00:00Z")).ok());
}

TEST_CASE("approval claims: a break-glass exception has a kind, an owner, a reason and an incident",
          "[claims]") {
  const json good = example()["exception"];
  for (const char* member : {"kind", "owner", "reason", "incident"}) {
    json x = example();
    x["exception"].erase(member);
    expect_fault(x, std::string("/exception/") + member + ": missing");
    if (std::string(member) != "kind") {
      x["exception"][member] = "";
      expect_fault(x, std::string("/exception/") + member + ": empty");
    }
  }
  json x = example();
  x["exception"]["kind"] = "emergency";
  expect_fault(x, "/exception/kind: invalid_value");
  x["exception"]["kind"] = "Break_Glass";
  expect_fault(x, "/exception/kind: invalid_value");
  x = example();
  x["exception"]["reason"] = "line one\nline two\twith a tab";
  CHECK(assent::parse_approval_claims(x).ok());
  x["exception"]["reason"] = std::string(1025, 'r');
  expect_fault(x, "/exception/reason: invalid_value");
  x = example();
  x["exception"]["owner"] = "car\nol";
  expect_fault(x, "/exception/owner: invalid_value");
}

TEST_CASE("approval claims: note is free text of at most 1 KiB", "[claims]") {
  CHECK(assent::parse_approval_claims(with(minimal(), "note", "")).ok());
  CHECK(assent::parse_approval_claims(with(minimal(), "note", std::string(1024, 'n'))).ok());
  CHECK(
      assent::parse_approval_claims(with(minimal(), "note", "two\nlines\tand a tab, \xe2\x9c\x93"))
          .ok());
  expect_fault(with(minimal(), "note", std::string(1025, 'n')), "/note: invalid_value");
  expect_fault(with(minimal(), "note", std::string("a\0b", 3)), "/note: invalid_value");
  expect_fault(with(minimal(), "note", "bell\x07"), "/note: invalid_value");
  expect_fault(with(minimal(), "note", "cr\r"), "/note: invalid_value");
}

TEST_CASE("approval claims: ext is an object of at most 4 KiB as compact JSON", "[claims]") {
  const json nested = {{"ticket", "CHG-1"}, {"risk", {{"score", 3}, {"tags", {"db", "pci"}}}}};
  const auto r = assent::parse_approval_claims(with(minimal(), "ext", nested));
  REQUIRE(r.ok());
  CHECK(r.claims->ext == nested);
  CHECK(assent::to_json(*r.claims)["ext"] == nested);
  // {"k":"<n x>"} is n + 8 bytes.
  CHECK(
      assent::parse_approval_claims(with(minimal(), "ext", {{"k", std::string(4088, 'x')}})).ok());
  expect_fault(with(minimal(), "ext", {{"k", std::string(4089, 'x')}}), "/ext: out_of_range");
}

TEST_CASE("approval claims: the first fault in reading order is the one reported", "[claims]") {
  json j = minimal();
  j["id"] = "bad id";
  j.erase("project");
  j["capabilities"] = json::array();
  expect_fault(j, "/id: invalid_value");
  j["id"] = "ok";
  expect_fault(j, "/project: missing");
  j["project"] = "p";
  expect_fault(j, "/capabilities: empty");
}

TEST_CASE("approval claims from bytes: strict JSON first", "[claims][strict]") {
  const std::string good = minimal().dump();
  REQUIRE(assent::parse_approval_claims(byte_view(good)).ok());
  const auto refused = [](const std::string& text, const std::string& prefix) {
    INFO(text.substr(0, 200));
    const auto r = assent::parse_approval_claims(byte_view(text));
    CHECK_FALSE(r.ok());
    INFO(r.error);
    CHECK(r.error.rfind(prefix, 0) == 0);
  };
  // A duplicate member would let two readers see two approvals in one body.
  refused(R"({"id":"a","id":"b"})", "(root): duplicate_key");
  refused(good.substr(0, good.size() - 1) + R"(,"project":"other"})", "(root): duplicate_key");
  refused("\xef\xbb\xbf" + good, "(root): byte_order_mark");
  refused(good + " {}", "(root): trailing_content");
  refused(R"({"id":"a)"
          "\xff"
          R"("})",
          "(root): invalid_utf8");
  refused(R"({"id":)", "(root): syntax");
  refused("", "(root): syntax");
  refused(R"({"ext":)" + std::string(40, '[') + std::string(40, ']') + "}", "(root): too_deep");
  refused(std::string(64 * 1024 + 1, ' '), "(root): too_large");
}

namespace host {

// A host's own claims type, read through nlohmann's from_json.
struct claims {
  std::string id;
  int level = 0;
};

inline void from_json(const json& j, claims& c) {
  c.id = j.at("id").get<std::string>();
  c.level = j.at("level").get<int>();
  if (c.level < 0) throw std::domain_error("level must not be negative");
}

}  // namespace host

TEST_CASE("claims_traits reads a host's claims type through its from_json, never throwing",
          "[claims][traits]") {
  const auto good = assent::claims_traits<host::claims>::parse(json{{"id", "x"}, {"level", 2}});
  REQUIRE(good.ok());
  CHECK(good.claims->id == "x");
  CHECK(good.claims->level == 2);

  const auto missing = assent::claims_traits<host::claims>::parse(json{{"id", "x"}});
  CHECK_FALSE(missing.ok());
  CHECK(missing.error.find("level") != std::string::npos);
  const auto negative =
      assent::claims_traits<host::claims>::parse(json{{"id", "x"}, {"level", -1}});
  CHECK_FALSE(negative.ok());
  CHECK(negative.error.find("level must not be negative") != std::string::npos);

  // From bytes, strict JSON comes first for a host type too.
  const std::string dup = R"({"id":"x","level":1,"level":2})";
  const auto d = assent::parse_claims<host::claims>(byte_view(dup));
  CHECK_FALSE(d.ok());
  CHECK(d.error.rfind("(root): duplicate_key", 0) == 0);
  const std::string fine = R"({"id":"x","level":1})";
  CHECK(assent::parse_claims<host::claims>(byte_view(fine)).ok());
}

TEST_CASE("claims_traits<approval_claims> is parse_approval_claims", "[claims][traits]") {
  const auto a = assent::claims_traits<approval_claims>::parse(example());
  REQUIRE(a.ok());
  CHECK(assent::to_json(*a.claims) == example());
  const auto b = assent::claims_traits<approval_claims>::parse(with(minimal(), "id", ""));
  CHECK(b.error == assent::parse_approval_claims(with(minimal(), "id", "")).error);
}

TEST_CASE("approval claims work with nlohmann's get and assignment; get throws on invalid claims",
          "[claims]") {
  const auto c = example().get<approval_claims>();
  CHECK(c.id == "apv-2026-11-21-0001");
  const json j = c;
  CHECK(j == example());
  CHECK_THROWS_AS(with(minimal(), "capabilities", json::array()).get<approval_claims>(),
                  std::invalid_argument);
  try {
    (void)without(minimal(), "project").get<approval_claims>();
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).rfind("/project: missing", 0) == 0);
  }
}
