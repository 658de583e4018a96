// @peculiar/x509 (tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import { systemContext } from '../../lib/context.js';
import type { Sealer } from '../../security/sealing.js';
import * as repo from './oidc-keys.repository.js';

/**
 * Signing keys of the provider: one ES256 and one RS256 key in use (RS256 is what every relying
 * party must support, OIDC Core §15.1; ES256 for those that ask for it). Generated on first start,
 * private halves sealed, rotated when the current key is older than `rotationDays`. A new key is
 * published `publishLeadHours` before it signs (the old key keeps signing until then, its
 * `retiredAt` set to that moment): relying parties cache JWKS, and Microsoft Entra ID refreshes the
 * keys of an EAM provider only every 24 hours to 2 days and asks providers to "keep signing with the
 * existing cert until the cache is refreshed" (EAM provider reference, Provider metadata caching).
 * A retired key stays published for `retentionHours` (longer than any ID token signed with it
 * lives), then goes. Rotation runs under a PostgreSQL advisory lock, so of several nodes starting
 * at once one rotates.
 */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
type Alg = (typeof SIGNING_ALGS)[number];

/** Arbitrary constant for pg_advisory_xact_lock: "oidc keys". */
const ROTATION_LOCK = 0x6f69_6463;

const generateKeyPair = promisify(crypto.generateKeyPair) as (
  type: 'rsa' | 'ec',
  options: crypto.RSAKeyPairKeyObjectOptions | crypto.ECKeyPairKeyObjectOptions,
) => Promise<crypto.KeyPairKeyObjectResult>;

export const privateJwkAad = (kid: string) => `oidc_signing_keys.private_jwk:${kid}`;

x509.cryptoProvider.set(crypto.webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const WEBCRYPTO_ALG = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
} as const;

/**
 * A self-signed certificate of the key, as a JWK `x5c` (base64 DER). Microsoft Entra ID reads
 * provider keys only from `x5c` ("The JWK x5c parameter must be present to provide X.509
 * representations of keys provided", EAM provider reference, Discovery of provider metadata);
 * RFC 7517 §4.7. Ten years: keys change by rotation, not by certificate expiry.
 */
export async function selfSignedX5c(privateJwk: Record<string, unknown>, alg: Alg, now: Date): Promise<string[]> {
  const algorithm = WEBCRYPTO_ALG[alg];
  const { kid: _k, use: _u, alg: _a, ...jwk } = privateJwk;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  const subtle = crypto.webcrypto.subtle;
  const keys = {
    privateKey: await subtle.importKey('jwk', jwk as crypto.webcrypto.JsonWebKey, algorithm, false, ['sign']),
    publicKey: await subtle.importKey('jwk', pub as crypto.webcrypto.JsonWebKey, algorithm, true, ['verify']),
  };
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 10);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: crypto
      .randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=Tessera OIDC ${String(privateJwk.kid)}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingAlgorithm: algorithm,
    keys: keys as never,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return [Buffer.from(cert.rawData).toString('base64')];
}

export interface OidcKeysOptions {
  rotationDays: number;
  retentionHours: number;
  publishLeadHours?: number;
}
/** Entra's "every 2 days" (EAM provider reference). */
export const DEFAULT_PUBLISH_LEAD_HOURS = 48;

/** 0: the key signs (a retiring key during its successor's lead); 1: current (signs once no key is retiring); 2: retired. */
const keyRank = (r: { retiredAt: Date | null }, now: Date) => (r.retiredAt === null ? 1 : r.retiredAt > now ? 0 : 2);
export type OidcKeysService = ReturnType<typeof createOidcKeysService>;

