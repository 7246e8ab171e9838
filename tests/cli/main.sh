#!/usr/bin/env bash
# The dispatcher: help, version, unknown commands and options, --help of every command.
source "$(dirname "$0")/lib.sh"

run 0 "$ASSENT" --help
for c in keygen approve sign cosign verify decide hash "policy check" "audit verify" "audit export" \
  "audit verify-export" "audit metrics" "audit append"; do
  out_has "  $c "
done
out_has 'Exit status'
run 0 "$ASSENT" help
out_has 'Usage: assent COMMAND'
check "assent --help lists every command"

run 0 "$ASSENT" --version
grep -qE '^assent [0-9]+\.[0-9]+\.[0-9]+$' out || die "--version printed: $(cat out)"
check "assent --version"

run 2 "$ASSENT"
err_has 'a command is required'
err_one_line
run 2 "$ASSENT" frobnicate
err_has 'unknown command "frobnicate"'
err_one_line
check "no command or an unknown one exits 2 with one line"

# Every command: --help exits 0; an unknown option and a stray option value exit 2 with one line.
for c in keygen approve sign cosign verify decide hash "policy check" "audit verify" "audit export" \
  "audit verify-export" "audit metrics" "audit append"; do
  # shellcheck disable=SC2086
  run 0 "$ASSENT" $c --help
  out_has "Usage: assent $c"
  # shellcheck disable=SC2086
  run 2 "$ASSENT" $c --no-such-option
  err_has "assent $c: unknown option --no-such-option"
  err_one_line
done
run 2 "$ASSENT" hash --raw=yes x
err_has '--raw takes no value'
run 2 "$ASSENT" verify --keys
err_has '--keys needs a value'
run 2 "$ASSENT" verify --keys a.json --keys b.json x
err_has '--keys given twice'
run 2 "$ASSENT" keygen -x
err_has 'unknown option "-x"'
check "every command: --help (exit 0), unknown options (exit 2, one line)"

# "--" ends the options: a file named like an option.
printf 'x' >./--raw
run 0 "$ASSENT" hash -- --raw
[ "$(cat out)" = "sha256:$(printf x | sha256sum | cut -d' ' -f1)" ] || die "-- did not end the options"
check "-- ends the options"

# A closed stdout is a failure, never a silent success.
if [ -w /dev/full ]; then
  for words in "--version" "hash --raw ./--raw"; do
    got=0
    # shellcheck disable=SC2086
    "$ASSENT" $words >/dev/full 2>err || got=$?
    [ "$got" -eq 2 ] || die "assent $words >/dev/full exited $got"
    grep -qF 'cannot write to stdout' err || die "no error for a failed write: $(cat err)"
  done
  check "a failed write to stdout exits non-zero"
fi

# Malformed or empty input is exit 2 (not 1, which means a check ran and failed).
"$ASSENT" keygen --kid k --out k.jwk >k.pub
printf '{"keys":[%s]}\n' "$(cat k.pub)" >k.json
run 2 "$ASSENT" verify --keys k.json /dev/null
err_has 'is empty'
err_one_line
: >empty.json
run 2 "$ASSENT" audit verify-export --keys k.json --log-id audit.log empty.json
out_has '"code":"malformed"'
run 2 "$ASSENT" audit verify-export --keys k.json --log-id audit.log /dev/null
check "verify and audit verify-export of an empty file exit 2"
