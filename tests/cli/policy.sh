#!/usr/bin/env bash
# assent hash and assent policy check. Expected hashes come from coreutils' sha256sum over the
# RFC 8785 form written out by hand, never from assent itself.
source "$(dirname "$0")/lib.sh"

sha() { printf 'sha256:%s\n' "$(sha256sum | cut -d' ' -f1)"; }

# JSON: hashed over its canonical form (members sorted, no whitespace, RFC 8785 numbers).
printf '{\n  "version": 1.50,\n  "name": "pay",\n  "steps": [ {"z": true, "a": null}, 1e2 ]\n}\n' >spec.json
printf '{"steps":[{"a":null,"z":true},1e2],"name":"pay","version":1.5}' >spec-reordered.json
want=$(printf '{"name":"pay","steps":[{"a":null,"z":true},100],"version":1.5}' | sha)
run 0 "$ASSENT" hash spec.json
[ "$(cat out)" = "$want" ] || die "hash of JSON is $(cat out), sha256sum of its JCS form is $want"
run 0 "$ASSENT" hash spec-reordered.json
[ "$(cat out)" = "$want" ] || die "reformatting changed the hash"
run 0 "$ASSENT" hash --json - <spec.json
[ "$(cat out)" = "$want" ] || die "hash of stdin differs"
# Non-ASCII member names sort by UTF-16 code units (RFC 8785 section 3.2.3).
printf '{"\xc3\xa9":1,"z":2,"\xf0\x9f\x98\x80":3,"\xef\xac\x81":4}' >unicode.json
want_u=$(printf '{"z":2,"\xc3\xa9":1,"\xf0\x9f\x98\x80":3,"\xef\xac\x81":4}' | sha)
run 0 "$ASSENT" hash unicode.json
[ "$(cat out)" = "$want_u" ] || die "non-ASCII member order: $(cat out) vs $want_u"
check "hash of JSON is the SHA-256 of its RFC 8785 form"

# Raw bytes: --raw, and anything that is not JSON.
run 0 "$ASSENT" hash --raw spec.json
[ "$(cat out)" = "$(sha <spec.json)" ] || die "--raw is not sha256sum of the file"
printf 'steps:\n  - build\n' >spec.yaml
run 0 "$ASSENT" hash spec.yaml
[ "$(cat out)" = "$(sha <spec.yaml)" ] || die "a non-JSON file is not hashed as raw bytes"
: >empty
run 0 "$ASSENT" hash empty
[ "$(cat out)" = "$(sha <empty)" ] || die "the empty file"
check "hash of non-JSON and with --raw is sha256sum of the bytes"

# No hash for JSON that readers could read differently; --raw still hashes it.
printf '{"a":1,"a":2}' >dup.json
run 2 "$ASSENT" hash dup.json
err_has 'could read differently'
err_one_line
[ ! -s out ] || die "a hash was printed for ambiguous JSON"
run 0 "$ASSENT" hash --raw dup.json
[ "$(cat out)" = "$(sha <dup.json)" ] || die "--raw of ambiguous JSON"
run 2 "$ASSENT" hash --json spec.yaml
err_has 'is not JSON assent reads'
run 2 "$ASSENT" hash nosuch
err_has '"nosuch": cannot open'
err_one_line
run 2 "$ASSENT" hash --raw --json spec.json
err_has 'exclude each other'
run 2 "$ASSENT" hash
err_has 'missing FILE'
check "hash refuses ambiguous JSON, non-JSON under --json, unreadable files (exit 2)"

# policy check: valid policy, id and the hash of its canonical form (as assent hash computes it).
run 0 "$ASSENT" policy check "$FIXTURES/policy.json"
out_has '"valid":true'
out_has '"id":"cli-test-policy"'
out_has '"version":1'
out_has "\"hash\":\"$("$ASSENT" hash "$FIXTURES/policy.json")\""
run 0 "$ASSENT" policy check - <"$FIXTURES/policy.json"
out_has '"id":"cli-test-policy"'
check "policy check prints a valid policy's id and hash"

# Invalid policies: exit 1, JSON on stdout, one line naming file and path on stderr.
run 1 "$ASSENT" policy check "$FIXTURES/policy_bad_threshold.json"
out_has '"valid":false'
out_has '"path":"/environments/prod/actions/deploy/threshold"'
err_has 'policy_bad_threshold.json'
err_has '/environments/prod/actions/deploy/threshold: out_of_range'
err_one_line
sed 's/"min_approver_role": "admin"/"min_approver_role": "emperor"/' "$FIXTURES/policy.json" >emperor.json
run 1 "$ASSENT" policy check emperor.json
err_has '/environments/prod/actions/deploy/min_approver_role: invalid_value: unknown role "emperor"'
sed 's/"rules"/"rulez"/' "$FIXTURES/policy.json" >typo.json
run 1 "$ASSENT" policy check typo.json
out_has '"path":"/environments/prod/rulez"'
printf '{"version": 1,' >truncated.json
run 1 "$ASSENT" policy check truncated.json
err_has 'not valid JSON'
check "policy check reports an invalid policy with its JSON path (exit 1)"

