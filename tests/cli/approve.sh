#!/usr/bin/env bash
# assent approve, sign, cosign: envelopes that the verifier (and, when installed, OpenSSL) accept.
source "$(dirname "$0")/lib.sh"
make_org

# Checks signature $2 of envelope file $1 with OpenSSL against public JWK file $3: an independent
# implementation of Ed25519 and of DSSE's PAE. Skipped (returns 0) without openssl.
openssl_verifies() {
  command -v openssl >/dev/null 2>&1 || return 0
  local env=$1 index=$2 jwk=$3 type body_len
  type=$(field payloadType "$env")
  payload "$env" >body.bin
  body_len=$(wc -c <body.bin)
  { printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$body_len"; cat body.bin; } >pae.bin
  grep -o '"sig":"[^"]*"' "$env" | sed -n "$((index + 1))p" | sed 's/^"sig":"//; s/"$//' | base64 -d >sig.bin
  # SubjectPublicKeyInfo of an Ed25519 key (RFC 8410 section 4): a fixed prefix and the 32 bytes.
  local x
  x=$(field x "$jwk" | tr '_-' '/+')
  { printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'; printf '%s=' "$x" | base64 -d; } >spki.der
  openssl pkey -pubin -inform DER -in spki.der -out pub.pem 2>/dev/null
  openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in pae.bin -sigfile sig.bin >/dev/null 2>&1
}

# approve: the claims say what was asked, the approver is the key's principal.
run 0 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" \
  --cap deploy --cap rollback,restart --ttl 45m --initiator dave --destination eu-west --note "CAB-42 ok" --id apv-test-1
cp out a1.env
[ "$(wc -l <a1.env)" -eq 1 ] || die "the envelope is not one line"
out_has '"payloadType":"application/vnd.assent.approval.v1+json"'
out_has '"keyid":"alice-1"'
payload a1.env >claims.json
grep -qF '"approver":"alice"' claims.json || die "claims lack the approver"
grep -qF '"capabilities":["deploy","rollback","restart"]' claims.json || die "claims lack the capabilities"
grep -qF "\"spec_hash\":\"$SPEC_HASH\"" claims.json || die "claims lack the spec hash"
grep -qF '"id":"apv-test-1"' claims.json || die "claims lack the id"
grep -qF '"initiator":"dave"' claims.json || die "claims lack the initiator"
grep -qF '"destination":"eu-west"' claims.json || die "claims lack the destination"
grep -qF '"note":"CAB-42 ok"' claims.json || die "claims lack the note"
issued=$(field issued_at claims.json)
expires=$(field expires_at claims.json)
[ $(($(date -u -d "$expires" +%s) - $(date -u -d "$issued" +%s))) -eq 2700 ] || die "--ttl 45m gave $issued .. $expires"
now=$(date -u +%s)
[ $((now - $(date -u -d "$issued" +%s))) -le 120 ] || die "issued_at $issued is not now"
run 0 "$ASSENT" verify --keys keys.json a1.env
out_has '"valid":true'
openssl_verifies a1.env 0 alice.pub || die "OpenSSL does not verify the approval's signature"
check "approve signs the claims asked for, as the key's principal, valid for --ttl"

# Default ttl 30m and a fresh random id each time.
run 0 "$ASSENT" approve --key bob.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy
payload out >c1.json
run 0 "$ASSENT" approve --key bob.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy
payload out >c2.json
[ $(($(date -u -d "$(field expires_at c1.json)" +%s) - $(date -u -d "$(field issued_at c1.json)" +%s))) -eq 1800 ] ||
  die "the default ttl is not 30m"
grep -qE '"id":"apv-[0-9a-f]{32}"' c1.json || die "the default id is not apv- and 32 hex digits"
[ "$(field id c1.json)" != "$(field id c2.json)" ] || die "two approvals got one id"
check "approve defaults: 30m validity, a random apv- id"

# Break-glass: an exception owned by the key's principal.
run 0 "$ASSENT" approve --key carol.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy \
  --ttl 10m --exception-incident INC-7 --exception-reason "payments down"
payload out >bg.json
grep -qF '"exception":{"incident":"INC-7","kind":"break_glass","owner":"carol","reason":"payments down"}' bg.json ||
  die "break-glass claims: $(cat bg.json)"
check "approve --exception-incident/--exception-reason makes a break-glass approval owned by the signer"

# not-before: inside the validity window, which runs from issue time.
nb=$(date -u -d '+10 minutes' +%Y-%m-%dT%H:%M:%SZ)
run 0 "$ASSENT" approve --key bob.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy \
  --not-before "$nb" --ttl 1h
payload out | grep -qF "\"not_before\":\"$nb\"" || die "not_before missing"
run 2 "$ASSENT" approve --key bob.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy \
  --not-before "$nb" --ttl 5m
err_has '/not_before: invalid_value: must be earlier than expires_at'
check "approve --not-before"

# Refused: what the verifier would refuse is refused at issue time (exit 2, one line).
run 2 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash sha256:1234 --cap deploy
err_has 'cannot issue the approval'
err_has 'spec_hash'
err_one_line
[ ! -s out ] || die "a refused approval printed something"
run 2 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap Deploy
err_has '/capabilities/0'
run 2 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy --id "bad id"
err_has '/id'
run 2 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH"
err_has '--cap is required'
run 2 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy --ttl 10x
err_has 'is not a duration'
run 2 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy --ttl 0s
err_has 'must be between 1s and 366d'
run 2 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy --not-before tomorrow
err_has 'is not an RFC 3339 time'
run 2 "$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy --exception-incident INC-1
err_has 'needs both --exception-incident and --exception-reason'
run 2 "$ASSENT" approve --key missing.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy
err_has 'missing.jwk'
err_one_line
run 2 "$ASSENT" approve --key alice.pub --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy
err_has '/d'
check "approve refuses what the verifier would refuse, and bad arguments, with exit 2"

# sign: any payload, bytes kept exactly.
printf 'line one\nline two\n\001binary\n' >blob.bin
run 0 "$ASSENT" sign --key alice.jwk blob.bin
cp out blob.env
out_has '"payloadType":"application/octet-stream"'
payload blob.env >blob.back
cmp -s blob.bin blob.back || die "the signed payload is not the file's bytes"
openssl_verifies blob.env 0 alice.pub || die "OpenSSL does not verify sign's signature"
run 0 "$ASSENT" verify --keys keys.json blob.env
out_has '"valid":true'
run 0 "$ASSENT" sign --key bob.jwk --type application/vnd.example+json - <blob.bin
out_has '"payloadType":"application/vnd.example+json"'
out_has '"keyid":"bob-1"'
# An approval signed by hand (claims from approve, re-signed) passes the same checks.
run 0 "$ASSENT" sign --key alice.jwk --type application/vnd.assent.approval.v1+json claims.json
cp out hand.env
run 0 "$ASSENT" verify --keys keys.json hand.env
out_has '"valid":true'
check "sign puts a file's exact bytes in a verifiable envelope"

run 2 "$ASSENT" sign --key bob.jwk --type application/vnd.assent.approval.v1+json claims.json
err_has "the claims name approver \"alice\", not the key's principal \"bob\""
printf '{"id":"x"}' >notclaims.json
run 2 "$ASSENT" sign --key alice.jwk --type application/vnd.assent.approval.v1+json notclaims.json
err_has 'not valid approval claims'
head -c 20000 /dev/zero >big.bin
run 2 "$ASSENT" sign --key alice.jwk big.bin
err_has 'larger than 16384 bytes'
run 2 "$ASSENT" sign --key alice.jwk
err_has 'missing FILE'
run 2 "$ASSENT" sign --key alice.jwk nosuch.bin
err_has 'cannot open'
err_one_line
check "sign refuses bad claims, oversized and unreadable payloads"

# cosign: two principals on one unbound approval; both signatures verify.
run 0 "$ASSENT" approve --no-approver --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy
cp out unbound.env
payload unbound.env | grep -qF '"approver"' && die "--no-approver left an approver in the claims"
run 0 "$ASSENT" cosign --key bob.jwk unbound.env
cp out both.env
[ "$(grep -o '"keyid"' both.env | wc -l)" -eq 2 ] || die "cosign did not add a signature"
[ "$(field payload both.env)" = "$(field payload unbound.env)" ] || die "cosign changed the body"
run 0 "$ASSENT" verify --keys keys.json both.env
out_has '"valid":true'
out_has '{"keyid":"alice-1","principal":"alice","reason":null,"valid":true}'
out_has '{"keyid":"bob-1","principal":"bob","reason":null,"valid":true}'
openssl_verifies both.env 1 bob.pub || die "OpenSSL does not verify the co-signature"
run 0 "$ASSENT" cosign --key carol.jwk - <both.env
out_has '"keyid":"carol-1"'
check "cosign adds a valid signature over the same body"

run 2 "$ASSENT" cosign --key bob.jwk both.env
err_has 'already has a signature by keyid "bob-1"'
err_one_line
run 2 "$ASSENT" cosign --key bob.jwk a1.env
err_has 'names approver "alice"'
printf 'not an envelope' >junk.env
run 2 "$ASSENT" cosign --key bob.jwk junk.env
err_has 'not an acceptable envelope'
run 2 "$ASSENT" cosign --key bob.jwk
err_has 'missing ENVELOPE'
check "cosign refuses a repeated key, a bound approval of another principal, and junk"

for c in approve sign cosign; do
  run 0 "$ASSENT" "$c" --help
  out_has "Usage: assent $c"
done
check "approve, sign, cosign --help"
