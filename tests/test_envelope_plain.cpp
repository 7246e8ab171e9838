// parse_envelope reads an envelope's plain shape without a JSON tree and hands anything else to
// the tree reader (envelope.hpp). The two must never differ: on envelopes built from valid and
// invalid member values in random order and spacing, sometimes mutated byte by byte, under
// assent's profile, DSSE's keyid rule and a small signature limit, parse_envelope gives exactly
// what the tree reader alone gives: the same envelope, or the same error and message.
#include <random>
#include <string>
#include <vector>

#include "assent/encoding.hpp"
#include "assent/envelope.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

using assent_test::json_quoted;
using assent_test::random_ws;

std::string object(std::mt19937_64& rng, std::vector<std::pair<std::string, std::string>> members) {
  std::shuffle(members.begin(), members.end(), rng);
  std::string out = "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i != 0) out += random_ws(rng) + ",";
    out += random_ws(rng) + json_quoted(members[i].first) + random_ws(rng) + ":" + random_ws(rng) + members[i].second;
  }
  return out + random_ws(rng) + "}";
}

struct pools {
  std::vector<std::string> payload, type, keyid, sig;
  pools() {
    std::mt19937_64 rng(7);
    const std::string body = R"({"id":"apv-1","note":"a body"})";
    const assent::bytes sig_bytes = assent_test::random_bytes(rng, 64);
    payload = {json_quoted(assent::base64_encode(assent::byte_view(std::string_view(body)))),
               json_quoted(assent::base64url_encode(assent::byte_view(std::string_view(body)))),
               json_quoted(""), json_quoted("not base64!"), json_quoted("eyJ\\u0070"), json_quoted(std::string(40, 'A') + "\xc3\xa9"), "1", "null"};
    type = {json_quoted(std::string(assent::dsse::approval_payload_type)), json_quoted("text/plain"), json_quoted(""),
            json_quoted("application/\\u0078"), json_quoted("\xc3\xa9t\xc3\xa9"), "[]"};
    keyid = {json_quoted("alice-1"), json_quoted("dave-1"), json_quoted(""), json_quoted(std::string(257, 'k')), json_quoted(std::string(256, 'k')),
             json_quoted("k\xc3\xa9y"), json_quoted("esc\\u0061ped"), json_quoted("bad\xff"), "7"};
    sig = {json_quoted(assent::base64_encode(sig_bytes)),
           json_quoted(assent::base64url_encode(sig_bytes)),
           json_quoted("AAAA"), json_quoted("@@@@"), json_quoted(""), "{}"};
  }
};

std::string random_envelope(std::mt19937_64& rng, const pools& p) {
  const bool clean = rng() % 2 == 0;
  const auto pick = [&](const std::vector<std::string>& pool) -> const std::string& {
    return pool[rng() % (clean && rng() % 4 != 0 ? 2 : pool.size())];
  };
  std::vector<std::pair<std::string, std::string>> members;
  if (clean || rng() % 10 != 0) members.emplace_back("payload", pick(p.payload));
  if (clean || rng() % 10 != 0) members.emplace_back("payloadType", pick(p.type));
  if (clean || rng() % 10 != 0) {
    std::string list = "[";
    const std::size_t n = clean ? 1 + rng() % 3 : rng() % 4;
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<std::pair<std::string, std::string>> s;
      if (clean || rng() % 6 != 0) s.emplace_back("keyid", pick(p.keyid));
      if (clean || rng() % 10 != 0) s.emplace_back("sig", pick(p.sig));
      if (rng() % 20 == 0) s.emplace_back("extra", "1");
      list += (i != 0 ? "," : "") + random_ws(rng) + object(rng, s);
    }
    members.emplace_back("signatures", list + random_ws(rng) + "]");
  }
  if (rng() % 20 == 0) members.emplace_back("extra", json_quoted("x"));
  if (rng() % 20 == 0 && !members.empty()) members.push_back(members[rng() % members.size()]);
  std::string text = random_ws(rng) + object(rng, members) + random_ws(rng);
  if (rng() % 4 == 0)
    assent_test::mutate_text(rng, text, std::string("{}[],:\"\\ A=-_/+1") + "\x80\xc3\xa9\x01", 3);
  return text;
}

bool same_envelope(const assent::dsse::envelope& a, const assent::dsse::envelope& b) {
  if (a.payload_type != b.payload_type || a.payload != b.payload || a.signatures.size() != b.signatures.size())
    return false;
  for (std::size_t i = 0; i < a.signatures.size(); ++i) {
    if (a.signatures[i].keyid != b.signatures[i].keyid || a.signatures[i].sig != b.signatures[i].sig) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("parse_envelope answers exactly as its tree reader", "[envelope][plain][differential]") {
  const pools p;
  assent::dsse::envelope_limits dsse_rule;
  dsse_rule.require_keyids = false;
  assent::dsse::envelope_limits two;
  two.max_signatures = 2;
  const assent::dsse::envelope_limits profiles[] = {{}, dsse_rule, two};
  std::mt19937_64 rng(assent_test::differential_seed());
  const std::size_t rounds = 100 * assent_test::differential_count();
  std::size_t accepted = 0, refused = 0;
  for (std::size_t i = 0; i < rounds; ++i) {
    const std::string text = random_envelope(rng, p);
    const auto& limits = profiles[rng() % 3];
    INFO("envelope: " << text << "\nrequire_keyids " << limits.require_keyids << ", max_signatures "
                      << limits.max_signatures);
    const auto answer = assent::dsse::parse_envelope(text, limits);
    const auto tree = assent::dsse::detail::parse_envelope_tree(text, limits);
    REQUIRE(answer.ok() == tree.ok());
    if (answer.ok()) {
      ++accepted;
      REQUIRE(same_envelope(*answer.value, *tree.value));
    } else {
      ++refused;
      REQUIRE(answer.error == tree.error);
      REQUIRE(answer.message == tree.message);
    }
  }
  CHECK(accepted > rounds / 10);
  CHECK(refused > rounds / 10);
}

TEST_CASE("the plain envelope reader takes what signers write and leaves the rest", "[envelope][plain]") {
  std::mt19937_64 rng(11);
  assent::dsse::envelope e;
  e.payload_type = std::string(assent::dsse::approval_payload_type);
  e.payload = assent_test::random_bytes(rng, 300);
  e.signatures.push_back({"alice-1", assent_test::random_bytes(rng, 64)});
  e.signatures.push_back({"dave-1", assent_test::random_bytes(rng, 64)});
  const std::string text = assent::dsse::serialize(e);
  std::vector<assent::dsse::detail::signature_text> raw;
  std::string_view payload, type;
  REQUIRE(assent::dsse::detail::read_plain_envelope(text, {}, payload, type, raw));
  CHECK(type == assent::dsse::approval_payload_type);
  REQUIRE(raw.size() == 2);
  CHECK(*raw[1].keyid == "dave-1");
  // An escaped name is the same member to JSON, and the tree reader's to read.
  std::string escaped = text;
  escaped.replace(escaped.find("\"sig\""), 5, "\"\\u0073ig\"");
  raw.clear();
  CHECK_FALSE(assent::dsse::detail::read_plain_envelope(escaped, {}, payload, type, raw));
  const auto parsed = assent::dsse::parse_envelope(escaped);
  REQUIRE(parsed.ok());
  CHECK(same_envelope(*parsed.value, e));
}
