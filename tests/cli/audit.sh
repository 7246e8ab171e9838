#!/usr/bin/env bash
# assent audit verify | export | verify-export | metrics.
source "$(dirname "$0")/lib.sh"
make_org
POLICY="$FIXTURES/policy.json"
"$ASSENT" keygen --kid log-1 --principal audit-log --out log.jwk >log.pub
"$ASSENT" keygen --kid export-1 --principal auditor --out export.jwk >export.pub
# Log and export keys are bound to the logs they sign for (a JWK member "logs").
bind() { sed 's/}[[:space:]]*$/,"logs":['"$2"']}/' "$1"; }
printf '{"keys":[%s]}\n' "$(bind log.pub '"payments"')" >log-keys.json
printf '{"keys":[%s]}\n' "$(bind export.pub '"audit.log","payments-prod"')" >export-keys.json
printf '{"keys":[%s]}\n' "$(bind export.pub '"sandbox"')" >sandbox-keys.json

for k in alice bob; do
  "$ASSENT" approve --key $k.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy >$k.env
done
"$ASSENT" approve --key carol.jwk --project payments --env prod --spec-hash "$SPEC_HASH" --cap deploy \
  --ttl 10m --exception-incident INC-3 --exception-reason outage >bg.env
decide() { "$ASSENT" decide --policy "$POLICY" --keys keys.json --request request.json --audit audit.log \
  --checkpoint-key log.jwk --log-id payments "$@" >/dev/null || true; }
decide alice.env bob.env
decide alice.env
decide bob.env
printf 'junk' >junk.env
decide bg.env junk.env
[ "$(wc -l <audit.log)" -eq 4 ] || die "expected 4 records"

# verify: intact chain, with and without the signed checkpoint.
run 0 "$ASSENT" audit verify audit.log
out_has '"valid":true'
out_has '"code":"ok"'
out_has '"count":4'
out_has '"bad_seq":null'
out_has '"checkpoint":null'
head4=$(grep -o '"hash":"sha256:[0-9a-f]*"' audit.log | tail -n 1 | sed 's/"hash":"//; s/"$//')
out_has "\"head\":\"$head4\""
run 0 "$ASSENT" audit verify audit.log --checkpoint audit.log.checkpoint --keys log-keys.json --log-id payments
out_has '"valid":true'
out_has '"checkpoint":{"count":4,'
out_has '"keyid":"log-1"'
check "audit verify: an intact log and its checkpoint verify (exit 0)"

# Tampering, each kind caught with its code and the first bad record (exit 1).
sed '2s/"decision":"deny"/"decision":"allow"/' audit.log >edited.log
cmp -s edited.log audit.log && die "the edit did not change the log"
run 1 "$ASSENT" audit verify edited.log
out_has '"code":"hash_mismatch"'
out_has '"bad_seq":2'
out_has '"count":1'
err_has 'record 2'
err_one_line
sed '2d' audit.log >deleted.log
run 1 "$ASSENT" audit verify deleted.log
out_has '"code":"sequence_gap"'
out_has '"bad_seq":2'
{ sed -n 1p audit.log; sed -n 3p audit.log; sed -n 2p audit.log; sed -n 4p audit.log; } >reordered.log
run 1 "$ASSENT" audit verify reordered.log
out_has '"valid":false'
head -c -1 audit.log >torn.log
run 1 "$ASSENT" audit verify torn.log
out_has '"code":"truncated_line"'
out_has '"bad_seq":4'
head -n 3 audit.log >cut.log
run 0 "$ASSENT" audit verify cut.log
run 1 "$ASSENT" audit verify cut.log --checkpoint audit.log.checkpoint --keys log-keys.json --log-id payments
out_has '"code":"fewer_than_checkpoint"'
run 1 "$ASSENT" audit verify audit.log --checkpoint audit.log.checkpoint --keys export-keys.json --log-id payments
out_has '"code":"checkpoint_signature_invalid"'
run 1 "$ASSENT" audit verify audit.log --checkpoint audit.log.checkpoint --keys log-keys.json --log-id other
out_has '"code":"checkpoint_signature_invalid"'
err_has 'not bound to log'
check "audit verify: edits, deletions, reordering, a torn tail and a cut-back log are caught (exit 1)"

