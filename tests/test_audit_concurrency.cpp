// Concurrent appends: many threads into one sink give one valid chain holding every record exactly
// once, and each receipt names the record that was written (run under the tsan preset too).
#include <atomic>
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

// Appends `per_thread` events from each of `threads` threads; returns every receipt.
std::vector<receipt_row> hammer(assent::audit_sink& sink, unsigned threads, unsigned per_thread) {
  std::vector<std::vector<receipt_row>> got(threads);
  std::atomic<unsigned> ready{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ++ready;
      while (ready.load() < threads) std::this_thread::yield();  // start together
      for (unsigned i = 0; i < per_thread; ++i) {
        const auto r = sink.append({{"type", "concurrent"}, {"thread", t}, {"i", i}}, t0(i));
        if (r.ok) got[t].push_back({r.seq, r.hash});
      }
    });
  }
  for (auto& th : pool) th.join();
  std::vector<receipt_row> all;
  for (auto& g : got) all.insert(all.end(), g.begin(), g.end());
  return all;
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

}  // namespace

TEST_CASE("8 threads appending into one group-commit file sink give one valid chain, each record once",
          "[audit][concurrency]") {
  temp_dir dir;
  const std::string path = dir.file("audit.log");
  file_sink_options o;
  o.mode = durability::group;
  auto opened = file_sink::open(path, o);
  REQUIRE(opened.ok());
  const auto receipts = hammer(*opened.sink, 8, 40);
  REQUIRE(opened.sink->close() == std::nullopt);
  check_log(read_file(path), receipts, 8, 40);
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
  const auto cp = read_checkpoint_file(path + ".checkpoint", *keys);
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
  file_sink_options o;
  o.mode = durability::group;
  auto opened = file_sink::open(path, o);
  REQUIRE(opened.ok());
  memory_sink mem;
  tee_sink tee({*opened.sink, mem});
  const auto receipts = hammer(tee, 4, 20);  // seq and hash are the file's
  REQUIRE(opened.sink->close() == std::nullopt);
  check_log(read_file(path), receipts, 4, 20);
  CHECK(verify_log_text(mem.text()).count == 80);
}
