#!/usr/bin/env bash
# assent decide: the library's decision as JSON; exit 0 allow, 1 deny, 2 bad input.
source "$(dirname "$0")/lib.sh"
make_org
POLICY="$FIXTURES/policy.json"

approve() { # KEY ENV [extra approve options...]
  local key=$1 env=$2
  shift 2
  "$ASSENT" approve --key "$key" --project payments --env "$env" --spec-hash "$SPEC_HASH" --cap deploy "$@"
}
approve alice.jwk prod >alice.env
approve bob.jwk prod >bob.env
approve carol.jwk prod >carol.env
approve bob.jwk staging >bob-staging.env
decide() { "$ASSENT" decide --policy "$POLICY" --keys keys.json "$@"; }

# Allow: two distinct admins in prod.
run 0 decide --request request.json alice.env bob.env
out_has '"decision":"allow"'
out_has '"reasons":[]'
out_has '"approver":"alice"'
out_has '"approver":"bob"'
out_has '"rejected":[]'
out_has '"id":"cli-test-policy"'
policy_hash=$("$ASSENT" policy check "$POLICY" | grep -o '"hash":"[^"]*"')
out_has "$policy_hash"
out_has "\"spec_hash\":\"$SPEC_HASH\""
out_has '"audit":{"hash":"sha256:'
[ ! -s err ] || die "stderr is not empty on allow"
check "decide allows with two distinct approvers (exit 0)"

# Deny: one approval; the same principal twice still counts once.
run 1 decide --request request.json alice.env
out_has '"decision":"deny"'
out_has '"reasons":["threshold_not_met"]'
out_has '"missing":{"approvals":1,'
approve alice.jwk prod >alice2.env
run 1 decide --request request.json alice.env alice2.env
out_has '"reason":"duplicate_approver"'
out_has '"reasons":["threshold_not_met"]'
run 1 decide --request request.json
out_has '"missing":{"approvals":2,'
check "decide denies below the threshold (exit 1) and counts a principal once"

# Credentials that do not parse, or do not bind, are rejected rows, not errors.
printf 'garbage' >junk.env
run 0 decide --request request.json junk.env alice.env bob.env
out_has '"decision":"allow"'
out_has '{"credential_id":null,"index":0,"keyid":null,"reason":"malformed_envelope"}'
other=$(printf 'other spec' | "$ASSENT" hash -)
"$ASSENT" approve --key bob.jwk --project payments --env prod --spec-hash "$other" --cap deploy >bob-other.env
run 1 decide --request request.json alice.env bob-other.env
out_has '"reason":"spec_hash_mismatch"'
run 1 decide --request request.json alice.env bob-staging.env
out_has '"reason":"wrong_environment"'
"$ASSENT" approve --key bob.jwk --project billing --env prod --spec-hash "$SPEC_HASH" --cap deploy >bob-billing.env
run 1 decide --request request.json alice.env bob-billing.env
out_has '"reason":"wrong_project"'
"$ASSENT" keygen --kid mallory-1 --principal mallory --roles admin --out mallory.jwk >/dev/null
approve mallory.jwk prod >mallory.env
run 1 decide --request request.json alice.env mallory.env
out_has '{"credential_id":null,"index":1,"keyid":"mallory-1","reason":"unknown_key"}'
check "decide lists unparsable and non-binding credentials under rejected with their reason"

# Credentials as JSON Lines on stdin.
cat alice.env bob.env | run 0 decide --request request.json -
out_has '"decision":"allow"'
check "decide reads credentials from stdin"

# --at pins the decision time: after expiry, before issue.
later=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
earlier=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
run 1 decide --request request.json --at "$later" alice.env bob.env
out_has '"reason":"expired"'
run 1 decide --request request.json --at "$earlier" alice.env bob.env
out_has '"reason":"issued_in_future"'
run 2 decide --request request.json --at yesterday alice.env
err_has '--at "yesterday" is not an RFC 3339 time'
check "decide --at decides as of another time"

