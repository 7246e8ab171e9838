/// @file
/// Signed export of an audit log, and its offline verification.
///
/// An export is one DSSE envelope (payload type application/vnd.assent.audit-export.v1+json)
/// signed by an export key. Its payload is the JCS form of
///   {"count": N, "exported_at": RFC 3339, "head": "sha256:<hex>", "log": ID, "records": [...]}
/// where records are the log's records, in order, as JSON objects. Anyone holding the export
/// key's public key (a JWKS) can check, without the log or assent's writer: the signature,
/// every record's hash and the chain, and that count and head match the records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assent/audit/detail/dsse.hpp"
#include "assent/audit/detail/posix_file.hpp"
#include "assent/audit/record.hpp"
#include "assent/audit/verify.hpp"
#include "assent/config.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/json/time.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/keys/signing_key.hpp"

ASSENT_BEGIN_NAMESPACE
namespace audit {

/// DSSE payload type of a signed export.
inline constexpr std::string_view export_payload_type = "application/vnd.assent.audit-export.v1+json";
/// Default bound on an export's size when verifying it.
inline constexpr std::size_t default_max_export_bytes = std::size_t{1} << 30;

/// A signed export, or why none was made. Default: a failure.
struct export_result {
  std::optional<std::string> envelope;  ///< the DSSE envelope (JSON text)
  chain_result verification;            ///< the log's verification (records exported: count, head)
  std::string error;                    ///< why no export was made
  /// True when envelope is set.
  [[nodiscard]] bool ok() const noexcept { return envelope.has_value(); }
};

/// Builds and signs an export of a log held in memory. The log is verified first (and must
/// agree with `cp` when given); a log that does not verify is not exported. Never throws.
[[nodiscard]] inline export_result export_log_text(std::string_view log_text, std::string_view log_id,
                                                   std::int64_t exported_at, const signing_key& key,
                                                   const std::optional<checkpoint>& cp = std::nullopt) noexcept {
  export_result out;
  try {
    out.verification = verify_log_text(log_text, cp);
    if (!out.verification.ok()) {
      out.error = "the log does not verify: " + out.verification.message;
      return out;
    }
    const std::string t = json::format_rfc3339(exported_at);
    const auto id = json::canonicalize(nlohmann::json(std::string(log_id)));
    if (t.empty() || !id) {
      out.error = "exported_at has no RFC 3339 form or the log id is not valid UTF-8";
      return out;
    }
    // The body's JCS form, assembled: members in JCS order (count, exported_at, head, log,
    // records); each record is already its own JCS form (the verified line minus "\n").
    std::string body;
    body.reserve(log_text.size() + 256);
    body += "{\"count\":" + std::to_string(out.verification.count);
    body += ",\"exported_at\":\"" + t + "\"";
    body += ",\"head\":\"" + out.verification.head + "\"";
    body += ",\"log\":" + *id;
    body += ",\"records\":[";
    std::size_t pos = 0;
    bool first = true;
    while (pos < log_text.size()) {
      const auto nl = log_text.find('\n', pos);
      if (!first) body.push_back(',');
      first = false;
      body.append(log_text.substr(pos, nl - pos));
      pos = nl + 1;
    }
    body += "]}";
    out.envelope = detail::dsse_sign(export_payload_type, body, key);
    if (!out.envelope) out.error = "the export could not be signed";
  } catch (...) {
    out.envelope.reset();
    out.error = "out of memory while building the export";
  }
  return out;
}

/// Builds and signs an export of a log file (read whole: an export holds every record).
[[nodiscard]] inline export_result export_log_file(const std::string& path, std::string_view log_id,
                                                   std::int64_t exported_at, const signing_key& key,
                                                   const std::optional<checkpoint>& cp = std::nullopt,
                                                   std::size_t max_bytes = default_max_export_bytes) noexcept {
  try {
    std::string error;
    const auto text = detail::read_small_file(path, max_bytes, error);
    if (!text) {
      export_result out;
      out.verification.code = chain_errc::io_error;
      out.error = error;
      return out;
    }
    return export_log_text(*text, log_id, exported_at, key, cp);
  } catch (...) {
    export_result out;
    out.error = "out of memory while reading the log";
    return out;
  }
}

/// Why an export did not verify. Values are stable; to_string gives the code.
enum class export_errc : std::uint8_t {
  not_verified = 0,       ///< default: nothing was verified
  ok = 1,                 ///< authentic, every record and the chain intact, count and head match
  malformed = 2,          ///< not a DSSE envelope of the export payload type, or a malformed body
  signature_invalid = 3,  ///< no signature verifies under a trusted, not revoked key
  chain = 4,              ///< a record or the chain is bad (see chain)
  count_mismatch = 5,     ///< count is not the number of records
  head_mismatch = 6,      ///< head is not the last record's hash
  wrong_log = 7,          ///< the export is of another log than the one expected
};

/// The stable snake_case name of an export_errc.
[[nodiscard]] constexpr std::string_view to_string(export_errc c) noexcept {
  switch (c) {
    case export_errc::not_verified: return "not_verified";
    case export_errc::ok: return "ok";
    case export_errc::malformed: return "malformed";
    case export_errc::signature_invalid: return "signature_invalid";
    case export_errc::chain: return "chain";
    case export_errc::count_mismatch: return "count_mismatch";
    case export_errc::head_mismatch: return "head_mismatch";
    case export_errc::wrong_log: return "wrong_log";
  }
  return "unknown";
}

/// What verify_export found. Default: a failure.
struct export_verification {
  export_errc code = export_errc::not_verified;  ///< ok or why not
  chain_result chain;                            ///< the records' chain verification
  std::string keyid;                             ///< the key whose signature verified
  std::string log;                               ///< the exported log's id
  std::int64_t exported_at = 0;                  ///< when it was exported (UTC seconds)
  std::uint64_t count = 0;                       ///< count as stated
  std::string head;                              ///< head as stated
  std::string message;                           ///< detail for a human
  /// True when the export is authentic and complete.
  [[nodiscard]] bool ok() const noexcept { return code == export_errc::ok; }
};

/// Verifies an export of log `log_id` offline: a signature under a key of `keys` (e.g. a JWKS
/// loaded into a key store) that is bound to `log_id` (key_record::logs), the body naming
/// `log_id` (else wrong_log) in canonical form, every record's hash and the chain from seq 1,
/// and that count and head match. `visit` sees each verified record. Never throws.
[[nodiscard]] inline export_verification verify_export(std::string_view envelope, const key_store& keys,
                                                       std::string_view log_id, const record_visitor& visit = {},
                                                       std::size_t max_bytes = default_max_export_bytes) noexcept {
  export_verification out;
  try {
    auto fail = [&](export_errc c, std::string why) {
      out.code = c;
      out.message = std::move(why);
      return out;
    };
    if (log_id.empty()) return fail(export_errc::wrong_log, "no log id was given to hold the export to");
    auto opened = detail::dsse_open(envelope, export_payload_type, keys, log_id, max_bytes);
    if (!opened.ok) return fail(opened.malformed ? export_errc::malformed : export_errc::signature_invalid, opened.error);
    out.keyid = opened.keyid;
    json::parse_limits limits;
    limits.max_bytes = max_bytes;
    limits.max_string_bytes = max_record_bytes;
    limits.max_depth = max_record_depth + 2;  // body, records array, then a record
    limits.max_array_elements = max_bytes;
    limits.max_object_members = max_container_size;
    auto parsed = json::parse_strict(opened.payload, limits);
    if (!parsed.ok()) return fail(export_errc::malformed, "the export body is not JSON: " + parsed.error.message);
    const nlohmann::json& body = *parsed.value;
    if (!body.is_object() || body.size() != 5) return fail(export_errc::malformed, "the body is not {count, exported_at, head, log, records}");
    const auto c = body.find("count"), e = body.find("exported_at"), h = body.find("head"), l = body.find("log"),
               r = body.find("records");
    if (c == body.end() || e == body.end() || h == body.end() || l == body.end() || r == body.end())
      return fail(export_errc::malformed, "the body is not {count, exported_at, head, log, records}");
    if (!c->is_number_unsigned() || !e->is_string() || !h->is_string() || !l->is_string() || !r->is_array())
      return fail(export_errc::malformed, "a body member has the wrong type");
    const auto at = json::parse_rfc3339(e->get_ref<const std::string&>());
    if (!at || !detail::is_chain_hash(h->get_ref<const std::string&>()))
      return fail(export_errc::malformed, "exported_at is not RFC 3339 or head is not a chain hash");
    const auto canon = json::canonicalize(body);
    if (!canon || *canon != opened.payload) return fail(export_errc::malformed, "the body is not in canonical (RFC 8785) form");
    out.log = l->get<std::string>();
    if (out.log != log_id)
      return fail(export_errc::wrong_log, "the export is of log \"" + out.log + "\", not \"" + std::string(log_id) + "\"");
    out.exported_at = *at;
    out.count = c->get<std::uint64_t>();
    out.head = h->get<std::string>();

    chain_verifier v;
    for (const auto& rec : *r) {
      const auto line = json::canonicalize(rec);
      if (!line) {
        v.fail(chain_errc::malformed_line, v.state().count + 1, "not a record");
        break;
      }
      if (!v.feed(*line, line->size() + 1, &visit)) break;
    }
    out.chain = v.finish();
    if (!out.chain.ok()) return fail(export_errc::chain, out.chain.message);
    if (out.count != out.chain.count || out.count != r->size())
      return fail(export_errc::count_mismatch, "count is " + std::to_string(out.count) + ", the export holds " +
                                                   std::to_string(r->size()) + " records");
    if (out.head != out.chain.head) return fail(export_errc::head_mismatch, "head is " + out.head + ", the last record's hash is " + out.chain.head);
    out.code = export_errc::ok;
    return out;
  } catch (...) {
    export_verification fail_out;
    fail_out.code = export_errc::malformed;
    fail_out.message = "out of memory while verifying the export";
    return fail_out;
  }
}

}  // namespace audit
ASSENT_END_NAMESPACE
