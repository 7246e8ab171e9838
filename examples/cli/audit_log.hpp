// Opening an audit log for writing, shared by assent decide and assent audit append.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <assent/audit/file_sink.hpp>
#include <assent/keys/signing_key.hpp>

#include "common.hpp"

namespace assent_cli {

/// Opens an audit log with the file sink (group durability), optionally with a checkpoint key
/// whose checkpoint close() writes; exit 2 when it cannot be opened. A torn tail cut back at
/// open is reported as a warning.
[[nodiscard]] inline std::unique_ptr<assent::audit::file_sink> open_audit_log(context& ctx, const std::string& path,
                                                                            const std::optional<std::string>& checkpoint_key,
                                                                            const std::optional<std::string>& log_id) {
  assent::audit::file_sink_options options;
  options.mode = assent::audit::durability::group;
  if (log_id) options.log_id = *log_id;
  if (checkpoint_key) {
    options.checkpoint_key = std::make_shared<const assent::signing_key>(load_private_key(*checkpoint_key));
    // One checkpoint, written by close(); no background thread for one short-lived writer.
    options.checkpoint_every_records = 0;
    options.checkpoint_every = std::chrono::seconds{0};
  }
  auto opened = assent::audit::file_sink::open(path, options);
  if (!opened.ok()) fail(opened.error);
  if (opened.repair.repaired) ctx.warn("audit log " + quote(path) + ": " + opened.repair.reason);
  return std::move(opened.sink);
}

}  // namespace assent_cli
