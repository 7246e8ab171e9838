/// @file
/// The audit sink extension point: where every decision's record goes.
///
/// A virtual interface, because sinks are stateful and do I/O (a file, a
/// queue, a database) chosen at run time. The verifier records each decision
/// exactly once and treats any failure as a deny (fail closed), so a sink
/// reports failure honestly rather than dropping a record.
///
/// Two ways in: append(json) is the one a host's own sink must implement;
/// append_canonical takes the event already in its canonical (JCS) text, which
/// is how the verifier hands over decisions. The built-in sinks take that text
/// as it is, because building a JSON tree per decision only to serialise it
/// again cost more than the rest of the decision outside Ed25519.
/// submit_canonical + await split an append in two, for hosts that keep many
/// decisions in flight per thread (verifier::decide_deferred); sinks that do
/// not batch need not override them.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <utility>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/json/strict_parse.hpp"

ASSENT_BEGIN_NAMESPACE

struct decision;

namespace audit {

/// Event type of a decision record (written by the verifier alone).
inline constexpr std::string_view decision_event_type = "decision";
/// Event type of the record a file sink writes when opening repaired the log's tail.
inline constexpr std::string_view repair_event_type = "log_repaired";

/// True for the event types assent writes itself and no host event may carry.
[[nodiscard]] constexpr bool is_reserved_event_type(std::string_view type) noexcept {
  return type == decision_event_type || type == repair_event_type;
}

struct canonical_event;
class file_sink;
[[nodiscard]] inline canonical_event canonical_decision_event(const decision& d) noexcept;

/// An event in canonical form, or why it cannot be recorded. Made by
/// audit::canonicalize_event (any host event) or audit::canonical_decision_event
/// (a decision); sinks rely on `text` being the RFC 8785 form of a JSON object
/// with a string member "type", within the reader limits of audit/record.hpp.
///
/// Reserved event types (audit::is_reserved_event_type: "decision", "log_repaired") are
/// written by assent alone. Only canonical_decision_event and the file sink's own repair
/// record can mark an event as assent's (`by_assent()`); the built-in sinks refuse a reserved
/// type in any other event, so a host event can never pass for a decision record.
struct canonical_event {
  std::string text;   ///< JCS of the event; empty on failure
  std::string error;  ///< why it cannot be recorded (empty on success)
  /// True when text holds a recordable event.
  [[nodiscard]] bool ok() const noexcept { return error.empty() && !text.empty(); }
  /// True when assent itself made the event (a decision, a log repair): it may carry a
  /// reserved type.
  [[nodiscard]] bool by_assent() const noexcept { return by_assent_; }

 private:
  // Set only by the makers of reserved events; a host cannot set it through this API.
  friend canonical_event canonical_decision_event(const decision& d) noexcept;
  friend class file_sink;
  bool by_assent_ = false;
};

}  // namespace audit

/// What a sink says about one append. Default-constructed: a failure.
struct audit_receipt {
  bool ok = false;         ///< the record is written (durably, as the sink's mode promises)
  std::uint64_t seq = 0;   ///< its sequence number in the log (0 when the sink has none)
  std::string hash;        ///< its chain hash, "sha256:<hex>" (empty when the sink has none)
  std::string error;       ///< why it failed, when !ok
};

/// A record handed to a sink that need not be durable yet (audit_sink::submit_canonical).
/// `pending == false`: `receipt` is already the final outcome. `pending == true`: the record holds
/// its place in the log (receipt.seq, receipt.hash) but is not acknowledged; receipt.ok stays
/// false until audit_sink::await(ticket) returns the final receipt.
struct audit_ticket {
  audit_receipt receipt;
  bool pending = false;
  /// The sink that issued a pending ticket: await() refuses tickets of other sinks.
  const void* issuer = nullptr;
  /// What the issuing sink needs to settle it, if more than seq and hash (tee_sink: the
  /// tickets of its branches). Shared, so tickets stay cheap to copy.
  std::shared_ptr<const void> state;
};

/// Receives audit events. Implementations must be safe to call from several threads at once.
class audit_sink {
 public:
  virtual ~audit_sink() = default;
  /// Records one event observed at `time` (UTC seconds, the decision's one clock reading).
  [[nodiscard]] virtual audit_receipt append(const nlohmann::json& event, std::int64_t time) = 0;

  /// Records one event given in canonical form (`event.ok()` must hold). The default reads the
  /// text back into JSON and calls append(json), so a sink that implements only append(json)
  /// still receives every event; sinks that store canonical text override this to skip that.
  [[nodiscard]] virtual audit_receipt append_canonical(const audit::canonical_event& event, std::int64_t time) {
    audit_receipt out;
    if (!event.ok()) {
      out.error = event.error.empty() ? "empty audit event" : event.error;
      return out;
    }
    // The default limits hold every recordable event (at most 1 MiB, 31 levels).
    auto parsed = json::parse_strict(event.text);
    if (!parsed.ok()) {
      out.error = "the canonical audit event does not read back as JSON";
      return out;
    }
    if (!event.by_assent()) {  // a host sink sees a reserved type only from assent itself
      const auto type = parsed.value->find("type");
      if (type == parsed.value->end() || !type->is_string() ||
          audit::is_reserved_event_type(type->get_ref<const std::string&>())) {
        out.error = "event types \"decision\" and \"log_repaired\" are reserved: assent writes those records itself";
        return out;
      }
    }
    return append(*parsed.value, time);
  }

  /// Starts recording one event without waiting for it to become durable, so that one thread
  /// can have many records in flight (a server answering each request once its record is on
  /// disk). The record's place in the log is fixed here; await() gives the outcome. The default
  /// records at once (append_canonical) and returns a settled ticket; a sink that batches its
  /// durability (file_sink in group mode) returns a pending one.
  [[nodiscard]] virtual audit_ticket submit_canonical(const audit::canonical_event& event, std::int64_t time) {
    audit_ticket settled;
    settled.receipt = append_canonical(event, time);
    return settled;
  }

  /// Waits until a submitted record is durable as the sink's mode promises and returns its final
  /// receipt; on a settled ticket, returns its receipt at once. Call it at most once per ticket.
  [[nodiscard]] virtual audit_receipt await(const audit_ticket& ticket) { return ticket.receipt; }
};

namespace detail {

// Calls a sink so that a host sink's exception, despite the contract, becomes a failed receipt
// instead of escaping the verification path (the verifier, pending_decision and tee_sink).
template <typename Call>
[[nodiscard]] audit_receipt guarded_sink_call(Call&& call) noexcept {
  audit_receipt receipt;
  try {
    receipt = std::forward<Call>(call)();
  } catch (const std::exception& e) {
    receipt = audit_receipt{};
    try {
      receipt.error = std::string("the audit sink threw: ") + e.what();
    } catch (...) {  // out of memory for the message: the receipt fails all the same
    }
  } catch (...) {
    receipt = audit_receipt{};
    receipt.error = "the audit sink threw";
  }
  return receipt;
}

// submit_canonical, guarded the same way: a throw gives a settled, failed ticket.
[[nodiscard]] inline audit_ticket guarded_submit(audit_sink& sink, const audit::canonical_event& event,
                                                 std::int64_t time) noexcept {
  audit_ticket ticket;
  ticket.receipt = guarded_sink_call([&] {
    ticket = sink.submit_canonical(event, time);
    return ticket.receipt;
  });
  return ticket;
}

}  // namespace detail

ASSENT_END_NAMESPACE
