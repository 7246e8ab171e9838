// Concurrent appends: many threads into one sink give one valid chain holding every record exactly
// once, and each receipt names the record that was written (run under the tsan preset too).
#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "assent/audit/checkpoint.hpp"
#include "assent/audit/file_sink.hpp"
#include "assent/audit/memory_sink.hpp"
#include "assent/audit/verify.hpp"
#include "catch.hpp"
#include "test_audit_util.hpp"

namespace {

using namespace assent::audit;
using assent_audit_test::make_key;
using assent_audit_test::read_file;
using assent_audit_test::t0;
using assent_audit_test::temp_dir;
using assent_audit_test::trust;

struct receipt_row {
  std::uint64_t seq;
  std::string hash;
};

// Runs work(t, receipts of thread t) on `threads` threads started together; returns every
// receipt they collected.
std::vector<receipt_row> on_threads(unsigned threads,
                                    const std::function<void(unsigned, std::vector<receipt_row>&)>& work) {
  std::vector<std::vector<receipt_row>> got(threads);
  std::atomic<unsigned> ready{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ++ready;
      while (ready.load() < threads) std::this_thread::yield();  // start together
      work(t, got[t]);
    });
  }
  for (auto& th : pool) th.join();
  std::vector<receipt_row> all;
  for (auto& g : got) all.insert(all.end(), g.begin(), g.end());
  return all;
}

nlohmann::json numbered_event(unsigned thread, unsigned i) {
  return {{"type", "concurrent"}, {"thread", thread}, {"i", i}};
}

// Appends `per_thread` events from each of `threads` threads; returns every receipt.
std::vector<receipt_row> hammer(assent::audit_sink& sink, unsigned threads, unsigned per_thread) {
  return on_threads(threads, [&](unsigned t, std::vector<receipt_row>& got) {
    for (unsigned i = 0; i < per_thread; ++i) {
      const auto r = sink.append(numbered_event(t, i), t0(i));
      if (r.ok) got.push_back({r.seq, r.hash});
    }
  });
}

// Like hammer, but each thread keeps up to `window` records in flight (submit_canonical), waiting
// for the oldest (await) when the window is full and for all of them at the end. Every ticket
// must be pending (group mode) until awaited.
std::vector<receipt_row> hammer_pipelined(assent::audit_sink& sink, unsigned threads, unsigned per_thread,
                                          std::size_t window, std::atomic<int>& faults) {
  return on_threads(threads, [&](unsigned t, std::vector<receipt_row>& got) {
    std::vector<assent::audit_ticket> flight;
    const auto settle_oldest = [&] {
      const auto r = sink.await(flight.front());
      if (!r.ok || r.seq != flight.front().receipt.seq || r.hash != flight.front().receipt.hash) ++faults;
      const auto* file = dynamic_cast<file_sink*>(&sink);
      if (file && file->head().count < r.seq) ++faults;  // acknowledged before it was durable
      if (r.ok) got.push_back({r.seq, r.hash});
      flight.erase(flight.begin());
    };
    for (unsigned i = 0; i < per_thread; ++i) {
      auto ticket = sink.submit_canonical(canonicalize_event(numbered_event(t, i)), t0(i));
      if (!ticket.pending || ticket.receipt.ok || ticket.receipt.seq == 0) ++faults;
      flight.push_back(std::move(ticket));
      if (flight.size() >= window) settle_oldest();
    }
    while (!flight.empty()) settle_oldest();
  });
}

// The chain is valid, holds every (thread, i) once, and the receipts match the records.
void check_log(const std::string& text, const std::vector<receipt_row>& receipts, unsigned threads, unsigned per_thread) {
  std::set<std::pair<unsigned, unsigned>> seen;
  std::vector<std::string> hash_at(1);
  const auto res = verify_log_text(text, std::nullopt, [&](const record_view& r) {
    const auto& e = *r.event;
    CHECK(seen.insert({e.at("thread").get<unsigned>(), e.at("i").get<unsigned>()}).second);
    hash_at.push_back(std::string(r.hash));
  });
  INFO(res.message);
  REQUIRE(res.ok());
  CHECK(res.count == std::uint64_t{threads} * per_thread);
  CHECK(seen.size() == std::size_t{threads} * per_thread);
  REQUIRE(receipts.size() == std::size_t{threads} * per_thread);
  std::set<std::uint64_t> seqs;
  for (const auto& r : receipts) {
    CHECK(seqs.insert(r.seq).second);
    REQUIRE(r.seq < hash_at.size());
    CHECK(hash_at[r.seq] == r.hash);
  }
}

