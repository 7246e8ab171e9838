/// @file
/// Governance metrics computed from a log's records alone (docs/audit-format.md, "Metrics").
///
/// Feed verified records (verify_log_file's or verify_export's visitor) to a
/// metrics_accumulator; nothing else is consulted, so anyone holding the log or an export
/// gets the same numbers.
///
/// - decisions, allowed, denied: events of type "decision".
/// - policy_violations: denials counted under each decision-level reason ("reasons").
/// - rejections_by_reason: refused credentials ("rejected") counted by reason, in every
///   decision; expired_evidence is the "expired" entry of it.
/// - exception_uses: decisions whose "exception" is an object. Each opens a post-incident
///   review, identified by the decision's seq and hash, until a host event
///   {"type": "review_closed", "decision_seq": N, "decision_hash": H, "reviewer": R} closes it:
///   N and H must be an earlier, still open exception decision's seq and hash, and R a
///   principal who took no part in that decision (not its initiator, the exception's owner, nor
///   any approver). Any other review_closed event closes nothing and is listed in
///   invalid_review_closures: whoever used break-glass cannot close their own review.
/// - log_repairs: "log_repaired" records (a file sink repaired the log's tail at open).
/// - approval_latency: for each accepted approval that carries "issued_at" (RFC 3339 or
///   integer seconds), the decision's time minus issued_at, in seconds.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/verify.hpp"
#include "assent/config.hpp"
#include "assent/json/time.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {

/// Event type of a host event that closes a post-incident review.
inline constexpr std::string_view review_closed_type = "review_closed";

/// Distribution of latencies in seconds (nearest-rank percentiles).
struct latency_summary {
  std::uint64_t count = 0;  ///< samples
  std::int64_t min = 0;     ///< smallest
  std::int64_t p50 = 0;     ///< median
  std::int64_t p95 = 0;     ///< 95th percentile
  std::int64_t max = 0;     ///< largest
  double mean = 0;          ///< arithmetic mean
};

/// A post-incident review that is still open.
struct open_review {
  std::uint64_t decision_seq = 0;  ///< the exception decision's record
  std::int64_t opened_at = 0;      ///< its time
  std::string incident;            ///< the exception's incident reference
  std::string owner;               ///< who declared the exception
  std::string decision_hash;       ///< the exception decision's record hash
  std::vector<std::string> participants;  ///< its initiator, exception owner and approvers: not reviewers
};

/// Metrics of one log.
struct log_metrics {
  std::uint64_t records = 0;                                 ///< records seen
  std::uint64_t decisions = 0;                               ///< decision events
  std::uint64_t allowed = 0;                                 ///< allowed decisions
  std::uint64_t denied = 0;                                  ///< denied decisions (rejected changes)
  std::map<std::string, std::uint64_t> policy_violations;    ///< denials by decision-level reason
  std::map<std::string, std::uint64_t> rejections_by_reason; ///< refused credentials by reason
  std::uint64_t expired_evidence = 0;                        ///< refused credentials with reason "expired"
  std::uint64_t exception_uses = 0;                          ///< decisions carried by an exception
  std::uint64_t reviews_closed = 0;                          ///< review_closed events that closed a review
  std::vector<open_review> open_reviews;                     ///< exception decisions not yet reviewed
  std::vector<std::uint64_t> invalid_review_closures;        ///< review_closed records naming no open review
  std::uint64_t log_repairs = 0;                             ///< log_repaired records
  std::map<std::string, std::uint64_t> host_events;          ///< other events by type
  latency_summary approval_latency;                          ///< decision time minus approvals' issued_at
  std::uint64_t approvals_without_issued_at = 0;             ///< accepted approvals lacking issued_at
};

/// Accumulates log_metrics from records in sequence order.
class metrics_accumulator {
 public:
  /// Adds one verified record.
  void add(const record_view& r) {
    ++m_.records;
    if (!r.event || !r.event->is_object()) return;
    const nlohmann::json& e = *r.event;
    const std::string type = string_member(e, "type").value_or("");
    if (type == "decision") {
      add_decision(r, e);
    } else if (type == review_closed_type) {
      close_review(r, e);
    } else if (type == repair_event_type) {
      ++m_.log_repairs;
    } else {
      ++m_.host_events[type];
    }
  }

  /// The metrics so far.
  [[nodiscard]] log_metrics result() const {
    log_metrics out = m_;
    for (const auto& [seq, rev] : open_) out.open_reviews.push_back(rev);
    std::vector<std::int64_t> s = latencies_;
    std::sort(s.begin(), s.end());
    if (!s.empty()) {
      auto rank = [&](double p) {  // nearest-rank: the ceil(p * n)-th smallest
        const auto n = static_cast<double>(s.size());
        auto k = static_cast<std::size_t>(p * n);
        if (static_cast<double>(k) < p * n) ++k;
        return s[k == 0 ? 0 : k - 1];
      };
      double sum = 0;
      for (auto v : s) sum += static_cast<double>(v);
      out.approval_latency = {s.size(), s.front(), rank(0.50), rank(0.95), s.back(), sum / static_cast<double>(s.size())};
    }
    return out;
  }

  /// A visitor that feeds this accumulator (keep the accumulator alive while it is used).
  [[nodiscard]] record_visitor visitor() {
    return [this](const record_view& r) { add(r); };
  }

