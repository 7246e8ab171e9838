/// @file
/// The audit sink extension point: where every decision's record goes.
///
/// A virtual interface, because sinks are stateful and do I/O (a file, a
/// queue, a database) chosen at run time. The verifier calls append exactly
/// once per decision and treats any failure as a deny (fail closed), so a
/// sink reports failure honestly rather than dropping a record.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE

/// What a sink says about one append. Default-constructed: a failure.
struct audit_receipt {
  bool ok = false;         ///< the record is written (durably, as the sink's mode promises)
  std::uint64_t seq = 0;   ///< its sequence number in the log (0 when the sink has none)
  std::string hash;        ///< its chain hash, "sha256:<hex>" (empty when the sink has none)
  std::string error;       ///< why it failed, when !ok
};

/// Receives audit events. Implementations must be safe to call from several threads at once.
class audit_sink {
 public:
  virtual ~audit_sink() = default;
  /// Records one event observed at `time` (UTC seconds, the decision's one clock reading).
  [[nodiscard]] virtual audit_receipt append(const nlohmann::json& event, std::int64_t time) = 0;
};

ASSENT_END_NAMESPACE
