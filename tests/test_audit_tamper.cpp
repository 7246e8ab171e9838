// Tamper evidence, exhaustively over small logs: every single-byte change, every deletion of one
// record, every swap of two adjacent records and every truncation is detected, at the right
// sequence number (truncation at a record boundary through the signed checkpoint).
#include <string>
#include <vector>

#include "assent/audit/checkpoint.hpp"
#include "assent/audit/memory_sink.hpp"
#include "assent/audit/verify.hpp"
#include "catch.hpp"
#include "test_audit_util.hpp"

namespace {

using namespace assent::audit;
using assent_audit_test::host_event;
using assent_audit_test::make_key;
using assent_audit_test::split_lines;
using assent_audit_test::t0;
using assent_audit_test::trust;

std::string small_log(std::uint64_t n, std::uint64_t salt = 0) {
  memory_sink sink;
  for (std::uint64_t i = 1; i <= n; ++i) {
    const auto r = sink.append({{"type", "t"}, {"n", i + salt}}, t0(static_cast<std::int64_t>(i)));
    REQUIRE(r.ok);
  }
  return sink.text();
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("an untouched log verifies with its count and head", "[audit][tamper]") {
  memory_sink sink;
  for (std::uint64_t i = 1; i <= 4; ++i) REQUIRE(sink.append(host_event(i), t0()).ok);
  const auto res = verify_log_text(sink.text());
  CHECK(res.ok());
  CHECK(res.count == 4);
  CHECK(res.head == sink.head().hash);
  CHECK(res.bad_seq == 0);
  CHECK(res.good_bytes == sink.text().size());
  const auto empty = verify_log_text("");
  CHECK(empty.ok());
  CHECK(empty.count == 0);
  CHECK(empty.head == genesis_hash);
}

TEST_CASE("every single-byte change of a log is detected at the changed record", "[audit][tamper]") {
  const std::string log = small_log(3);
  // Line index of every byte (a newline belongs to the line it ends).
  std::vector<std::uint64_t> seq_of(log.size());
  std::uint64_t seq = 1;
  for (std::size_t i = 0; i < log.size(); ++i) {
    seq_of[i] = seq;
    if (log[i] == '\n') ++seq;
  }
  std::size_t cases = 0, wrong = 0;
  std::string mutated = log;
  for (std::size_t pos = 0; pos < log.size(); ++pos) {
    for (int v = 0; v < 256; ++v) {
      if (static_cast<char>(v) == log[pos]) continue;
      mutated[pos] = static_cast<char>(v);
      const auto res = verify_log_text(mutated);
      ++cases;
      if (res.ok() || res.bad_seq != seq_of[pos]) {
        if (++wrong <= 5) {
          FAIL_CHECK("byte " << pos << " -> " << v << ": " << to_string(res.code) << " at " << res.bad_seq
                             << ", expected a fault at " << seq_of[pos]);
        }
      }
    }
    mutated[pos] = log[pos];
  }
  CHECK(cases == log.size() * 255);
  CHECK(wrong == 0);
}

TEST_CASE("every deletion of one record is detected as a gap; the last one only through the checkpoint",
          "[audit][tamper]") {
  const auto key = make_key(7, "log-key");
  const auto keys = trust({key});
  const std::string log = small_log(5);
  const auto lines = split_lines(log);
  const auto full = verify_log_text(log);
  REQUIRE(full.ok());
  const auto env = sign_checkpoint(checkpoint{"test-log", full.count, full.head, t0(100)}, *key);
  REQUIRE(env);
  for (std::size_t del = 0; del < lines.size(); ++del) {
    auto rest = lines;
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(del));
    const auto plain = verify_log_text(join(rest));
    const auto sealed = verify_log_text_signed(join(rest), *env, *keys, "test-log");
    INFO("deleted record " << del + 1);
    if (del + 1 < lines.size()) {
      CHECK(plain.code == chain_errc::sequence_gap);
      CHECK(plain.bad_seq == del + 1);
      CHECK(sealed.code == chain_errc::sequence_gap);
      CHECK(sealed.bad_seq == del + 1);
    } else {
      CHECK(plain.ok());  // a chain alone cannot tell that its end is missing
      CHECK(sealed.code == chain_errc::fewer_than_checkpoint);
      CHECK(sealed.bad_seq == lines.size());
    }
  }
}

TEST_CASE("every swap of two adjacent records is detected at the first of them", "[audit][tamper]") {
  const auto lines = split_lines(small_log(5));
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    auto swapped = lines;
    std::swap(swapped[i], swapped[i + 1]);
    const auto res = verify_log_text(join(swapped));
    INFO("swapped records " << i + 1 << " and " << i + 2);
    CHECK(res.code == chain_errc::sequence_gap);
    CHECK(res.bad_seq == i + 1);
  }
}

