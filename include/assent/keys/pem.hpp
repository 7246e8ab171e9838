/// @file
/// Ed25519 keys as DER and PEM, exactly as `openssl pkey` writes them.
///
/// Public keys are SubjectPublicKeyInfo (RFC 5280 §4.1.2.7 with RFC 8410 §4), private keys
/// PKCS#8 / OneAsymmetricKey (RFC 5958 §2 with RFC 8410 §7), armored as RFC 7468 "PUBLIC KEY" and
/// "PRIVATE KEY". DER gives every value one encoding (X.690 §10), so a key has exactly one
/// accepted byte string; the reader rejects BER (indefinite or non-minimal lengths), parameters
/// after the Ed25519 OID (RFC 8410 §3: they MUST be absent), and anything after the key.
///
/// Private keys: version 1 (what OpenSSL 3 writes) and version 2 with the [1] public key (what
/// Bouncy Castle writes, and RFC 8410 §10.3's example); a version 2 key's public key must be the
/// one its seed derives. A version 1 key with a public key, a version 2 key without one, and
/// encrypted keys are refused. Attributes ([0], e.g. a friendlyName) are checked for shape and
/// ignored.
///
/// PEM: nothing before the BEGIN line, only line breaks after the END line, no RFC 1421 headers,
/// LF or CRLF line ends, body lines of 1 to 76 base64 characters (all but the last of one length,
/// a multiple of 4: OpenSSL writes 64, MIME 76), canonical padded base64 (RFC 4648 §3.5).
///
/// Parsers fill `*error` (if given) with the reason on failure and throw only std::bad_alloc.
/// Intermediate buffers that held a secret are wiped before they are freed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assent/bytes.hpp"
#include "assent/config.hpp"
#include "assent/crypto/ct.hpp"
#include "assent/crypto/ed25519.hpp"
#include "assent/encoding.hpp"
#include "assent/keys/key_record.hpp"

ASSENT_BEGIN_NAMESPACE
namespace detail {

// id-Ed25519, OID 1.3.101.112 (RFC 8410 §3), as DER content octets.
inline constexpr std::uint8_t der_oid_ed25519[] = {0x2b, 0x65, 0x70};

// The two structures, byte for byte, up to the key (DER is unique, so these are the only forms):
//   SEQUENCE(42) { SEQUENCE(5) { OID 1.3.101.112 }, BIT STRING(33) { 0 unused bits, key } }
inline constexpr std::uint8_t der_spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                     0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
//   SEQUENCE(46) { INTEGER 0, SEQUENCE(5) { OID }, OCTET STRING(34) { OCTET STRING(32) seed } }
inline constexpr std::uint8_t der_pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                                      0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

// Longest PEM text accepted: an Ed25519 key file is under 200 bytes.
inline constexpr std::size_t pem_max_text = 4096;

inline void pem_set_error(std::string* error, const std::string& why) {
  if (error != nullptr) *error = why;
}

inline std::string der_hex_byte(std::uint8_t b) {
  static constexpr char digits[] = "0123456789abcdef";
  return std::string("0x") + digits[b >> 4] + digits[b & 0x0f];
}

// Input bytes quoted in an error: printable ASCII only, cut short, so a message is safe to log.
inline std::string pem_printable(std::string_view s, std::size_t max = 40) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    const char c = s[i];
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  if (s.size() > max) out += "...";
  return out;
}

// A cursor over DER bytes. Every element here is small, so lengths take one or two bytes.
class der_reader {
 public:
  der_reader(const std::uint8_t* data, std::size_t size, std::size_t base) noexcept
      : data_(data), size_(size), base_(base) {}

  [[nodiscard]] bool at_end() const noexcept { return pos_ == size_; }
  [[nodiscard]] std::size_t offset() const noexcept { return base_ + pos_; }
  [[nodiscard]] std::optional<std::uint8_t> peek_tag() const noexcept {
    if (at_end()) return std::nullopt;
    return data_[pos_];
  }

