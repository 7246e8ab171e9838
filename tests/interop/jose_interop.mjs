// npm `jose` (JWK import and export) with WebCrypto's Ed25519, and npm `canonicalize` (RFC 8785),
// on the other side of assent's keys, DSSE envelopes and canonical JSON.
//
//   node jose_interop.mjs keys SEED_HEX KID PRINCIPAL PRIVATE.jwk PUBLIC.jwk
//        a PKCS#8 key from a seed, exported by jose.exportJWK, with alg "Ed25519" (RFC 9864)
//   node jose_interop.mjs sign PRIVATE.jwk PAYLOAD_TYPE BODY_FILE   a DSSE envelope over the PAE
//   node jose_interop.mjs verify PUBLIC.jwk ENVELOPE                 exit 0 when every signature verifies
//   node jose_interop.mjs jcs-hash FILE                              sha256:<hex> of canonicalize(JSON.parse)
import { createHash, createPrivateKey, webcrypto } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, importJWK } from 'jose';
import canonicalizeModule from 'canonicalize';

const canonicalize = typeof canonicalizeModule === 'function' ? canonicalizeModule : canonicalizeModule.canonicalize;
const subtle = webcrypto.subtle;

function pae(type, body) {
  const t = Buffer.from(type, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body]);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'keys') {
  const [seedHex, kid, principal, privPath, pubPath] = args;
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  const jwk = await exportJWK(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  const priv = { ...jwk, alg: 'Ed25519', kid, principal };
  writeFileSync(privPath, JSON.stringify(priv));
  writeFileSync(pubPath, JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, alg: 'Ed25519', kid, principal }));
} else if (cmd === 'sign') {
  const [privPath, type, bodyPath] = args;
  const jwk = JSON.parse(readFileSync(privPath, 'utf8'));
  const key = await importJWK(jwk, jwk.alg);
  const body = readFileSync(bodyPath);
  const sig = Buffer.from(await subtle.sign('Ed25519', key, pae(type, body)));
  process.stdout.write(JSON.stringify({ payload: body.toString('base64'), payloadType: type,
    signatures: [{ keyid: jwk.kid, sig: sig.toString('base64') }] }) + '\n');
} else if (cmd === 'verify') {
  const [pubPath, envPath] = args;
  const jwk = JSON.parse(readFileSync(pubPath, 'utf8'));
  const key = await importJWK(jwk, jwk.alg ?? 'Ed25519');
  const env = JSON.parse(readFileSync(envPath, 'utf8'));
  const body = Buffer.from(env.payload, 'base64');
  for (const s of env.signatures) {
    if (!(await subtle.verify('Ed25519', key, Buffer.from(s.sig, 'base64'), pae(env.payloadType, body)))) {
      console.error(`jose/WebCrypto: bad signature by ${s.keyid}`);
      process.exit(1);
    }
  }
} else if (cmd === 'jcs-hash') {
  const text = canonicalize(JSON.parse(readFileSync(args[0], 'utf8')));
  process.stdout.write(`sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}\n`);
} else {
  console.error(`unknown command ${cmd}`);
  process.exit(2);
}
