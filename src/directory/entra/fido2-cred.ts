/**
 * Making an Entra passkey on a USB security key with libfido2's `fido2-cred -M` (Debian package
 * fido2-tools), from the creation options Tessera relays from Graph.
 *
 * fido2-cred input (one item per line): client data hash (base64), relying party id, user name,
 * user id (base64). Output: client data hash, relying party id, credential format, authenticator
 * data (base64 of the CBOR byte string, as fido_cred_authdata_ptr gives it), credential id,
 * attestation signature, and the attestation certificate when the key has one (base64 DER).
 * The client's part (WebAuthn §5.1.3: clientDataJSON, its hash) and the attestation object
 * (§6.5: CBOR map fmt/attStmt/authData) are built here.
 */
import crypto from 'node:crypto';

export const ENTRA_ORIGIN = 'https://login.microsoft.com';

export interface CreationOptions {
  challenge: string;
  rp: { id: string; name?: string };
  user: { id: string; name: string; displayName?: string };
  pubKeyCredParams?: { type: string; alg: number }[];
  authenticatorSelection?: { requireResidentKey?: boolean; userVerification?: string };
  extensions?: { hmacCreateSecret?: boolean; enforceCredentialProtectionPolicy?: boolean; credentialProtectionPolicy?: string };
}

const credProtect: Record<string, number> = { userVerificationOptional: 1, userVerificationOptionalWithCredentialIDList: 2, userVerificationRequired: 3 };

/** clientDataJSON for a create ceremony at Entra's origin, and the fido2-cred arguments and input. */
export function fido2CredRequest(options: CreationOptions, device: string) {
  if (!options.pubKeyCredParams?.some((p) => p.alg === -7)) throw new Error('Entra did not offer ES256 (alg -7), the algorithm fido2-cred makes');
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: ENTRA_ORIGIN, crossOrigin: false }));
  const args = ['-M'];
  if (options.authenticatorSelection?.requireResidentKey !== false) args.push('-r');
  if (options.authenticatorSelection?.userVerification !== 'discouraged') args.push('-v');
  if (options.extensions?.hmacCreateSecret) args.push('-h');
  const protect = options.extensions?.credentialProtectionPolicy && credProtect[options.extensions.credentialProtectionPolicy];
  if (protect) args.push('-c', String(protect));
  for (const line of [options.rp.id, options.user.name]) if (/[\n\0]/.test(line)) throw new Error('relying party id and user name must not contain newlines');
  const input = `${[
    crypto.createHash('sha256').update(clientDataJSON).digest('base64'),
    options.rp.id,
    options.user.name,
    Buffer.from(options.user.id, 'base64url').toString('base64'),
  ].join('\n')}\n`;
  return { args: [...args, device, 'es256'], input, clientDataJSON };
}

/** fido2-cred's output to the attestation Graph takes. */
export function attestationFromFido2Cred(output: string, clientDataJSON: Buffer, expectedRpId: string) {
  const lines = output.split('\n').map((l) => l.trim());
  const [clientDataHash, rpId, fmt, authDataB64, credIdB64, sigB64, x5cB64] = lines;
  if (!clientDataHash || !rpId || !fmt || !authDataB64 || !credIdB64 || !sigB64) throw new Error('fido2-cred output is incomplete (expected at least 6 lines)');
  if (clientDataHash !== crypto.createHash('sha256').update(clientDataJSON).digest('base64'))
    throw new Error('fido2-cred answered for another client data hash');
  if (rpId !== expectedRpId) throw new Error(`fido2-cred answered for relying party ${rpId}, expected ${expectedRpId}`);
  if (fmt !== 'packed') throw new Error(`the key made a "${fmt}" attestation; Entra needs "packed"`);
  const authData = unwrapByteString(Buffer.from(authDataB64, 'base64'));
  const attStmt = new Map<string, unknown>([
    ['alg', -7],
    ['sig', Buffer.from(sigB64, 'base64')],
  ]);
  if (x5cB64) attStmt.set('x5c', [Buffer.from(x5cB64, 'base64')]);
  const attestationObject = cbor(
    new Map<string, unknown>([
      ['fmt', fmt],
      ['attStmt', attStmt],
      ['authData', authData],
    ]),
  );
  return {
    id: Buffer.from(credIdB64, 'base64').toString('base64url'),
    response: { clientDataJSON: clientDataJSON.toString('base64url'), attestationObject: attestationObject.toString('base64url') },
  };
}

/** libfido2 prints authenticator data as a CBOR byte string; accept raw bytes too. */
function unwrapByteString(b: Buffer): Buffer {
  const major = b[0]! >> 5,
    info = b[0]! & 0x1f;
  if (major !== 2) return b;
  const [len, head] = info < 24 ? [info, 1] : info === 24 ? [b[1]!, 2] : info === 25 ? [b.readUInt16BE(1), 3] : [-1, 0];
  return len >= 0 && head + len === b.length ? b.subarray(head) : b;
}

/** The CBOR (RFC 8949) an attestation object needs: maps with text keys, text, bytes, small ints, arrays. */
function cbor(v: unknown): Buffer {
  const head = (major: number, n: number) =>
    n < 24
      ? Buffer.from([(major << 5) | n])
      : n < 0x100
        ? Buffer.from([(major << 5) | 24, n])
        : n < 0x10000
          ? Buffer.from([(major << 5) | 25, n >> 8, n & 0xff])
          : Buffer.concat([Buffer.from([(major << 5) | 26]), Buffer.from([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff])]);
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') {
    const s = Buffer.from(v);
    return Buffer.concat([head(3, s.length), s]);
  }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  if (v instanceof Map) return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
  throw new Error(`cannot encode ${typeof v}`);
}
