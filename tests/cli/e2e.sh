#!/usr/bin/env bash
# The whole flow, as docs/cli.md walks through it: keys, approvals, decisions with an audit log,
# verification, tampering, signed export.
source "$(dirname "$0")/lib.sh"

# keygen x3 -> JWKS
run 0 "$ASSENT" keygen --kid alice-1 --principal alice --roles admin,security_owner --out alice.jwk
cp out alice.pub
run 0 "$ASSENT" keygen --kid bob-1 --principal bob --roles admin --out bob.jwk
cp out bob.pub
run 0 "$ASSENT" keygen --kid auditor-1 --principal auditor --out auditor.jwk
cp out auditor.pub
printf '{"keys":[%s,%s]}\n' "$(cat alice.pub)" "$(cat bob.pub)" >keys.json
# The auditor's key signs exports of log "audit.log" only (a JWK member "logs").
printf '{"keys":[%s]}\n' "$(sed 's/}[[:space:]]*$/,"logs":["audit.log"]}/' auditor.pub)" >auditor-keys.json
check "e2e: three keys, two key sets"

# approve x2
run 0 "$ASSENT" hash "$FIXTURES/spec.json"
SPEC_HASH=$(cat out)
for k in alice bob; do
  run 0 "$ASSENT" approve --key $k.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy --ttl 30m
  cp out $k.env
done
request prod >request.json
check "e2e: two approvals"

# decide: allow with both (exit 0), deny with one (exit 1), both recorded
run 0 "$ASSENT" decide --policy "$FIXTURES/policy.json" --keys keys.json --request request.json --audit audit.log \
  alice.env bob.env
out_has '"decision":"allow"'
run 1 "$ASSENT" decide --policy "$FIXTURES/policy.json" --keys keys.json --request request.json --audit audit.log \
  alice.env
out_has '"decision":"deny"'
out_has '"reasons":["threshold_not_met"]'
[ "$(wc -l <audit.log)" -eq 2 ] || die "the audit log does not hold both decisions"
check "e2e: allow (exit 0), deny (exit 1), two audit records"

# audit verify ok; a tampered copy fails
run 0 "$ASSENT" audit verify audit.log
out_has '"valid":true'
out_has '"count":2'
sed '1s/"approver":"bob"/"approver":"eve"/' audit.log >tampered.log
cmp -s tampered.log audit.log && die "the tamper did not change the copy"
run 1 "$ASSENT" audit verify tampered.log
out_has '"valid":false'
out_has '"bad_seq":1'
check "e2e: the log verifies, a tampered copy does not (exit 1)"

# export -> verify-export
run 0 "$ASSENT" audit export --key auditor.jwk audit.log
cp out export.json
run 0 "$ASSENT" audit verify-export --keys auditor-keys.json --log-id audit.log export.json
out_has '"valid":true'
out_has '"count":2'
run 1 "$ASSENT" audit export --key auditor.jwk tampered.log
check "e2e: signed export verifies offline; a tampered log is not exported"
