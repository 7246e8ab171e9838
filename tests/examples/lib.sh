# Shared helpers of the example test scripts (sourced; plain bash and coreutils only). run,
# check, die and the out_/err_ checks come from tests/shell/assert.sh, shared with the CLI tests.
#
# Each script is run as `bash SCRIPT /path/to/example`. It gets:
#   $BIN        the example binary under test
#   $T          a fresh temporary directory (removed on exit), also the working directory
#   run CODE CMD...      runs CMD, stdout to $T/out, stderr to $T/err; fails unless it exits CODE
#   out_has / out_lacks / err_has TEXT   fixed-string checks on the last run
#   check NAME           prints "ok NAME"; die MESSAGE fails the script
#   file_limited BYTES CMD...  runs CMD with RLIMIT_FSIZE (ulimit -f, in KiB) and SIGXFSZ
#                        ignored, so a write past the limit fails with EFBIG as on a full disk
#   small_disk DIR       mounts a 64 KiB tmpfs at DIR (unmounted on exit); fails when not root
#                        or when mounting is not allowed (the caller then skips that part)
#   fill_disk DIR        fills the file system holding DIR (the filler is DIR/filler)
set -euo pipefail

BIN=${1:?usage: bash SCRIPT /path/to/example}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
source "$(dirname "${BASH_SOURCE[0]}")/../shell/assert.sh"
T="$(mktemp -d "${TMPDIR:-/tmp}/assent-example-test.XXXXXX")"
MOUNTS=()
cleanup() {
  local m
  for m in "${MOUNTS[@]+"${MOUNTS[@]}"}"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
cd "$T"


file_limited() {
  # The limit applies to every regular file the command writes, its stdout and stderr files
  # included, so those go through FIFOs (not limited) to cat processes started without it.
  local kib=$1 rc=0 out err
  shift
  out="$(mktemp -u "$T/limited-out.XXXXXX")" err="$(mktemp -u "$T/limited-err.XXXXXX")"
  mkfifo "$out" "$err"
  cat "$out" &
  local cat_out=$!
  cat "$err" >&2 &
  local cat_err=$!
  (trap '' XFSZ && ulimit -f "$kib" && exec "$@" >"$out" 2>"$err") || rc=$?
  wait "$cat_out" "$cat_err" || true
  rm -f "$out" "$err"
  return "$rc"
}
small_disk() {
  [ "$(id -u)" -eq 0 ] || return 1
  mkdir -p "$1"
  mount -t tmpfs -o size=64k,mode=0700 tmpfs "$1" 2>/dev/null || return 1
  MOUNTS+=("$1")
}
fill_disk() { dd if=/dev/zero of="$1/filler" bs=1k 2>/dev/null || true; }
