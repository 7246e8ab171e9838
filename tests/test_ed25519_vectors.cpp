// Ed25519 against every public vector suite assent ships: Wycheproof (v1 and legacy), the
// ed25519-speccheck edge cases, the C2SP CCTV edge-case vectors and BoringSSL's malleability
// cases (via ring). assent promises to equal libsodium 1.0.18 on every input, so where a suite
// has no single "right" answer (speccheck, CCTV) the expected verdict is libsodium's, measured
// in the same test so that the test cannot pass vacuously.
#include <cstddef>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/crypto/ed25519.hpp"
#include "catch.hpp"
#include "ed25519_test_util.hpp"
#include "test_util.hpp"

namespace {

namespace ed25519 = assent::crypto::ed25519;
using assent_test::unhex_or_throw;
using vr = ed25519::verify_result;

nlohmann::json load_json(const char* relative) {
  return nlohmann::json::parse(assent_test::read_vector_file(relative));
}

struct wycheproof_totals {
  std::size_t tests = 0;
  std::size_t valid = 0;
  std::size_t invalid = 0;
};

// Runs one Wycheproof file; the key is under `publicKey` (v1) or `key` (legacy).
wycheproof_totals run_wycheproof(const nlohmann::json& file) {
  wycheproof_totals totals;
  for (const auto& group : file.at("testGroups")) {
    const auto& key = group.contains("publicKey") ? group.at("publicKey") : group.at("key");
    const auto pk = unhex_or_throw(key.at("pk").get<std::string>());
    for (const auto& test : group.at("tests")) {
      const auto sig = unhex_or_throw(test.at("sig").get<std::string>());
      const auto msg = unhex_or_throw(test.at("msg").get<std::string>());
      const std::string result = test.at("result").get<std::string>();
      INFO("tcId " << test.at("tcId").get<int>() << ": " << test.at("comment").get<std::string>());
      REQUIRE((result == "valid" || result == "invalid"));
      const bool expected = result == "valid";
      CHECK(assent_test::assent_verify_all(sig, msg, pk).accepted == expected);
      CHECK(assent_test::sodium_verify(sig, msg, pk) == expected);  // the oracle agrees too
      ++totals.tests;
      ++(expected ? totals.valid : totals.invalid);
    }
  }
  return totals;
}

}  // namespace

TEST_CASE("ed25519 verify gives every Wycheproof v1 verdict", "[ed25519][vectors][wycheproof]") {
  REQUIRE(assent_test::sodium_ready());
  const auto file = load_json("wycheproof/ed25519_test.json");
  const auto totals = run_wycheproof(file);
  CHECK(totals.tests == file.at("numberOfTests").get<std::size_t>());
  CHECK(totals.valid > 0);
  CHECK(totals.invalid > 0);
}

TEST_CASE("ed25519 verify gives every Wycheproof legacy verdict", "[ed25519][vectors][wycheproof]") {
  REQUIRE(assent_test::sodium_ready());
  const auto file = load_json("wycheproof/eddsa_test_legacy.json");
  const auto totals = run_wycheproof(file);
  CHECK(totals.tests == file.at("numberOfTests").get<std::size_t>());
  CHECK(totals.valid > 0);
  CHECK(totals.invalid > 0);
}

TEST_CASE("ed25519 signing reproduces every valid Wycheproof legacy signature", "[ed25519][vectors][wycheproof]") {
  const auto file = load_json("wycheproof/eddsa_test_legacy.json");
  std::size_t signed_count = 0;
  for (const auto& group : file.at("testGroups")) {
    const auto seed = assent_test::unhex_array<32>(group.at("key").at("sk").get<std::string>());
    const auto pk = assent_test::unhex_array<32>(group.at("key").at("pk").get<std::string>());
    const auto key = ed25519::secret_key::from_seed(seed);
    CHECK(key.public_bytes() == pk);
    CHECK(key.seed_bytes() == seed);
    for (const auto& test : group.at("tests")) {
      if (test.at("result").get<std::string>() != "valid") continue;
      INFO("tcId " << test.at("tcId").get<int>());
      const auto msg = unhex_or_throw(test.at("msg").get<std::string>());
      const auto expected = assent_test::unhex_array<64>(test.at("sig").get<std::string>());
      const auto sig = ed25519::sign(msg, key);
      CHECK(assent_test::hex(sig) == assent_test::hex(expected));
      CHECK(ed25519::verify(sig, msg, key.public_bytes()));
      ++signed_count;
    }
  }
  CHECK(signed_count > 0);
}