# Policy rules and postures through the CLI.
request prod ',"attributes":{"risk_tier":"high"}' >high.json
run 1 decide --request high.json bob.env carol.env
out_has '"reasons":["required_duty_missing"]'
out_has '"duties":["security_owner"]'
run 0 decide --request high.json alice.env bob.env
request staging >staging.json
run 0 decide --request staging.json bob-staging.env
printf '{"action":"delete_project","project":"payments","environment":"prod","spec_hash":"%s","initiator":"dave"}' \
  "$SPEC_HASH" >forbidden.json
run 1 decide --request forbidden.json alice.env bob.env
out_has '"reasons":["action_forbidden"]'
request dev >dev.json
run 1 decide --request dev.json alice.env bob.env
out_has '"reasons":["unknown_environment"]'
printf '{"action":"deploy","project":"payments","environment":"prod","spec_hash":"sha256:12","initiator":"dave"}' >badhash.json
run 1 decide --request badhash.json alice.env bob.env
out_has '"reasons":["malformed_request"]'
check "decide applies duties, per-environment thresholds, forbidden actions, unknown environments"

# Break-glass: carol's short exception carries the decision alone and is reported.
approve carol.jwk prod --ttl 10m --exception-incident INC-9 --exception-reason "outage" >bg.env
run 0 decide --request request.json bg.env
out_has '"decision":"allow"'
out_has '"incident":"INC-9"'
out_has '"review_required":true'
approve carol.jwk prod --ttl 30m --exception-incident INC-9 --exception-reason "outage" >bg-long.env
run 1 decide --request request.json bg-long.env
out_has '"reason":"break_glass_rejected"'
approve alice.jwk prod --ttl 10m --exception-incident INC-9 --exception-reason "outage" >bg-alice.env
run 1 decide --request request.json bg-alice.env
out_has '"reason":"break_glass_rejected"'
check "decide: break-glass by a listed owner within its lifetime allows, others are rejected"

# --audit: one record per decision, seq increasing, hash as reported.
run 0 decide --request request.json --audit audit.log alice.env bob.env
out_has '"audit":{"hash":"sha256:'
out_has '"seq":1}'
h1=$(grep -o '"audit":{"hash":"sha256:[0-9a-f]*"' out | sed 's/.*"sha256:/sha256:/; s/"$//')
run 1 decide --request request.json --audit audit.log alice.env
out_has '"seq":2}'
[ "$(wc -l <audit.log)" -eq 2 ] || die "the audit log does not hold two records"
head -n 1 audit.log | grep -qF "\"hash\":\"$h1\"" || die "record 1 does not have the reported hash"
grep -qF '"decision":"deny"' audit.log || die "the deny is not in the log"
[ "$(stat -c %a audit.log)" = 600 ] || die "a new audit log is not 0600"
run 0 decide --request request.json --audit audit.log --checkpoint-key carol.jwk --log-id payments-prod alice.env bob.env
out_has '"seq":3}'
[ -s audit.log.checkpoint ] || die "--checkpoint-key wrote no checkpoint"
check "decide --audit appends one chained record per decision; --checkpoint-key signs a checkpoint"

# One writer per log: while another process holds the log's lock, decide refuses (exit 2).
if command -v flock >/dev/null 2>&1; then
  run 2 flock audit.log "$ASSENT" decide --policy "$POLICY" --keys keys.json --request request.json --audit audit.log alice.env
  err_has 'already open for writing'
  err_one_line
  [ "$(wc -l <audit.log)" -eq 3 ] || die "a refused decide changed the log"
  check "decide --audit refuses a log another writer holds"
fi

# Bad input: exit 2, one line naming the file and the JSON path.
run 2 "$ASSENT" decide --policy "$FIXTURES/policy_bad_threshold.json" --keys keys.json --request request.json alice.env
err_has 'policy_bad_threshold.json'
err_has '/environments/prod/actions/deploy/threshold'
err_one_line
[ ! -s out ] || die "a refused decide printed a decision"
printf '{"action":"deploy","environment":"prod","spec_hash":"%s","initiator":"dave"}' "$SPEC_HASH" >noproject.json
run 2 decide --request noproject.json alice.env
err_has '"noproject.json": /project: missing'
err_one_line
printf '{"action":"deploy",}' >notjson.json
run 2 decide --request notjson.json alice.env
err_has '"notjson.json": (root): not valid JSON'
sed 's/"kty":"OKP"/"kty":"RSA"/' keys.json >badkeys.json
run 2 "$ASSENT" decide --policy "$POLICY" --keys badkeys.json --request request.json alice.env
err_has '"badkeys.json": key "alice-1": /keys/0/kty'
err_one_line
run 2 decide --request request.json alice.env nosuch.env
err_has '"nosuch.env": cannot open'
run 2 "$ASSENT" decide --keys keys.json --request request.json alice.env
err_has '--policy is required'
run 2 decide --request request.json --checkpoint-key carol.jwk alice.env
err_has 'need --audit'
mkdir adir
run 2 decide --request request.json --audit adir alice.env
err_has 'adir'
err_one_line
run 2 decide --request request.json --audit audit.log --checkpoint-key alice.jwk alice.env
err_has 'checkpoint'
check "decide: a bad policy, request, key set, file or option exits 2 with one line"

