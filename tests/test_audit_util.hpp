// Helpers shared by the audit tests: temporary directories, file I/O, fixed keys, sample events.
#pragma once

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assent/keys/key_record.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/keys/signing_key.hpp"

namespace assent_audit_test {

/// A fresh directory under $TMPDIR (or /tmp), removed with its files on destruction.
class temp_dir {
 public:
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/assent-audit-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    if (DIR* d = ::opendir(path_.c_str())) {
      while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") ::unlink((path_ + "/" + n).c_str());
      }
      ::closedir(d);
    }
    ::rmdir(path_.c_str());
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

inline bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

/// Splits a log text into its lines (each without "\n").
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

/// A deterministic key: seed bytes all equal to `fill`.
inline std::shared_ptr<const assent::signing_key> make_key(std::uint8_t fill, const std::string& kid) {
  assent::crypto::ed25519::seed s{};
  for (auto& b : s) b = fill;
  return std::make_shared<const assent::signing_key>(assent::signing_key::from_seed(s, kid, "audit-" + kid));
}

/// The log ids the audit tests use: trust() binds its keys to these unless told otherwise.
inline std::vector<std::string> test_log_ids() {
  return {"test-log", "prod", "staging", "crash", "concurrent", "payments-prod", "log", "x", "empty", "audit.log"};
}

/// A key store trusting the given keys (status active unless told otherwise) to sign for `logs`.
inline std::unique_ptr<assent::memory_key_store> trust(
    const std::vector<std::shared_ptr<const assent::signing_key>>& keys,
    assent::key_status status = assent::key_status::active,
    const std::optional<std::vector<std::string>>& logs = test_log_ids()) {
  auto store = std::make_unique<assent::memory_key_store>();
  for (const auto& k : keys) {
    assent::key_record_spec spec;
    spec.kid = k->kid();
    spec.public_key = k->public_key();
    spec.principal = k->principal();
    spec.status = status;
    spec.logs = logs;
    if (status == assent::key_status::retired) spec.retired_at = 0;
    auto rec = assent::key_record::create(std::move(spec));
    if (!rec.first) throw std::runtime_error(rec.second);
    if (auto err = store->add(std::move(*rec.first))) throw std::runtime_error(*err);
  }
  return store;
}

/// A small host event.
inline nlohmann::json host_event(std::uint64_t n) {
  return {{"type", "test"}, {"n", n}, {"note", "event " + std::to_string(n)}};
}

/// 2026-01-01T00:00:00Z plus n seconds.
inline std::int64_t t0(std::int64_t n = 0) { return 1767225600 + n; }

}  // namespace assent_audit_test
