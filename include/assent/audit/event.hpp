/// @file
/// Audit events: the JSON object each decision (or host action) records.
///
/// A decision event answers who initiated what, where, whether approval was
/// required, which approvals were provided and which were refused (and why),
/// which capabilities were required, what was decided under which policy,
/// and whether an exception was used. docs/audit-format.md lists the members.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/audit/record.hpp"
#include "assent/audit/sink.hpp"
#include "assent/config.hpp"
#include "assent/decision.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/time.hpp"

ASSENT_BEGIN_NAMESPACE

/// The audit event of a decision (type "decision").
[[nodiscard]] inline nlohmann::json decision_event(const decision& d) {
  nlohmann::json approvals = nlohmann::json::array();
  for (const auto& a : d.approvals) {
    approvals.push_back({{"credential_id", a.credential_id},
                         {"approver", a.approver},
                         {"keyid", a.keyid},
                         {"issued_at", json::format_rfc3339(a.issued_at)},
                         {"exception", a.exception}});
  }
  nlohmann::json rejected = nlohmann::json::array();
  for (const auto& r : d.rejected) {
    rejected.push_back({{"index", r.index},
                        {"credential_id", r.credential_id ? nlohmann::json(*r.credential_id) : nlohmann::json()},
                        {"keyid", r.keyid ? nlohmann::json(*r.keyid) : nlohmann::json()},
                        {"reason", std::string(to_string(r.why))}});
  }
  nlohmann::json reasons = nlohmann::json::array();
  for (auto r : d.reasons) reasons.push_back(std::string(to_string(r)));
  nlohmann::json exc;
  if (d.exception) {
    exc = {{"kind", d.exception->kind},
           {"owner", d.exception->owner},
           {"incident", d.exception->incident},
           {"credential_ids", d.exception->credential_ids},
           {"review_required", true}};
  }
  return {{"type", "decision"},
          {"decision", d.allowed ? "allow" : "deny"},
          {"action", d.action},
          {"project", d.project},
          {"environment", d.environment},
          {"spec_hash", d.spec_hash},
          {"initiator", d.initiator},
          {"destination", d.destination ? nlohmann::json(*d.destination) : nlohmann::json()},
          {"source_environment", d.source_environment ? nlohmann::json(*d.source_environment) : nlohmann::json()},
          {"attributes", d.attributes.is_object() ? d.attributes : nlohmann::json::object()},
          {"approval_required", d.approval_required},
          {"approvals_required", d.approvals_required},
          {"capabilities_required", d.capabilities_required},
          {"approvals", std::move(approvals)},
          {"rejected", std::move(rejected)},
          {"reasons", std::move(reasons)},
          {"missing",
           {{"approvals", d.missing.approvals},
            {"duties", d.missing.duties},
            {"capabilities", d.missing.capabilities}}},
          {"policy", {{"id", d.policy_id}, {"hash", d.policy_hash}}},
          {"exception", std::move(exc)}};
}

namespace audit {
namespace detail {

// The event's bytes as they are written: a buffer grown ahead of the writes, so each write is an
// inline memcpy rather than a call into std::string (whose append is not inlined: it lives in
// libstdc++), which was most of the cost of writing an event.
class event_text {
 public:
  explicit event_text(std::size_t estimate) { buf_.resize(estimate); }
  void put(const char* s, std::size_t n) {
    if (buf_.size() - used_ < n) buf_.resize(std::max(buf_.size() * 2, used_ + n));
    std::memcpy(&buf_[used_], s, n);
    used_ += n;
  }
  void put(std::string_view s) { put(s.data(), s.size()); }
  [[nodiscard]] std::string take() {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  std::string buf_;
  std::size_t used_ = 0;
};

// Writes JCS directly: member names are the fixed ASCII names of decision_event, written here
// already in JCS order (RFC 8785 §3.2.3 sorts by UTF-16 code units, which for ASCII is byte
// order). Strings are checked for UTF-8 once, as JCS requires. Each writer returns false when a
// string is not valid UTF-8.
class event_writer {
 public:
  explicit event_writer(event_text& out) : out_(out) {}

