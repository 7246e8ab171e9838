# The checks both shell test suites use (tests/cli/, tests/examples/): sourced by their lib.sh
# after it has made $T, the working directory of the script.
#   run CODE CMD...      runs CMD, stdout to $T/out, stderr to $T/err; fails unless it exits CODE
#   out_has / out_lacks / err_has TEXT   fixed-string checks on the last run
#   check NAME           prints "ok NAME" (a named step, for the CTest log); die MESSAGE fails
die() {
  echo "FAIL: $*" >&2
  if [ -f "$T/out" ]; then echo "--- stdout of the last command:" >&2; head -c 4000 "$T/out" >&2; echo >&2; fi
  if [ -f "$T/err" ]; then echo "--- stderr of the last command:" >&2; head -c 4000 "$T/err" >&2; fi
  exit 1
}
check() { echo "ok $*"; }
run() {
  local want=$1
  shift
  local got=0
  "$@" >"$T/out" 2>"$T/err" || got=$?
  [ "$got" -eq "$want" ] || die "exit status $got, expected $want: $*"
}
out_has() { grep -qF -- "$1" "$T/out" || die "stdout lacks: $1"; }
out_lacks() { ! grep -qF -- "$1" "$T/out" || die "stdout should not contain: $1"; }
err_has() { grep -qF -- "$1" "$T/err" || die "stderr lacks: $1"; }