std::unique_ptr<file_sink> open_group(const std::string& path) {
  file_sink_options o;
  o.mode = durability::group;
  auto opened = file_sink::open(path, o);
  INFO(opened.error);
  REQUIRE(opened.ok());
  return std::move(opened.sink);
}

}  // namespace

TEST_CASE("8 threads appending into one group-commit file sink give one valid chain, each record once",
          "[audit][concurrency]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  auto sink = open_group(path);
  const auto receipts = hammer(*sink, 8, 40);
  REQUIRE(sink->close() == std::nullopt);
  check_log(read_file(path), receipts, 8, 40);
}

TEST_CASE("threads keeping many records in flight into one group-commit file sink give one valid chain",
          "[audit][concurrency]") {
  for (const auto& [threads, window] : {std::pair<unsigned, std::size_t>{1, 8}, {2, 16}, {4, 5}}) {
    temp_dir dir;
    const std::string path = dir.file("audit.log");
    auto sink = open_group(path);
    std::atomic<int> faults{0};
    const auto receipts = hammer_pipelined(*sink, threads, 60, window, faults);
    CHECK(faults == 0);
    CHECK(sink->head().count == std::uint64_t{threads} * 60);
    REQUIRE(sink->close() == std::nullopt);
    check_log(read_file(path), receipts, threads, 60);
  }
}

TEST_CASE("a submitted record not yet awaited is written at close, and awaiting it then succeeds",
          "[audit][concurrency]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  const auto owned = open_group(path);
  auto& sink = *owned;
  const auto first = sink.submit_canonical(canonicalize_event({{"type", "early"}}), t0());
  const auto second = sink.submit_canonical(canonicalize_event({{"type", "late"}}), t0());
  REQUIRE(first.pending);
  CHECK(first.receipt.seq == 1);
  CHECK(second.receipt.seq == 2);
  CHECK(sink.head().count == 0);  // nothing is acknowledged before a batch is durable
  const auto r1 = sink.await(first);  // leads a batch holding both records
  CHECK(r1.ok);
  CHECK(sink.head().count == 2);
  const auto r2 = sink.await(second);  // already covered: no second fdatasync needed
  CHECK(r2.ok);
  CHECK(r2.hash == second.receipt.hash);
  const auto third = sink.submit_canonical(canonicalize_event({{"type", "never awaited"}}), t0());
  REQUIRE(sink.close() == std::nullopt);
  CHECK(sink.await(third).ok);  // close() wrote it
  const auto after = sink.submit_canonical(canonicalize_event({{"type", "after close"}}), t0());
  CHECK_FALSE(after.pending);
  CHECK_FALSE(after.receipt.ok);
  CHECK(after.receipt.error.find("closed") != std::string::npos);
  const auto bad = sink.submit_canonical(canonicalize_event({{"no type", 1}}), t0());
  CHECK_FALSE(bad.pending);
  CHECK_FALSE(bad.receipt.error.empty());
  // Tickets this sink did not issue are refused rather than waited for or taken on trust.
  assent::audit_ticket forged = first;
  forged.issuer = nullptr;
  CHECK(sink.await(forged).error.find("not for a record of this audit log") != std::string::npos);
  temp_dir other_dir;
  const auto other = open_group(other_dir.file("other.log"));
  const auto theirs = other->submit_canonical(canonicalize_event({{"type", "elsewhere"}}), t0());
  CHECK_FALSE(sink.await(theirs).ok);
  auto beyond = first;
  beyond.receipt.seq = 99;
  CHECK_FALSE(sink.await(beyond).ok);
  CHECK(other->await(theirs).ok);
  const auto res = verify_log_text(read_file(path));
  CHECK(res.ok());
  CHECK(res.count == 3);
}

TEST_CASE("the memory sink's tickets are settled at once", "[audit][concurrency]") {
  memory_sink sink;
  const auto t = sink.submit_canonical(canonicalize_event({{"type", "x"}}), t0());
  CHECK_FALSE(t.pending);
  CHECK(t.receipt.ok);
  CHECK(t.receipt.seq == 1);
  const auto r = sink.await(t);
  CHECK(r.ok);
  CHECK(r.hash == t.receipt.hash);
}

