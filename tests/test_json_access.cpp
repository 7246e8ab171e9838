// Typed member access: a parser reads like its schema, and every fault names its JSON Pointer.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "assent/json/access.hpp"
#include "assent/json/strict_parse.hpp"
#include "catch.hpp"

namespace {

using assent::json::access_errc;
using assent::json::allow_empty;
using assent::json::object_reader;
using assent::json::require_unique;

nlohmann::json doc(const char* text) {
  auto r = assent::json::parse_strict(text);
  REQUIRE(r.ok());
  return std::move(*r.value);
}

struct action_rule {
  std::uint64_t threshold = 0;
  std::vector<std::string> roles;
  bool break_glass = false;
};

}  // namespace

TEST_CASE("object_reader reads a nested document like a schema", "[json][access]") {
  const auto d = doc(R"({
    "version": "1",
    "issued_at": "2026-01-31T09:30:00+01:00",
    "mode": "enforce",
    "environments": {
      "prod": {"actions": [{"name": "deploy", "threshold": 2, "roles": ["sre", "lead"]},
                           {"name": "rollback", "threshold": 1, "roles": ["sre"], "break_glass": true}]},
      "staging": {"actions": []}
    },
    "note": "ok"
  })");
  object_reader r(d);
  const std::string version = r.required_string("version");
  const std::int64_t issued = r.required_time("issued_at");
  const std::string mode = r.required_choice("mode", {"enforce", "audit"});
  std::map<std::string, std::map<std::string, action_rule>> envs;
  r.required_object_map("environments", [&](const std::string& env, object_reader& e) {
    e.required_object_array("actions", [&](std::size_t, object_reader& a) {
      action_rule rule;
      const std::string name = a.required_string("name");
      rule.threshold = a.required_uint("threshold", 1, 16);
      rule.roles = a.required_string_array("roles", require_unique::yes, allow_empty::no);
      rule.break_glass = a.optional_bool("break_glass").value_or(false);
      envs[env][name] = rule;
    });
  });
  const auto note = r.optional_string("note");
  const auto missing_note = r.optional_string("comment");
  CHECK_FALSE(r.finish().has_value());
  CHECK(r.errors().empty());

  CHECK(version == "1");
  CHECK(issued == *assent::json::parse_rfc3339("2026-01-31T08:30:00Z"));
  CHECK(mode == "enforce");
  CHECK(envs["prod"]["deploy"].threshold == 2);
  CHECK(envs["prod"]["deploy"].roles == std::vector<std::string>{"sre", "lead"});
  CHECK_FALSE(envs["prod"]["deploy"].break_glass);
  CHECK(envs["prod"]["rollback"].break_glass);
  CHECK(envs.count("staging") == 0);  // present, with no actions
  CHECK(note == "ok");
  CHECK_FALSE(missing_note.has_value());
}

TEST_CASE("object_reader names the JSON Pointer of a nested fault", "[json][access]") {
  const auto d = doc(R"({"environments": {"prod": {"threshold": 0}, "a/b~c": {"threshold": "2"}}})");
  object_reader r(d);
  r.required_object_map("environments", [&](const std::string&, object_reader& e) {
    (void)e.required_uint("threshold", 1, 10);
  });
  const auto first = r.finish();
  REQUIRE(first.has_value());
  REQUIRE(r.errors().size() == 2);
  // Members are visited in name order: "a/b~c" before "prod". RFC 6901 §3 escapes '~' and '/'.
  CHECK(r.errors()[0].path == "/environments/a~1b~0c/threshold");
  CHECK(r.errors()[0].code == access_errc::wrong_type);
  CHECK(r.errors()[0].detail == "expected an integer, got string");
  CHECK(r.errors()[1].path == "/environments/prod/threshold");
  CHECK(r.errors()[1].code == access_errc::out_of_range);
  CHECK(first->path == r.errors()[0].path);
  CHECK(assent::json::describe(r.errors()[1]) ==
        "/environments/prod/threshold: out_of_range: must be an integer from 1 to 10");
}

TEST_CASE("JSON Pointer escaping follows RFC 6901", "[json][access]") {
  // The member names of RFC 6901 §5's example document and the pointers it gives for them.
  CHECK(assent::json::pointer_child("", "foo") == "/foo");
  CHECK(assent::json::pointer_child("", "") == "/");
  CHECK(assent::json::pointer_child("", "a/b") == "/a~1b");
  CHECK(assent::json::pointer_child("", "m~n") == "/m~0n");
  CHECK(assent::json::pointer_child("/foo", std::size_t{0}) == "/foo/0");
  // The pointers resolve in nlohmann's own RFC 6901 implementation.
  const auto d = doc(R"({"a/b": {"m~n": [10, 20]}})");
  const std::string p = assent::json::pointer_child(
      assent::json::pointer_child(assent::json::pointer_child("", "a/b"), "m~n"), std::size_t{1});
  CHECK(d.at(nlohmann::json::json_pointer(p)) == 20);
}

