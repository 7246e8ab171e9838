# deploy_gate's key-set publish under concurrent publishers and readers, and on a full disk.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- 8 publishers at once, 10 publishes each, while the gate keeps loading the set ----------
mkdir conc
run 0 "$BIN" --publish conc/trusted.jwks
pids=()
for w in 1 2 3 4 5 6 7 8; do
  (for i in $(seq 10); do "$BIN" --publish conc/trusted.jwks 2>"pub-$w.err" || exit 1; done) &
  pids+=($!)
done
# A reader must see a whole key set every time: the old one or a new one, never a mixture.
(for i in $(seq 40); do "$BIN" --check conc/trusted.jwks >/dev/null 2>reader.err || exit 1; done) &
reader=$!
for p in "${pids[@]}"; do wait "$p" || die "a concurrent publish failed: $(cat pub-*.err)"; done
wait "$reader" || die "the gate read a broken key set: $(cat reader.err)"
run 0 "$BIN" --check conc/trusted.jwks
out_has "3 keys"
[ -z "$(find conc -name '*.tmp.*')" ] || die "temporary files left behind"
check "8 concurrent publishers: every publish succeeded, every read saw a whole key set"

# --- a publish that cannot be written keeps the previous set and says so ---------------------
publish_fails() {  # $1: the key set file; $2: the error expected; $3...: what the publish runs under
  local f=$1 why=$2 before
  shift 2
  before=$(sha256sum <"$f")
  run 2 "$@" "$BIN" --publish "$f"
  err_has "the previous key set is unchanged"
  err_has "$why"
  [ "$before" = "$(sha256sum <"$f")" ] || die "the key set changed after a failed publish"
  [ -z "$(find "$(dirname "$f")" -name '*.tmp.*')" ] || die "temporary files left behind"
  run 0 "$BIN" --check "$f"
  out_has "3 keys"
}
mkdir quota
run 0 "$BIN" --publish quota/trusted.jwks
publish_fails quota/trusted.jwks "File too large" file_limited 0
check "a publish past the file size limit fails with exit 2; the previous key set still loads"

if small_disk "$T/small"; then
  run 0 "$BIN" --publish "$T/small/trusted.jwks"
  fill_disk "$T/small"
  publish_fails "$T/small/trusted.jwks" "No space left on device" env
  check "a full disk (64 KiB tmpfs): exit 2; the previous key set still loads"
else
  echo "skip: the full-disk case on a 64 KiB tmpfs needs root and mount"
fi
