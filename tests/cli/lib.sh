# Shared helpers of the CLI test scripts (sourced; plain bash, grep and coreutils only). run,
# check, die and the out_/err_ checks come from tests/shell/assert.sh, shared with the examples.
#
# Each script is run as `bash SCRIPT /path/to/assent`. It gets:
#   $ASSENT     the binary under test
#   $FIXTURES   tests/cli/fixtures
#   $T          a fresh temporary directory (removed on exit), also the working directory
#   run CODE CMD...        runs CMD, stdout to $T/out, stderr to $T/err; fails unless it exits CODE
#   out_has TEXT / out_lacks TEXT / err_has TEXT   fixed-string checks on the last run
#   err_one_line           the last run wrote exactly one line on stderr
#   check NAME             prints "ok NAME" (a named step, for the CTest log)
#   die MESSAGE            fails the script
#   field NAME FILE        the value of a top-level string member of a compact JSON file
#   payload FILE           the decoded payload of a DSSE envelope file
#   peak_kib CODE CMD...   like run, and sets PEAK to CMD's peak resident memory in KiB
#                          (getrusage of the child, through assent-maxrss next to the binary)
#   memory_checked         true unless the build has sanitizers (their quarantine holds memory)
set -euo pipefail

ASSENT=${1:?usage: bash SCRIPT /path/to/assent}
case "$ASSENT" in /*) ;; *) ASSENT="$PWD/$ASSENT" ;; esac
FIXTURES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fixtures"
source "$(dirname "${BASH_SOURCE[0]}")/../shell/assert.sh"
T="$(mktemp -d "${TMPDIR:-/tmp}/assent-cli-test.XXXXXX")"
trap 'rm -rf "$T"' EXIT
cd "$T"

err_one_line() {
  local n
  n=$(wc -l <"$T/err")
  [ "$n" -eq 1 ] || die "stderr has $n lines, expected exactly one"
}

peak_kib() {
  local want=$1
  shift
  run "$want" "$(dirname "$ASSENT")/assent-maxrss" "$T/peak" "$@"
  PEAK=$(cat "$T/peak")
}

memory_checked() { [ -z "${ASSENT_SANITIZED:-}" ]; }

field() { grep -o "\"$1\":\"[^\"]*\"" "$2" | head -n 1 | sed "s/^\"$1\":\"//; s/\"\$//"; }

payload() { field payload "$1" | base64 -d; }

# Keys of a small organisation: alice and bob (admins), carol (owner, break-glass), dave (a
# developer, the initiator), all in keys.json.
make_org() {
  "$ASSENT" keygen --kid alice-1 --principal alice --roles admin,security_owner --out alice.jwk >alice.pub
  "$ASSENT" keygen --kid bob-1 --principal bob --roles admin --out bob.jwk >bob.pub
  "$ASSENT" keygen --kid carol-1 --principal carol --roles owner --out carol.jwk >carol.pub
  printf '{"keys":[%s,%s,%s]}\n' "$(cat alice.pub)" "$(cat bob.pub)" "$(cat carol.pub)" >keys.json
  SPEC_HASH=$("$ASSENT" hash "$FIXTURES/spec.json")
  request prod >request.json
}

# A request to deploy the spec to environment $1 (initiator dave), extra members in $2.
request() {
  printf '{"action":"deploy","project":"payments","environment":"%s","spec_hash":"%s","initiator":"dave"%s}\n' \
    "$1" "$SPEC_HASH" "${2:-}"
}
