#!/usr/bin/env node
// A stand-in for `fido2-assert -G` (fido2-tools, libfido2) for tests: the same command line, the
// same input and output (man fido2-assert), and an authenticator that signs with a credential the
// test gives it (for the end-to-end test: the very credential Chromium's virtual authenticator
// made at enrolment, read over CDP WebAuthn.getCredentials).
//
//   fido2-assert -G [-bdhpruv] [-t option] [-i input_file] [-o output_file] device
//
// Input (one item a line): client data hash (base64), relying party id, credential id (base64).
// Output: client data hash (base64), relying party id, authenticator data (base64 of its CBOR byte
// string, as libfido2 holds it), assertion signature (base64, DER), and the user id (base64) with -r.
// -p asks for user presence (UP flag), -v for the PIN (read from standard input here: this
// process has no terminal), -t uv=true for the authenticator's built-in user verification.
// Errors go to standard error as fido2-assert prints them (`fido2-assert: fido_dev_get_assert:
// FIDO_ERR_...`), exit status 1.
//
// The "device" is the JSON file named by FAKE_FIDO2_DEVICE_FILE:
//   { device, pin: string|null, builtInUv: boolean, credentials: [{ credentialId, rpId, privateKey (PKCS#8, base64), signCount, userHandle? }], calls? }
// The file is the authenticator's own state (its counters; `calls`, the command lines it was
// given, for the tests to read); the program under test writes nothing.
import crypto from 'node:crypto';
import fs from 'node:fs';

// A bug of this stand-in is one line on standard error, as fido2-assert's own errors are.
process.on('uncaughtException', (err) => {
  process.stderr.write(`fido2-assert: internal error: ${err.message}\n`);
  process.exit(1);
});
const die = (msg) => {
  process.stderr.write(`fido2-assert: ${msg}\n`);
  process.exit(1);
};
const usage = () => {
  process.stderr.write('usage: fido2-assert -G [-bdhpruv] [-t option] [-i input_file] [-o output_file] device\n');
  process.exit(1);
};

const args = process.argv.slice(2);
const flags = new Set();
const options = [];
// Without -i / -o: standard input and output themselves (not reopened by name, as fido2-assert does).
let input = 0;
let output = 1;
let i = 0;
for (; i < args.length && args[i].startsWith('-') && args[i] !== '-'; i++) {
  const a = args[i];
  for (let j = 1; j < a.length; j++) {
    const f = a[j];
    if ('tio'.includes(f)) {
      const value = a.slice(j + 1) || args[++i];
      if (value === undefined) usage();
      if (f === 't') options.push(value);
      // fopen(3) of the name, as fido2-assert does: /dev/fd/N must be a file or a pipe, not a socket.
      if (f === 'i') input = value;
      if (f === 'o') output = value;
      break;
    }
    if (!'Gbdhpruv'.includes(f)) usage();
    flags.add(f);
  }
}
const positional = args.slice(i);
if (!flags.has('G') || positional.length !== 1) usage();
const devicePath = positional[0];

const stateFile = process.env.FAKE_FIDO2_DEVICE_FILE;
if (!stateFile) die('FAKE_FIDO2_DEVICE_FILE is not set');
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const record = () => fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
state.calls = [...(state.calls ?? []), { args, input }];
record();
if (devicePath !== state.device) die(`fido_dev_open ${devicePath}: FIDO_ERR_RX`);

let up = flags.has('p');
let uv = false;
for (const o of options) {
  if (o === 'uv=true') uv = true;
  else if (o === 'up=true') up = true;
  else if (o === 'uv=false' || o === 'up=false') continue;
  else if (!o.startsWith('pin=')) die(`unknown option ${o}`);
}

const lines = fs.readFileSync(input, 'utf8').split('\n');
const [hashB64, rpId, credB64] = lines.map((l) => l.trim());
const clientDataHash = Buffer.from(hashB64 ?? '', 'base64');
if (clientDataHash.length !== 32) die('input error: client data hash');
if (!rpId) die('input error: relying party id');
if (!flags.has('r') && !credB64) die('input error: credential id');

if (flags.has('v')) {
  if (!state.pin) die('fido_dev_get_assert: FIDO_ERR_PIN_NOT_SET');
  const given = fs.readFileSync(0, 'utf8').split('\n')[0];
  if (given !== state.pin) die('fido_dev_get_assert: FIDO_ERR_PIN_INVALID');
  uv = true;
} else if (uv && !state.builtInUv) {
  die('fido_dev_get_assert: FIDO_ERR_UNSUPPORTED_OPTION');
}

const wanted = credB64 ? Buffer.from(credB64, 'base64') : undefined;
const credential = state.credentials.find((c) => c.rpId === rpId && (!wanted || Buffer.from(c.credentialId, 'base64').equals(wanted)));
if (!credential) die('fido_dev_get_assert: FIDO_ERR_NO_CREDENTIALS');

credential.signCount += 1;
record();
// WebAuthn §6.1: rpIdHash ‖ flags (UP 0x01, UV 0x04) ‖ signCount (big-endian u32).
const count = Buffer.alloc(4);
count.writeUInt32BE(credential.signCount);
const authData = Buffer.concat([crypto.createHash('sha256').update(rpId).digest(), Buffer.from([(up ? 0x01 : 0) | (uv ? 0x04 : 0)]), count]);
const key = crypto.createPrivateKey({ key: Buffer.from(credential.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
// COSE -7 (ES256, DER), -8 (EdDSA: Ed25519 hashes itself), -257 (RS256): what the key's type says.
const signed = Buffer.concat([authData, clientDataHash]);
const signature = key.asymmetricKeyType === 'ed25519' ? crypto.sign(null, signed, key) : crypto.sign('sha256', signed, { key, dsaEncoding: 'der' });
// libfido2 keeps the authenticator data CBOR-encoded: a byte string, major type 2.
const cbor = Buffer.concat([authData.length < 24 ? Buffer.from([0x40 | authData.length]) : Buffer.from([0x58, authData.length]), authData]);

const out = [clientDataHash.toString('base64'), rpId, cbor.toString('base64'), signature.toString('base64')];
if (flags.has('r') && credential.userHandle) out.push(credential.userHandle);
fs.writeFileSync(output, `${out.join('\n')}\n`);
