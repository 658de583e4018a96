import crypto from 'node:crypto';
import type { MasterKey } from './master-key.js';

/**
 * Secrets that the server must use again are sealed with AES-256-GCM under the master key.
 * The associated data binds a sealed value to its row and column, so a value copied into
 * another row does not open. Format: `v1.<keyId>.<iv>.<ciphertext+tag>` (base64url parts).
 */
export interface Sealer {
  keyId: string;
  seal(plaintext: string, aad: string): string;
  open(sealed: string, aad: string): string;
}

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

export function createSealer(primary: MasterKey, previous: MasterKey[] = []): Sealer {
  const byId = new Map([primary, ...previous].map((k) => [k.id, k.key]));
  return {
    keyId: primary.id,
    seal(plaintext, aad) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', primary.key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1.${primary.id}.${iv.toString('base64url')}.${ct.toString('base64url')}`;
    },
    open(sealed, aad) {
      const [version, keyId, ivText, ctText] = sealed.split('.');
      if (version !== 'v1' || !keyId || !ivText || !ctText) throw new SealError('not a sealed value');
      const key = byId.get(keyId);
      if (!key) throw new SealError(`sealed with master key ${keyId}, which this server does not have (current key is ${primary.id})`);
      const data = Buffer.from(ctText, 'base64url');
      if (data.length < 16) throw new SealError('sealed value is truncated');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - 16));
      try {
        return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        throw new SealError('sealed value failed authentication (tampered, or bound to another row)');
      }
    },
  };
}

export const isSealed = (value: string): boolean => /^v1\.[0-9a-f]{8}\./.test(value);
