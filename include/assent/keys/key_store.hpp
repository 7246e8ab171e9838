/// @file
/// The key store extension point: find a trusted key by its keyid.
///
/// A virtual interface, because stores are stateful, often do I/O (a KMS, a
/// database, a file watched for rotation) and are chosen at run time. A lookup
/// distinguishes "no such key" (the credential is rejected: unknown_key) from
/// "cannot answer now" (key_store_unavailable), so an outage is never
/// mistaken for, or logged as, an attack.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "assent/config.hpp"
#include "assent/keys/key_record.hpp"

ASSENT_BEGIN_NAMESPACE

/// How a lookup ended.
enum class lookup_status : std::uint8_t {
  unavailable = 0,  ///< the store could not answer (default: a default lookup is not a success)
  not_found = 1,    ///< the store answered: no such key
  found = 2,        ///< record holds the key
};

/// The answer to one lookup.
struct key_lookup {
  lookup_status status = lookup_status::unavailable;  ///< how the lookup ended
  std::shared_ptr<const key_record> record;           ///< set when found
};

/// Finds trusted keys. Implementations must be safe to call from several threads at once.
class key_store {
 public:
  virtual ~key_store() = default;
  /// Looks up the key an envelope's signature names.
  [[nodiscard]] virtual key_lookup find(std::string_view keyid) const = 0;
};

/// Looks a key up in a host's store, turning a throw (a KMS time-out, out of memory) into what
/// it means: the store could not answer. Every lookup assent makes goes through here, so no
/// exception from a store crosses the verification path.
[[nodiscard]] inline key_lookup find_key(const key_store& keys, std::string_view keyid) noexcept {
  try {
    return keys.find(keyid);
  } catch (...) {
    return key_lookup{};  // status unavailable
  }
}

/// An in-memory store: fill it, then share it read-only between threads.
class memory_key_store final : public key_store {
 public:
  /// Adds a record; returns an error (naming the kid) if the kid is already present.
  [[nodiscard]] std::optional<std::string> add(key_record record) {
    const std::string kid = record.kid();
    auto [it, inserted] = keys_.emplace(kid, nullptr);
    if (!inserted) return "key \"" + kid + "\": duplicate kid";
    it->second = std::make_shared<const key_record>(std::move(record));
    return std::nullopt;
  }

  [[nodiscard]] key_lookup find(std::string_view keyid) const override {
    auto it = keys_.find(keyid);
    if (it == keys_.end()) return {lookup_status::not_found, nullptr};
    return {lookup_status::found, it->second};
  }

  /// Number of keys held.
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }

  /// Every record, ordered by kid.
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [kid, rec] : keys_) f(*rec);
  }

 private:
  std::map<std::string, std::shared_ptr<const key_record>, std::less<>> keys_;
};

ASSENT_END_NAMESPACE
