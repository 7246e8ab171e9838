#!/usr/bin/env bash
# Interoperability with third-party Ed25519 / JOSE / JCS implementations (ctest -L interop):
#   - PyNaCl (Debian python3-nacl, libsodium underneath): its keys as JWKs and its DSSE envelopes
#     signed over the PAE are accepted by `assent verify` and `assent sign`; assent's keys and
#     envelopes (from `assent keygen` / `assent sign`) verify in PyNaCl, and PyNaCl derives the
#     same public key from the d assent exports.
#   - npm `jose` (JWK import and export, alg "Ed25519" of RFC 9864) with WebCrypto's Ed25519: the
#     same in both directions, including assent's JWKs with alg "EdDSA".
#   - npm `canonicalize` (RFC 8785): the hash of its canonical form equals `assent hash --json`
#     for the documents in tests/interop/jcs/.
# Usage: bash run_interop.sh /path/to/assent WORK_DIR
# python3-nacl is listed in cmake/dev.sh; the npm packages are installed by this script into
# WORK_DIR/npm (exact versions, once). Exit 77 (CTest: skipped) when python3-nacl or npm is
# absent, saying which; any other failure is a test failure.
set -euo pipefail

ASSENT=${1:?usage: run_interop.sh /path/to/assent WORK_DIR}
WORK=${2:?usage: run_interop.sh /path/to/assent WORK_DIR}
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JOSE_VERSION=6.2.19
CANONICALIZE_VERSION=5.1.0
# Debian's interpreter: python3-nacl installs there (a pyenv or venv python3 on PATH lacks it).
PYTHON=/usr/bin/python3

mkdir -p "$WORK"
T="$(mktemp -d "$WORK/run.XXXXXX")"
trap 'rm -rf "$T"' EXIT
cd "$T"

die() { echo "FAIL: $*" >&2; exit 1; }
# corrupt ENVELOPE: the envelope with the first character of its signature changed.
corrupt() { sed 's/"sig":"A/"sig":"B/; t; s/"sig":"./"sig":"A/' "$1"; }
check() { echo "ok $*"; }
# expect CODE CMD...: runs CMD (stdout to out, stderr to err), fails unless it exits CODE.
expect() {
  local want=$1 got=0
  shift
  "$@" >out 2>err || got=$?
  if [ "$got" -ne "$want" ]; then
    cat out err >&2
    die "exit status $got, expected $want: $*"
  fi
}

if ! "$PYTHON" -c 'import nacl.signing' 2>/dev/null; then
  echo "SKIP: PyNaCl not found for $PYTHON (Debian package python3-nacl; bash cmake/dev.sh installs it)"
  exit 77
fi
nacl() { "$PYTHON" "$HERE/nacl_interop.py" "$@"; }

TYPE=application/vnd.assent.approval.v1+json
printf '%s' '{"capabilities":["deploy"],"environment":"prod","expires_at":"2026-11-21T11:00:00Z","id":"apv-interop-1","issued_at":"2026-11-21T10:00:00Z","project":"payments","spec_hash":"sha256:96337e56bcf369b5c9c2c8fa27a533e974d5098b99f740143c8284797e27565e"}' > body.json

# ---- PyNaCl -> assent ------------------------------------------------------------------------
nacl keys 0707070707070707070707070707070707070707070707070707070707070707 nacl-1 carol nacl.jwk nacl.pub
printf '{"keys":[%s]}' "$(cat nacl.pub)" > nacl-keys.json
nacl sign nacl.jwk "$TYPE" body.json > nacl-env.json
expect 0 "$ASSENT" verify --keys nacl-keys.json nacl-env.json
grep -qF '"principal":"carol","reason":null' out || die "assent verify output: $(cat out)"
check "assent verifies a DSSE envelope PyNaCl signed over the PAE, under PyNaCl's public JWK (alg Ed25519)"
# The same envelope with one bit of the signature flipped.
corrupt nacl-env.json > nacl-bad.json
expect 1 "$ASSENT" verify --keys nacl-keys.json nacl-bad.json
check "assent refuses PyNaCl's envelope with a changed signature"
expect 0 "$ASSENT" sign --key nacl.jwk --type "$TYPE" body.json
cp out assent-by-nacl-key.json
expect 0 nacl verify nacl.pub assent-by-nacl-key.json
check "assent signs with PyNaCl's private JWK, and PyNaCl verifies it"

