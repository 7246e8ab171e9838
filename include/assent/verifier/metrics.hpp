/// @file
/// Governance metrics a verifier keeps: decisions by outcome, rejections by
/// reason, exception uses, and how old approvals are when they are used.
///
/// Lock-free counters, so reading metrics never slows deciding.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/reason.hpp"

ASSENT_BEGIN_NAMESPACE

/// Counters updated by every decision; safe to read while decisions run.
class governance_metrics {
 public:
  /// Upper bounds (seconds) of the approval-age histogram buckets; the last bucket is open.
  static constexpr std::array<std::int64_t, 7> age_bounds = {60, 300, 900, 3600, 14400, 86400, 604800};

  void count_decision(bool allowed) noexcept { (allowed ? allowed_ : denied_).fetch_add(1, relaxed); }
  void count_reason(reason r) noexcept {
    const auto v = static_cast<std::size_t>(r);
    if (v < by_reason_.size()) by_reason_[v].fetch_add(1, relaxed);
  }
  void count_exception() noexcept { exceptions_.fetch_add(1, relaxed); }
  /// Records the age of an approval at use (decision time minus issued_at).
  void observe_approval_age(std::int64_t seconds) noexcept {
    if (seconds < 0) seconds = 0;
    std::size_t b = 0;
    while (b < age_bounds.size() && seconds > age_bounds[b]) ++b;
    age_buckets_[b].fetch_add(1, relaxed);
    age_sum_.fetch_add(static_cast<std::uint64_t>(seconds), relaxed);
  }

  [[nodiscard]] std::uint64_t allowed() const noexcept { return allowed_.load(relaxed); }
  [[nodiscard]] std::uint64_t denied() const noexcept { return denied_.load(relaxed); }
  [[nodiscard]] std::uint64_t exceptions() const noexcept { return exceptions_.load(relaxed); }
  [[nodiscard]] std::uint64_t reason_count(reason r) const noexcept {
    const auto v = static_cast<std::size_t>(r);
    return v < by_reason_.size() ? by_reason_[v].load(relaxed) : 0;
  }

  /// A snapshot as JSON: {"decisions": {...}, "reasons": {...}, "exceptions": N, "approval_age_seconds": {...}}.
  [[nodiscard]] nlohmann::json to_json() const {
    nlohmann::json reasons = nlohmann::json::object();
    for (std::size_t i = 0; i < by_reason_.size(); ++i) {
      const auto n = by_reason_[i].load(relaxed);
      if (n != 0) reasons[std::string(assent::to_string(static_cast<reason>(i)))] = n;
    }
    nlohmann::json buckets = nlohmann::json::array();
    std::uint64_t count = 0;
    for (std::size_t b = 0; b < age_buckets_.size(); ++b) {
      const auto n = age_buckets_[b].load(relaxed);
      count += n;
      nlohmann::json le = b < age_bounds.size() ? nlohmann::json(age_bounds[b]) : nlohmann::json("+inf");
      buckets.push_back({{"le", le}, {"count", n}});
    }
    return {{"decisions", {{"allow", allowed()}, {"deny", denied()}}},
            {"reasons", std::move(reasons)},
            {"exceptions", exceptions()},
            {"approval_age_seconds",
             {{"count", count}, {"sum", age_sum_.load(relaxed)}, {"buckets", std::move(buckets)}}}};
  }

 private:
  static constexpr std::memory_order relaxed = std::memory_order_relaxed;
  std::atomic<std::uint64_t> allowed_{0}, denied_{0}, exceptions_{0}, age_sum_{0};
  std::array<std::atomic<std::uint64_t>, 128> by_reason_{};
  std::array<std::atomic<std::uint64_t>, age_bounds.size() + 1> age_buckets_{};
};

ASSENT_END_NAMESPACE