# Threat model: a policy that cannot be evaluated as written does not load. A hardened
# destination needs a closed list of destinations (another spelling would skip it), names have
# one spelling, overrides follow their targets' syntax.
sed 's/"self_approval": false}/"self_approval": false, "hardened_destinations": ["hooks"]}/' "$FIXTURES/policy.json" >open-hardened.json
run 1 "$ASSENT" policy check open-hardened.json
out_has '"path":"/environments/prod/actions/deploy/hardened_destinations"'
sed 's/"owners": \["carol"\]/"owners": ["Carol"]/' "$FIXTURES/policy.json" >cased-owner.json
run 1 "$ASSENT" policy check cased-owner.json
out_has '"path":"/environments/prod/break_glass/owners"'
sed 's/"environments": {/"overrides": {"disabled_capabilities": ["Deploy"]}, "environments": {/' "$FIXTURES/policy.json" >dead-override.json
run 1 "$ASSENT" policy check dead-override.json
out_has '"path":"/overrides/disabled_capabilities"'
check "policy check refuses a hardened path without destinations, a second spelling, a dead override (exit 1)"

# A key set read against the policy: a role typo shows now, not as approver_role_too_low later.
"$ASSENT" keygen --kid ok-1 --principal okay --roles admin,security_owner --env prod --out ok.jwk >ok.pub
"$ASSENT" keygen --kid typo-1 --principal typo --roles amdin --env prod,qa --out typo.jwk >typo.pub
printf '{"keys":[%s]}\n' "$(cat ok.pub)" >agreeing.json
run 0 "$ASSENT" policy check "$FIXTURES/policy.json" --keys agreeing.json
out_has '"key_set_mismatches":[]'
printf '{"keys":[%s,%s]}\n' "$(cat ok.pub)" "$(cat typo.pub)" >typo-keys.json
run 1 "$ASSENT" policy check "$FIXTURES/policy.json" --keys typo-keys.json
out_has '{"kid":"typo-1","member":"roles","value":"amdin"}'
out_has '{"kid":"typo-1","member":"environments","value":"qa"}'
err_has 'key "typo-1" roles "amdin" is not named by the policy (and 1 more)'
err_one_line
check "policy check --keys lists key roles and environments the policy does not name (exit 1)"

run 2 "$ASSENT" policy check nosuch.json
err_has '"nosuch.json": cannot open'
err_one_line
run 2 "$ASSENT" policy check
err_has 'missing POLICY'
run 2 "$ASSENT" policy
err_has 'Usage: assent policy check'
run 2 "$ASSENT" policy frobnicate x.json
err_has 'unknown command "policy frobnicate"'
check "policy check: unreadable file and usage errors exit 2"

run 0 "$ASSENT" hash --help
out_has 'Usage: assent hash'
run 0 "$ASSENT" policy check --help
out_has 'Usage: assent policy check'
check "hash and policy check --help"

# Numbers: a literal must denote exactly the number its canonical form writes, or readers that
# keep integers exact (Python, Go with UseNumber, Java) and the hash would disagree.
printf '{"target_account_id":1234567890123456789}' >id1.json
printf '{"target_account_id":1234567890123456800}' >id2.json
run 2 "$ASSENT" hash id1.json
err_has 'inexact_number'
err_has '/target_account_id'
err_one_line
[ ! -s out ] || die "a hash was printed for an inexact number"
run 0 "$ASSENT" hash id2.json
[ "$(cat out)" = "$(sha <id2.json)" ] || die "an exact large number is not hashed over its canonical form"
printf '{"rate":0.10000000000000000001}' >rate.json
run 2 "$ASSENT" hash rate.json
err_has '/rate'
printf '{"id":"p","version":1,"limit":9007199254740993}' >inexact-policy.json
run 1 "$ASSENT" policy check inexact-policy.json
err_has 'inexact'
err_has '/limit'
check "hash and policy check refuse a number with no exact double, naming its path"

# Memory: at the input limit (256 MiB), nested arrays cost the text and a bounded stack, not a
# tree (a tree took 55 bytes per byte); a wide document costs a small multiple of itself.
if memory_checked; then
  half=$((128 * 1024 * 1024))
  { head -c $half /dev/zero | tr '\0' '['; head -c $half /dev/zero | tr '\0' ']'; } >nested.json
  peak_kib 2 "$ASSENT" hash nested.json
  err_has 'too_deep'
  [ "$PEAK" -le $((320 * 1024)) ] || die "hash of 256 MiB of nested arrays peaked at $PEAK KiB (bound 320 MiB)"
  check "hash of 256 MiB of nested arrays: peak $PEAK KiB (bound 320 MiB)"
  rm -f nested.json
  { printf '{"a":['; head -c $((32 * 1024 * 1024)) /dev/zero | tr '\0' '0' | sed 's/0/0,/g'; printf '0]}'; } >wide.json
  size_kib=$(( $(stat -c %s wide.json) / 1024 ))
  peak_kib 0 "$ASSENT" hash wide.json
  [ "$PEAK" -le $((2 * size_kib + 32 * 1024)) ] || die "hash of a ${size_kib} KiB object peaked at $PEAK KiB (bound 2x + 32 MiB)"
  check "hash of a ${size_kib} KiB object: peak $PEAK KiB (bound 2x its size + 32 MiB)"
  rm -f wide.json
fi
