# replay_engine under a recording swapped concurrently with its replays, and on a full disk.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- the recording keeps changing on disk: an allowed replay runs only the approved bytes ----
run 0 "$BIN" --race 2000
out_has "0 ran bytes other than the approved ones"
check "2000 execute replays under a swapping recording: none ran unapproved bytes"

# --- the demo's files cannot be written: it stops with exit 2 and says why, replaying nothing -
mkdir quota
run 2 file_limited 0 "$BIN" --dir quota
err_has "File too large"
out_lacks "replaying"
[ -z "$(find quota -name '*.tmp.*')" ] || die "temporary files left behind"
check "past the file size limit: exit 2 with the reason, nothing replayed"

if small_disk "$T/small"; then
  fill_disk "$T/small"
  run 2 "$BIN" --dir "$T/small"
  err_has "No space left on device"
  out_lacks "replaying"
  check "a full disk (64 KiB tmpfs): exit 2 with the reason, nothing replayed"
else
  echo "skip: the full-disk case on a 64 KiB tmpfs needs root and mount"
fi