  // Reads one element whose identifier octet must be `tag`; `content` then covers its contents.
  [[nodiscard]] bool read(std::uint8_t tag, const char* what, der_reader& content, std::string* error) {
    const std::size_t start = offset();
    const std::string where = std::string(what) + " at byte " + std::to_string(start);
    if (at_end()) return fail(error, "DER: " + where + " is missing (input ends)");
    if (data_[pos_] != tag) {
      return fail(error, "DER: expected " + where + " (tag " + der_hex_byte(tag) + "), found tag " +
                             der_hex_byte(data_[pos_]));
    }
    if (size_ - pos_ < 2) return fail(error, "DER: " + where + " is truncated");
    const std::uint8_t first = data_[pos_ + 1];
    std::size_t len = 0, header = 2;
    if (first < 0x80) {
      len = first;
    } else if (first == 0x80) {
      return fail(error, "DER: " + where + " has an indefinite length (BER, not DER)");
    } else if (first == 0x81 || first == 0x82) {
      header = first == 0x81 ? 3 : 4;
      if (size_ - pos_ < header) return fail(error, "DER: " + where + " is truncated");
      for (std::size_t i = 2; i < header; ++i) len = (len << 8) | data_[pos_ + i];
      // X.690 §10.1: the definite form with the fewest octets.
      if (len < (first == 0x81 ? 0x80u : 0x100u)) {
        return fail(error, "DER: " + where + " has a non-minimal length encoding");
      }
    } else {
      return fail(error, "DER: " + where + " has a length far too large for an Ed25519 key");
    }
    if (len > size_ - pos_ - header) return fail(error, "DER: " + where + " is truncated");
    content = der_reader(data_ + pos_ + header, len, start + header);
    pos_ += header + len;
    return true;
  }

  [[nodiscard]] const std::uint8_t* data() const noexcept { return data_ + pos_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return size_ - pos_; }

 private:
  static bool fail(std::string* error, const std::string& why) {
    pem_set_error(error, why);
    return false;
  }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t base_;  // offset of data_[0] in the whole input, for messages
  std::size_t pos_ = 0;
};

inline bool der_expect_end(const der_reader& r, const char* what, std::string* error) {
  if (r.at_end()) return true;
  pem_set_error(error, std::string("DER: unexpected bytes at byte ") + std::to_string(r.offset()) + " after " + what);
  return false;
}

// Names an algorithm OID a user may plausibly hand us by mistake.
inline std::string der_algorithm_name(const der_reader& oid) {
  struct known {
    std::array<std::uint8_t, 9> bytes;
    std::size_t size;
    const char* name;
  };
  static constexpr known table[] = {
      {{0x2b, 0x65, 0x6e}, 3, "X25519 (1.3.101.110)"},
      {{0x2b, 0x65, 0x6f}, 3, "X448 (1.3.101.111)"},
      {{0x2b, 0x65, 0x71}, 3, "Ed448 (1.3.101.113)"},
      {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}, 7, "an EC key (id-ecPublicKey)"},
      {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01}, 9, "an RSA key (rsaEncryption)"},
  };
  for (const auto& k : table) {
    if (oid.remaining() == k.size && std::memcmp(oid.data(), k.bytes.data(), k.size) == 0) return k.name;
  }
  return "an unknown algorithm";
}

// AlgorithmIdentifier: SEQUENCE { OID id-Ed25519 } and nothing else (RFC 8410 §3).
inline bool der_read_ed25519_algorithm(der_reader& r, std::string* error) {
  der_reader alg(nullptr, 0, 0), oid(nullptr, 0, 0);
  if (!r.read(0x30, "AlgorithmIdentifier SEQUENCE", alg, error)) return false;
  if (!alg.read(0x06, "algorithm OBJECT IDENTIFIER", oid, error)) return false;
  if (oid.remaining() != sizeof der_oid_ed25519 ||
      std::memcmp(oid.data(), der_oid_ed25519, sizeof der_oid_ed25519) != 0) {
    pem_set_error(error, "DER: the key is " + der_algorithm_name(oid) + ", not Ed25519 (OID 1.3.101.112)");
    return false;
  }
  if (!alg.at_end()) {
    pem_set_error(error, "DER: Ed25519 AlgorithmIdentifier has parameters (RFC 8410 section 3: they MUST be absent)");
    return false;
  }
  return true;
}

// Reads BIT STRING content holding a 32-byte key with 0 unused bits.
inline bool der_read_key_bits(der_reader& bits, crypto::ed25519::public_key& out, std::string* error) {
  if (bits.remaining() == 0 || bits.data()[0] != 0) {
    pem_set_error(error, "DER: public key BIT STRING must start with 0 unused bits");
    return false;
  }
  if (bits.remaining() != 33) {
    pem_set_error(error, "DER: Ed25519 public key must be 32 bytes, found " + std::to_string(bits.remaining() - 1));
    return false;
  }
  std::memcpy(out.data(), bits.data() + 1, 32);
  return true;
}

