/// @file
/// The storage of the verifier's caches: fixed capacity, set-associative (one slot per key
/// position, the newest entry wins), sharded by the key's first byte so concurrent decisions
/// rarely wait on one another.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

#include "assent/config.hpp"
#include "assent/crypto/sha256.hpp"

ASSENT_BEGIN_NAMESPACE
namespace detail {

// Keys are SHA-256 digests, so their bytes are already uniformly spread: byte 0 picks the
// shard, bytes 8..15 the slot. A Value converts to false when empty.
template <typename Value>
class sharded_cache {
 public:
  using key_type = crypto::sha256::digest_type;

  explicit sharded_cache(std::size_t capacity) {
    const std::size_t per_shard = (capacity + shard_count - 1) / shard_count;
    for (auto& s : shards_) s.slots.assign(per_shard == 0 ? 1 : per_shard, slot{});
  }

  // The value kept for k, or a default Value.
  [[nodiscard]] Value find(const key_type& k) const {
    const shard& s = shards_[k[0] % shard_count];
    std::lock_guard<std::mutex> lock(s.mutex);
    const slot& e = s.slots[slot_index(k, s)];
    return e.value && e.key == k ? e.value : Value{};
  }

  // Keeps v for k, evicting whatever shared its slot.
  void insert(const key_type& k, Value v) {
    shard& s = shards_[k[0] % shard_count];
    std::lock_guard<std::mutex> lock(s.mutex);
    slot& e = s.slots[slot_index(k, s)];
    e.key = k;
    e.value = std::move(v);
  }

 private:
  static constexpr std::size_t shard_count = 16;
  struct slot {
    key_type key{};
    Value value{};
  };
  struct shard {
    mutable std::mutex mutex;
    std::vector<slot> slots;
  };
  static std::size_t slot_index(const key_type& k, const shard& s) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, k.data() + 8, sizeof v);
    return static_cast<std::size_t>(v % s.slots.size());
  }

  std::array<shard, shard_count> shards_;
};

}  // namespace detail
ASSENT_END_NAMESPACE