TEST_CASE("ed25519 verify names the reason for Wycheproof's malformed signatures", "[ed25519][vectors][wycheproof]") {
  // Wycheproof's flags say what was broken; the reason must name that fault.
  REQUIRE(assent_test::sodium_ready());
  const auto file = load_json("wycheproof/ed25519_test.json");
  std::size_t checked = 0;
  for (const auto& group : file.at("testGroups")) {
    const auto pk = assent_test::unhex_array<32>(group.at("publicKey").at("pk").get<std::string>());
    for (const auto& test : group.at("tests")) {
      const auto flags = test.at("flags").get<std::vector<std::string>>();
      const auto raw = unhex_or_throw(test.at("sig").get<std::string>());
      const auto msg = unhex_or_throw(test.at("msg").get<std::string>());
      INFO("tcId " << test.at("tcId").get<int>() << ": " << test.at("comment").get<std::string>());
      auto has = [&](const char* f) { return std::find(flags.begin(), flags.end(), f) != flags.end(); };
      if (raw.size() != 64) {
        // Truncated, compressed or padded signatures: only the size-checked overload takes them.
        CHECK_FALSE(ed25519::verify(raw, msg, pk));
        ++checked;
        continue;
      }
      ed25519::signature sig{};
      std::copy(raw.begin(), raw.end(), sig.begin());
      const auto reason = ed25519::verify_detailed(sig, msg, pk);
      INFO("reason " << ed25519::to_string(reason));
      if (has("SignatureMalleability")) {
        // S was pushed to S + kL, S + 2^253.., S + p: always S >= L with a valid R.
        CHECK(reason == vr::s_out_of_range);
        ++checked;
      } else if (has("InvalidEncoding") && test.at("comment").get<std::string>().rfind("modified bit", 0) == 0) {
        // One bit of a valid R flipped: R is canonical, not small order, so either it is not a
        // point or it is another point and the equation fails.
        CHECK((reason == vr::invalid_point_r || reason == vr::equation_failed));
        ++checked;
      }
    }
  }
  CHECK(checked > 30);
}

TEST_CASE("ed25519 verify has libsodium's row on ed25519-speccheck", "[ed25519][vectors][speccheck]") {
  // The row libsodium 1.0.18 is documented with in the suite's results.md ("LibSodium").
  const std::string documented_libsodium_row = "XXXVXXXXXXXX";
  const std::string results_md = assent_test::read_vector_file("ed25519-speccheck/results.md");
  {
    // The documented row is read from results.md, not trusted from this file.
    std::istringstream lines(results_md);
    std::string line;
    std::string row;
    while (std::getline(lines, line)) {
      if (line.rfind("|LibSodium", 0) != 0) continue;
      for (char c : line.substr(line.find('|', 1))) {
        if (c == 'V' || c == 'X') row.push_back(c);
      }
    }
    REQUIRE(row == documented_libsodium_row);
  }

  REQUIRE(assent_test::sodium_ready());
  const auto cases = load_json("ed25519-speccheck/cases.json");
  const auto annotated = load_json("ed25519-speccheck/cases_annotated.json").at("cases");
  REQUIRE(cases.size() == 12);
  REQUIRE(annotated.size() == 12);
  std::string assent_row;
  std::string sodium_row;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("speccheck case " << i << ": " << annotated.at(i).at("comment").get<std::string>());
    const auto msg = unhex_or_throw(cases.at(i).at("message").get<std::string>());
    const auto pk = unhex_or_throw(cases.at(i).at("pub_key").get<std::string>());
    const auto sig = unhex_or_throw(cases.at(i).at("signature").get<std::string>());
    REQUIRE(annotated.at(i).at("signature").get<std::string>() == cases.at(i).at("signature").get<std::string>());
    const auto outcome = assent_test::assent_verify_all(sig, msg, pk);
    assent_row.push_back(outcome.accepted ? 'V' : 'X');
    sodium_row.push_back(assent_test::sodium_verify(sig, msg, pk) ? 'V' : 'X');
    // Cases the README marks as failing the cofactorless equation with in-range S and
    // non-small-order points must fail exactly there.
    const auto& note = annotated.at(i);
    if (note.at("cofactorless_equation") == "X" && note.at("A_order") != "small" && note.at("R_order") != "small" &&
        note.at("S").get<std::string>() == "0 < S < L") {
      CHECK(outcome.reason == vr::equation_failed);
    }
  }
  CHECK(sodium_row == documented_libsodium_row);  // the oracle behaves as documented...
  CHECK(assent_row == sodium_row);                // ...and assent equals it
}

