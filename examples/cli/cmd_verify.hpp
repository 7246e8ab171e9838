// assent verify: signatures only, no policy. One JSON line per envelope.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <assent/envelope.hpp>
#include <assent/keys/signature_check.hpp>
#include <assent/keys/key_store.hpp>
#include <assent/reason.hpp>

#include "common.hpp"

namespace assent_cli {

inline constexpr const char* verify_help =
    R"(Usage: assent verify --keys JWKS [FILE ...]

Checks the signatures of DSSE envelopes against a trusted key set, and nothing else (no policy,
no claims, no time). Each FILE holds one envelope; with no FILE (or "-") envelopes are read
from stdin as JSON Lines (one per line; blank lines are skipped). Prints one JSON line per
envelope:

  {"index": I, "valid": BOOL, "keyid": K, "principal": P, "reason": CODE, "payloadType": T,
   "signatures": [{"keyid": K, "principal": P, "valid": BOOL, "reason": CODE}, ...]}

An envelope is valid when every signature verifies under a key of the set that is not revoked.
keyid and principal are those of its first signature; reason is the first fault (null when
valid): malformed_envelope (with "detail"), unknown_key, key_revoked, bad_signature.

Options:
  --keys FILE   trusted key set (JWKS)
  -h, --help    this text

Exit status: 0 every envelope valid, 1 at least one is not, 2 usage error, unreadable input,
a bad key set, or no envelope at all.
)";

namespace detail {

// One signature checked against the key store (assent::check_signature), as a report row.
inline nlohmann::json signature_row(const assent::key_store& keys, assent::byte_view pae_bytes,
                                      const assent::dsse::signature_entry& entry) {
  const assent::signature_check check = assent::check_signature(keys, pae_bytes, entry);
  nlohmann::json row = {{"keyid", entry.keyid}, {"principal", nullptr}, {"valid", check.ok()}, {"reason", nullptr}};
  if (check.record) row["principal"] = check.record->principal();
  if (!check.ok()) row["reason"] = std::string(to_string(check.why));
  return row;
}

// The report line of one envelope text.
inline nlohmann::json check_envelope(const assent::key_store& keys, std::size_t index, std::string_view text) {
  nlohmann::json line = {{"index", index}, {"valid", false},  {"keyid", nullptr},
                         {"principal", nullptr}, {"reason", nullptr}};
  const assent::dsse::envelope_result parsed = assent::dsse::parse_envelope(text);
  if (!parsed) {
    line["reason"] = std::string(to_string(assent::reason::malformed_envelope));
    line["detail"] = std::string(to_string(parsed.error)) + ": " + parsed.message;
    return line;
  }
  const assent::dsse::envelope& env = *parsed.value;
  const assent::bytes pae_bytes = assent::dsse::pae(env);
  nlohmann::json signatures = nlohmann::json::array();
  bool all_valid = true;
  for (const auto& entry : env.signatures) {
    nlohmann::json row = signature_row(keys, pae_bytes, entry);
    if (!row["valid"].get<bool>()) {
      if (all_valid) line["reason"] = row["reason"];
      all_valid = false;
    }
    signatures.push_back(std::move(row));
  }
  line["valid"] = all_valid;
  line["keyid"] = signatures[0]["keyid"];
  line["principal"] = signatures[0]["principal"];
  line["payloadType"] = env.payload_type;
  line["signatures"] = std::move(signatures);
  return line;
}

// Calls `each` with every non-blank line of stdin until it returns false; then stops reading.
// A line longer than `cap` is handed on cut to cap + 1 bytes (the envelope parser then refuses
// it as too large) and the rest of it skipped, so memory stays bounded whatever arrives.
inline void for_each_stdin_line(context& ctx, std::size_t cap, const std::function<bool(std::string_view)>& each) {
  if (ctx.stdin_used) fail("stdin was already read by another argument");
  ctx.stdin_used = true;
  std::string line;
  bool overflow = false;
  bool more = true;
  const auto emit = [&] {
    if (line.find_first_not_of(" \t\r") != std::string::npos) more = each(line);
    line.clear();
    overflow = false;
  };
  char chunk[65536];
  while (more) {
    const ssize_t got = ::read(0, chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(std::string("stdin: cannot read: ") + std::strerror(errno));
    }
    if (got == 0) break;
    for (std::size_t i = 0; i < static_cast<std::size_t>(got) && more; ++i) {
      if (chunk[i] == '\n') {
        emit();
      } else if (!overflow) {
        line.push_back(chunk[i]);
        if (line.size() > cap) overflow = true;
      }
    }
  }
  if (more) emit();
}

}  // namespace detail

/// assent verify (see verify_help).
inline int cmd_verify(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"keys", true, false}});
  if (a.help) {
    ctx.out << verify_help;
    return exit_ok;
  }
  const auto store = load_key_set(ctx, a.need("keys"));
  const std::size_t cap = assent::dsse::envelope_limits{}.max_envelope_bytes;
  std::size_t index = 0;
  bool all_valid = true;
  const auto report = [&](std::string_view text) {
    const nlohmann::json line = detail::check_envelope(*store, index++, text);
    all_valid = all_valid && line["valid"].get<bool>();
    print_json(ctx, line);
    return true;
  };
  std::vector<std::string> files = a.positional;
  if (files.empty()) files.emplace_back("-");
  for (const auto& f : files) {
    if (f == "-") {
      detail::for_each_stdin_line(ctx, cap, report);
    } else {
      // Read at most one byte over the envelope limit: a longer file is reported, not slurped.
      const file_text t = read_input(ctx, f, cap, "envelope file");
      // An empty file holds no envelope to judge: unreadable input, not an invalid envelope.
      if (!t.truncated && t.text.find_first_not_of(" \t\r\n") == std::string::npos) {
        fail("envelope file " + quote(f) + " is empty");
      }
      (void)report(t.text);
    }
  }
  if (index == 0) fail("no envelope to verify (stdin was empty)");
  return all_valid ? exit_ok : exit_negative;
}

}  // namespace assent_cli
