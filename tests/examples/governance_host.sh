# governance_host's state file under concurrent submitters, edits by an attacker, and a full disk.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- 8 concurrent submitters, 10 approvals each: none is lost, the file stays readable ------
mkdir conc
run 0 "$BIN" --dir conc setup
run 0 "$BIN" --dir conc open prm-1 --initiator bob --release payments-4.2.0
names=(alice carol dave bob)
for w in 1 2 3 4 5 6 7 8; do
  (
    for i in $(seq 10); do
      "$BIN" --dir conc approve prm-1 --as "${names[$(((w + i) % 4))]}" >/dev/null 2>"conc-$w.err" || exit 1
    done
  ) &
  pids+=($!)
done
# Status checks run alongside the submitters: they share the state lock and take turns on
# the audit log.
for s in 1 2 3; do
  ("$BIN" --dir conc status prm-1 >/dev/null 2>"status-$s.err") &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "a concurrent command failed: $(cat conc-*.err status-*.err)"; done
run 0 "$BIN" --dir conc status prm-1
out_has "(state reloaded: 80 approval(s) on file)"
[ -z "$(find conc -name '*.tmp.*')" ] || die "temporary files left behind"
check "8 concurrent submitters: 80 of 80 approvals on file, state readable"

# --- the state file decides nothing: an edited status or initiator changes no outcome --------
fresh() {
  rm -rf "$1" && mkdir "$1"
  run 0 "$BIN" --dir "$1" setup
  run 0 "$BIN" --dir "$1" open prm-1 --initiator bob --release payments-4.2.0
}
fresh tamper
run 0 "$BIN" --dir tamper approve prm-1 --as alice
sed -i 's/"credentials": \[/"status": "approved", "approved_at_seq": 1, "credentials": [/' tamper/promotions.json
grep -q '"status": "approved"' tamper/promotions.json || die "the edit did not apply"
run 0 "$BIN" --dir tamper status prm-1
out_has "status: pending (1 counted, 1 more needed)"
check "a status written into the state file is ignored: still pending"

fresh initiator
run 0 "$BIN" --dir initiator approve prm-1 --as bob
run 0 "$BIN" --dir initiator approve prm-1 --as alice
run 0 "$BIN" --dir initiator status prm-1
out_has "self_approval"
out_has "status: pending"
# mallory renames the initiator so that bob's approval would count as the second.
sed -i 's/"initiator": "bob"/"initiator": "mallory"/' initiator/promotions.json
grep -q '"initiator": "mallory"' initiator/promotions.json || die "the edit did not apply"
run 0 "$BIN" --dir initiator status prm-1
out_has "status: pending (0 counted"
out_has "spec_hash_mismatch"
out_lacks "status: approved"
check "an initiator edited in the state file makes no approval count (spec_hash_mismatch)"

# --- a write that fails (full disk, quota) keeps the previous state and is reported ----------
# Two approvals on file (approved), then dave's approval meets a failing write.
approved_pair() {
  fresh "$1"
  run 0 "$BIN" --dir "$1" approve prm-1 --as alice
  run 0 "$BIN" --dir "$1" approve prm-1 --as carol
}
dave_fails() {  # $1: folder; $2...: what the command runs under
  local d=$1 before
  shift
  before=$(sha256sum <"$d/promotions.json")
  run 2 "$@" "$BIN" --dir "$d" approve prm-1 --as dave
  err_has "the previous state is unchanged"
  [ "$before" = "$(sha256sum <"$d/promotions.json")" ] || die "the state file changed after a failed write"
  [ -z "$(find "$d" -name '*.tmp.*')" ] || die "temporary files left behind"
}
approved_pair quota
dave_fails quota file_limited 1
err_has "File too large"
run 0 "$BIN" --dir quota status prm-1
out_has "(state reloaded: 2 approval(s) on file)"
out_has "status: approved"
check "a write past the file size limit fails with exit 2; the state is intact and approved"

if small_disk "$T/small"; then
  approved_pair "$T/small/gh"
  fill_disk "$T/small"
  dave_fails "$T/small/gh" env
  err_has "No space left on device"
  rm -f "$T/small/filler"
  run 0 "$BIN" --dir "$T/small/gh" status prm-1
  out_has "(state reloaded: 2 approval(s) on file)"
  out_has "status: approved"
  check "a full disk (64 KiB tmpfs): exit 2; the state is intact and approved"
else
  echo "skip: the full-disk case on a 64 KiB tmpfs needs root and mount"
fi