export function createOidcKeysService(deps: { db: Db; sealer: Sealer; clock: Clock; audit: AuditService; options: OidcKeysOptions }) {
  const { db, sealer, clock, audit, options } = deps;
  const leadMs = (options.publishLeadHours ?? DEFAULT_PUBLISH_LEAD_HOURS) * 3_600_000;

  /** A new key pair; off the event loop (an RSA key takes 50–500 ms to find its primes). */
  async function generate(alg: Alg) {
    const kid = crypto.randomBytes(12).toString('base64url');
    const { privateKey, publicKey } =
      alg === 'RS256' ? await generateKeyPair('rsa', { modulusLength: 2048 }) : await generateKeyPair('ec', { namedCurve: 'P-256' });
    const meta = { kid, alg, use: 'sig' };
    const x5c = await selfSignedX5c({ ...privateKey.export({ format: 'jwk' }), ...meta }, alg, clock.now());
    return {
      kid,
      alg,
      publicJwk: { ...publicKey.export({ format: 'jwk' }), ...meta, x5c },
      privateJwk: sealer.seal(JSON.stringify({ ...privateKey.export({ format: 'jwk' }), ...meta, x5c }), privateJwkAad(kid)),
    };
  }

  return {
    /**
     * Makes sure each algorithm has a current key younger than the rotation age, and drops keys
     * retired longer ago than the retention. Returns the kids that were created.
     */
    async ensureCurrent(): Promise<string[]> {
      const created: string[] = [];
      await db.transaction(async (tx) => {
        await repo.lockKeyRotation(tx, ROTATION_LOCK);
        const now = clock.now();
        for (const alg of SIGNING_ALGS) {
          const current = await repo.findCurrentSigningKey(tx, alg);
          if (current && now.getTime() - current.createdAt.getTime() < options.rotationDays * 86_400_000) continue;
          const key = await generate(alg);
          await repo.insertSigningKey(tx, { ...key, createdAt: now });
          // The old key signs on until the new one has been published for the lead time.
          if (current) await repo.retireSigningKeysBefore(tx, alg, now, new Date(now.getTime() + leadMs));
          created.push(key.kid);
          await audit.record(
            systemContext(),
            { action: 'oidc.key_rotated', target: { type: 'oidc_signing_key', id: key.kid, label: alg }, details: { alg, retired: current?.kid ?? null } },
            tx,
          );
        }
        await repo.deleteSigningKeysRetiredBefore(tx, new Date(now.getTime() - options.retentionHours * 3_600_000));
        // Keys made before they carried a certificate get one (Entra reads keys from x5c only).
        for (const row of await repo.findAllSigningKeys(tx)) {
          if (Array.isArray(row.publicJwk.x5c)) continue;
          const privateJwk = JSON.parse(sealer.open(row.privateJwk, privateJwkAad(row.kid))) as Record<string, unknown>;
          const x5c = await selfSignedX5c(privateJwk, row.alg as Alg, now);
          await repo.updateSigningKeyByKid(tx, row.kid, {
            publicJwk: { ...row.publicJwk, x5c },
            privateJwk: sealer.seal(JSON.stringify({ ...privateJwk, x5c }), privateJwkAad(row.kid)),
          });
        }
      });
      return created;
    },

    /**
     * The private JWKS handed to oidc-provider: for each algorithm the signing key first (it signs
     * with the first key that fits): a retiring key during its successor's publication lead, else
     * the current one; then keys published ahead, then retired ones (published, still verify). The
     * `version` string changes whenever the set or the order does, so nodes know to rebuild their
     * provider (the key check runs every 15 minutes).
     */
    async privateJwks(): Promise<{ jwks: { keys: Record<string, unknown>[] }; version: string }> {
      const now = clock.now();
      const rows = (await repo.findSigningKeysNewestFirst(db, true)).sort((a, b) => keyRank(a, now) - keyRank(b, now));
      return {
        jwks: { keys: rows.map((r) => JSON.parse(sealer.open(r.privateJwk, privateJwkAad(r.kid))) as Record<string, unknown>) },
        version: rows.map((r) => `${r.kid}:${keyRank(r, now)}${Array.isArray(r.publicJwk.x5c) ? ':x5c' : ''}`).join(','),
      };
    },

    /** Public keys with their state, for the console/API (never the private half). */
    async list() {
      const rows = await repo.findSigningKeysNewestFirst(db);
      return rows.map((r) => ({ kid: r.kid, alg: r.alg, createdAt: r.createdAt.toISOString(), retiredAt: r.retiredAt?.toISOString() ?? null }));
    },
  };
}