 private:
  static std::optional<std::string> string_member(const nlohmann::json& o, const char* name) {
    const auto it = o.find(name);
    if (it == o.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  }

  void add_decision(const record_view& r, const nlohmann::json& e) {
    ++m_.decisions;
    const bool allowed = string_member(e, "decision").value_or("") == "allow";
    if (allowed) ++m_.allowed;
    else ++m_.denied;
    if (!allowed) {
      const auto reasons = e.find("reasons");
      if (reasons != e.end() && reasons->is_array()) {
        for (const auto& x : *reasons)
          if (x.is_string()) ++m_.policy_violations[x.get<std::string>()];
      }
    }
    const auto rejected = e.find("rejected");
    if (rejected != e.end() && rejected->is_array()) {
      for (const auto& x : *rejected) {
        if (!x.is_object()) continue;
        const auto why = string_member(x, "reason");
        if (!why) continue;
        ++m_.rejections_by_reason[*why];
        if (*why == "expired") ++m_.expired_evidence;
      }
    }
    const auto approvals = e.find("approvals");
    if (approvals != e.end() && approvals->is_array()) {
      for (const auto& a : *approvals) {
        if (!a.is_object()) continue;
        const auto at = a.find("issued_at");
        std::optional<std::int64_t> issued;
        if (at != a.end() && at->is_string()) issued = json::parse_rfc3339(at->get_ref<const std::string&>());
        else if (at != a.end() && at->is_number_integer()) issued = at->get<std::int64_t>();
        if (issued) latencies_.push_back(r.time - *issued);
        else ++m_.approvals_without_issued_at;
      }
    }
    const auto exc = e.find("exception");
    if (exc != e.end() && exc->is_object()) {
      ++m_.exception_uses;
      open_review rev{r.seq, r.time, string_member(*exc, "incident").value_or(""),
                      string_member(*exc, "owner").value_or(""), std::string(r.hash), {}};
      const auto add = [&rev](std::optional<std::string> who) {
        if (who && !who->empty()) rev.participants.push_back(std::move(*who));
      };
      add(string_member(e, "initiator"));
      add(rev.owner);
      if (approvals != e.end() && approvals->is_array())
        for (const auto& a : *approvals)
          if (a.is_object()) add(string_member(a, "approver"));
      open_[r.seq] = std::move(rev);
    }
  }

  // A closure counts only when it names an earlier, open exception decision by seq and hash and
  // the reviewer took no part in it (see the file comment); anything else stays listed.
  void close_review(const record_view& r, const nlohmann::json& e) {
    const auto ds = e.find("decision_seq");
    const auto hash = string_member(e, "decision_hash");
    const auto reviewer = string_member(e, "reviewer");
    if (ds != e.end() && ds->is_number_unsigned() && hash && reviewer && !reviewer->empty()) {
      const auto it = open_.find(ds->get<std::uint64_t>());
      if (it != open_.end() && it->first < r.seq && it->second.decision_hash == *hash &&
          std::find(it->second.participants.begin(), it->second.participants.end(), *reviewer) ==
              it->second.participants.end()) {
        open_.erase(it);
        ++m_.reviews_closed;
        return;
      }
    }
    m_.invalid_review_closures.push_back(r.seq);
  }

  log_metrics m_;
  std::map<std::uint64_t, open_review> open_;
  std::vector<std::int64_t> latencies_;
};

/// Metrics of a log file; nullopt (and the verification in `chain`) when it does not verify.
[[nodiscard]] inline std::optional<log_metrics> metrics_from_log_file(const std::string& path, chain_result* chain = nullptr,
                                                                      const std::optional<checkpoint>& cp = std::nullopt) {
  metrics_accumulator acc;
  const chain_result res = verify_log_file(path, cp, acc.visitor());
  if (chain) *chain = res;
  if (!res.ok()) return std::nullopt;
  return acc.result();
}

/// The metrics as JSON (stable member names, the ones of log_metrics).
[[nodiscard]] inline nlohmann::json to_json(const log_metrics& m) {
  nlohmann::json open = nlohmann::json::array();
  for (const auto& r : m.open_reviews)
    open.push_back({{"decision_seq", r.decision_seq}, {"decision_hash", r.decision_hash},
                    {"opened_at", json::format_rfc3339(r.opened_at)}, {"incident", r.incident}, {"owner", r.owner}});
  const auto& l = m.approval_latency;
  return {{"records", m.records},
          {"decisions", m.decisions},
          {"allowed", m.allowed},
          {"denied", m.denied},
          {"policy_violations", m.policy_violations},
          {"rejections_by_reason", m.rejections_by_reason},
          {"expired_evidence", m.expired_evidence},
          {"exception_uses", m.exception_uses},
          {"reviews_closed", m.reviews_closed},
          {"open_reviews", std::move(open)},
          {"invalid_review_closures", m.invalid_review_closures},
          {"log_repairs", m.log_repairs},
          {"host_events", m.host_events},
          {"approval_latency",
           {{"count", l.count}, {"min", l.min}, {"p50", l.p50}, {"p95", l.p95}, {"max", l.max}, {"mean", l.mean}}},
          {"approvals_without_issued_at", m.approvals_without_issued_at}};
}

}  // namespace audit
ASSENT_END_NAMESPACE
