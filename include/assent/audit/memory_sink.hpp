/// @file
/// Sinks that need no file: null (tests only), in-memory (keeps the chain), and tee (several
/// sinks at once).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/record.hpp"
#include "assent/audit/sink.hpp"
#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {

/// Accepts every event and records nothing. FOR TESTS ONLY: a verifier given this sink leaves
/// no audit trail, which defeats the point of deciding through assent in production.
class null_sink final : public audit_sink {
 public:
  /// Returns ok with seq 0 and no hash (there is no chain).
  [[nodiscard]] audit_receipt append(const nlohmann::json&, std::int64_t) override {
    audit_receipt r;
    r.ok = true;
    return r;
  }
  /// Returns ok with seq 0 and no hash (there is no chain).
  [[nodiscard]] audit_receipt append_canonical(const canonical_event&, std::int64_t) override {
    audit_receipt r;
    r.ok = true;
    return r;
  }
};

/// Keeps the chain in memory: every record line, in order. Thread-safe. For tests, for hosts
/// that ship records elsewhere themselves, and as a tee branch that can be exported.
class memory_sink final : public audit_sink {
 public:
  /// Builds and keeps the next record; fails (never throws) for an event that cannot be
  /// recorded (see canonicalize_event) or a time with no RFC 3339 form.
  [[nodiscard]] audit_receipt append(const nlohmann::json& event, std::int64_t time) override {
    return append_canonical(canonicalize_event(event), time);
  }
  /// Builds and keeps the next record from an event already in canonical form.
  [[nodiscard]] audit_receipt append_canonical(const canonical_event& ce, std::int64_t time) override {
    audit_receipt out;
    try {
      if (auto refused = detail::refusal(ce)) {
        out.error = std::move(*refused);
        return out;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      auto rec = build_record(head_, ce.text, time);
      if (!rec) {
        out.error = "cannot build the record (time outside years 0000-9999, or the chain is full)";
        return out;
      }
      lines_.push_back(std::move(rec->line));
      head_.count = rec->seq;
      head_.hash = rec->hash;
      out.ok = true;
      out.seq = rec->seq;
      out.hash = std::move(rec->hash);
    } catch (...) {
      out = audit_receipt{};
      out.error = "out of memory";
    }
    return out;
  }

  /// Number of records held.
  [[nodiscard]] std::uint64_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return head_.count;
  }
  /// Count and hash of the last record.
  [[nodiscard]] chain_head head() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return head_;
  }
  /// Every record line (each ending in "\n"), in sequence order.
  [[nodiscard]] std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }
  /// The log as one text, exactly what a file sink would have written.
  [[nodiscard]] std::string text() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    for (const auto& l : lines_) out += l;
    return out;
  }

 private:
  mutable std::mutex mutex_;
  chain_head head_;
  std::vector<std::string> lines_;
};

/// Sends every event to several sinks (borrowed; they must outlive the tee), in the order
/// given. Semantics:
/// - every sink is tried, even after one fails, so a broken branch does not stop the others
///   from recording the attempt;
/// - the receipt is ok only if every sink's is ok; seq and hash are those of the first sink;
///   the error names each failing sink by its index;
/// - not atomic: a record written by one branch stays there when another fails (logs are
///   append-only). The verifier then denies with audit_failed, so a branch may hold the record
///   of a decision that was finally denied; the record shows what was evaluated, not what the
///   host was told.
/// - each branch keeps its own chain; under concurrent appends two branches may order the same
///   events differently.
class tee_sink final : public audit_sink {
 public:
  /// A tee over `sinks` (at least one; an empty tee fails every append).
  explicit tee_sink(std::vector<std::reference_wrapper<audit_sink>> sinks) : sinks_(std::move(sinks)) {}

  /// Appends to every sink; ok only if all are ok.
  [[nodiscard]] audit_receipt append(const nlohmann::json& event, std::int64_t time) override {
    return append_canonical(canonicalize_event(event), time);
  }
  /// Appends the canonical event to every sink; ok only if all are ok.
  [[nodiscard]] audit_receipt append_canonical(const canonical_event& event, std::int64_t time) override {
    if (auto refused = refuse(event)) return *refused;
    std::vector<audit_receipt> got;
    got.reserve(sinks_.size());
    for (auto& s : sinks_)
      got.push_back(assent::detail::guarded_sink_call([&] { return s.get().append_canonical(event, time); }));
    return combine(got);
  }

  /// Submits to every sink; the ticket is pending when any branch's is, and await() then waits
  /// for each branch in turn, so a tee over a group-commit file sink keeps its batching.
  [[nodiscard]] audit_ticket submit_canonical(const canonical_event& event, std::int64_t time) override {
    audit_ticket out;
    if (auto refused = refuse(event)) {
      out.receipt = *refused;
      return out;
    }
    auto branches = std::make_shared<std::vector<audit_ticket>>();
    branches->reserve(sinks_.size());
    bool pending = false;
    for (auto& s : sinks_) {
      branches->push_back(assent::detail::guarded_submit(s.get(), event, time));
      pending = pending || branches->back().pending;
    }
    if (!pending) {
      std::vector<audit_receipt> got;
      for (auto& t : *branches) got.push_back(std::move(t.receipt));
      out.receipt = combine(got);
      return out;
    }
    out.pending = true;
    out.issuer = this;
    out.receipt.seq = branches->front().receipt.seq;
    out.receipt.hash = branches->front().receipt.hash;
    out.state = std::move(branches);
    return out;
  }

  /// Awaits every branch's ticket; ok only if all are ok.
  [[nodiscard]] audit_receipt await(const audit_ticket& ticket) override {
    if (!ticket.pending) return ticket.receipt;
    const auto* branches = static_cast<const std::vector<audit_ticket>*>(ticket.state.get());
    if (ticket.issuer != this || !branches || branches->size() != sinks_.size()) {
      audit_receipt out;
      out.error = "the ticket is not one of this tee's";
      return out;
    }
    std::vector<audit_receipt> got;
    got.reserve(sinks_.size());
    for (std::size_t i = 0; i < sinks_.size(); ++i)
      got.push_back(assent::detail::guarded_sink_call([&] { return sinks_[i].get().await((*branches)[i]); }));
    return combine(got);
  }

 private:
  // Why an event is not sent to the branches at all, if it is not.
  [[nodiscard]] std::optional<audit_receipt> refuse(const canonical_event& event) const {
    auto why = detail::refusal(event);
    if (!why && !sinks_.empty()) return std::nullopt;
    audit_receipt out;
    out.error = why ? std::move(*why) : std::string("tee_sink has no sinks");
    return out;
  }

  // One receipt per branch, in order: ok only if all are; seq and hash of the first; the error
  // names each failing branch by its index.
  [[nodiscard]] static audit_receipt combine(std::vector<audit_receipt>& got) {
    audit_receipt out;
    bool all_ok = !got.empty();
    std::string errors;
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (i == 0) {
        out.seq = got[i].seq;
        out.hash = std::move(got[i].hash);
      }
      if (!got[i].ok) {
        all_ok = false;
        try {
          if (!errors.empty()) errors += "; ";
          errors += "sink " + std::to_string(i) + ": " + got[i].error;
        } catch (...) {  // out of memory for the message: the failure itself still counts
        }
      }
    }
    out.ok = all_ok;
    out.error = std::move(errors);
    return out;
  }

  std::vector<std::reference_wrapper<audit_sink>> sinks_;
};

}  // namespace audit
ASSENT_END_NAMESPACE
