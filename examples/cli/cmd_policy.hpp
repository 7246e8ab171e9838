// assent hash and assent policy check: what to approve (a spec hash) and what decides (a policy).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <assent/json/strict_parse.hpp>
#include <assent/policy/key_set_check.hpp>
#include <assent/policy/load.hpp>
#include <assent/spec_hash.hpp>

#include "common.hpp"

namespace assent_cli {

inline constexpr const char* hash_help =
    R"(Usage: assent hash [--raw | --json] FILE

Prints the spec hash of FILE ("-": stdin) as sha256:<64 hex>, the value approvals and requests
carry in "spec_hash". A JSON document is hashed over its RFC 8785 canonical form, so
reformatting or reordering members does not change the hash; anything else is hashed as raw
bytes. A JSON text that readers could read differently (duplicate member names, a byte-order
mark, a number beyond double range or with no exact double such as 1234567890123456789,
invalid UTF-8) gets no hash, nor does JSON nested deeper than 1024: fix it, or hash its bytes
with --raw. Files up to 256 MiB.

Options:
  --raw        hash the bytes as they are, JSON or not
  --json       the file must be JSON: refuse it (exit 2) instead of hashing its raw bytes
  -h, --help   this text

Exit status: 0 hash printed, 2 usage error, unreadable file, or no hash for this input.
)";

inline constexpr const char* policy_check_help =
    R"(Usage: assent policy check POLICY [--keys KEYS]

Loads a policy document ("-": stdin) with every check the verifier's loader applies and prints
{"valid": true, "id": ID, "hash": "sha256:<hex>", "version": N}. The hash is over the policy's
RFC 8785 canonical form; every decision and audit record names it. On a fault prints
{"valid": false, "path": JSON_POINTER, "message": TEXT} and one line on stderr naming the file
and the JSON path.

With --keys, also reads the key set (a JWKS) against the policy: a key role that is neither a
ranked role nor a duty of the policy, or an environment the policy does not name, is listed in
"key_set_mismatches" as {"kid", "member", "value"} (a role typo such as "amdin" would otherwise
show only at decision time, as approver_role_too_low), with one line on stderr, and exits 1.

Options:
  --keys KEYS  a key set to check against the policy
  -h, --help   this text

Exit status: 0 valid (and the key set agrees), 1 not a valid policy or a key set that does not
agree with it, 2 usage error or unreadable file.
)";

inline constexpr const char* policy_help =
    R"(Usage: assent policy check POLICY [--keys KEYS]

Subcommands:
  check   validate a policy document and print its id and hash
)";

/// Largest file assent hash reads: what the library canonicalises (256 MiB).
inline const std::size_t hash_input_limit = assent::spec_document_limits().max_bytes;

/// assent hash (see hash_help).
inline int cmd_hash(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"raw", false, false}, {"json", false, false}});
  if (a.help) {
    ctx.out << hash_help;
    return exit_ok;
  }
  a.operands(1, 1, "FILE to hash");
  if (a.has("raw") && a.has("json")) fail("--raw and --json exclude each other");
  const std::string& path = a.positional[0];
  const std::string text = read_whole(ctx, path, hash_input_limit, "file");
  if (a.has("raw")) {
    ctx.out << assent::spec_hash_of_bytes(text) << '\n';
    return exit_ok;
  }
  const assent::document_hash h = assent::hash_document(text);
  if (a.has("json") && !h.json && h.hash) {
    fail("file " + quote(path) + " is not JSON assent reads: " + std::string(to_string(h.error.code)) + " at byte " +
         std::to_string(h.error.offset) + ": " + h.error.message);
  }
  if (!h.hash) {
    fail("file " + quote(path) + " is JSON that readers could read differently, or beyond the limits: no hash (" +
         std::string(to_string(h.error.code)) + " at byte " + std::to_string(h.error.offset) + ": " + h.error.message +
         "); fix it or use --raw");
  }
  ctx.out << *h.hash << '\n';
  return exit_ok;
}

/// assent policy check (see policy_check_help).
inline int cmd_policy_check(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"pretty", false, false}, {"keys", true, false}});
  if (a.help) {
    ctx.out << policy_check_help;
    return exit_ok;
  }
  a.operands(1, 1, "POLICY file");
  const std::string& path = a.positional[0];
  const file_text t = read_input(ctx, path, json_input_limit, "policy file");
  assent::policy_result r;
  if (t.truncated) {
    r.error = {"", "larger than " + std::to_string(json_input_limit) + " bytes"};
  } else {
    r = assent::load_policy(std::string_view(t.text));
  }
  if (!r.ok()) {
    print_json(ctx, {{"valid", false}, {"path", r.error.path}, {"message", r.error.message}}, a.has("pretty"));
    fail("policy file " + quote(path) + ": " + r.describe(), exit_negative);
  }
  nlohmann::json out = {
      {"valid", true}, {"id", r.value->id()}, {"hash", r.value->hash()}, {"version", r.value->version()}};
  if (!a.has("keys")) {
    print_json(ctx, out, a.has("pretty"));
    return exit_ok;
  }
  const auto store = load_key_set(ctx, a.need("keys"));
  const auto mismatches = assent::check_key_set(*r.value, *store);
  out["key_set_mismatches"] = nlohmann::json::array();
  for (const auto& m : mismatches)
    out["key_set_mismatches"].push_back({{"kid", m.kid}, {"member", m.member}, {"value", m.value}});
  print_json(ctx, out, a.has("pretty"));
  if (!mismatches.empty()) {
    const auto& m = mismatches.front();
    fail("key set " + quote(a.need("keys")) + ": key " + quote(m.kid) + " " + m.member + " \"" + m.value +
             "\" is not named by the policy" +
             (mismatches.size() > 1 ? " (and " + std::to_string(mismatches.size() - 1) + " more)" : ""),
         exit_negative);
  }
  return exit_ok;
}

}  // namespace assent_cli