// PKCS#8 attributes, [0] IMPLICIT SET OF Attribute (RFC 5958 §2), with
// Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET }: checked for shape, then ignored
// (RFC 8410 §10.3's example carries a friendlyName; nothing in one changes what the key is).
inline bool der_skip_attributes(der_reader& r, std::string* error) {
  der_reader set(nullptr, 0, 0);
  if (!r.read(0xa0, "[0] attributes", set, error)) return false;
  while (!set.at_end()) {
    der_reader attribute(nullptr, 0, 0), type(nullptr, 0, 0), values(nullptr, 0, 0);
    if (!set.read(0x30, "Attribute SEQUENCE", attribute, error)) return false;
    if (!attribute.read(0x06, "attribute type OBJECT IDENTIFIER", type, error)) return false;
    if (!attribute.read(0x31, "attribute values SET", values, error)) return false;
    if (!der_expect_end(attribute, "an Attribute", error)) return false;
  }
  return true;
}

// RFC 7468 armor: checks the lines around and inside the body and decodes it into `der`.
inline bool pem_unarmor(std::string_view text, std::string_view label, bytes& der, std::string* error) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  if (text.size() > pem_max_text) {
    pem_set_error(error, "PEM: text is longer than any Ed25519 key file (" + std::to_string(pem_max_text) + " bytes)");
    return false;
  }
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) {
      pem_set_error(error, "PEM: line " + std::to_string(lines.size() + 1) + " has a stray carriage return");
      return false;
    }
    lines.push_back(line);
    pos = nl + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();  // line breaks after END
  if (lines.empty()) {
    pem_set_error(error, "PEM: empty text, expected " + begin);
    return false;
  }
  const std::string_view first = lines.front();
  if (first != begin) {
    std::string why = "PEM: expected \"" + begin + "\" as the first line, found \"" + pem_printable(first) + "\"";
    if (first == "-----BEGIN ENCRYPTED PRIVATE KEY-----") {
      why += " (encrypted keys are not supported: decrypt with `openssl pkey -in key.pem -out plain.pem`)";
    } else if (first == "-----BEGIN OPENSSH PRIVATE KEY-----") {
      why += " (OpenSSH key files are not supported: use PKCS#8 as `openssl genpkey -algorithm ed25519` writes)";
    }
    pem_set_error(error, why);
    return false;
  }
  if (lines.size() < 3 || lines.back() != end) {
    pem_set_error(error, "PEM: expected \"" + end + "\" as the last line");
    return false;
  }
  const std::size_t body_lines = lines.size() - 2;
  const std::size_t width = lines[1].size();
  std::size_t body_size = 0;
  for (std::size_t i = 1; i <= body_lines; ++i) {
    const std::string_view line = lines[i];
    const std::string where = "PEM: line " + std::to_string(i + 1);
    if (line.empty() || line.size() > 76) {
      pem_set_error(error, where + " must hold 1 to 76 base64 characters");
      return false;
    }
    if (line.size() >= 5 && line.substr(0, 5) == "-----") {
      pem_set_error(error, where + ": more than one PEM block, or a misplaced armor line");
      return false;
    }
    if (line.find(':') != std::string_view::npos) {
      pem_set_error(error, where + " is an RFC 1421 header (an encrypted legacy key?); not supported");
      return false;
    }
    for (const char c : line) {
      const bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                       c == '/' || c == '=';
      if (b64) continue;
      if (c == ' ' || c == '\t') {
        pem_set_error(error, where + " has whitespace inside the base64 body");
      } else {
        pem_set_error(error, where + " has a character outside the base64 alphabet");
      }
      return false;
    }
    const bool last = i == body_lines;
    if (!last && (line.size() != width || width % 4 != 0)) {
      pem_set_error(error, where + ": body lines before the last must all have one length, a multiple of 4");
      return false;
    }
    if (last && line.size() > width) {
      pem_set_error(error, where + ": the last body line is longer than the others");
      return false;
    }
    body_size += line.size();
  }
  std::string body;
  body.reserve(body_size);  // no reallocation: no stray copies of a private key's base64
  for (std::size_t i = 1; i <= body_lines; ++i) body.append(lines[i].data(), lines[i].size());
  auto decoded = base64_decode(body);
  crypto::secure_wipe(body.data(), body.size());
  if (!decoded) {
    pem_set_error(error, "PEM: body is not canonical padded base64 (RFC 4648 sections 4 and 3.5)");
    return false;
  }
  der = std::move(*decoded);
  return true;
}

