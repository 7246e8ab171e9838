// An independent check of the audit format: the chain is recomputed from docs/audit-format.md's
// rule with OpenSSL's SHA-256 and a JCS written here (enough of RFC 8785 for the shapes audit
// records use: objects, arrays, strings, booleans, null and integers below 2^53), not with
// assent's code. Also checks the worked example printed in the document.
#include <openssl/evp.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/checkpoint.hpp"
#include "assent/audit/event.hpp"
#include "assent/audit/file_sink.hpp"
#include "assent/audit/memory_sink.hpp"
#include "catch.hpp"
#include "test_audit_util.hpp"

namespace {

using assent_audit_test::split_lines;
using assent_audit_test::t0;

// --- A small RFC 8785 serialiser, written for this test only. ---

// UTF-8 to UTF-16 code units (input assumed valid: it came from a JSON parser).
std::u16string utf16(const std::string& s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp;
    int extra;
    if (c < 0x80) cp = c, extra = 0;
    else if (c < 0xE0) cp = c & 0x1Fu, extra = 1;
    else if (c < 0xF0) cp = c & 0x0Fu, extra = 2;
    else cp = c & 0x07u, extra = 3;
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3Fu);
    i += static_cast<std::size_t>(extra) + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

// RFC 8785 §3.2.2.2: escape '"', '\\' and U+0000..U+001F (short forms where JSON has them).
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"') out += "\\\"";
    else if (ch == '\\') out += "\\\\";
    else if (ch == '\b') out += "\\b";
    else if (ch == '\f') out += "\\f";
    else if (ch == '\n') out += "\\n";
    else if (ch == '\r') out += "\\r";
    else if (ch == '\t') out += "\\t";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  return out + "\"";
}

std::string jcs(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::number_unsigned: {
      const auto n = v.get<std::uint64_t>();
      REQUIRE(n < (std::uint64_t{1} << 53));
      return std::to_string(n);
    }
    case nlohmann::json::value_t::number_integer: {
      const auto n = v.get<std::int64_t>();
      REQUIRE(n > -(std::int64_t{1} << 53));
      REQUIRE(n < (std::int64_t{1} << 53));
      return std::to_string(n);
    }
    case nlohmann::json::value_t::string: return quote(v.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + jcs(v[i]);
      return out + "]";
    }
    case nlohmann::json::value_t::object: {
      // §3.2.3: members sorted by the UTF-16 code units of their names.
      std::vector<std::pair<std::u16string, std::string>> keys;
      for (auto it = v.begin(); it != v.end(); ++it) keys.emplace_back(utf16(it.key()), it.key());
      std::sort(keys.begin(), keys.end());
      std::string out = "{";
      for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? "," : "") + quote(keys[i].second) + ":" + jcs(v.at(keys[i].second));
      return out + "}";
    }
    default: FAIL("the independent JCS does not handle this value: " << v.dump()); return {};
  }
}

std::string openssl_sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) == 1);
  REQUIRE(len == 32);
  std::string out;
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

// The rule of docs/audit-format.md, applied to log text; returns the head hash.
std::string recompute_chain(const std::string& text) {
  const auto lines = split_lines(text);
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  std::string prev = "sha256:" + std::string(64, '0');
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO("line " << i + 1 << ": " << lines[i]);
    const auto v = nlohmann::json::parse(lines[i]);
    REQUIRE(v.is_object());
    CHECK(v.size() == 5);
    CHECK(jcs(v) == lines[i]);  // the line is the canonical form
    CHECK(v.at("seq").get<std::uint64_t>() == i + 1);
    CHECK(v.at("prev").get<std::string>() == prev);
    CHECK(v.at("event").at("type").is_string());
    auto unhashed = v;
    unhashed.erase("hash");
    const std::string hash = "sha256:" + openssl_sha256_hex(jcs(unhashed));
    CHECK(v.at("hash").get<std::string>() == hash);
    prev = hash;
  }
  return prev;
}

assent::decision sample_decision(bool allowed, bool exception) {
  assent::decision d;
  d.allowed = allowed;
  d.action = "deploy";
  d.project = "payments";
  d.environment = "production";
  d.spec_hash = "sha256:" + std::string(64, 'a');
  d.initiator = "alice";
  d.capabilities_required = {"deploy:production"};
  assent::accepted_approval a;
  a.credential_id = "cred-1";
  a.approver = "bob";
  a.keyid = "bob-2026";
  a.roles = {"release-manager"};
  a.exception = exception;
  d.approvals.push_back(a);
  assent::rejected_credential r;
  r.index = 1;
  r.credential_id = "cred-2";
  r.keyid = "carol-2026";
  r.why = assent::reason::expired;
  d.rejected.push_back(r);
  if (!allowed) d.reasons = {assent::reason::threshold_not_met};
  d.policy_id = "policy-7";
  d.policy_hash = "sha256:" + std::string(64, 'b');
  if (exception) {
    assent::exception_use e;
    e.kind = "break_glass";
    e.owner = "oncall";
    e.incident = "INC-42";
    e.credential_ids = {"cred-1"};
    d.exception = e;
  }
  return d;
}

}  // namespace

