/**
 * The workstation's identity (docs/agent-protocol.md §1, §3): an ECDSA P-256 key made at enrolment,
 * and the compact JWS (RFC 7515 §7.1) the agent signs for every request and channel connection.
 * Built by hand on node:crypto so the agent needs no JOSE library.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type { PublicJwk } from './protocol.js';

/** §3: the server refuses an assertion that lives longer than 60 s. */
export const ASSERTION_LIFETIME_S = 60;
export const ASSERTION_TYP = 'tessera-agent+jwt';

export interface KeyPair {
  privateKey: KeyObject;
  /** The public half as a JWK, the only form that leaves the computer. */
  publicJwk: PublicJwk;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // Only the public members: an exported JWK of the private key would also carry `d`.
  const { x, y } = publicKey.export({ format: 'jwk' });
  return { privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x: x!, y: y! } };
}

export function privateKeyToPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function privateKeyFromPem(pem: string): KeyObject {
  const key = crypto.createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`the workstation key must be an EC P-256 key, found ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
  }
  return key;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

export interface AssertionOptions {
  privateKey: KeyObject;
  workstationId: string;
  audience: string;
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: number;
  /** Random bytes; injected so tests control the jti. */
  random?: (size: number) => Buffer;
}

/**
 * One assertion: header `{alg:ES256, typ, kid}`, claims `{iss, aud, iat, exp, jti}`. The jti is
 * 32 random bytes (43 base64url characters, within §3's 16–128), so no two requests share one.
 * ES256 signatures in a JWS are r‖s (RFC 7518 §3.4), hence `ieee-p1363`, not DER.
 */
export function signAssertion({ privateKey, workstationId, audience, now = Date.now(), random = crypto.randomBytes }: AssertionOptions): string {
  const iat = Math.floor(now / 1000);
  const header = { alg: 'ES256', typ: ASSERTION_TYP, kid: workstationId };
  const claims = { iss: workstationId, aud: audience, iat, exp: iat + ASSERTION_LIFETIME_S, jti: b64url(random(32)) };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = crypto.sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${b64url(signature)}`;
}