TEST_CASE("object_reader reports missing members and wrong types", "[json][access]") {
  const auto d = doc(R"({"s": 1, "u": "1", "b": null, "t": 5, "arr": "x", "obj": []})");
  object_reader r(d);
  CHECK(r.required_string("s").empty());
  CHECK(r.required_uint("u") == 0);
  CHECK_FALSE(r.optional_bool("b").has_value());  // null is not "absent"
  CHECK_FALSE(r.optional_time("t").has_value());
  CHECK(r.required_string_array("arr").empty());
  r.required_object("obj", [](object_reader&) { FAIL("must not be called for a non-object"); });
  CHECK(r.required_string("absent").empty());
  REQUIRE(r.finish().has_value());
  const auto& e = r.errors();
  REQUIRE(e.size() == 7);
  CHECK(e[0].path == "/s");
  CHECK(e[0].code == access_errc::wrong_type);
  CHECK(e[0].detail == "expected a string, got number");
  CHECK(e[1].path == "/u");
  CHECK(e[1].code == access_errc::wrong_type);
  CHECK(e[2].path == "/b");
  CHECK(e[2].detail == "expected a boolean, got null");
  CHECK(e[3].path == "/t");
  CHECK(e[4].path == "/arr");
  CHECK(e[5].path == "/obj");
  CHECK(e[5].detail == "expected an object, got array");
  CHECK(e[6].path == "/absent");
  CHECK(e[6].code == access_errc::missing);
}

TEST_CASE("object_reader checks integer kind and range", "[json][access]") {
  const auto d = doc(R"({"a": 2.0, "b": 2e0, "c": -1, "d": 9007199254740992, "e": 9007199254740991, "f": 17})");
  object_reader r(d);
  CHECK_FALSE(r.optional_uint("a").has_value());
  CHECK_FALSE(r.optional_uint("b").has_value());
  CHECK_FALSE(r.optional_uint("c").has_value());
  CHECK_FALSE(r.optional_uint("d").has_value());  // beyond 2^53 - 1 by default
  CHECK(r.required_uint("e") == assent::json::max_safe_integer);
  CHECK(r.required_uint("f", 1, 16) == 0);
  (void)r.finish();
  const auto& e = r.errors();
  REQUIRE(e.size() == 5);
  CHECK(e[0].code == access_errc::wrong_type);
  CHECK(e[1].code == access_errc::wrong_type);
  CHECK(e[2].code == access_errc::out_of_range);
  CHECK(e[3].code == access_errc::out_of_range);
  CHECK(e[4].code == access_errc::out_of_range);
  CHECK(e[4].path == "/f");
  // A negative integer built in code (nlohmann's signed kind) is out of range too.
  const nlohmann::json built = {{"n", std::int64_t{-5}}, {"p", std::int64_t{5}}};
  object_reader b(built);
  CHECK(b.required_uint("p") == 5);
  CHECK_FALSE(b.optional_uint("n").has_value());
  CHECK(b.finish()->code == access_errc::out_of_range);
}

TEST_CASE("object_reader refuses empty strings, empty lists and repeated elements", "[json][access]") {
  const auto d = doc(R"({"s": "", "e": "", "l": [], "dup": ["a", "b", "a"], "gap": ["a", ""],
                         "mixed": ["a", 1], "rep": ["x", "x"]})");
  object_reader r(d);
  CHECK(r.required_string("s").empty());
  CHECK(r.optional_string("e", allow_empty::yes) == "");
  CHECK(r.required_string_array("l", require_unique::yes, allow_empty::no).empty());
  CHECK_FALSE(r.optional_string_array("dup").has_value());
  CHECK_FALSE(r.optional_string_array("gap").has_value());
  CHECK_FALSE(r.optional_string_array("mixed").has_value());
  CHECK(r.required_string_array("rep", require_unique::no) == std::vector<std::string>{"x", "x"});
  (void)r.finish();
  const auto& e = r.errors();
  REQUIRE(e.size() == 5);
  CHECK((e[0].path == "/s" && e[0].code == access_errc::empty));
  CHECK((e[1].path == "/l" && e[1].code == access_errc::empty));
  CHECK((e[2].path == "/dup/2" && e[2].code == access_errc::duplicate_element));
  CHECK((e[3].path == "/gap/1" && e[3].code == access_errc::empty));
  CHECK((e[4].path == "/mixed/1" && e[4].code == access_errc::wrong_type));
}

