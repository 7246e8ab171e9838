/// @file
/// Clocks: where a decision's one time reading comes from.
///
/// The clock is a template parameter of the verifier so tests and
/// investigations pin time (`fixed_clock`), and production reads the system
/// clock. Each decision reads it exactly once.
#pragma once

#include <chrono>
#include <cstdint>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE

/// The system's wall clock, in whole UTC seconds since the epoch.
struct system_clock {
  [[nodiscard]] std::int64_t now() const noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/// A clock stopped at one instant (tests, `assent decide --at`).
struct fixed_clock {
  std::int64_t at = 0;  ///< UTC seconds since the epoch
  [[nodiscard]] std::int64_t now() const noexcept { return at; }
};

ASSENT_END_NAMESPACE