TEST_CASE("a record rebuilt with a consistent hash is caught by prev, a rebuilt chain by the checkpoint",
          "[audit][tamper]") {
  const auto key = make_key(7, "log-key");
  const auto keys = trust({key});
  const std::string a = small_log(4), b = small_log(4, 1000);
  const auto lines_a = split_lines(a), lines_b = split_lines(b);
  // Record 3 of another chain: valid on its own, in sequence, but linked to another record 2.
  auto spliced = lines_a;
  spliced[2] = lines_b[2];
  const auto res = verify_log_text(join(spliced));
  CHECK(res.code == chain_errc::prev_mismatch);
  CHECK(res.bad_seq == 3);
  // A whole chain rebuilt from scratch verifies on its own; the checkpoint of the original
  // names the record where it differs.
  REQUIRE(verify_log_text(b).ok());
  const auto head2 = verify_log_text(join({lines_a[0], lines_a[1]})).head;
  const auto env2 = sign_checkpoint(checkpoint{"test-log", 2, head2, t0()}, *key);
  REQUIRE(env2);
  const auto forged = verify_log_text_signed(b, *env2, *keys, "test-log");
  CHECK(forged.code == chain_errc::checkpoint_head_mismatch);
  CHECK(forged.bad_seq == 2);
  CHECK(verify_log_text_signed(a, *env2, *keys, "test-log").ok());  // longer than the checkpoint is fine
}

TEST_CASE("every truncation is detected: mid-record as a torn line, at a boundary through the checkpoint",
          "[audit][tamper]") {
  const auto key = make_key(7, "log-key");
  const auto keys = trust({key});
  const std::string log = small_log(3);
  const auto full = verify_log_text(log);
  REQUIRE(full.ok());
  const auto env = sign_checkpoint(checkpoint{"test-log", full.count, full.head, t0(100)}, *key);
  REQUIRE(env);
  for (std::size_t len = 0; len < log.size(); ++len) {
    const std::string cut = log.substr(0, len);
    std::uint64_t complete = 0;
    for (char c : cut) complete += c == '\n';
    const bool boundary = len == 0 || log[len - 1] == '\n';
    const auto res = verify_log_text_signed(cut, *env, *keys, "test-log");
    INFO("truncated to " << len << " bytes");
    CHECK(res.code == (boundary ? chain_errc::fewer_than_checkpoint : chain_errc::truncated_line));
    CHECK(res.bad_seq == complete + 1);
    CHECK(res.count == complete);
  }
  CHECK(verify_log_text_signed(log, *env, *keys, "test-log").ok());
}

TEST_CASE("a checkpoint is refused when its signature, key, payload type, payload or log id is wrong",
          "[audit][tamper][checkpoint]") {
  const auto key = make_key(7, "log-key");
  const auto other = make_key(8, "other-key");
  const auto keys = trust({key});
  const std::string log = small_log(3);
  const auto full = verify_log_text(log);
  const auto env = sign_checkpoint(checkpoint{"test-log", full.count, full.head, t0(100)}, *key);
  REQUIRE(env);
  const auto good = open_checkpoint(*env, *keys, "test-log");
  REQUIRE(good.ok());
  CHECK(good.value->count == 3);
  CHECK(good.value->head == full.head);
  CHECK(good.value->log == "test-log");
  CHECK(good.value->time == t0(100));
  CHECK(good.keyid == "log-key");

  // Signed by a key the store does not trust, or by a revoked one.
  const auto env_other = sign_checkpoint(checkpoint{"test-log", full.count, full.head, t0(100)}, *other);
  CHECK(verify_log_text_signed(log, *env_other, *keys, "test-log").code == chain_errc::checkpoint_signature_invalid);
  const auto revoked = trust({key}, assent::key_status::revoked);
  CHECK(verify_log_text_signed(log, *env, *revoked, "test-log").code == chain_errc::checkpoint_signature_invalid);
  // Another log's checkpoint: the key is not bound to the log expected, and when it is bound to
  // both, the payload still names the other log.
  CHECK(verify_log_text_signed(log, *env, *keys, "another-log").code == chain_errc::checkpoint_signature_invalid);
  const auto both = trust({key}, assent::key_status::active, std::vector<std::string>{"test-log", "another-log"});
  CHECK(verify_log_text_signed(log, *env, *both, "another-log").code == chain_errc::checkpoint_malformed);
  CHECK(verify_log_text_signed(log, *env, *both, "test-log").ok());
  // A key bound to no log vouches for none; no log id matches nothing.
  const auto unbound = trust({key}, assent::key_status::active, std::nullopt);
  CHECK(verify_log_text_signed(log, *env, *unbound, "test-log").code == chain_errc::checkpoint_signature_invalid);
  CHECK(verify_log_text_signed(log, *env, *keys, "").code == chain_errc::checkpoint_malformed);
  CHECK(verify_log_text_signed(log, "{}", *keys, "test-log").code == chain_errc::checkpoint_malformed);
  CHECK(verify_log_text_signed(log, "not json", *keys, "test-log").code == chain_errc::checkpoint_malformed);

  // Every single-bit flip of the envelope is refused.
  std::size_t accepted = 0;
  std::string mutated = *env;
  for (std::size_t pos = 0; pos < env->size(); ++pos) {
    mutated[pos] = static_cast<char>(mutated[pos] ^ 0x01);
    if (open_checkpoint(mutated, *keys, "test-log").ok()) ++accepted;
    mutated[pos] = (*env)[pos];
  }
  CHECK(accepted == 0);
}
