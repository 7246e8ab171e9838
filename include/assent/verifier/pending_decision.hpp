/// @file
/// A decision whose audit record is chained but not yet durable (verifier::decide_deferred).
///
/// Why it exists: a decision may only be acted on once its record is durable, and a group-commit
/// sink makes a record durable together with the records of other decisions in one fdatasync.
/// A thread that blocks on every decision contributes one record per fdatasync, so a host with
/// few threads (an event loop, a replay engine working through a queue) gets small batches. With
/// decide_deferred such a host keeps many decisions in flight and releases each verdict through
/// get(), which waits for its record; the verdict is never readable before that.
#pragma once

#include <utility>

#include "assent/audit/sink.hpp"
#include "assent/config.hpp"
#include "assent/decision.hpp"
#include "assent/reason.hpp"
#include "assent/verifier/metrics.hpp"

ASSENT_BEGIN_NAMESPACE
namespace detail {

// The last step of every decision: a record that is not written turns it into a deny (fail
// closed); then the decision is counted. Shared by verifier::decide and pending_decision::get.
inline void settle_decision(decision& d, const audit_receipt& receipt, governance_metrics& metrics) {
  if (!receipt.ok) {
    d.allowed = false;
    d.reasons.push_back(reason::audit_failed);
  } else {
    d.audit_seq = receipt.seq;
    d.audit_hash = receipt.hash;
  }
  metrics.count_decision(d.allowed);
  for (auto r : d.reasons) metrics.count_reason(r);
  for (const auto& r : d.rejected) metrics.count_reason(r.why);
  if (d.exception) metrics.count_exception();
}

}  // namespace detail

/// A decision waiting for its audit record to become durable. Move-only; get() settles it.
/// Dropping it unsettled abandons only the wait: the record stays queued and is written by a
/// later batch or when the sink closes, and the decision is not counted in the metrics.
/// Not safe to share between threads. The sink and metrics are borrowed from the verifier: the
/// verifier and its sink must outlive every pending_decision they issued.
class pending_decision {
 public:
  /// An empty pending decision: get() gives a deny (audit_failed).
  pending_decision() = default;
  pending_decision(decision d, audit_ticket ticket, audit_sink& sink, governance_metrics& metrics)
      : decision_(std::move(d)), ticket_(std::move(ticket)), sink_(&sink), metrics_(&metrics) {}
  /// The moved-from object is left empty: its get() gives a deny (audit_failed), so a verdict
  /// can be released once only.
  pending_decision(pending_decision&& other) noexcept
      : decision_(std::move(other.decision_)),
        ticket_(std::move(other.ticket_)),
        sink_(std::exchange(other.sink_, nullptr)),
        metrics_(std::exchange(other.metrics_, nullptr)),
        settled_(std::exchange(other.settled_, false)) {}
  pending_decision& operator=(pending_decision&& other) noexcept {
    if (this != &other) {
      decision_ = std::move(other.decision_);
      ticket_ = std::move(other.ticket_);
      sink_ = std::exchange(other.sink_, nullptr);
      metrics_ = std::exchange(other.metrics_, nullptr);
      settled_ = std::exchange(other.settled_, false);
    }
    return *this;
  }
  pending_decision(const pending_decision&) = delete;
  pending_decision& operator=(const pending_decision&) = delete;
  ~pending_decision() = default;

  /// Waits for the audit record (audit_sink::await) and returns the decision: a deny with
  /// reason::audit_failed when the record could not be made durable. Later calls return the
  /// same decision without waiting. A sink's failure or exception is a deny, never a throw.
  [[nodiscard]] const decision& get() {
    if (settled_) return decision_;
    if (sink_ == nullptr) {  // empty or moved from
      decision_ = decision{};
      decision_.reasons.push_back(reason::audit_failed);
    } else {
      const audit_receipt receipt = detail::guarded_sink_call([&] { return sink_->await(ticket_); });
      detail::settle_decision(decision_, receipt, *metrics_);
    }
    // Last: a std::bad_alloc above leaves it unsettled (a failed record already denied), and
    // the next get() settles it again rather than returning a half-settled decision.
    settled_ = true;
    return decision_;
  }

  /// True once get() has run: the decision is final.
  [[nodiscard]] bool settled() const noexcept { return settled_; }
  /// The audit record's sequence number, fixed at submission (0 when it was not submitted).
  [[nodiscard]] std::uint64_t audit_seq() const noexcept { return ticket_.receipt.seq; }

 private:
  decision decision_;
  audit_ticket ticket_;
  audit_sink* sink_ = nullptr;
  governance_metrics* metrics_ = nullptr;
  bool settled_ = false;
};

ASSENT_END_NAMESPACE
