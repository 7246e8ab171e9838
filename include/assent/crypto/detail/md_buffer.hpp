/// @file
/// The message buffering and padding SHA-256 and SHA-512 share (FIPS 180-4 §5.1): whole blocks
/// go to the compression function, a partial block waits here, and the end of the message is
/// padded with 0x80, zeros and the message length in bits, big-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/ct.hpp"

ASSENT_BEGIN_NAMESPACE
namespace crypto {
namespace detail {

// Big-endian store of a 64-bit word (the length field here, SHA-512's digest words).
ASSENT_ALWAYS_INLINE void store_be64(std::uint8_t* p, std::uint64_t v) noexcept {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}

// BlockSize: 64 (SHA-256) or 128 (SHA-512). LengthBytes: the width of the length field, 8 or 16.
// Compress is called as compress(blocks, count) with count whole blocks.
template <std::size_t BlockSize, std::size_t LengthBytes>
class md_buffer {
  static_assert(LengthBytes == 8 || LengthBytes == 16, "FIPS 180-4 lengths are 64 or 128 bits");

 public:
  md_buffer() noexcept { reset(); }

  void reset() noexcept {
    length_ = 0;
    buffered_ = 0;
  }

  template <class Compress>
  void absorb(Compress&& compress, byte_view data) noexcept {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    if (n == 0) return;  // p may be null for an empty view
    length_ += n;
    if (buffered_ != 0) {
      const std::size_t take = n < BlockSize - buffered_ ? n : BlockSize - buffered_;
      std::memcpy(block_ + buffered_, p, take);
      buffered_ += take;
      p += take;
      n -= take;
      if (buffered_ < BlockSize) return;
      compress(block_, 1);
      buffered_ = 0;
    }
    if (n >= BlockSize) {
      compress(p, n / BlockSize);
      p += n - n % BlockSize;
      n %= BlockSize;
    }
    if (n != 0) std::memcpy(block_, p, n);
    buffered_ = n;
  }

  // Pads and compresses the last block or two, then wipes the buffer (it held message bytes,
  // which may be secret: Ed25519 hashes its secret key) and starts over. The byte count is
  // 64-bit, so a 128-bit length field's high half holds just its top three bits.
  template <class Compress>
  void finish(Compress&& compress) noexcept {
    const std::uint64_t bits_hi = length_ >> 61;
    const std::uint64_t bits_lo = length_ << 3;
    block_[buffered_++] = 0x80;
    if (buffered_ > BlockSize - LengthBytes) {
      std::memset(block_ + buffered_, 0, BlockSize - buffered_);
      compress(block_, 1);
      buffered_ = 0;
    }
    std::memset(block_ + buffered_, 0, BlockSize - buffered_);
    if (LengthBytes == 16) store_be64(block_ + BlockSize - 16, bits_hi);
    store_be64(block_ + BlockSize - 8, bits_lo);
    compress(block_, 1);
    fast_wipe(block_, sizeof block_);
    reset();
  }

 private:
  std::uint8_t block_[BlockSize];
  std::uint64_t length_;  // bytes so far; FIPS 180-4 limits messages to 2^64 - 1 bits
  std::size_t buffered_;
};

}  // namespace detail
}  // namespace crypto
ASSENT_END_NAMESPACE