TEST_CASE("the independent JCS agrees with RFC 8785 on member order and escapes", "[audit][independent]") {
  // Order by UTF-16 units: U+E000 (one unit 0xE000) after U+1F600 (units 0xD83D 0xDE00).
  const auto v = nlohmann::json::parse("{\"\\ue000\":1,\"\\ud83d\\ude00\":2,\"b\":[true,null,\"\\u001f\\n\"],\"a\":-3}");
  CHECK(jcs(v) == "{\"a\":-3,\"b\":[true,null,\"\\u001f\\n\"],\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1}");
}

TEST_CASE("a file log's chain recomputed with OpenSSL SHA-256 and an independent JCS matches", "[audit][independent]") {
  assent_audit_test::temp_dir dir;
  const std::string path = dir.file("audit.log");
  {
    assent::audit::file_sink_options options;
    options.mode = assent::audit::durability::none;
    auto opened = assent::audit::file_sink::open(path, options);
    REQUIRE(opened.ok());
    auto& sink = *opened.sink;
    REQUIRE(sink.append_canonical(assent::audit::canonical_decision_event(sample_decision(true, false)), t0(1)).ok);
    REQUIRE(sink.append_canonical(assent::audit::canonical_decision_event(sample_decision(false, false)), t0(2)).ok);
    REQUIRE(sink.append_canonical(assent::audit::canonical_decision_event(sample_decision(true, true)), t0(3)).ok);
    REQUIRE(sink.append({{"type", "review_closed"}, {"decision_seq", 3}, {"reviewer", "d\xc3\xa9nise"}}, t0(4)).ok);
    REQUIRE(sink.append({{"type", "note"}, {"\xee\x80\x80", "private use"}, {"\xf0\x9f\x98\x80", "emoji"},
                         {"ctl", std::string("a\x01\x1f\"\\/b")}},
                        t0(5))
                .ok);
    const auto head = sink.head();
    CHECK(sink.close() == std::nullopt);
    CHECK(recompute_chain(assent_audit_test::read_file(path)) == head.hash);
  }
}

namespace {

std::string read_audit_format_doc() {
  std::ifstream in(std::string(ASSENT_VECTORS_DIR) + "/../../docs/audit-format.md");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("the worked example in docs/audit-format.md is a valid chain by the independent rule",
          "[audit][independent][docs]") {
  const std::string doc = read_audit_format_doc();
  // The example log is the fenced block that follows the marker line.
  const std::string marker = "<!-- worked-example-log -->";
  const auto at = doc.find(marker);
  REQUIRE(at != std::string::npos);
  const auto start = doc.find("```jsonl\n", at);
  REQUIRE(start != std::string::npos);
  const auto body = start + 9;
  const auto end = doc.find("```", body);
  REQUIRE(end != std::string::npos);
  const std::string example = doc.substr(body, end - body);
  const std::string head = recompute_chain(example);
  // The document also states the head, and the code agrees with it.
  CHECK(doc.find(head) != std::string::npos);
  const auto res = assent::audit::verify_log_text(example);
  CHECK(res.ok());
  CHECK(res.head == head);
}

TEST_CASE("the worked example in docs/audit-format.md is what the code writes today", "[audit][docs]") {
  // The inputs the document describes; if decision_event changes, this fails until the example
  // is regenerated.
  assent::decision d;
  d.allowed = true;
  d.action = "deploy";
  d.project = "payments";
  d.environment = "production";
  d.spec_hash = "sha256:3f2c0d8e1b7a4c6d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";
  d.initiator = "alice";
  d.destination = "eu-west";
  d.attributes = {{"risk_tier", "high"}};
  d.approvals_required = 2;
  d.capabilities_required = {"deploy"};
  assent::accepted_approval a;
  a.credential_id = "apr-7f3a";
  a.approver = "bob";
  a.keyid = "bob-2026-11";
  a.exception = true;
  a.issued_at = 1795000000 - 1800;
  d.approvals.push_back(a);
  d.policy_id = "payments-policy";
  d.policy_hash = "sha256:9b1e4f0c2d3a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344";
  assent::exception_use e;
  e.kind = "break_glass";
  e.owner = "carol";
  e.incident = "INC-1042";
  e.credential_ids = {"apr-7f3a"};
  d.exception = e;
  assent::audit::memory_sink sink;
  const auto decided = sink.append_canonical(assent::audit::canonical_decision_event(d), 1795000000);
  REQUIRE(decided.ok);
  REQUIRE(sink.append({{"type", "review_closed"},
                       {"decision_seq", 1},
                       {"decision_hash", decided.hash},
                       {"reviewer", "dave"},
                       {"outcome", "justified"}},
                      1795086400)
              .ok);
  const std::string doc = read_audit_format_doc();
  const auto start = doc.find("```jsonl\n", doc.find("<!-- worked-example-log -->"));
  REQUIRE(start != std::string::npos);
  CHECK(doc.compare(start + 9, sink.text().size(), sink.text()) == 0);
  // The checkpoint payload shown after it.
  const auto payload = assent::audit::checkpoint_payload({"payments-prod", 2, sink.head().hash, 1795086460});
  REQUIRE(payload);
  CHECK(doc.find(*payload) != std::string::npos);
}
