// The JSON Lines file sink: durability modes, the one-writer lock, reopening (verification,
// torn-tail repair, refusal of corrupt logs), signed checkpoints, and failures as receipts.
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "assent/audit/checkpoint.hpp"
#include "assent/audit/file_sink.hpp"
#include "assent/audit/verify.hpp"
#include "catch.hpp"
#include "test_audit_util.hpp"

namespace {

using namespace assent::audit;
using assent_audit_test::file_exists;
using assent_audit_test::host_event;
using assent_audit_test::make_key;
using assent_audit_test::read_file;
using assent_audit_test::split_lines;
using assent_audit_test::t0;
using assent_audit_test::temp_dir;
using assent_audit_test::trust;
using assent_audit_test::write_file;

file_sink_options mode(durability d) {
  file_sink_options o;
  o.mode = d;
  return o;
}

std::unique_ptr<file_sink> open_ok(const std::string& path, file_sink_options o = {}) {
  auto r = file_sink::open(path, std::move(o));
  INFO(r.error);
  REQUIRE(r.ok());
  return std::move(r.sink);
}

void append_n(file_sink& s, std::uint64_t first, std::uint64_t n) {
  for (std::uint64_t i = first; i < first + n; ++i) {
    const auto r = s.append(host_event(i), t0(static_cast<std::int64_t>(i)));
    INFO(r.error);
    REQUIRE(r.ok);
    REQUIRE(r.seq == i);
  }
}

// Polls (bounded) until the sidecar covers at least `count` records; an asynchronous event, not
// a timing assertion.
bool wait_for_checkpoint(const std::string& path, const assent::key_store& keys, std::uint64_t count,
                         const std::string& log_id) {
  for (int i = 0; i < 500; ++i) {
    if (file_exists(path)) {
      const auto c = read_checkpoint_file(path, keys, log_id);
      if (c.ok() && c.value->count >= count) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Runs `body` in a child process whose files may not grow past `limit` bytes (write() then fails
// with EFBIG; SIGXFSZ is ignored), so the limit stays there; returns its exit status, which
// the body builds from failed checks.
int in_child_with_file_limit(std::uint64_t limit, const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim {};
    lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(limit);
    ::setrlimit(RLIMIT_FSIZE, &lim);
    ::_exit(body());
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("the file sink writes a verifiable chain in every durability mode and reopening continues it",
          "[audit][file_sink]") {
  for (auto d : {durability::none, durability::per_record, durability::group}) {
    INFO("mode " << static_cast<int>(d));
    temp_dir dir;
    const std::string path = dir.file("audit.log");
    {
      auto s = open_ok(path, mode(d));
      CHECK(s->mode() == d);
      CHECK(s->head().count == 0);
      append_n(*s, 1, 3);
      CHECK(s->close() == std::nullopt);
      CHECK_FALSE(s->append(host_event(9), t0()).ok);  // closed
    }
    std::string head3;
    {
      auto r = file_sink::open(path, mode(d));
      REQUIRE(r.ok());
      CHECK(r.verification.ok());
      CHECK(r.verification.count == 3);
      CHECK_FALSE(r.repair.repaired);
      head3 = r.sink->head().hash;
      append_n(*r.sink, 4, 2);
    }  // the destructor closes
    const auto res = verify_log_file(path);
    CHECK(res.ok());
    CHECK(res.count == 5);
    const auto lines = split_lines(read_file(path));
    REQUIRE(lines.size() == 5);
    CHECK(nlohmann::json::parse(lines[3]).at("prev") == head3);
  }
}

TEST_CASE("a second writer on the same log is refused while the first holds it", "[audit][file_sink]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  auto first = open_ok(path, mode(durability::none));
  const auto second = file_sink::open(path, mode(durability::none));
  CHECK_FALSE(second.ok());
  CHECK(second.error.find("already open for writing") != std::string::npos);
  REQUIRE(first->close() == std::nullopt);
  auto third = open_ok(path, mode(durability::none));
  append_n(*third, 1, 1);
}

TEST_CASE("opening refuses what is not a regular file, with the reason", "[audit][file_sink]") {
  temp_dir dir;
  const auto r = file_sink::open(dir.path(), mode(durability::none));
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.error.empty());
  const auto missing = file_sink::open(dir.file("no/such/dir/audit.log"), mode(durability::none));
  CHECK_FALSE(missing.ok());
  CHECK(missing.error.find("cannot open") != std::string::npos);
}

TEST_CASE("opening never follows a symbolic link and never changes a file that holds no record",
          "[audit][file_sink][symlink]") {
  temp_dir dir;
  const std::string victim = dir.file("victim.txt");
  const std::string link = dir.file("audit.log");
  SECTION("a link to a one-line file that is not a log") {
    write_file(victim, "root:x:0:0");
    REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
    const auto r = file_sink::open(link, mode(durability::per_record));
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("symbolic link") != std::string::npos);
    CHECK(read_file(victim) == "root:x:0:0");
  }
  SECTION("a link to a valid log") {
    {
      auto s = open_ok(victim, mode(durability::none));
      append_n(*s, 1, 2);
    }
    const std::string before = read_file(victim);
    REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
    CHECK_FALSE(file_sink::open(link, mode(durability::per_record)).ok());
    CHECK(read_file(victim) == before);
  }
  SECTION("a dangling link is not created through") {
    REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
    CHECK_FALSE(file_sink::open(link, mode(durability::per_record)).ok());
    CHECK_FALSE(file_exists(victim));
  }
  SECTION("a regular file without any record is refused as it is, with or without a newline") {
    for (const std::string& content : {std::string("root:x:0:0"), std::string("root:x:0:0\n"),
                                      std::string("{\"event\":{\"type\":\"x\""), std::string(100, '\0')}) {
      write_file(link, content);
      const auto r = file_sink::open(link, mode(durability::per_record));
      CHECK_FALSE(r.ok());
      CHECK(read_file(link) == content);
    }
  }
}

TEST_CASE("a checkpoint is written through a fresh temporary file: planted links are never followed",
          "[audit][file_sink][checkpoint][symlink]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  const std::string victim = dir.file("victim.txt");
  write_file(victim, "precious");
  // The temporary name older versions used, and the sidecar itself, as links to the victim.
  REQUIRE(::symlink(victim.c_str(), (path + ".checkpoint.tmp").c_str()) == 0);
  REQUIRE(::symlink(victim.c_str(), (path + ".checkpoint").c_str()) == 0);
  const auto key = make_key(13, "log-key-3");
  file_sink_options o = mode(durability::per_record);
  o.log_id = "prod";
  o.checkpoint_key = key;
  o.checkpoint_trust = nullptr;
  o.checkpoint_every_records = 0;
  o.checkpoint_every = std::chrono::seconds(0);
  // The sidecar link points at a file that is no checkpoint: opening with the key refuses.
  CHECK_FALSE(file_sink::open(path, o).ok());
  REQUIRE(::unlink((path + ".checkpoint").c_str()) == 0);
  REQUIRE(::symlink(victim.c_str(), (path + ".checkpoint").c_str()) == 0);
  o.checkpoint_key = nullptr;  // open without checking it, then sign with the key
  {
    auto s = open_ok(path, o);
    append_n(*s, 1, 2);
  }
  o.checkpoint_key = key;
  REQUIRE(::unlink((path + ".checkpoint").c_str()) == 0);
  REQUIRE(::symlink(victim.c_str(), (path + ".checkpoint").c_str()) == 0);
  // A symlink at the sidecar's own name: rename() replaces the link, not its target.
  REQUIRE(detail::replace_file_atomically(path + ".checkpoint", "new\n") == std::nullopt);
  CHECK(read_file(victim) == "precious");
  CHECK(read_file(path + ".checkpoint") == "new\n");
  REQUIRE(::unlink((path + ".checkpoint").c_str()) == 0);
  {
    auto s = open_ok(path, o);
    append_n(*s, 3, 1);
    REQUIRE(s->checkpoint_now() == std::nullopt);
  }
  CHECK(read_file(victim) == "precious");
  const auto keys = trust({key});
  const auto cp = read_checkpoint_file(path + ".checkpoint", *keys, "prod");
  REQUIRE(cp.ok());
  CHECK(cp.value->count == 3);
  // No temporary file is left behind: the directory holds the log, its sidecar, the victim and
  // the planted link.
  std::size_t entries = 0;
  if (DIR* d = ::opendir(dir.path().c_str())) {
    while (dirent* e = ::readdir(d)) entries += e->d_name[0] != '.';
    ::closedir(d);
  }
  CHECK(entries == 4);
}

TEST_CASE("a torn last line is cut back to the last complete record and reported", "[audit][file_sink]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  {
    auto s = open_ok(path, mode(durability::per_record));
    append_n(*s, 1, 3);
  }
  const std::string clean = read_file(path);
  const auto lines = split_lines(clean);

  SECTION("a partial record without a newline is cut, and the cut recorded in the chain") {
    const std::string partial = lines[2].substr(0, 40);
    write_file(path, clean + partial);
    auto r = file_sink::open(path, mode(durability::per_record));
    REQUIRE(r.ok());
    CHECK(r.repair.repaired);
    CHECK_FALSE(r.repair.completed);
    CHECK(r.sink->recovered_tail().repaired);
    CHECK(r.repair.kept_records == 3);
    CHECK(r.repair.removed_bytes == 40);
    CHECK(r.repair.removed_hash == "sha256:" + assent::hex_encode(assent::crypto::sha256::hash(partial)));
    CHECK(r.repair.kept_bytes == clean.size());
    CHECK(r.repair.record_seq == 4);
    CHECK(r.repair.reason.find("cut by a crash") != std::string::npos);
    const auto now = split_lines(read_file(path));
    REQUIRE(now.size() == 4);
    CHECK(read_file(path).compare(0, clean.size(), clean) == 0);
    const auto rec = parse_record(now[3]);
    REQUIRE(rec.code == line_errc::ok);
    CHECK(rec.record->event.at("type") == "log_repaired");
    CHECK(rec.record->event.at("repair") == "torn_tail_cut");
    CHECK(rec.record->event.at("dropped_bytes") == 40);
    CHECK(rec.record->event.at("dropped_sha256") == r.repair.removed_hash);
    CHECK(rec.record->event.at("after_seq") == 3);
    append_n(*r.sink, 5, 1);
  }
  SECTION("a whole record whose newline never reached the file is kept and completed") {
    write_file(path, clean.substr(0, clean.size() - 1));
    auto r = file_sink::open(path, mode(durability::per_record));
    REQUIRE(r.ok());
    CHECK(r.repair.repaired);
    CHECK(r.repair.completed);
    CHECK(r.repair.kept_records == 3);
    CHECK(r.repair.removed_bytes == 0);
    CHECK(r.repair.record_seq == 4);
    CHECK(read_file(path).compare(0, clean.size(), clean) == 0);
    const auto rec = parse_record(split_lines(read_file(path))[3]);
    REQUIRE(rec.code == line_errc::ok);
    CHECK(rec.record->event.at("repair") == "newline_appended");
    append_n(*r.sink, 5, 1);
  }
  SECTION("a last line with its newline that is not JSON is corruption, never cut") {
    const std::string bad = clean + std::string("\0\0\0\0\n", 5);
    write_file(path, bad);
    auto r = file_sink::open(path, mode(durability::per_record));
    CHECK_FALSE(r.ok());
    CHECK(r.verification.bad_seq == 4);
    CHECK(read_file(path) == bad);
    write_file(path, clean);
  }
  SECTION("a last line without newline that cannot be the start of a record is never cut") {
    for (const std::string& tail : {std::string("garbage"), lines[2] + "J", lines[2] + "\x0b", std::string("{\"event\":[")}) {
      write_file(path, clean + tail);
      auto r = file_sink::open(path, mode(durability::per_record));
      INFO(tail);
      CHECK_FALSE(r.ok());
      CHECK(r.verification.code == chain_errc::truncated_line);
      CHECK(read_file(path) == clean + tail);
    }
    write_file(path, clean);
  }
  const auto res = verify_log_file(path);
  CHECK(res.ok());
}

TEST_CASE("a corrupt record is never skipped: opening fails naming its sequence number and leaves the file",
          "[audit][file_sink]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  {
    auto s = open_ok(path, mode(durability::none));
    append_n(*s, 1, 4);
  }
  const std::string clean = read_file(path);
  const auto lines = split_lines(clean);
  const std::size_t rec2 = lines[0].size() + 1;

  SECTION("an edited record in the middle") {
    std::string bad = clean;
    const auto at = bad.find("event 2", rec2);
    bad[at + 6] = '7';
    write_file(path, bad);
    const auto r = file_sink::open(path, mode(durability::none));
    CHECK_FALSE(r.ok());
    CHECK(r.verification.code == chain_errc::hash_mismatch);
    CHECK(r.verification.bad_seq == 2);
    CHECK(r.error.find("record 2") != std::string::npos);
    CHECK(read_file(path) == bad);
  }
  SECTION("an unparsable line in the middle") {
    std::string bad = clean;
    bad[rec2] = '#';
    write_file(path, bad);
    const auto r = file_sink::open(path, mode(durability::none));
    CHECK_FALSE(r.ok());
    CHECK(r.verification.code == chain_errc::malformed_line);
    CHECK(r.verification.bad_seq == 2);
    CHECK(read_file(path) == bad);
  }
  SECTION("a parseable last record with a wrong hash is corruption, not a torn write") {
    std::string bad = clean;
    const auto at = bad.find("event 4");
    bad[at + 6] = '5';
    write_file(path, bad);
    const auto r = file_sink::open(path, mode(durability::none));
    CHECK_FALSE(r.ok());
    CHECK(r.verification.bad_seq == 4);
    CHECK(read_file(path) == bad);
  }
  SECTION("a deleted record") {
    write_file(path, lines[0] + "\n" + lines[2] + "\n" + lines[3] + "\n");
    const auto r = file_sink::open(path, mode(durability::none));
    CHECK_FALSE(r.ok());
    CHECK(r.verification.code == chain_errc::sequence_gap);
    CHECK(r.verification.bad_seq == 2);
  }
}

TEST_CASE("append reports unrecordable events as failures and keeps the chain", "[audit][file_sink]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  auto s = open_ok(path, mode(durability::group));
  const auto bad = s->append(nlohmann::json::array(), t0());
  CHECK_FALSE(bad.ok);
  CHECK(bad.error.find("object") != std::string::npos);
  const auto bad_time = s->append(host_event(1), 253402300800LL);
  CHECK_FALSE(bad_time.ok);
  CHECK(bad_time.error.find("time") != std::string::npos);
  append_n(*s, 1, 2);
  CHECK(s->failure().empty());
  REQUIRE(s->close() == std::nullopt);
  CHECK(verify_log_file(path).count == 2);
}

TEST_CASE("the log id defaults to the file name", "[audit][file_sink]") {
  temp_dir dir;
  auto s = open_ok(dir.file("prod-audit.jsonl"), mode(durability::none));
  CHECK(s->log_id() == "prod-audit.jsonl");
  CHECK(s->checkpoint_path() == dir.file("prod-audit.jsonl.checkpoint"));
  file_sink_options o = mode(durability::none);
  o.log_id = "payments-prod";
  auto t = open_ok(dir.file("other.jsonl"), o);
  CHECK(t->log_id() == "payments-prod");
}

TEST_CASE("checkpoints are signed at close and every N records, and reopening checks them",
          "[audit][file_sink][checkpoint]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  const auto key = make_key(11, "log-key-1");
  const auto keys = trust({key});
  file_sink_options o = mode(durability::group);
  o.log_id = "prod";
  o.checkpoint_key = key;
  o.checkpoint_every_records = 2;
  o.checkpoint_every = std::chrono::seconds(0);
  o.clock = [] { return t0(500); };
  {
    auto s = open_ok(path, o);
    append_n(*s, 1, 3);
    CHECK(wait_for_checkpoint(s->checkpoint_path(), *keys, 2, "prod"));
    append_n(*s, 4, 2);
    REQUIRE(s->close() == std::nullopt);
    CHECK(s->checkpoint_error().empty());
  }
  const auto cp = read_checkpoint_file(path + ".checkpoint", *keys, "prod");
  REQUIRE(cp.ok());
  CHECK(cp.value->count == 5);
  CHECK(cp.value->time == t0(500));
  CHECK(cp.value->head == verify_log_file(path).head);
  CHECK(verify_log_file_signed(path, read_file(path + ".checkpoint"), *keys, "prod").ok());

  SECTION("reopening with the key verifies the sidecar") {
    auto r = file_sink::open(path, o);
    REQUIRE(r.ok());
    CHECK(r.checkpoint_verified);
  }
  SECTION("a log cut back below its checkpoint refuses to open and fails verification") {
    const auto lines = split_lines(read_file(path));
    write_file(path, lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n");
    const auto r = file_sink::open(path, o);
    CHECK_FALSE(r.ok());
    CHECK(r.verification.code == chain_errc::fewer_than_checkpoint);
    CHECK(r.verification.bad_seq == 4);
    CHECK(r.error.find("cut back") != std::string::npos);
    const auto v = verify_log_file_signed(path, read_file(path + ".checkpoint"), *keys, "prod");
    CHECK(v.code == chain_errc::fewer_than_checkpoint);
    CHECK(v.bad_seq == 4);
  }
  SECTION("a sidecar signed by an untrusted key refuses to open; a trust store admits the old key") {
    const auto new_key = make_key(12, "log-key-2");
    file_sink_options rotated = o;
    rotated.checkpoint_key = new_key;
    const auto r = file_sink::open(path, rotated);
    CHECK_FALSE(r.ok());
    CHECK(r.verification.code == chain_errc::checkpoint_signature_invalid);
    const auto both = trust({key, new_key});
    rotated.checkpoint_trust = both.get();
    auto r2 = file_sink::open(path, rotated);
    REQUIRE(r2.ok());
    CHECK(r2.checkpoint_verified);
    append_n(*r2.sink, 6, 1);
    REQUIRE(r2.sink->close() == std::nullopt);
    const auto cp2 = read_checkpoint_file(path + ".checkpoint", *trust({new_key}), "prod");
    REQUIRE(cp2.ok());
    CHECK(cp2.value->count == 6);
  }
  SECTION("a sidecar of another log refuses to open") {
    file_sink_options other = o;
    other.log_id = "staging";
    const auto r = file_sink::open(path, other);
    CHECK_FALSE(r.ok());
    INFO(r.error);
    CHECK(r.verification.code == chain_errc::checkpoint_malformed);
    CHECK(r.error.find("for log \"prod\", not \"staging\"") != std::string::npos);
  }
  SECTION("a key vouches only for the logs it is bound to") {
    // The same key signs a checkpoint of "staging", but the trust store binds it to "prod" only.
    const std::string other = dir.file("staging.checkpoint");
    REQUIRE(write_checkpoint_file(other, checkpoint{"staging", 5, verify_log_file(path).head, t0()}, *key) == std::nullopt);
    const auto prod_only = trust({key}, assent::key_status::active, std::vector<std::string>{"prod"});
    const auto refused = read_checkpoint_file(other, *prod_only, "staging");
    CHECK(refused.code == checkpoint_errc::signature_invalid);
    CHECK(refused.error.find("not bound to log \"staging\"") != std::string::npos);
    const auto unbound = trust({key}, assent::key_status::active, std::nullopt);
    CHECK(read_checkpoint_file(path + ".checkpoint", *unbound, "prod").code == checkpoint_errc::signature_invalid);
    CHECK(read_checkpoint_file(path + ".checkpoint", *prod_only, "prod").ok());
    CHECK(read_checkpoint_file(path + ".checkpoint", *prod_only, "").code == checkpoint_errc::malformed);
    file_sink_options staging = o;
    staging.log_id = "staging";
    staging.checkpoint_trust = prod_only.get();
    const std::string staging_log = dir.file("staging.log");
    write_file(staging_log, read_file(path));
    write_file(staging_log + ".checkpoint", read_file(other));
    const auto r = file_sink::open(staging_log, staging);
    CHECK_FALSE(r.ok());
    CHECK(r.verification.code == chain_errc::checkpoint_signature_invalid);
  }
}

TEST_CASE("checkpoints are written every T seconds while records arrive, also in mode none",
          "[audit][file_sink][checkpoint]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  const auto key = make_key(11, "log-key-1");
  const auto keys = trust({key});
  file_sink_options o = mode(durability::none);
  o.checkpoint_key = key;
  o.checkpoint_every_records = 0;
  o.checkpoint_every = std::chrono::seconds(1);
  auto s = open_ok(path, o);
  append_n(*s, 1, 2);
  CHECK(wait_for_checkpoint(s->checkpoint_path(), *keys, 2, "audit.log"));
  CHECK(s->checkpoint_now() == std::nullopt);  // nothing new: no rewrite needed
  append_n(*s, 3, 1);
  CHECK(s->checkpoint_now() == std::nullopt);
  const auto cp = read_checkpoint_file(s->checkpoint_path(), *keys, "audit.log");
  REQUIRE(cp.ok());
  CHECK(cp.value->count == 3);
}

TEST_CASE("a failed write is a failed receipt: cut back and usable in per_record, fail-closed in group",
          "[audit][file_sink]") {
  for (auto d : {durability::none, durability::per_record, durability::group}) {
    temp_dir dir;
    const std::string path = dir.file("audit.log");
    {
      auto s = open_ok(path, mode(d));
      append_n(*s, 1, 2);
    }
    const int status = in_child_with_file_limit(read_file(path).size() + 400, [&] {
      int code = 0;
      {
        auto r = file_sink::open(path, mode(d));
        if (!r.ok()) return 10;
        nlohmann::json big = {{"type", "big"}, {"blob", std::string(2000, 'x')}};
        const auto fail = r.sink->append(big, t0());
        if (fail.ok || fail.error.empty()) code |= 1;
        // EFBIG, named (a short write first, then the refusal): not a signal that kills.
        if (fail.error.find(std::strerror(EFBIG)) == std::string::npos) code |= 8;
        const auto after = r.sink->append(host_event(3), t0());
        if (d != durability::group && !(after.ok && after.seq == 3)) code |= 2;
        if (d == durability::group && (after.ok || r.sink->failure().empty())) code |= 4;
        (void)r.sink->close();
      }
      return code;
    });
    CHECK(status == 0);
    // Whatever happened, the log reopens and verifies.
    auto r = file_sink::open(path, mode(d));
    REQUIRE(r.ok());
    CHECK(r.verification.count == (d != durability::group ? 3u : 2u));
    CHECK_FALSE(r.repair.repaired);  // the partial record was cut back by the failed append
  }
}

TEST_CASE("records in flight share their batch's fate: a failed write fails every pending ticket",
          "[audit][file_sink]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  {
    auto s = open_ok(path, mode(durability::group));
    append_n(*s, 1, 2);
  }
  const int status = in_child_with_file_limit(read_file(path).size() + 400, [&] {
    int code = 0;
    {
      auto r = file_sink::open(path, mode(durability::group));
      if (!r.ok()) return 10;
      const auto small = r.sink->submit_canonical(canonicalize_event(host_event(3)), t0());
      const nlohmann::json big = {{"type", "big"}, {"blob", std::string(2000, 'x')}};
      const auto large = r.sink->submit_canonical(canonicalize_event(big), t0());
      if (!small.pending || !large.pending || large.receipt.seq != 4) code |= 1;
      const auto r_small = r.sink->await(small);  // one batch: the small record fails with the big one
      const auto r_large = r.sink->await(large);
      if (r_small.ok || r_large.ok || r_small.error.find("not written") == std::string::npos) code |= 2;
      if (r.sink->failure().empty() || r.sink->head().count != 2) code |= 4;
      const auto later = r.sink->submit_canonical(canonicalize_event(host_event(5)), t0());
      if (later.pending || later.receipt.ok) code |= 8;
      (void)r.sink->close();
    }
    return code;
  });
  CHECK(status == 0);
  auto r = file_sink::open(path, mode(durability::group));
  REQUIRE(r.ok());
  CHECK(r.verification.count == 2u);
}