TEST_CASE("ed25519 verify accepts exactly libsodium's CCTV vectors", "[ed25519][vectors][cctv]") {
  // CCTV flags each vector with the edge cases it exercises. libsodium 1.0.18 (and so assent)
  // accepts a vector exactly when its only flags are low_order_component_A/R: a point with a
  // torsion component but not itself of small order, canonically encoded, where the
  // cofactorless equation still holds. Everything low-order, non-canonical, or holding only
  // under the cofactored equation (low_order_residue) is rejected.
  REQUIRE(assent_test::sodium_ready());
  const auto vectors = load_json("cctv-ed25519/ed25519vectors.json");
  REQUIRE(vectors.size() == 914);
  const std::set<std::string> accepted_flags = {"low_order_component_A", "low_order_component_R"};
  std::map<std::string, std::size_t> flag_total;
  std::map<std::string, std::size_t> flag_accepted;
  std::size_t assent_accepts = 0;
  std::size_t sodium_accepts = 0;
  for (const auto& v : vectors) {
    const auto pk = unhex_or_throw(v.at("key").get<std::string>());
    const auto sig = unhex_or_throw(v.at("sig").get<std::string>());
    const std::string msg = v.at("msg").get<std::string>();
    std::vector<std::string> flags;
    if (v.at("flags").is_array()) flags = v.at("flags").get<std::vector<std::string>>();
    std::string flag_list;
    for (const auto& f : flags) flag_list += f + " ";
    INFO("CCTV vector " << v.at("number").get<int>() << " flags: " << flag_list);
    const bool ours = assent_test::assent_verify_all(sig, msg, pk).accepted;
    const bool sodium = assent_test::sodium_verify(sig, msg, pk);
    CHECK(ours == sodium);
    const bool only_accepted_flags = std::all_of(flags.begin(), flags.end(), [&](const std::string& f) {
      return accepted_flags.count(f) != 0;
    });
    CHECK(sodium == only_accepted_flags);  // the documented rule holds for the oracle
    assent_accepts += ours ? 1U : 0U;
    sodium_accepts += sodium ? 1U : 0U;
    for (const auto& f : flags) {
      ++flag_total[f];
      if (ours) ++flag_accepted[f];
    }
  }
  CHECK(assent_accepts == sodium_accepts);
  CHECK(sodium_accepts > 0);
  CHECK(sodium_accepts < vectors.size());
  // Per flag: nothing with a low-order point, a non-canonical encoding or a residue passes.
  for (const char* f : {"low_order_A", "low_order_R", "non_canonical_A", "non_canonical_R", "low_order_residue",
                        "reencoded_k"}) {
    INFO("flag " << f);
    CHECK(flag_total[f] > 0);
    CHECK(flag_accepted[f] == 0);
  }
  CHECK(flag_accepted["low_order_component_A"] > 0);
  CHECK(flag_accepted["low_order_component_R"] > 0);
}

TEST_CASE("ed25519 verify gives BoringSSL's malleability verdicts (ring vectors)", "[ed25519][vectors][ring]") {
  REQUIRE(assent_test::sodium_ready());
  std::istringstream lines(assent_test::read_vector_file("ring-ed25519/ed25519_verify_tests.txt"));
  std::map<std::string, std::string> block;
  std::size_t cases = 0;
  std::size_t passes = 0;
  auto run_block = [&] {
    if (block.empty()) return;
    REQUIRE(block.count("MESSAGE") == 1);
    REQUIRE(block.count("SIG") == 1);
    REQUIRE(block.count("PUB") == 1);
    REQUIRE(block.count("Result") == 1);
    const auto msg = unhex_or_throw(block["MESSAGE"]);
    const auto sig = unhex_or_throw(block["SIG"]);
    const auto pk = unhex_or_throw(block["PUB"]);
    const bool expected = block["Result"] == "P";
    INFO("SIG = " << block["SIG"]);
    const auto outcome = assent_test::assent_verify_all(sig, msg, pk);
    CHECK(outcome.accepted == expected);
    CHECK(assent_test::sodium_verify(sig, msg, pk) == expected);
    if (!expected) CHECK(outcome.reason == vr::s_out_of_range);  // every F case is S + L
    ++cases;
    passes += expected ? 1U : 0U;
    block.clear();
  };
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      run_block();
      continue;
    }
    if (line[0] == '#') continue;
    const auto eq = line.find(" = ");
    REQUIRE(eq != std::string::npos);
    block[line.substr(0, eq)] = line.substr(eq + 3);
  }
  run_block();
  CHECK(cases == 5);
  CHECK(passes == 3);
}

TEST_CASE("ed25519 verify refuses signatures and keys of the wrong size", "[ed25519][vectors]") {
  // A real vector (ring's first control case) with its sizes broken in every direction.
  const auto msg = unhex_or_throw("54657374");
  const auto sig = unhex_or_throw(
      "7c38e026f29e14aabd059a0f2db8b0cd783040609a8be684db12f82a27774ab07a9155711ecfaf7f99f277bad0c6ae7e39d4eef676573336a5c51eb6f946b30d");
  const auto pk = unhex_or_throw("7d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa");
  REQUIRE(ed25519::verify(sig, msg, pk));
  auto resized = [](assent::bytes b, std::size_t n) {
    b.resize(n, 0);
    return b;
  };
  for (std::size_t n : {0U, 1U, 32U, 63U, 65U, 128U}) {
    INFO("signature of " << n << " bytes");
    CHECK_FALSE(ed25519::verify(resized(sig, n), msg, pk));
  }
  for (std::size_t n : {0U, 31U, 33U, 64U}) {
    INFO("key of " << n << " bytes");
    CHECK_FALSE(ed25519::verify(sig, msg, resized(pk, n)));
  }
}