TEST_CASE("concurrent appends in modes none and per_record also give one valid chain", "[audit][concurrency]") {
  for (auto d : {durability::none, durability::per_record}) {
    temp_dir dir;
    const std::string path = dir.file("audit.log");
    file_sink_options o;
    o.mode = d;
    auto opened = file_sink::open(path, o);
    REQUIRE(opened.ok());
    const unsigned per = d == durability::none ? 200 : 8;
    const auto receipts = hammer(*opened.sink, 8, per);
    REQUIRE(opened.sink->close() == std::nullopt);
    check_log(read_file(path), receipts, 8, per);
  }
}

TEST_CASE("concurrent group commits with checkpoints end with a checkpoint of the whole log",
          "[audit][concurrency][checkpoint]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  const auto key = make_key(21, "log-key");
  const auto keys = trust({key});
  file_sink_options o;
  o.mode = durability::group;
  o.checkpoint_key = key;
  o.checkpoint_every_records = 16;
  o.log_id = "concurrent";
  auto opened = file_sink::open(path, o);
  REQUIRE(opened.ok());
  const auto receipts = hammer(*opened.sink, 8, 16);
  REQUIRE(opened.sink->close() == std::nullopt);
  check_log(read_file(path), receipts, 8, 16);
  const auto res = verify_log_file_signed(path, read_file(path + ".checkpoint"), *keys, "concurrent");
  CHECK(res.ok());
  const auto cp = read_checkpoint_file(path + ".checkpoint", *keys, "concurrent");
  REQUIRE(cp.ok());
  CHECK(cp.value->count == 128);
}

TEST_CASE("8 threads appending into one memory sink give one valid chain", "[audit][concurrency]") {
  memory_sink sink;
  const auto receipts = hammer(sink, 8, 250);
  check_log(sink.text(), receipts, 8, 250);
}

TEST_CASE("a tee over a file sink and a memory sink stays consistent under concurrency", "[audit][concurrency]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  auto sink = open_group(path);
  memory_sink mem;
  tee_sink tee({*sink, mem});
  const auto receipts = hammer(tee, 4, 20);  // seq and hash are the file's
  REQUIRE(sink->close() == std::nullopt);
  check_log(read_file(path), receipts, 4, 20);
  CHECK(verify_log_text(mem.text()).count == 80);
}

TEST_CASE("a tee keeps a group-commit branch's records in flight and settles every branch",
          "[audit][concurrency]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  auto sink = open_group(path);
  memory_sink mem;
  tee_sink tee({*sink, mem});
  std::atomic<int> faults{0};
  const auto receipts = hammer_pipelined(tee, 2, 40, 8, faults);  // pending: the file's branch is
  CHECK(faults == 0);
  REQUIRE(sink->close() == std::nullopt);
  check_log(read_file(path), receipts, 2, 40);
  CHECK(verify_log_text(mem.text()).count == 80);
}

TEST_CASE("a tee's pending ticket fails when any branch fails, naming it, and foreign tickets are refused",
          "[audit][concurrency]") {
  temp_dir dir;
  auto live = open_group(dir.file("live.log"));
  auto closed = open_group(dir.file("closed.log"));
  REQUIRE(closed->close() == std::nullopt);
  tee_sink tee({*live, *closed});
  const auto t = tee.submit_canonical(canonicalize_event({{"type", "x"}}), t0());
  REQUIRE(t.pending);  // the live branch's record is queued; the closed branch refused at once
  CHECK(t.receipt.seq == 1);
  const auto r = tee.await(t);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("sink 1: ") != std::string::npos);
  CHECK(r.error.find("closed") != std::string::npos);
  CHECK(live->head().count == 1);  // not atomic: the live branch keeps its record
  memory_sink mem;
  tee_sink other({*live, mem});
  const auto theirs = other.submit_canonical(canonicalize_event({{"type", "y"}}), t0());
  REQUIRE(theirs.pending);
  CHECK(tee.await(theirs).error.find("not one of this tee's") != std::string::npos);
  CHECK(other.await(theirs).ok);
  const auto bad = tee.submit_canonical(canonicalize_event({{"no type", 1}}), t0());
  CHECK_FALSE(bad.pending);
  CHECK_FALSE(bad.receipt.error.empty());
}