// Wraps base64 text in 64-character lines between the armor lines, as OpenSSL does.
inline std::string pem_armor(std::string_view label, std::string_view b64) {
  std::string out;
  out.reserve(2 * label.size() + b64.size() + b64.size() / 64 + 40);
  out += "-----BEGIN ";
  out += label;
  out += "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64);
    out += '\n';
  }
  out += "-----END ";
  out += label;
  out += "-----\n";
  return out;
}

}  // namespace detail

/// Reads a DER SubjectPublicKeyInfo holding an Ed25519 key (RFC 8410 §4); the key must be a
/// canonical point of the prime-order subgroup (as key_record requires).
[[nodiscard]] inline std::optional<crypto::ed25519::public_key> parse_public_key_der(byte_view der,
                                                                                     std::string* error = nullptr) {
  detail::der_reader in(der.data(), der.size(), 0), spki(nullptr, 0, 0), bits(nullptr, 0, 0);
  if (!in.read(0x30, "SubjectPublicKeyInfo SEQUENCE", spki, error)) return std::nullopt;
  if (!detail::der_expect_end(in, "the SubjectPublicKeyInfo", error)) return std::nullopt;
  if (!detail::der_read_ed25519_algorithm(spki, error)) return std::nullopt;
  if (!spki.read(0x03, "subjectPublicKey BIT STRING", bits, error)) return std::nullopt;
  if (!detail::der_expect_end(spki, "the subjectPublicKey", error)) return std::nullopt;
  crypto::ed25519::public_key key{};
  if (!detail::der_read_key_bits(bits, key, error)) return std::nullopt;
  if (!crypto::ed25519::is_valid_public_key(key)) {
    detail::pem_set_error(error, "public key is not a canonical Ed25519 point of large order");
    return std::nullopt;
  }
  if (!crypto::ed25519::is_prime_order_public_key_vartime(key)) {
    detail::pem_set_error(error, std::string(detail::torsion_twin_error));
    return std::nullopt;
  }
  return key;
}

namespace detail {

// OneAsymmetricKey (RFC 5958 §2) holding an Ed25519 seed (RFC 8410 §7). On failure `seed` may
// hold secret bytes: the caller wipes it either way.
inline bool der_read_pkcs8(byte_view der, crypto::ed25519::seed& seed, std::string* error) {
  der_reader in(der.data(), der.size(), 0), key(nullptr, 0, 0), version(nullptr, 0, 0);
  der_reader outer(nullptr, 0, 0), inner(nullptr, 0, 0);
  if (!in.read(0x30, "PrivateKeyInfo SEQUENCE", key, error)) return false;
  if (!der_expect_end(in, "the PrivateKeyInfo", error)) return false;
  if (!key.read(0x02, "version INTEGER", version, error)) return false;
  // INTEGER 0 (v1) or 1 (v2): one content octet each in DER.
  if (version.remaining() != 1 || version.data()[0] > 1) {
    pem_set_error(error, "DER: PKCS#8 version must be 0 (v1) or 1 (v2, RFC 5958)");
    return false;
  }
  const bool v2 = version.data()[0] == 1;
  if (!der_read_ed25519_algorithm(key, error)) return false;
  if (!key.read(0x04, "privateKey OCTET STRING", outer, error)) return false;
  // CurvePrivateKey ::= OCTET STRING, nested inside privateKey (RFC 8410 §7).
  if (!outer.read(0x04, "CurvePrivateKey OCTET STRING", inner, error)) return false;
  if (!der_expect_end(outer, "the CurvePrivateKey", error)) return false;
  if (inner.remaining() != seed.size()) {
    pem_set_error(error, "DER: Ed25519 private key must be 32 bytes, found " + std::to_string(inner.remaining()));
    return false;
  }
  std::memcpy(seed.data(), inner.data(), seed.size());
  if (key.peek_tag() == std::uint8_t{0xa0} && !der_skip_attributes(key, error)) return false;
  if (key.peek_tag() == std::uint8_t{0x81}) {
    if (!v2) {
      pem_set_error(error, "DER: a PKCS#8 v1 key cannot hold a public key (RFC 5958 section 2)");
      return false;
    }
    der_reader bits(nullptr, 0, 0);
    crypto::ed25519::public_key embedded{};
    if (!key.read(0x81, "[1] publicKey", bits, error) || !der_read_key_bits(bits, embedded, error)) return false;
    if (crypto::ed25519::secret_key::from_seed(seed).public_bytes() != embedded) {
      pem_set_error(error, "DER: the [1] public key does not match the private key");
      return false;
    }
  } else if (v2) {
    pem_set_error(error, "DER: a PKCS#8 v2 key must hold its public key ([1], RFC 5958 section 2)");
    return false;
  }
  return der_expect_end(key, "the private key", error);
}

}  // namespace detail

