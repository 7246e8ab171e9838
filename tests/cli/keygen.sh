#!/usr/bin/env bash
# assent keygen: private JWK to a new 0600 file, public JWK with assent's members to stdout.
source "$(dirname "$0")/lib.sh"

# Success: the public JWK carries the identity and no secret; the private file is 0600.
run 0 "$ASSENT" keygen --kid alice-2026 --principal alice --roles admin,security_owner --env prod,staging --out alice.jwk
out_has '"kid":"alice-2026"'
out_has '"principal":"alice"'
out_has '"roles":["admin","security_owner"]'
out_has '"environments":["prod","staging"]'
out_has '"status":"active"'
out_has '"kty":"OKP"'
out_has '"crv":"Ed25519"'
out_lacks '"d":'
[ "$(wc -l <out)" -eq 1 ] || die "the public JWK is not one line"
[ "$(stat -c %a alice.jwk)" = 600 ] || die "private key file mode is $(stat -c %a alice.jwk), expected 600"
grep -qF '"d":"' alice.jwk || die "the private JWK has no d"
grep -qF '"kid":"alice-2026"' alice.jwk || die "the private JWK has no kid"
# The x of both files is the same public key.
[ "$(field x out)" = "$(field x alice.jwk)" ] || die "public and private JWK disagree on x"
cp out alice.pub
check "keygen writes a 0600 private JWK and prints the matching public JWK"

# The printed JWK is ready for a key set: an envelope signed with the key verifies under it.
printf '{"keys":[%s]}\n' "$(cat alice.pub)" >keys.json
printf 'hello' >msg.txt
run 0 "$ASSENT" sign --key alice.jwk msg.txt
cp out msg.env
run 0 "$ASSENT" verify --keys keys.json msg.env
out_has '"valid":true'
out_has '"principal":"alice"'
check "the printed public JWK loads as a key set and verifies the key's signatures"

# Two runs give two different keys.
run 0 "$ASSENT" keygen --kid other --out other.jwk
[ "$(field x out)" != "$(field x alice.pub)" ] || die "two key generations gave the same key"
out_has '"principal":"other"'
out_has '"roles":[]'
out_lacks '"environments"'
check "without --principal the kid is the principal; every run makes a new key"

# Never overwrites: the existing key survives.
cp alice.jwk alice.before
run 2 "$ASSENT" keygen --kid alice-2026 --principal alice --out alice.jwk
err_has 'refusing to overwrite'
err_one_line
cmp -s alice.jwk alice.before || die "keygen changed an existing key file"
[ ! -s out ] || die "keygen printed a JWK although it wrote no key"
check "keygen refuses to overwrite an existing file"

# Never writes through a symlink either.
ln -s "$T/elsewhere.jwk" link.jwk
run 2 "$ASSENT" keygen --kid x --out link.jwk
[ ! -e elsewhere.jwk ] || die "keygen followed a symlink"
check "keygen refuses a symlink as --out"

# Bad input: exit 2, one line, no key file left behind.
run 2 "$ASSENT" keygen --kid dup --roles admin,admin --out dup.jwk
err_has 'roles must be unique'
err_one_line
[ ! -e dup.jwk ] || die "a refused keygen left a key file"
run 2 "$ASSENT" keygen --kid e --env "" --out e.jwk
err_has '--env needs at least one environment'
[ ! -e e.jwk ] || die "a refused keygen left a key file"
run 2 "$ASSENT" keygen --principal alice --out nokid.jwk
err_has '--kid is required'
run 2 "$ASSENT" keygen --kid k
err_has '--out is required'
run 2 "$ASSENT" keygen --kid k --out -
err_has 'stdout carries the public JWK'
run 2 "$ASSENT" keygen --kid k --out k.jwk --frobnicate
err_has 'unknown option --frobnicate'
err_one_line
run 2 "$ASSENT" keygen --kid k --out "$T/no/such/dir/k.jwk"
err_has 'cannot create'
run 2 "$ASSENT" keygen --kid "$(printf 'k%.0s' $(seq 1 300))" --out long.jwk
err_has 'kid must be 1 to 256 visible ASCII characters'
check "keygen refuses bad arguments with exit 2 and one line"

run 0 "$ASSENT" keygen --help
out_has 'Usage: assent keygen'
check "keygen --help"