TEST_CASE("object_reader reports members nobody read, unless told to allow them", "[json][access]") {
  const auto d = doc(R"({"threshold": 2, "treshold": 3, "x/y": {"z": 1}, "skip": 0})");
  object_reader r(d);
  CHECK(r.required_uint("threshold") == 2);
  r.ignore("skip");
  REQUIRE(r.finish().has_value());
  REQUIRE(r.errors().size() == 2);
  CHECK(r.errors()[0].path == "/treshold");
  CHECK(r.errors()[0].code == access_errc::unknown_member);
  CHECK(r.errors()[1].path == "/x~1y");
  (void)r.finish();  // idempotent: unknown members are reported once
  CHECK(r.errors().size() == 2);

  // Nested readers check their own members too.
  object_reader n(d);
  n.allow_unknown_members();
  n.required_object("x/y", [](object_reader&) {});
  REQUIRE(n.finish().has_value());
  CHECK(n.errors().size() == 1);
  CHECK(n.errors()[0].path == "/x~1y/z");

  object_reader lenient(d);
  lenient.allow_unknown_members();
  CHECK_FALSE(lenient.finish().has_value());
}

TEST_CASE("object_reader refuses a document that is not an object at its root", "[json][access]") {
  const auto d = doc("[1, 2]");
  object_reader r(d);
  CHECK(r.required_string("a").empty());  // no cascade of "missing" after the type fault
  const auto e = r.finish();
  REQUIRE(e.has_value());
  CHECK(r.errors().size() == 1);
  CHECK(e->path.empty());
  CHECK(e->code == access_errc::wrong_type);
  CHECK(assent::json::describe(*e) == "(root): wrong_type: expected an object, got array");
}

TEST_CASE("object_reader checks choices, times and the caller's own rules", "[json][access]") {
  const auto d = doc(R"({"mode": "Enforce", "at": "2026-02-30T00:00:00Z", "hash": "md5:00",
                         "maybe": {"k": "v"}, "list": [{"k": 1}, 2]})");
  object_reader r(d);
  CHECK(r.required_choice("mode", {"enforce", "audit"}).empty());
  CHECK(r.required_time("at") == 0);
  const std::string hash = r.required_string("hash");
  if (hash.rfind("sha256:", 0) != 0) r.fail("hash", access_errc::invalid_value, "must start with sha256:");
  bool ran = false;
  CHECK(r.optional_object("maybe", [&](object_reader& m) { ran = m.required_string("k") == "v"; }));
  CHECK(ran);
  CHECK_FALSE(r.optional_object("absent", [](object_reader&) { FAIL("absent"); }));
  CHECK(r.optional_object_array("list", [](std::size_t, object_reader& o) { (void)o.required_uint("k"); }));
  (void)r.finish();
  const auto& e = r.errors();
  REQUIRE(e.size() == 4);
  CHECK((e[0].path == "/mode" && e[0].code == access_errc::invalid_value));
  CHECK(e[0].detail == "must be one of: enforce, audit");
  CHECK((e[1].path == "/at" && e[1].code == access_errc::invalid_value));
  CHECK((e[2].path == "/hash" && e[2].detail == "must start with sha256:"));
  CHECK((e[3].path == "/list/1" && e[3].code == access_errc::wrong_type));
}

TEST_CASE("absorb moves the faults of a reader built by the caller", "[json][access]") {
  const auto d = doc(R"({"when": {"tier": {"at_least": 3}, "region": "eu"}})");
  object_reader r(d);
  r.required_object("when", [&](object_reader& w) {
    w.allow_unknown_members();
    const nlohmann::json* tier = w.optional_value("tier");
    REQUIRE(tier != nullptr);
    object_reader t(*tier, w.path_of("tier"));
    CHECK(t.required_string("at_least").empty());
    w.absorb(t);
    CHECK(t.errors().empty());
  });
  REQUIRE(r.finish().has_value());
  REQUIRE(r.errors().size() == 1);
  CHECK(r.errors()[0].path == "/when/tier/at_least");
  CHECK(r.errors()[0].code == access_errc::wrong_type);
}

TEST_CASE("access error codes have stable names", "[json][access]") {
  CHECK(assent::json::to_string(access_errc::missing) == "missing");
  CHECK(assent::json::to_string(access_errc::unknown_member) == "unknown_member");
  CHECK(static_cast<int>(access_errc::invalid_value) == 7);
}