run 2 "$ASSENT" audit verify nosuch.log
err_has 'nosuch.log'
err_one_line
[ ! -s out ] || die "audit verify printed a result for a missing log"
run 2 "$ASSENT" audit verify audit.log --checkpoint audit.log.checkpoint
err_has '--checkpoint and --keys go together'
run 2 "$ASSENT" audit verify audit.log --checkpoint audit.log.checkpoint --keys log-keys.json
err_has '--checkpoint and --log-id go together'
run 2 "$ASSENT" audit verify audit.log --checkpoint nosuch.checkpoint --keys log-keys.json --log-id payments
err_has '"nosuch.checkpoint": cannot open'
run 2 "$ASSENT" audit verify audit.log --checkpoint audit.log.checkpoint --keys nosuch.json --log-id payments
err_has '"nosuch.json": cannot open'
run 2 "$ASSENT" audit verify
err_has 'missing LOG'
run 2 "$ASSENT" audit verify -
err_has 'LOG must name a file'
check "audit verify: unreadable inputs and usage errors exit 2"

# export and verify-export.
run 0 "$ASSENT" audit export --key export.jwk audit.log
cp out export.json
out_has '"payloadType":"application/vnd.assent.audit-export.v1+json"'
out_has '"keyid":"export-1"'
run 0 "$ASSENT" audit verify-export --keys export-keys.json --log-id audit.log export.json
out_has '"valid":true'
out_has '"code":"ok"'
out_has '"count":4'
out_has "\"head\":\"$head4\""
out_has '"log":"audit.log"'
out_has '"keyid":"export-1"'
run 0 "$ASSENT" audit export --key export.jwk --log-id payments-prod audit.log
cp out export2.json
run 0 "$ASSENT" audit verify-export --keys export-keys.json --log-id payments-prod - <export2.json
out_has '"log":"payments-prod"'
check "audit export signs a verified log; verify-export checks it offline (exit 0)"

# An export is evidence only about the log it names, signed by a key bound to that log.
run 1 "$ASSENT" audit verify-export --keys export-keys.json --log-id audit.log export2.json
out_has '"code":"wrong_log"'
run 1 "$ASSENT" audit verify-export --keys sandbox-keys.json --log-id payments-prod export2.json
out_has '"code":"signature_invalid"'
err_has 'not bound to log'
run 2 "$ASSENT" audit verify-export --keys export-keys.json export2.json
err_has '--log-id is required'
check "verify-export refuses another log's export and a key not bound to the log (exit 1)"

run 1 "$ASSENT" audit verify-export --keys log-keys.json --log-id audit.log export.json
out_has '"code":"signature_invalid"'
err_one_line
p=$(field payload export.json)
c=${p:40:1}
if [ "$c" = A ]; then r=B; else r=A; fi
sed "s|$p|${p:0:40}$r${p:41}|" export.json >export-tampered.json
run 1 "$ASSENT" audit verify-export --keys export-keys.json --log-id audit.log export-tampered.json
out_has '"valid":false'
printf 'not json' >export-junk.json
run 2 "$ASSENT" audit verify-export --keys export-keys.json --log-id audit.log export-junk.json
out_has '"code":"malformed"'
run 1 "$ASSENT" audit export --key export.jwk edited.log
err_has 'does not verify'
err_one_line
[ ! -s out ] || die "a tampered log was exported"
check "verify-export refuses a wrong key, a changed export (exit 1), a junk one (exit 2); export refuses a tampered log (exit 1)"

run 2 "$ASSENT" audit export --key export.jwk nosuch.log
err_has 'nosuch.log'
run 2 "$ASSENT" audit export audit.log
err_has '--key is required'
run 2 "$ASSENT" audit verify-export --keys export-keys.json --log-id audit.log nosuch.json
err_has '"nosuch.json": cannot open'
run 2 "$ASSENT" audit verify-export --log-id audit.log export.json
err_has '--keys is required'
check "export and verify-export: unreadable inputs and usage errors exit 2"

# metrics over the verified records.
run 0 "$ASSENT" audit metrics audit.log
out_has '"records":4'
out_has '"decisions":4'
out_has '"allowed":2'
out_has '"denied":2'
out_has '"policy_violations":{"threshold_not_met":2}'
out_has '"rejections_by_reason":{"malformed_envelope":1}'
out_has '"exception_uses":1'
out_has '"incident":"INC-3"'
run 1 "$ASSENT" audit metrics edited.log
err_has 'does not verify: hash_mismatch'
err_one_line
run 2 "$ASSENT" audit metrics nosuch.log
err_has 'nosuch.log'
check "audit metrics counts decisions, reasons and break-glass uses; refuses a tampered log"