  // `,"name":` (or `{"name":` for the first member of an object the caller opened).
  void key(std::string_view name) {
    char buf[40];
    buf[0] = first_ ? '{' : ',';
    buf[1] = '"';
    first_ = false;
    if (name.size() + 4 > sizeof buf) {  // not for assent's own names; kept correct anyway
      out_.put(buf, 2);
      out_.put(name);
      out_.put("\":", 2);
      return;
    }
    std::memcpy(buf + 2, name.data(), name.size());
    buf[name.size() + 2] = '"';
    buf[name.size() + 3] = ':';
    out_.put(buf, name.size() + 4);
  }
  void open() { first_ = true; }
  void close() {
    if (first_) out_.put("{", 1);  // an empty object
    out_.put("}", 1);
    first_ = false;
  }
  [[nodiscard]] bool str(std::string_view s) {
    if (!json::detail::valid_utf8(s)) return false;
    json::detail::write_string([this](const char* p, std::size_t n) { out_.put(p, n); }, s);
    return true;
  }
  [[nodiscard]] bool opt_str(const std::optional<std::string>& s) {
    if (!s) {
      out_.put("null", 4);
      return true;
    }
    return str(*s);
  }
  [[nodiscard]] bool strs(const std::vector<std::string>& list) {
    out_.put("[", 1);
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) out_.put(",", 1);
      if (!str(list[i])) return false;
    }
    out_.put("]", 1);
    return true;
  }
  void boolean(bool b) { b ? out_.put("true", 4) : out_.put("false", 5); }
  // Integers go through the double form JCS prescribes, like every number it writes.
  void number(double v) {
    std::string n;
    (void)json::detail::append_number(n, v);
    out_.put(n);
  }
  void raw(std::string_view s) { out_.put(s); }

 private:
  event_text& out_;
  bool first_ = true;
};

}  // namespace detail

