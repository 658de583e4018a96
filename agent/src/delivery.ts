/**
 * Credential delivery, the agent's side (docs/agent-protocol.md §8): the JWE Tessera encrypts to
 * this workstation's key (ECDH-ES direct key agreement, RFC 7518 §4.6, with A256GCM), opened by
 * hand on node:crypto as assertion.ts signs, so the agent still needs no JOSE library. What it
 * holds is given to the driver and dropped: nothing of it is written to disk or to the log.
 */
import crypto, { type KeyObject } from 'node:crypto';

export const DELIVERY_JWE_TYPE = 'tessera-credentials+jwe';

/** What a `deliver_credentials` JWE holds (§8.3). */
export interface DeliveredCredentials {
  v: 1;
  requestId: string;
  workstationId: string;
  employee: { id: string; name: string; email: string };
  issuedAt: string;
  /** The JWE itself: refused once past (the command lives two minutes). */
  expiresAt: string;
  /**
   * The key's re-authentication interval (access profile): until then the agent may unlock the
   * session with these credentials from memory; then it drops them (held-credentials.ts, §8.4).
   */
  unlockUntil: string;
  /** The employee's directory accounts with the password Tessera rotated. */
  directory: { domain: string; username: string; upn: string | null; password: string; changedAt: string | null }[];
  /** Vault accounts marked for workstation use. */
  accounts: { id: string; name: string; urls: string[]; login: string | null; password: string | null }[];
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const lengthPrefixed = (b: Buffer) => Buffer.concat([u32(b.length), b]);

/** RFC 7518 §4.6.2: the Concat KDF (NIST SP 800-56A §5.8.1) with SHA-256, one round for a 256-bit key. */
export function concatKdf(z: Buffer, enc: string, apu: Buffer, apv: Buffer): Buffer {
  const otherInfo = Buffer.concat([lengthPrefixed(Buffer.from(enc, 'ascii')), lengthPrefixed(apu), lengthPrefixed(apv), u32(256)]);
  return crypto.createHash('sha256').update(u32(1)).update(z).update(otherInfo).digest();
}

/**
 * Opens a compact JWE (RFC 7516 §7.1) made for this workstation. Refuses anything but ECDH-ES
 * with A256GCM and our `typ`, one addressed to another workstation, and one past its expiry.
 */
export function openDelivery(jwe: string, privateKey: KeyObject, expect: { workstationId: string; now: number }): DeliveredCredentials {
  const parts = jwe.split('.');
  if (parts.length !== 5) throw new Error('the delivery is not a compact JWE');
  const [headerB64, encryptedKey, ivB64, ciphertextB64, tagB64] = parts;
  let header: { alg?: string; enc?: string; typ?: string; kid?: string; epk?: crypto.JsonWebKey; apu?: string; apv?: string };
  try {
    header = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8'));
  } catch {
    throw new Error('the delivery header is not JSON');
  }
  if (header.alg !== 'ECDH-ES' || header.enc !== 'A256GCM') throw new Error(`the delivery uses ${header.alg}/${header.enc}, not ECDH-ES/A256GCM`);
  if (header.typ !== DELIVERY_JWE_TYPE) throw new Error(`the delivery's typ is ${header.typ}, not ${DELIVERY_JWE_TYPE}`);
  if (header.kid !== expect.workstationId) throw new Error('the delivery is addressed to another workstation');
  if (encryptedKey !== '') throw new Error('ECDH-ES direct key agreement carries no encrypted key');
  const epk = header.epk;
  if (epk?.kty !== 'EC' || epk.crv !== 'P-256' || typeof epk.x !== 'string' || typeof epk.y !== 'string')
    throw new Error('the delivery has no P-256 ephemeral key');
  const z = crypto.diffieHellman({ privateKey, publicKey: crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: epk.x, y: epk.y }, format: 'jwk' }) });
  const key = concatKdf(z, 'A256GCM', Buffer.from(header.apu ?? '', 'base64url'), Buffer.from(header.apv ?? '', 'base64url'));
  let plaintext: Buffer;
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(ivB64, 'base64url'));
    decipher.setAAD(Buffer.from(headerB64, 'ascii'));
    decipher.setAuthTag(Buffer.from(tagB64, 'base64url'));
    plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertextB64, 'base64url')), decipher.final()]);
  } catch {
    throw new Error('the delivery does not open with this workstation’s key');
  } finally {
    key.fill(0);
    z.fill(0);
  }
  const content = JSON.parse(plaintext.toString('utf8')) as DeliveredCredentials;
  plaintext.fill(0);
  if (content.v !== 1) throw new Error(`delivery format ${content.v} is not known to this agent`);
  if (content.workstationId !== expect.workstationId) throw new Error('the delivery is addressed to another workstation');
  if (!(Date.parse(content.expiresAt) > expect.now)) throw new Error('the delivery has expired');
  return content;
}

/** What the log may say of a delivery: who and which accounts, never a password. */
export function describeDelivery(c: DeliveredCredentials) {
  return {
    employee: c.employee.email,
    directory: c.directory.map((d) => `${d.domain}\\${d.username}`),
    accounts: c.accounts.map((a) => a.name),
  };
}
