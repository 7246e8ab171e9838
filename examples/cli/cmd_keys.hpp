// assent keygen: a new Ed25519 key pair, the private JWK to a 0600 file, the public JWK (with
// assent's key-set members) to stdout.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <assent/crypto/ct.hpp>
#include <assent/crypto/ed25519.hpp>
#include <assent/crypto/random.hpp>
#include <assent/keys/jwks.hpp>
#include <assent/keys/key_record.hpp>
#include <assent/keys/private_key.hpp>
#include <assent/keys/signing_key.hpp>

#include "common.hpp"

namespace assent_cli {

inline constexpr const char* keygen_help =
    R"(Usage: assent keygen --kid KID [--principal NAME] [--roles R1,R2] [--env E1,E2] --out PRIVATE.jwk

Creates an Ed25519 key pair. Writes the private JWK to PRIVATE.jwk (mode 0600; an existing
file is never overwritten) and prints the public JWK, with assent's key-set members, on stdout,
ready to paste into a trusted key set (JWKS).

Options:
  --kid KID          key id that envelopes name the key by (1 to 256 characters)
  --principal NAME   who holds the key (default: the kid); approvals signed with it name
                     this approver
  --roles R1,R2      roles and duties the holder has (comma-separated, distinct)
  --env E1,E2        environments the key may approve for (default: every environment)
  --out FILE         where the private JWK goes (never "-": stdout carries the public JWK)
  --pretty           indent the printed JWK
  -h, --help         this text

Exit status: 0 key written, 2 usage error or the file cannot be created.
)";

namespace detail {

// Creates `path` with mode 0600 (O_EXCL: never overwrites, O_NOFOLLOW: never writes through a
// planted symlink) and writes `text` durably. On any failure the partial file is removed.
inline void write_new_secret_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) fail("--out " + quote(path) + ": the file exists; refusing to overwrite a key");
    fail("--out " + quote(path) + ": cannot create: " + std::strerror(errno));
  }
  std::size_t done = 0;
  int error = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    (void)::unlink(path.c_str());
    fail("--out " + quote(path) + ": cannot write: " + std::strerror(error));
  }
}

}  // namespace detail

/// assent keygen (see keygen_help).
inline int cmd_keygen(context& ctx, const std::vector<std::string>& args) {
  const arguments a = parse_arguments(args, {{"kid", true, false},
                                             {"principal", true, false},
                                             {"roles", true, false},
                                             {"env", true, false},
                                             {"out", true, false},
                                             {"pretty", false, false}});
  if (a.help) {
    ctx.out << keygen_help;
    return exit_ok;
  }
  a.operands(0, 0, "");
  const std::string kid = a.need("kid");
  const std::string out_path = a.need("out");
  if (out_path == "-") fail("--out must name a file: stdout carries the public JWK");
  const std::string principal = a.get("principal").value_or(kid);

  assent::crypto::ed25519::seed seed{};
  if (!assent::crypto::os_random(seed)) fail("the operating system gave no random bytes");
  const assent::signing_key key = assent::signing_key::from_seed(seed, kid, principal);
  assent::crypto::secure_wipe(seed);

  // The public entry, built by the library's own validating factory and checked by loading it
  // the way a key set is loaded, before anything is written: a bad --roles or --env must not
  // leave a key file behind.
  assent::key_record_spec spec;
  spec.kid = kid;
  spec.public_key = key.public_key();
  spec.principal = principal;
  spec.roles = split_list(a.get("roles").value_or(""));
  if (const auto env = a.get("env")) {
    spec.environments = split_list(*env);
    if (spec.environments->empty()) fail("--env needs at least one environment (leave it out for every environment)");
  }
  auto [record, why] = assent::key_record::create(std::move(spec));
  if (!record) fail(why);
  const nlohmann::json jwk = assent::to_public_jwk(*record);
  const auto check = assent::load_jwks(nlohmann::json{{"keys", nlohmann::json::array({jwk})}}.dump());
  if (!check) fail("the public key entry would not load: " + check.error.message);

  std::string secret = assent::to_private_jwk(key);
  secret.push_back('\n');
  try {
    detail::write_new_secret_file(out_path, secret);
  } catch (...) {
    assent::crypto::secure_wipe(secret.data(), secret.size());
    throw;
  }
  assent::crypto::secure_wipe(secret.data(), secret.size());
  print_json(ctx, jwk, a.has("pretty"));
  return exit_ok;
}

}  // namespace assent_cli