/// Reads a DER PKCS#8 / OneAsymmetricKey Ed25519 private key (RFC 5958, RFC 8410 §7) and returns
/// its 32-byte seed. The caller wipes the returned seed (crypto::secure_wipe) when done with it.
[[nodiscard]] inline std::optional<crypto::ed25519::seed> parse_private_key_der(byte_view der,
                                                                                std::string* error = nullptr) {
  crypto::ed25519::seed seed{};
  std::optional<crypto::ed25519::seed> out;
  if (detail::der_read_pkcs8(der, seed, error)) out = seed;
  crypto::secure_wipe(seed.data(), seed.size());
  return out;
}

/// The DER SubjectPublicKeyInfo of an Ed25519 public key (44 bytes).
[[nodiscard]] inline std::array<std::uint8_t, 44> to_public_key_der(const crypto::ed25519::public_key& key) noexcept {
  std::array<std::uint8_t, 44> out{};
  std::memcpy(out.data(), detail::der_spki_prefix, sizeof detail::der_spki_prefix);
  std::memcpy(out.data() + sizeof detail::der_spki_prefix, key.data(), key.size());
  return out;
}

/// The DER PKCS#8 v1 form of an Ed25519 seed (48 bytes), as OpenSSL 3 writes it. It holds the
/// secret: the caller wipes it (crypto::secure_wipe) when done.
[[nodiscard]] inline std::array<std::uint8_t, 48> to_private_key_der(const crypto::ed25519::seed& seed) noexcept {
  std::array<std::uint8_t, 48> out{};
  std::memcpy(out.data(), detail::der_pkcs8_prefix, sizeof detail::der_pkcs8_prefix);
  std::memcpy(out.data() + sizeof detail::der_pkcs8_prefix, seed.data(), seed.size());
  return out;
}

/// Reads a "PUBLIC KEY" PEM file holding an Ed25519 key (`openssl pkey -pubout`).
[[nodiscard]] inline std::optional<crypto::ed25519::public_key> parse_public_key_pem(std::string_view pem,
                                                                                     std::string* error = nullptr) {
  bytes der;
  if (!detail::pem_unarmor(pem, "PUBLIC KEY", der, error)) return std::nullopt;
  return parse_public_key_der(der, error);
}

/// Reads a "PRIVATE KEY" (PKCS#8) PEM file holding an Ed25519 key (`openssl genpkey -algorithm
/// ed25519`) and returns its seed; the caller wipes the returned seed when done with it.
[[nodiscard]] inline std::optional<crypto::ed25519::seed> parse_private_key_pem(std::string_view pem,
                                                                                std::string* error = nullptr) {
  bytes der;
  const bool unarmored = detail::pem_unarmor(pem, "PRIVATE KEY", der, error);
  std::optional<crypto::ed25519::seed> seed;
  if (unarmored) seed = parse_private_key_der(der, error);
  crypto::secure_wipe(der.data(), der.size());
  return seed;
}

/// The "PUBLIC KEY" PEM text of an Ed25519 public key, byte for byte what OpenSSL writes.
[[nodiscard]] inline std::string to_public_key_pem(const crypto::ed25519::public_key& key) {
  return detail::pem_armor("PUBLIC KEY", base64_encode(to_public_key_der(key)));
}

/// The "PRIVATE KEY" (PKCS#8 v1) PEM text of an Ed25519 seed, byte for byte what OpenSSL writes.
/// The text holds the secret: the caller wipes it when done.
[[nodiscard]] inline std::string to_private_key_pem(const crypto::ed25519::seed& seed) {
  auto der = to_private_key_der(seed);
  std::string b64 = base64_encode(der);
  crypto::secure_wipe(der.data(), der.size());
  std::string out = detail::pem_armor("PRIVATE KEY", b64);
  crypto::secure_wipe(b64.data(), b64.size());
  return out;
}

ASSENT_END_NAMESPACE
