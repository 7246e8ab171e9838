#!/usr/bin/env bash
# assent verify: signatures only, one JSON line per envelope, exit 0 only when all are valid.
source "$(dirname "$0")/lib.sh"
make_org

"$ASSENT" approve --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy >a.env
"$ASSENT" approve --key bob.jwk --project payments --env staging --spec-hash "$SPEC_HASH" --cap deploy >b.env

# Files: one envelope each, one line each, in order.
run 0 "$ASSENT" verify --keys keys.json a.env b.env
[ "$(wc -l <out)" -eq 2 ] || die "expected two lines"
head -n 1 out | grep -qF '"index":0' || die "line 1 is not index 0"
head -n 1 out | grep -qF '"keyid":"alice-1"' || die "line 1 keyid"
head -n 1 out | grep -qF '"principal":"alice"' || die "line 1 principal"
head -n 1 out | grep -qF '"valid":true' || die "line 1 valid"
head -n 1 out | grep -qF '"reason":null' || die "line 1 reason"
tail -n 1 out | grep -qF '"index":1' || die "line 2 is not index 1"
tail -n 1 out | grep -qF '"principal":"bob"' || die "line 2 principal"
[ ! -s err ] || die "stderr is not empty"
check "verify: valid envelope files give valid lines and exit 0"

# JSON Lines on stdin (blank lines skipped), and "-" among files.
{ cat a.env; echo; cat b.env; } | run 0 "$ASSENT" verify --keys keys.json
[ "$(wc -l <out)" -eq 2 ] || die "expected two lines from stdin"
out_has '"index":1'
cat b.env | run 0 "$ASSENT" verify --keys keys.json a.env -
[ "$(wc -l <out)" -eq 2 ] || die "expected two lines from a file and stdin"
tail -n 1 out | grep -qF '"principal":"bob"' || die "stdin envelope not second"
check "verify reads JSON Lines from stdin"

# A changed payload no longer verifies: swap one base64 character of the payload.
p=$(field payload a.env)
c=${p:20:1}
if [ "$c" = A ]; then r=B; else r=A; fi
tampered=${p:0:20}$r${p:21}
sed "s|$p|$tampered|" a.env >tampered.env
run 1 "$ASSENT" verify --keys keys.json tampered.env
out_has '"valid":false'
out_has '"reason":"bad_signature"'
out_has '"keyid":"alice-1"'
check "verify: a tampered payload is bad_signature, exit 1"

# A signature by a key outside the set; a revoked key.
printf '{"keys":[%s]}\n' "$(cat bob.pub)" >bob-only.json
run 1 "$ASSENT" verify --keys bob-only.json a.env b.env
head -n 1 out | grep -qF '"reason":"unknown_key"' || die "alice's key should be unknown"
tail -n 1 out | grep -qF '"valid":true' || die "bob's envelope should still be valid"
sed 's/"status":"active"/"status":"revoked"/' alice.pub >alice-revoked.pub
printf '{"keys":[%s,%s]}\n' "$(cat alice-revoked.pub)" "$(cat bob.pub)" >revoked.json
run 1 "$ASSENT" verify --keys revoked.json a.env
out_has '"reason":"key_revoked"'
check "verify: unknown and revoked keys are invalid, the others still valid"

# One bad co-signature makes the envelope invalid; the row says which.
"$ASSENT" approve --no-approver --key alice.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy >u.env
"$ASSENT" cosign --key bob.jwk u.env >ub.env
run 1 "$ASSENT" verify --keys bob-only.json ub.env
out_has '"valid":false'
out_has '{"keyid":"bob-1","principal":"bob","reason":null,"valid":true}'
out_has '{"keyid":"alice-1","principal":null,"reason":"unknown_key","valid":false}'
check "verify: every signature must verify"

# Malformed envelopes are invalid results (exit 1), not usage errors.
printf 'not json\n' >junk.env
printf '{"payload":"","payloadType":"x","signatures":[]}' >nosig.env
run 1 "$ASSENT" verify --keys keys.json junk.env nosig.env a.env
head -n 1 out | grep -qF '"reason":"malformed_envelope"' || die "junk should be malformed"
head -n 1 out | grep -qF '"detail":"invalid_json' || die "junk detail"
sed -n 2p out | grep -qF '"detail":"no_signatures' || die "empty signature list detail"
tail -n 1 out | grep -qF '"valid":true' || die "the good envelope after junk"
head -c 70000 /dev/zero | tr '\0' ' ' >huge.env
run 1 "$ASSENT" verify --keys keys.json huge.env
out_has '"detail":"too_large'
check "verify: malformed and oversized envelopes are reported invalid, exit 1"

# Bad input: exit 2 with one line naming the file (and the JSON path for a key set).
run 2 "$ASSENT" verify a.env
err_has '--keys is required'
err_one_line
run 2 "$ASSENT" verify --keys nosuch.json a.env
err_has '"nosuch.json": cannot open'
err_one_line
printf '{"keys":[%s]}\n' "$(cat alice.jwk)" >private-in-set.json
run 2 "$ASSENT" verify --keys private-in-set.json a.env
err_has 'private-in-set.json'
err_has '/keys/0/d'
err_one_line
printf '{"keys":[]}' >empty-set.json
run 2 "$ASSENT" verify --keys empty-set.json a.env
err_has '/keys: empty'
run 2 "$ASSENT" verify --keys keys.json nosuch.env
err_has '"nosuch.env": cannot open'
run 2 "$ASSENT" verify --keys keys.json </dev/null
err_has 'no envelope to verify'
run 2 "$ASSENT" verify --keys - - <keys.json
err_has 'stdin was already read'
check "verify: bad arguments, key sets and unreadable files exit 2 with one line"

run 0 "$ASSENT" verify --help
out_has 'Usage: assent verify'
check "verify --help"
