/// @file
/// Signing keys from and to files: private JWKs (RFC 8037 §2, the seed as "d") and PKCS#8 PEM.
///
/// A private JWK is an OKP Ed25519 JWK with both "d" and "x"; x must be the public key d derives
/// (a mismatched pair would sign as one key and claim to be another). It may carry kid, alg
/// ("Ed25519" or "EdDSA", as in key sets), use ("sig"), key_ops (["sign"] or ["sign", "verify"]), the x5* members and assent's
/// key-set members (principal is kept; the others are checked and ignored, so one file can be
/// both the private key and the source of its public entry). Unknown members are refused, as in
/// key sets.
///
/// The kid of a loaded key is, in order: the JWK's kid, the `kid` argument, or the key's RFC 7638
/// thumbprint (RFC 7638 §1 names the thumbprint as a kid); a JWK kid that differs from a
/// non-empty argument is an error.
///
/// Secrets: the decoded seed, the "d" text assent copies out of the parsed document and that
/// document's own copy are wiped before they are freed. Text passed in and text returned belong
/// to the caller, who wipes them (crypto::secure_wipe).
#pragma once

#include <cstddef>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "assent/config.hpp"
#include "assent/crypto/ct.hpp"
#include "assent/crypto/ed25519.hpp"
#include "assent/encoding.hpp"
#include "assent/json/access.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/keys/jwks.hpp"
#include "assent/keys/pem.hpp"
#include "assent/keys/signing_key.hpp"

ASSENT_BEGIN_NAMESPACE

/// The outcome of loading a signing key: the key, or why it was refused. A default-constructed
/// result is a failure.
struct signing_key_result {
  std::optional<signing_key> key;  ///< set exactly when the key was accepted
  key_load_error error;            ///< meaningful when key is empty

  /// True when key holds the signing key.
  [[nodiscard]] bool ok() const noexcept { return key.has_value(); }
  /// Same as ok().
  explicit operator bool() const noexcept { return ok(); }
};

namespace detail {

inline signing_key_result signing_key_fail(std::string message, std::string path) {
  signing_key_result out;
  out.error.message = std::move(message);
  out.error.path = std::move(path);
  return out;
}

inline void wipe_key_text(std::string& s) noexcept { crypto::secure_wipe(s.data(), s.size()); }

// Wipes the "d" member of a parsed document in place (nlohmann does not wipe what it frees).
inline void wipe_jwk_d(nlohmann::json& doc) noexcept {
  if (!doc.is_object()) return;
  const auto it = doc.find("d");
  if (it == doc.end()) return;
  if (auto* s = it->get_ptr<std::string*>()) wipe_key_text(*s);
}

// The kid a loaded key gets (see the file comment).
inline std::optional<std::string> choose_signing_kid(const std::optional<std::string>& from_file, std::string argument,
                                              const crypto::ed25519::public_key& pk, std::string& why) {
  if (from_file) {
    if (!argument.empty() && argument != *from_file) {
      why = "kid \"" + argument + "\" was asked for, but the key's kid is \"" + *from_file + "\"";
      return std::nullopt;
    }
    return *from_file;
  }
  if (!argument.empty()) return argument;
  return jwk_thumbprint(pk);
}

// The private JWK of a parsed document; the secret is read only from here on, in constant time
// (tests/ct/private_jwk_ct.cpp marks "d" undefined in the parsed document and runs this under
// valgrind). The JSON lexer that found the string's end is not constant time: it branches on
// each character's class, which is the same for every base64url character. Wipes "d" in doc.
inline signing_key_result load_private_jwk_document(nlohmann::json& doc, std::string kid) {
  struct wipe_on_exit {
    nlohmann::json& doc;
    std::string& d_text;
    crypto::ed25519::seed& seed;
    ~wipe_on_exit() {
      wipe_jwk_d(doc);
      wipe_key_text(d_text);
      crypto::secure_wipe(seed);
    }
  };
  std::string d_text;
  crypto::ed25519::seed seed{};
  const wipe_on_exit guard{doc, d_text, seed};

  json::object_reader r(doc);
  std::optional<crypto::ed25519::public_key> pk;
  std::optional<std::string> file_kid;
  key_record_spec members;
  if (r.ok()) pk = read_okp_public(r);
  if (r.ok()) {
    d_text = r.required_string("d");
    if (r.ok()) {
      auto d = base64url_decode(d_text);
      if (!d) {
        r.fail("d", json::access_errc::invalid_value, "not canonical unpadded base64url (RFC 7515 section 2)");
      } else if (d->size() != seed.size()) {
        r.fail("d", json::access_errc::invalid_value, "must encode 32 bytes, got " + std::to_string(d->size()));
      } else {
        for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = (*d)[i];
      }
      if (d) crypto::secure_wipe(d->data(), d->size());
    }
    file_kid = r.optional_string("kid");
    if (file_kid && file_kid->size() > 256) r.fail("kid", json::access_errc::out_of_range, "must be 1 to 256 characters");
    const auto ops = r.optional_string_array("key_ops");
    if (ops) {
      const bool sign_only = ops->size() == 1 && (*ops)[0] == "sign";
      const bool sign_verify = ops->size() == 2 && ((*ops)[0] == "sign" || (*ops)[1] == "sign") &&
                               ((*ops)[0] == "verify" || (*ops)[1] == "verify");
      if (!sign_only && !sign_verify) {
        r.fail("key_ops", json::access_errc::invalid_value, "must be [\"sign\"] or [\"sign\", \"verify\"]");
      }
    }
    read_assent_members(r, members, false);
  }
  if (auto e = r.finish()) {
    const std::string name = file_kid ? "private key \"" + *file_kid + "\"" : std::string("private key");
    return signing_key_fail(name + ": " + json::describe(*e), e->path);
  }
  std::string why;
  const auto chosen = choose_signing_kid(file_kid, std::move(kid), *pk, why);
  if (!chosen) return signing_key_fail("private key: " + why, file_kid ? "/kid" : "");
  signing_key key = signing_key::from_seed(seed, *chosen, std::move(members.principal));
  // RFC 8037 §2: x is the public key; it must be the one d derives.
  if (key.public_key() != *pk) {
    return signing_key_fail("private key \"" + *chosen + "\": /x: invalid_value: not the public key of d", "/x");
  }
  signing_key_result out;
  out.key.emplace(std::move(key));
  return out;
}

inline signing_key_result load_private_jwk_unguarded(std::string_view json_text, std::string kid) {
  auto parsed = json::parse_strict(json_text);
  if (!parsed) {
    return signing_key_fail("private JWK is not strict JSON: " + std::string(json::to_string(parsed.error.code)) +
                                " at byte " + std::to_string(parsed.error.offset) + ": " + parsed.error.message,
                            "");
  }
  return load_private_jwk_document(*parsed.value, std::move(kid));
}

inline signing_key_result load_private_pem_unguarded(std::string_view pem, std::string kid) {
  std::string why;
  auto seed = parse_private_key_pem(pem, &why);
  if (!seed) return signing_key_fail("private key: " + why, "");
  const auto pk = crypto::ed25519::secret_key::from_seed(*seed).public_bytes();
  const auto chosen = choose_signing_kid(std::nullopt, std::move(kid), pk, why);  // cannot fail without a file kid
  signing_key_result out;
  out.key.emplace(signing_key::from_seed(*seed, chosen.value_or(std::string())));
  crypto::secure_wipe(*seed);
  return out;
}

// Runs a loader, turning any exception (only std::bad_alloc is possible) into an error.
template <class F>
signing_key_result signing_key_guard(F&& load) noexcept {
  try {
    return load();
  } catch (...) {
    signing_key_result out;
    try {
      out.error.message = "private key: out of memory";
    } catch (...) {
    }
    return out;
  }
}

}  // namespace detail

