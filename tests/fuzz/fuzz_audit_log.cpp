// Audit log reading and writing agree on every input:
// - verify_log_text never crashes; on an intact chain every line is a record that build_record
//   rebuilds byte for byte from its parts, and appending one more record keeps the chain intact;
// - any text parse_strict reads as an object with a string "type" is either refused by
//   canonicalize_event or becomes a record that parse_record (the reader's limits) accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "assent/audit/log_metrics.hpp"
#include "assent/audit/record.hpp"
#include "assent/audit/verify.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "fuzz_check.hpp"

namespace audit = assent::audit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // As a log.
  audit::metrics_accumulator metrics;
  const auto res = audit::verify_log_text(text, std::nullopt, metrics.visitor());
  (void)metrics.result();
  if (res.ok()) {
    ASSENT_FUZZ_CHECK(res.good_bytes == size);
    ASSENT_FUZZ_CHECK(res.bad_seq == 0);
    audit::chain_head head;
    std::size_t pos = 0;
    while (pos < text.size()) {
      const auto nl = text.find('\n', pos);
      ASSENT_FUZZ_CHECK(nl != std::string_view::npos);
      const auto line = text.substr(pos, nl + 1 - pos);
      const auto lr = audit::parse_record(line.substr(0, line.size() - 1));
      ASSENT_FUZZ_CHECK(lr.code == audit::line_errc::ok);
      const auto event = assent::json::canonicalize(lr.record->event);
      ASSENT_FUZZ_CHECK(event.has_value());
      const auto rebuilt = audit::build_record(head, *event, lr.record->time);
      ASSENT_FUZZ_CHECK(rebuilt && rebuilt->line == line && rebuilt->hash == lr.record->hash);
      head = {rebuilt->seq, rebuilt->hash};
      pos = nl + 1;
    }
    ASSENT_FUZZ_CHECK(head.count == res.count && head.hash == res.head);
    const auto next = audit::build_record(head, R"({"type":"fuzz"})", 0);
    ASSENT_FUZZ_CHECK(next.has_value());
    const auto longer = audit::verify_log_text(std::string(text) + next->line);
    ASSENT_FUZZ_CHECK(longer.ok() && longer.count == res.count + 1);
  } else {
    ASSENT_FUZZ_CHECK(res.bad_seq == res.count + 1);
    ASSENT_FUZZ_CHECK(res.good_bytes <= size);
  }

  // As an event.
  const auto parsed = assent::json::parse_strict(text, audit::record_parse_limits());
  if (parsed.ok()) {
    const auto ce = audit::canonicalize_event(*parsed.value);
    if (ce.ok()) {
      const auto rec = audit::build_record(audit::chain_head{}, ce.text, 1767225600);
      ASSENT_FUZZ_CHECK(rec.has_value());
      const auto back = audit::parse_record(std::string_view(rec->line).substr(0, rec->line.size() - 1));
      ASSENT_FUZZ_CHECK(back.code == audit::line_errc::ok);
      ASSENT_FUZZ_CHECK(audit::verify_log_text(rec->line).ok());
    }
  }
  return 0;
}
