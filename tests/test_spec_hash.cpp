// Spec hashes, checked against OpenSSL's SHA-256 over the cyberphone JCS outputs and raw bytes.
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include <openssl/sha.h>

#include "assent/spec_hash.hpp"
#include "catch.hpp"
#include "test_util.hpp"

namespace {

using assent::is_valid_spec_hash;
using assent::spec_hash_of_bytes;
using assent::spec_hash_of_document;
using assent::spec_hash_of_json;
using assent_test::read_vector_file;

// "sha256:" + lowercase hex of OpenSSL's SHA-256: the independent reference.
std::string openssl_spec_hash(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  std::string out = "sha256:";
  char two[3];
  for (const unsigned char b : digest) {
    std::snprintf(two, sizeof two, "%02x", b);
    out += two;
  }
  return out;
}

const char* const jcs_names[] = {"arrays", "french", "structures", "unicode", "values", "weird"};

}  // namespace

TEST_CASE("spec_hash_of_bytes is sha256: and OpenSSL's SHA-256 in lowercase hex", "[spec_hash]") {
  CHECK(spec_hash_of_bytes(std::string()) == openssl_spec_hash(""));
  CHECK(spec_hash_of_bytes(std::string("abc")) == openssl_spec_hash("abc"));
  std::mt19937_64 rng(256);
  for (std::size_t size : {1u, 55u, 56u, 63u, 64u, 65u, 1000u, 100000u}) {
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    const std::string h = spec_hash_of_bytes(data);
    CHECK(h == openssl_spec_hash(data));
    CHECK(is_valid_spec_hash(h));
  }
}

TEST_CASE("spec_hash_of_json hashes the RFC 8785 form of each cyberphone vector", "[spec_hash]") {
  for (const char* name : jcs_names) {
    INFO(name);
    const std::string input = read_vector_file(std::string("jcs-cyberphone/input/") + name + ".json");
    const std::string canonical = read_vector_file(std::string("jcs-cyberphone/output/") + name + ".json");
    // values.json holds 333333333.33333329, a number readers disagree on (json/number.hpp): as
    // a document it has no hash; its canonical form (333333333.3333333) has one.
    const bool inexact = std::string(name) == "values";
    const nlohmann::json parsed = nlohmann::json::parse(input);
    CHECK(spec_hash_of_json(parsed) == openssl_spec_hash(canonical));
    // As a stored document, the pretty-printed input and its canonical form hash alike.
    if (inexact) CHECK_FALSE(spec_hash_of_document(input));
    else CHECK(spec_hash_of_document(input) == openssl_spec_hash(canonical));
    CHECK(spec_hash_of_document(canonical) == openssl_spec_hash(canonical));
  }
}

TEST_CASE("spec_hash_of_document ignores layout and member order but not meaning", "[spec_hash]") {
  const auto a = spec_hash_of_document(R"({"steps": ["build", "test"], "image": "gcc:12"})");
  const auto b = spec_hash_of_document("{\n  \"image\" : \"gcc:12\",\n  \"steps\" : [ \"build\",\"test\" ]\n}\n");
  const auto c = spec_hash_of_document(R"({"steps": ["test", "build"], "image": "gcc:12"})");
  const auto d = spec_hash_of_document(R"({"steps": ["build", "test"], "image": "gcc:12.0"})");
  REQUIRE(a);
  CHECK(a == b);
  CHECK(a == openssl_spec_hash(R"({"image":"gcc:12","steps":["build","test"]})"));
  CHECK(a != c);  // array order is meaning
  CHECK(a != d);
  // Numbers are compared as the doubles they denote: 1.0 and 1 are one value.
  CHECK(spec_hash_of_document("[1.0, 1e0]") == openssl_spec_hash("[1,1]"));
}