run 0 "$ASSENT" decide --help
out_has 'Usage: assent decide'
check "decide --help"

# What-if decisions never enter a log: a record carries the time it was appended, so a decision
# as of another time (--at) would read as an allow that happened then.
run 2 decide --request request.json --at 2026-01-01T00:00:00Z --audit whatif.log alice.env bob.env
err_has '--at and --audit exclude each other'
err_one_line
[ ! -e whatif.log ] || die "a what-if decision created an audit log"
run 0 decide --request request.json --at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" alice.env bob.env
out_has '"decision":"allow"'
check "decide --at with --audit is refused (exit 2); --at alone still decides"

# A file-size limit (ulimit -f) fails the append (EFBIG): a deny with audit_failed, exit 1, not
# death by SIGXFSZ.
run 0 decide --request request.json --audit limited.log alice.env bob.env
run 0 decide --request request.json --audit limited.log alice.env bob.env
[ "$(stat -c %s limited.log)" -gt 1024 ] || die "the log is too small for the test"
run 1 bash -c 'ulimit -f 1; exec "$@"' _ "$ASSENT" decide --policy "$POLICY" --keys keys.json \
  --request request.json --audit limited.log alice.env bob.env
out_has '"decision":"deny"'
out_has 'audit_failed'
check "decide under a file-size limit denies with audit_failed (exit 1), not SIGXFSZ"

# An endless stdin: reading stops one credential past the verifier's limit (64), so memory is
# bounded (65 lines of at most 64 KiB) and the command ends, denying too_many_credentials.
long_line=$(head -c 60000 /dev/zero | tr '\0' x)
peak_kib 1 timeout 120 "$ASSENT" decide --policy "$POLICY" --keys keys.json --request request.json - \
  < <(yes "$long_line")
out_has 'too_many_credentials'
if memory_checked; then
  [ "$PEAK" -le $((48 * 1024)) ] || die "decide - on an endless stream peaked at $PEAK KiB (bound 48 MiB)"
fi
check "decide - on an endless stream stops at 65 credentials: peak $PEAK KiB (bound 48 MiB)"

# A request attribute with no exact double is refused, naming its path: it would enter the audit
# record as another number than the request said.
request prod ',"attributes":{"target_account_id":1234567890123456789}' >inexact-request.json
run 2 decide --request inexact-request.json alice.env bob.env
err_has '/attributes/target_account_id'
err_has 'inexact-request.json'
err_one_line
check "decide refuses a request attribute with no exact double (exit 2, names its path)"

# Threat model: another spelling of a name, or a value a rule cannot rank, is a recorded deny
# (exit 1), never a skipped check. "alice " would not be the approver alice (self-approval), and
# a risk tier "High" would skip the rule for "high".
request prod '' | sed 's/"initiator":"dave"/"initiator":"alice "/' >spaced-initiator.json
run 1 decide --request spaced-initiator.json --audit names.log alice.env bob.env
out_has '"reasons":["malformed_request"]'
"$ASSENT" audit verify names.log >/dev/null || die "the malformed request was not recorded"
grep -qF '"initiator":"alice "' names.log || die "the record does not carry the initiator as sent"
request prod ',"attributes":{"risk_tier":"High"}' >unranked.json
run 1 decide --request unranked.json alice.env bob.env
out_has '"rule_not_evaluable"'
check "decide denies another spelling of a name and an unranked risk tier, and records it (exit 1)"