# ---- assent -> PyNaCl ------------------------------------------------------------------------
expect 0 "$ASSENT" keygen --kid assent-1 --principal alice --out assent.jwk
cp out assent.pub
printf '{"keys":[%s]}' "$(cat assent.pub)" > assent-keys.json
expect 0 nacl check-private assent.jwk
check "PyNaCl derives x from the d of assent keygen's private JWK"
expect 0 "$ASSENT" sign --key assent.jwk --type "$TYPE" body.json
cp out assent-env.json
expect 0 nacl verify assent.pub assent-env.json
check "PyNaCl verifies assent's DSSE envelope under assent's public JWK"
expect 0 "$ASSENT" verify --keys assent-keys.json assent-env.json
corrupt assent-env.json > assent-bad.json
expect 1 nacl verify assent.pub assent-bad.json
check "PyNaCl refuses assent's envelope with a changed signature"

# ---- npm: jose and canonicalize ----------------------------------------------------------------
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "SKIP: npm or node not found: the jose and canonicalize checks did not run (PyNaCl's passed)"
  exit 77
fi
NPM_DIR="$WORK/npm"
installed() { [ -f "$NPM_DIR/node_modules/$1/package.json" ] && grep -qF "\"version\": \"$2\"" "$NPM_DIR/node_modules/$1/package.json"; }
if ! installed jose "$JOSE_VERSION" || ! installed canonicalize "$CANONICALIZE_VERSION"; then
  echo "installing jose@$JOSE_VERSION canonicalize@$CANONICALIZE_VERSION into $NPM_DIR"
  npm install --prefix "$NPM_DIR" --no-audit --no-fund --ignore-scripts --no-save --loglevel=error \
    "jose@$JOSE_VERSION" "canonicalize@$CANONICALIZE_VERSION" >/dev/null || die "npm install failed"
fi
# ES modules resolve packages from the script's own folder upwards, so the script runs from there.
cp "$HERE/jose_interop.mjs" "$NPM_DIR/jose_interop.mjs"
jose() { node --no-warnings "$NPM_DIR/jose_interop.mjs" "$@"; }

jose keys 0909090909090909090909090909090909090909090909090909090909090909 jose-1 dave jose.jwk jose.pub
grep -qF '"alg":"Ed25519"' jose.pub || die "jose key without alg Ed25519"
printf '{"keys":[%s]}' "$(cat jose.pub)" > jose-keys.json
jose sign jose.jwk "$TYPE" body.json > jose-env.json
expect 0 "$ASSENT" verify --keys jose-keys.json jose-env.json
grep -qF '"principal":"dave","reason":null' out || die "assent verify output: $(cat out)"
check "assent loads jose's public JWK (alg Ed25519) and verifies a WebCrypto DSSE signature"
expect 0 "$ASSENT" sign --key jose.jwk --type "$TYPE" body.json
cp out assent-by-jose-key.json
expect 0 jose verify jose.pub assent-by-jose-key.json
check "assent signs with jose's private JWK (alg Ed25519), and jose/WebCrypto verifies it"
grep -qF '"alg":"EdDSA"' assent.pub || die "assent keygen's public JWK: $(cat assent.pub)"
expect 0 jose verify assent.pub assent-env.json
check "jose imports assent's public JWK (alg EdDSA) and verifies assent's envelope"
expect 1 jose verify assent.pub assent-bad.json
check "jose/WebCrypto refuses the envelope with a changed signature"

for doc in "$HERE"/jcs/*.json; do
  want=$(jose jcs-hash "$doc")
  expect 0 "$ASSENT" hash --json "$doc"
  [ "$(cat out)" = "$want" ] || die "$(basename "$doc"): assent hash $(cat out), canonicalize $want"
  check "assent's RFC 8785 form of $(basename "$doc") hashes like npm canonicalize's"
done
echo "interop: all checks passed"