# append: a host event closes the break-glass decision's review (record 4).
run 0 "$ASSENT" audit metrics audit.log
out_has '"open_reviews":[{"decision_hash":"sha256:'
out_has '"decision_seq":4,"incident":"INC-3"'
out_has '"reviews_closed":0'
bg_hash=$(sed -n 4p audit.log | grep -o '"hash":"sha256:[0-9a-f]*"' | tail -n 1 | sed 's/"hash":"//; s/"$//')
# A closure by the break-glass approver (carol), or without the record's hash, closes nothing.
printf '{"type":"review_closed","decision_seq":4,"decision_hash":"%s","reviewer":"carol"}' "$bg_hash" >self.json
run 0 "$ASSENT" audit append --audit audit.log --checkpoint-key log.jwk --log-id payments self.json
printf '{"type":"review_closed","decision_seq":4,"reviewer":"erin"}' >nohash.json
run 0 "$ASSENT" audit append --audit audit.log --checkpoint-key log.jwk --log-id payments nohash.json
run 0 "$ASSENT" audit metrics audit.log
out_has '"reviews_closed":0'
out_has '"invalid_review_closures":[5,6]'
printf '{"type":"review_closed","decision_seq":4,"decision_hash":"%s","reviewer":"erin"}' "$bg_hash" >closed.json
run 0 "$ASSENT" audit append --audit audit.log --checkpoint-key log.jwk --log-id payments closed.json
out_has '"seq":7'
out_has '"hash":"sha256:'
run 0 "$ASSENT" audit metrics audit.log
out_has '"open_reviews":[]'
out_has '"reviews_closed":1'
out_has '"records":7'
run 0 "$ASSENT" audit verify audit.log --checkpoint audit.log.checkpoint --keys log-keys.json --log-id payments
out_has '"checkpoint":{"count":7,'
check "audit append records a host event; only a review_closed by someone else naming the record closes it"

printf '{"reviewer":"erin"}' >notype.json
run 2 "$ASSENT" audit append --audit audit.log notype.json
err_has 'not recorded'
err_one_line
printf '{"type":"decision","decision":"allow"}' >fake.json
run 2 "$ASSENT" audit append --audit audit.log fake.json
err_has 'written by assent itself'
printf '{"type":"log_repaired"}' >fake-repair.json
run 2 "$ASSENT" audit append --audit audit.log fake-repair.json
err_has 'written by assent itself'
printf '{"type":' >broken.json
run 2 "$ASSENT" audit append --audit audit.log broken.json
err_has 'not valid JSON'
run 2 "$ASSENT" audit append --audit edited.log closed.json
err_has 'corrupt'
run 2 "$ASSENT" audit append closed.json
err_has '--audit is required'
[ "$(wc -l <audit.log)" -eq 7 ] || die "a refused append changed the log"
check "audit append refuses events without a type, decision events, junk and corrupt logs (exit 2)"

# A log whose last record lost its newline keeps that record: the next writer completes it and
# records the repair; a symbolic link is never followed; a file with no record is never cut.
cp audit.log nonl.log
head -c -1 audit.log >nonl.log
printf '{"type":"note"}' >note.json
run 0 "$ASSENT" audit append --audit nonl.log note.json
out_has '"seq":9'
err_has 'no newline'
run 0 "$ASSENT" audit verify nonl.log
out_has '"count":9'
cmp -s <(head -n 7 nonl.log) audit.log || die "a repair changed an acknowledged record"
sed -n 8p nonl.log | grep -qF '"type":"log_repaired"' || die "the repair is not recorded"
printf 'root:x:0:0' >victim.txt
ln -s victim.txt link.log
run 2 "$ASSENT" audit append --audit link.log note.json
err_has 'symbolic link'
[ "$(cat victim.txt)" = 'root:x:0:0' ] || die "a linked file was changed"
run 2 "$ASSENT" audit append --audit victim.txt note.json
[ "$(cat victim.txt)" = 'root:x:0:0' ] || die "a file with no record was changed"
check "audit append keeps a record without its newline, records the repair, follows no link"

run 2 "$ASSENT" audit
err_has 'Usage: assent audit'
for c in verify export verify-export metrics append; do
  run 0 "$ASSENT" audit $c --help
  out_has "Usage: assent audit $c"
done
check "audit --help"