/// Loads a private JWK (see the file comment). Never throws.
[[nodiscard]] inline signing_key_result load_private_jwk(std::string_view json_text, std::string kid = {}) noexcept {
  return detail::signing_key_guard([&] { return detail::load_private_jwk_unguarded(json_text, std::move(kid)); });
}

/// Loads a signing key from a private JWK or a PKCS#8 "PRIVATE KEY" PEM text, told apart by the
/// first non-whitespace character. `kid` names a PEM key (which has no kid of its own); see the
/// file comment for how the kid is chosen. Never throws.
[[nodiscard]] inline signing_key_result load_signing_key(std::string_view text, std::string kid = {}) noexcept {
  return detail::signing_key_guard([&] {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '{') {
      return detail::load_private_jwk_unguarded(text, std::move(kid));
    }
    if (first != std::string_view::npos && text[first] == '-') {
      return detail::load_private_pem_unguarded(text, std::move(kid));
    }
    return detail::signing_key_fail("private key: neither a JWK ({...}) nor a PEM file (-----BEGIN PRIVATE KEY-----)",
                                    "");
  });
}

/// Reads a key file and loads it with load_signing_key; the file's bytes are wiped after. Never
/// throws.
[[nodiscard]] inline signing_key_result load_signing_key_file(const std::string& path, std::string kid = {}) noexcept {
  return detail::signing_key_guard([&] {
    std::ifstream in(path, std::ios::binary);
    if (!in) return detail::signing_key_fail("key file \"" + path + "\": cannot open", "");
    // A key file is small; reading a fixed-size buffer avoids reallocations that would leave
    // copies of the secret behind.
    std::string text(std::size_t{64} * 1024, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    const bool too_big = n == text.size() && in.peek() != std::ifstream::traits_type::eof();
    signing_key_result out;
    if (in.bad()) {
      out = detail::signing_key_fail("key file \"" + path + "\": read error", "");
    } else if (too_big) {
      out = detail::signing_key_fail("key file \"" + path + "\": larger than any key file (64 KiB)", "");
    } else {
      out = load_signing_key(std::string_view(text.data(), n), std::move(kid));
      if (!out) out.error.message = "key file \"" + path + "\": " + out.error.message;
    }
    detail::wipe_key_text(text);
    return out;
  });
}

/// The private JWK of a signing key: {"crv","d","kid","kty","principal" (when known),"x"}, in
/// RFC 8785 canonical form. The text holds the secret: the caller wipes it when done.
[[nodiscard]] inline std::string to_private_jwk(const signing_key& key) {
  std::string d = base64url_encode(key.seed());
  const std::string x = base64url_encode(key.public_key());
  const auto kid = json::canonicalize(nlohmann::json(key.kid()));
  const auto principal = json::canonicalize(nlohmann::json(key.principal()));
  std::string out;
  out.reserve(128 + d.size() + x.size() + (kid ? kid->size() : 0) + (principal ? principal->size() : 0));
  out += R"({"crv":"Ed25519","d":")";
  out += d;
  out += "\"";
  if (kid && !key.kid().empty()) out += ",\"kid\":" + *kid;
  out += R"(,"kty":"OKP")";
  if (principal && !key.principal().empty()) out += ",\"principal\":" + *principal;
  out += R"(,"x":")" + x + "\"}";
  detail::wipe_key_text(d);
  return out;
}

/// The PKCS#8 "PRIVATE KEY" PEM text of a signing key (see to_private_key_pem(const seed&)).
[[nodiscard]] inline std::string to_private_key_pem(const signing_key& key) { return to_private_key_pem(key.seed()); }

ASSENT_END_NAMESPACE
