#!/usr/bin/python3
"""PyNaCl (libsodium's Python binding, Debian python3-nacl) on the other side of assent's keys
and DSSE envelopes. Uses the standard library and nacl only.

  keys SEED_HEX KID PRINCIPAL PRIVATE.jwk PUBLIC.jwk   a key pair from a seed, as JWKs
  sign PRIVATE.jwk PAYLOAD_TYPE BODY_FILE               a DSSE envelope signed over the PAE
  verify PUBLIC.jwk ENVELOPE                            exit 0 when every signature verifies
  check-private PRIVATE.jwk                             exit 0 when d derives x
"""
import base64
import json
import sys

import nacl.exceptions
import nacl.signing


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pae(payload_type, body):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def load(path):
    with open(path, "rb") as f:
        return json.loads(f.read())


def main(argv):
    cmd = argv[1]
    if cmd == "keys":
        seed_hex, kid, principal, priv_path, pub_path = argv[2:7]
        key = nacl.signing.SigningKey(bytes.fromhex(seed_hex))
        x = b64url(bytes(key.verify_key))
        with open(priv_path, "w") as f:
            json.dump({"kty": "OKP", "crv": "Ed25519", "d": b64url(bytes(key)), "x": x, "kid": kid,
                       "principal": principal}, f)
        with open(pub_path, "w") as f:
            json.dump({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "principal": principal,
                       "alg": "Ed25519", "use": "sig"}, f)
        return 0
    if cmd == "sign":
        jwk = load(argv[2])
        payload_type = argv[3]
        with open(argv[4], "rb") as f:
            body = f.read()
        key = nacl.signing.SigningKey(unb64url(jwk["d"]))
        sig = key.sign(pae(payload_type, body)).signature
        print(json.dumps({"payload": base64.b64encode(body).decode(), "payloadType": payload_type,
                          "signatures": [{"keyid": jwk["kid"], "sig": base64.b64encode(sig).decode()}]},
                         separators=(",", ":")))
        return 0
    if cmd == "verify":
        jwk = load(argv[2])
        env = load(argv[3])
        key = nacl.signing.VerifyKey(unb64url(jwk["x"]))
        body = base64.b64decode(env["payload"])
        for s in env["signatures"]:
            try:
                key.verify(pae(env["payloadType"], body), base64.b64decode(s["sig"]))
            except nacl.exceptions.BadSignatureError:
                print("PyNaCl: bad signature by %s" % s.get("keyid"), file=sys.stderr)
                return 1
        return 0
    if cmd == "check-private":
        jwk = load(argv[2])
        key = nacl.signing.SigningKey(unb64url(jwk["d"]))
        if b64url(bytes(key.verify_key)) != jwk["x"]:
            print("PyNaCl: d does not derive x", file=sys.stderr)
            return 1
        return 0
    print("unknown command " + cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