TEST_CASE("spec_hash_of_document hashes anything that is not JSON as raw bytes", "[spec_hash]") {
  const std::string yaml = "steps:\n  - build\n  - test\nimage: gcc:12\n";
  CHECK(spec_hash_of_document(yaml) == openssl_spec_hash(yaml));
  const std::string binary("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
  CHECK(spec_hash_of_document(binary) == openssl_spec_hash(binary));
  CHECK(spec_hash_of_document("") == openssl_spec_hash(""));
  CHECK(spec_hash_of_document("{\"a\":1} trailing") == openssl_spec_hash("{\"a\":1} trailing"));
  CHECK(spec_hash_of_document("{\"a\":1,}") == openssl_spec_hash("{\"a\":1,}"));
}

TEST_CASE("spec_hash_of_document reads documents up to its own limits", "[spec_hash]") {
  const auto limits = assent::spec_document_limits();
  const std::string deep = std::string(limits.max_depth, '[') + std::string(limits.max_depth, ']');
  CHECK(spec_hash_of_document(deep) == openssl_spec_hash(deep));
  const std::string big = "[\"" + std::string(3u << 20, 'x') + "\"]";  // 3 MiB, beyond parse_strict's default
  CHECK(spec_hash_of_document(big) == openssl_spec_hash(big));
  // Deeper JSON is refused, not hashed as bytes: another tool would hash its canonical form.
  const std::string deeper = "[" + deep + "]";
  const auto h = assent::hash_document(deeper);
  CHECK_FALSE(h.hash);
  CHECK(h.error.code == assent::json::parse_errc::too_deep);
}

TEST_CASE("spec_hash_of_document refuses JSON that readers disagree on", "[spec_hash]") {
  CHECK_FALSE(spec_hash_of_document(R"({"image":"a","image":"b"})"));
  CHECK_FALSE(spec_hash_of_document("\xef\xbb\xbf{\"image\":\"a\"}"));
  CHECK_FALSE(spec_hash_of_document("[1e400]"));
  // Two account ids to Python, Go and Java; one double, so one hash, to a double-based reader.
  const auto id = assent::hash_document(R"({"target_account_id":1234567890123456789})");
  CHECK_FALSE(id.hash);
  CHECK(id.error.code == assent::json::parse_errc::inexact_number);
  CHECK(id.error.path == "/target_account_id");
  CHECK(spec_hash_of_document(R"({"target_account_id":1234567890123456800})") ==
        openssl_spec_hash(R"({"target_account_id":1234567890123456800})"));
  CHECK_FALSE(spec_hash_of_document("[9007199254740993]"));
  CHECK_FALSE(spec_hash_of_document(R"({"rate":0.10000000000000000001})"));
  CHECK(spec_hash_of_document(R"({"rate":0.1})") == openssl_spec_hash(R"({"rate":0.1})"));
  CHECK_FALSE(spec_hash_of_document("[\"\xff\"]"));
  CHECK_FALSE(spec_hash_of_document(R"(["\ud800"])"));
}

TEST_CASE("spec_hash_of_json refuses values without a canonical form", "[spec_hash]") {
  CHECK_FALSE(spec_hash_of_json(nlohmann::json(std::numeric_limits<double>::quiet_NaN())));
  CHECK_FALSE(spec_hash_of_json(nlohmann::json{{"x", std::numeric_limits<double>::infinity()}}));
  CHECK_FALSE(spec_hash_of_json(nlohmann::json(std::string("\xc3"))));
  CHECK(spec_hash_of_json(nlohmann::json{{"x", 1}}) == openssl_spec_hash(R"({"x":1})"));
}

TEST_CASE("is_valid_spec_hash accepts only sha256: and 64 lowercase hex digits", "[spec_hash]") {
  const std::string good = openssl_spec_hash("x");
  CHECK(is_valid_spec_hash(good));
  std::string upper = good;
  upper[10] = 'A';
  upper[11] = 'F';
  CHECK_FALSE(is_valid_spec_hash(upper));
  CHECK_FALSE(is_valid_spec_hash(good.substr(0, good.size() - 1)));
  CHECK_FALSE(is_valid_spec_hash(good + "0"));
  CHECK_FALSE(is_valid_spec_hash(good + "\n"));
  CHECK_FALSE(is_valid_spec_hash("SHA256:" + good.substr(7)));
  CHECK_FALSE(is_valid_spec_hash("sha512:" + good.substr(7)));
  CHECK_FALSE(is_valid_spec_hash(good.substr(7)));
  CHECK_FALSE(is_valid_spec_hash("sha256:" + std::string(63, '0') + "g"));
  CHECK_FALSE(is_valid_spec_hash(""));
  CHECK_FALSE(is_valid_spec_hash("sha256:"));
  CHECK(is_valid_spec_hash("sha256:" + std::string(64, '0')));
  static_assert(assent::is_valid_spec_hash(
                    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
                "usable at compile time");
}
