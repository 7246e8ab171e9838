// parse_envelope on arbitrary bytes: never crashes, leaks or throws; what it accepts keeps the
// profile's promises (bounds, distinct non-empty keyids), serialises to a text that parses back
// to the same envelope, and that text is a fixed point of parse + serialize. Its plain path
// (no JSON tree) answers exactly as the tree reader.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "assent/envelope.hpp"
#include "assent/keys/signing_key.hpp"
#include "fuzz_check.hpp"

namespace {

namespace dsse = assent::dsse;

bool same(const dsse::envelope& a, const dsse::envelope& b) {
  if (a.payload_type != b.payload_type || a.payload != b.payload ||
      a.signatures.size() != b.signatures.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.signatures.size(); ++i) {
    if (a.signatures[i].keyid != b.signatures[i].keyid ||
        a.signatures[i].sig != b.signatures[i].sig)
      return false;
  }
  return true;
}

const assent::crypto::ed25519::verifying_key& some_key() {
  static const auto key = [] {
    assent::crypto::ed25519::seed seed{};
    seed[0] = 1;
    const auto k = assent::signing_key::from_seed(seed, "fuzz");
    return *assent::crypto::ed25519::verifying_key::from_bytes(k.public_key());
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const dsse::envelope_limits limits;
  const auto r = dsse::parse_envelope(text, limits);

  dsse::envelope_limits generic = limits;
  generic.require_keyids = false;
  const auto g = dsse::parse_envelope(text, generic);

  // parse_envelope reads plain envelopes without a tree: it must answer as the tree reader does.
  if (text.size() <= limits.max_envelope_bytes) {
    const dsse::envelope_limits* const both[] = {&limits, &generic};
    const dsse::envelope_result* const answers[] = {&r, &g};
    for (int k = 0; k < 2; ++k) {
      const auto tree = [&] {
        try {
          return dsse::detail::parse_envelope_tree(text, *both[k]);
        } catch (...) {  // out of memory: parse_envelope reports it the same way
          dsse::envelope_result failed;
          failed.error = dsse::envelope_error::out_of_memory;
          return failed;
        }
      }();
      ASSENT_FUZZ_CHECK(tree.ok() == answers[k]->ok());
      if (tree.ok()) {
        ASSENT_FUZZ_CHECK(same(*tree.value, *answers[k]->value));
      } else {
        ASSENT_FUZZ_CHECK(tree.error == answers[k]->error && tree.message == answers[k]->message);
      }
    }
  }

  if (!r.ok()) {
    ASSENT_FUZZ_CHECK(r.error != dsse::envelope_error::not_parsed);
    for (const char c : r.message) ASSENT_FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
    // DSSE's own keyid rule is looser: it refuses nothing the profile accepts, and the profile
    // refuses a text DSSE accepts only for a keyid reason.
    if (g.ok()) {
      ASSENT_FUZZ_CHECK(r.error == dsse::envelope_error::missing_member ||
                        r.error == dsse::envelope_error::invalid_keyid ||
                        r.error == dsse::envelope_error::duplicate_keyid);
    }
    return 0;
  }
  const dsse::envelope& e = *r.value;
  ASSENT_FUZZ_CHECK(g.ok() && same(e, *g.value));
  ASSENT_FUZZ_CHECK(e.payload.size() <= limits.max_payload_bytes);
  ASSENT_FUZZ_CHECK(!e.signatures.empty() && e.signatures.size() <= limits.max_signatures);
  for (std::size_t i = 0; i < e.signatures.size(); ++i) {
    ASSENT_FUZZ_CHECK(!e.signatures[i].keyid.empty() &&
                      e.signatures[i].keyid.size() <= limits.max_keyid_bytes);
    for (std::size_t j = 0; j < i; ++j)
      ASSENT_FUZZ_CHECK(e.signatures[i].keyid != e.signatures[j].keyid);
  }

  // PAE: header, then the body verbatim at the end.
  const assent::bytes m = dsse::pae(e);
  ASSENT_FUZZ_CHECK(m.size() > e.payload.size() + e.payload_type.size() + 10);
  ASSENT_FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(m.data()), 7) == "DSSEv1 ");
  for (std::size_t i = 0; i < e.payload.size(); ++i)
    ASSENT_FUZZ_CHECK(m[m.size() - e.payload.size() + i] == e.payload[i]);
  (void)dsse::verify_signature(m, e.signatures[0], some_key());  // any bytes: must just answer

  // Round trip. Standard padded base64 may be two bytes longer per string than an unpadded
  // URL-safe original, so the second parse gets room for that.
  const std::string s = dsse::serialize(e);
  dsse::envelope_limits roomy = limits;
  roomy.max_envelope_bytes = s.size();
  const auto r2 = dsse::parse_envelope(s, roomy);
  ASSENT_FUZZ_CHECK(r2.ok());
  ASSENT_FUZZ_CHECK(same(e, *r2.value));
  ASSENT_FUZZ_CHECK(dsse::serialize(*r2.value) == s);
  return 0;
}