/// The audit event of a decision in canonical form: byte for byte
/// canonicalize_event(decision_event(d)), written directly without a JSON tree (tests check the
/// two agree). Fails, as canonicalize_event would, on a string that is not valid UTF-8 or an
/// event over the record limits. Never throws.
[[nodiscard]] inline canonical_event canonical_decision_event(const decision& d) noexcept {
  canonical_event out;
  try {
    detail::event_text text(1024 + 256 * (d.approvals.size() + d.rejected.size()));
    detail::event_writer w(text);
    bool ok = true;
    w.open();
    w.key("action");
    ok = ok && w.str(d.action);
    w.key("approval_required");
    w.boolean(d.approval_required);
    w.key("approvals");
    w.raw("[");
    for (std::size_t i = 0; ok && i < d.approvals.size(); ++i) {
      const auto& a = d.approvals[i];
      if (i) w.raw(",");
      detail::event_writer row(text);
      row.open();
      row.key("approver");
      ok = ok && row.str(a.approver);
      row.key("credential_id");
      ok = ok && row.str(a.credential_id);
      row.key("exception");
      row.boolean(a.exception);
      row.key("issued_at");
      ok = ok && row.str(json::format_rfc3339(a.issued_at));
      row.key("keyid");
      ok = ok && row.str(a.keyid);
      row.close();
    }
    w.raw("]");
    w.key("approvals_required");
    w.number(static_cast<double>(d.approvals_required));
    w.key("attributes");
    if (d.attributes.is_object() && !d.attributes.empty()) {
      // Host facts, any names: canonical through JCS itself (sorted by UTF-16 code units).
      const std::optional<std::string> attributes = json::canonicalize(d.attributes);
      ok = ok && attributes.has_value();
      if (attributes) w.raw(*attributes);
    } else {
      w.raw("{}");
    }
    w.key("capabilities_required");
    ok = ok && w.strs(d.capabilities_required);
    w.key("decision");
    w.raw(d.allowed ? "\"allow\"" : "\"deny\"");
    w.key("destination");
    ok = ok && w.opt_str(d.destination);
    w.key("environment");
    ok = ok && w.str(d.environment);
    w.key("exception");
    if (d.exception) {
      detail::event_writer e(text);
      e.open();
      e.key("credential_ids");
      ok = ok && e.strs(d.exception->credential_ids);
      e.key("incident");
      ok = ok && e.str(d.exception->incident);
      e.key("kind");
      ok = ok && e.str(d.exception->kind);
      e.key("owner");
      ok = ok && e.str(d.exception->owner);
      e.key("review_required");
      e.boolean(true);
      e.close();
    } else {
      w.raw("null");
    }
    w.key("initiator");
    ok = ok && w.str(d.initiator);
    w.key("missing");
    {
      detail::event_writer m(text);
      m.open();
      m.key("approvals");
      m.number(static_cast<double>(d.missing.approvals));
      m.key("capabilities");
      ok = ok && m.strs(d.missing.capabilities);
      m.key("duties");
      ok = ok && m.strs(d.missing.duties);
      m.close();
    }
    w.key("policy");
    {
      detail::event_writer p(text);
      p.open();
      p.key("hash");
      ok = ok && p.str(d.policy_hash);
      p.key("id");
      ok = ok && p.str(d.policy_id);
      p.close();
    }
    w.key("project");
    ok = ok && w.str(d.project);
    w.key("reasons");
    w.raw("[");
    for (std::size_t i = 0; i < d.reasons.size(); ++i) {
      if (i) w.raw(",");
      ok = ok && w.str(to_string(d.reasons[i]));
    }
    w.raw("]");
    w.key("rejected");
    w.raw("[");
    for (std::size_t i = 0; ok && i < d.rejected.size(); ++i) {
      const auto& r = d.rejected[i];
      if (i) w.raw(",");
      detail::event_writer row(text);
      row.open();
      row.key("credential_id");
      ok = ok && row.opt_str(r.credential_id);
      row.key("index");
      row.number(static_cast<double>(r.index));
      row.key("keyid");
      ok = ok && row.opt_str(r.keyid);
      row.key("reason");
      ok = ok && row.str(to_string(r.why));
      row.close();
    }
    w.raw("]");
    w.key("source_environment");
    ok = ok && w.opt_str(d.source_environment);
    w.key("spec_hash");
    ok = ok && w.str(d.spec_hash);
    w.key("type");
    w.raw("\"decision\"");
    w.close();
    if (!ok) {
      out.error = "the audit event has no canonical JSON form (a NaN or infinite number, or invalid UTF-8)";
      return out;
    }
    // Its nesting is fixed (three levels below the event), so only the lists' lengths can
    // break the reader limits; attributes, when they are the flat facts a verifier accepts,
    // are one level deep, and the full check runs when they are not.
    const bool flat_attributes =
        !d.attributes.is_object() ||
        std::all_of(d.attributes.begin(), d.attributes.end(), [](const nlohmann::json& v) { return v.is_primitive(); });
    std::size_t longest = std::max({d.approvals.size(), d.rejected.size(), d.reasons.size(),
                                    d.capabilities_required.size(), d.missing.duties.size(),
                                    d.missing.capabilities.size()});
    if (d.attributes.is_object()) longest = std::max(longest, d.attributes.size());
    if (d.exception) longest = std::max(longest, d.exception->credential_ids.size());
    if (longest > max_container_size) {
      out.error = "the audit event has a list of more than " + std::to_string(max_container_size) + " entries";
      return out;
    }
    out = detail::recordable(text.take(), /*check_shape=*/!flat_attributes);
    out.by_assent_ = out.ok();  // the one maker of decision records the sinks accept
    return out;
  } catch (...) {  // std::bad_alloc
    out.text.clear();
    out.error = "out of memory while canonicalizing the audit event";
  }
  return out;
}

}  // namespace audit

ASSENT_END_NAMESPACE
