// @peculiar/x509 (tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Db } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../security/sealing.js';
import type { AuditService } from '../../audit/audit.service.js';
import { AppError } from '../../lib/errors.js';
import { systemContext } from '../../lib/context.js';
import * as repo from './signing-key.repository.js';
import type { SigningKey } from './signature.js';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Certificates last ten years: SPs pin them, and rollover (not expiry) is how they change. */
const CERT_YEARS = 10;
/** Signing keys are re-read from the database this often, so every node follows a rollover. */
const CACHE_MS = 30_000;

export interface PublishedKey {
  id: string;
  certificate: string;
  /** In metadata since: a key is published the moment it is made. */
  publishedAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
  isActive: boolean;
}

const aad = (id: string) => `saml_signing_keys.private_key:${id}`;

/** A self-signed RSA-2048 certificate and its PKCS#8 key, both PEM. */
export async function generateSigningCertificate(commonName: string, now: Date): Promise<{ privateKey: string; certificate: string }> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as crypto.webcrypto.CryptoKeyPair;
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CERT_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: crypto
      .randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${commonName.replace(/[,+="<>#;\\]/g, ' ')}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const pkcs8 = Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { privateKey: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`, certificate: cert.toString('pem') };
}

/** A rollover is due when the signing certificate expires within this many days and no next key is published. */
export const ROLLOVER_WARNING_DAYS = 30;

export interface RolloverStatus {
  /** notAfter of the certificate that signs now. */
  currentExpiresAt: Date;
  /** The next key, published and not yet signing; null when no rollover is under way. */
  next: { publishedAt: Date; activatesAt: Date } | null;
  /** The signing certificate expires within ROLLOVER_WARNING_DAYS and nothing replaces it. */
  isRolloverDue: boolean;
}

/** What the console shows about the coming rollover, from the published keys. */
export function describeRollover(keys: PublishedKey[], now: Date): RolloverStatus {
  const active = keys.find((k) => k.isActive) ?? keys.filter((k) => k.activatesAt <= now).at(-1);
  if (!active) throw new Error('no active SAML signing key');
  const currentExpiresAt = new Date(new crypto.X509Certificate(active.certificate).validTo);
  const next = keys.find((k) => k.activatesAt > now);
  const isRolloverDue = !next && currentExpiresAt.getTime() - now.getTime() <= ROLLOVER_WARNING_DAYS * 86_400_000;
  return { currentExpiresAt, next: next ? { publishedAt: next.publishedAt, activatesAt: next.activatesAt } : null, isRolloverDue };
}

export type SamlKeyStore = ReturnType<typeof createSamlKeyStore>;

/**
 * The signing keys of the SAML and WS-Fed IdP. One is made on first use; a rollover adds the
 * next one, published in metadata `leadDays` before it signs, while the current one stays
 * published `overlapDays` after the switch, so SPs that refresh metadata never miss a beat.
 */
export function createSamlKeyStore(deps: { db: Db; sealer: Sealer; clock: Clock; audit: AuditService; commonName: string }) {
  const { db, sealer, clock, audit } = deps;
  let cache: { at: number; rows: repo.SamlSigningKeyRow[] } | undefined;
  const opened = new Map<string, crypto.KeyObject>();
  let creating: Promise<void> | undefined;

  async function insertKey(activatesAt: Date) {
    const id = crypto.randomUUID();
    const key = await generateSigningCertificate(deps.commonName, clock.now());
    await db.transaction(async (tx) => {
      await repo.insertSigningKey(tx, {
        id,
        privateKey: sealer.seal(key.privateKey, aad(id)),
        certificate: key.certificate,
        activatesAt,
        createdAt: clock.now(),
      });
      const fingerprint = new crypto.X509Certificate(key.certificate).fingerprint256;
      await audit.record(
        systemContext('saml'),
        { action: 'saml.key_created', target: { type: 'saml_key', id, label: fingerprint }, details: { activatesAt: activatesAt.toISOString() } },
        tx,
      );
    });
    cache = undefined;
  }

  async function rows() {
    const now = clock.now();
    if (cache && now.getTime() - cache.at < CACHE_MS) return cache.rows;
    let found = await repo.findPublishedSigningKeys(db, now);
    if (!found.some((r) => r.activatesAt <= now)) {
      creating ??= insertKey(now).finally(() => {
        creating = undefined;
      });
      await creating;
      found = await repo.findPublishedSigningKeys(db, now);
    }
    cache = { at: now.getTime(), rows: found };
    return found;
  }

  return {
    /** The key that signs now: the newest one already active. */
    async activeKey(): Promise<SigningKey & { id: string }> {
      const now = clock.now();
      const active = (await rows()).filter((r) => r.activatesAt <= now).at(-1)!;
      let privateKey = opened.get(active.id);
      if (!privateKey) {
        privateKey = crypto.createPrivateKey(sealer.open(active.privateKey, aad(active.id)));
        opened.set(active.id, privateKey);
      }
      return { id: active.id, privateKey, certificate: active.certificate };
    },
    /** Every certificate metadata publishes: the active one, the next one, and one in its overlap. */
    async publishedKeys(): Promise<PublishedKey[]> {
      const now = clock.now();
      const list = await rows();
      const activeId = list.filter((r) => r.activatesAt <= now).at(-1)?.id;
      return list.map((r) => ({
        id: r.id,
        certificate: r.certificate,
        publishedAt: r.createdAt,
        activatesAt: r.activatesAt,
        retiresAt: r.retiresAt,
        isActive: r.id === activeId,
      }));
    },
    /** Starts a rollover: the next key signs in `leadDays`; the current one retires `overlapDays` after that. */
    async rollover(opts: { leadDays: number; overlapDays: number }): Promise<{ nextKeyId: string; activatesAt: Date; previousRetiresAt: Date }> {
      const now = clock.now();
      const activatesAt = new Date(now.getTime() + opts.leadDays * 86_400_000);
      const previousRetiresAt = new Date(activatesAt.getTime() + opts.overlapDays * 86_400_000);
      // One rollover at a time: a second "next" key would leave SPs guessing which one comes.
      if ((await rows()).some((r) => r.activatesAt > now))
        throw new AppError('saml.rollover_pending', 'A rollover is already under way: the next key is published and not yet signing');
      await repo.retireActiveSigningKeys(db, now, previousRetiresAt);
      await insertKey(activatesAt);
      const next = (await repo.findSigningKeyByActivation(db, activatesAt))!;
      return { nextKeyId: next.id, activatesAt, previousRetiresAt };
    },
    /**
     * The certificate that signs now, for the dashboard's expiry warning: its subject, fingerprint
     * and expiry, whole days left (rounded down), the rollover under way if any, and whether a
     * rollover is due (describeRollover).
     */
    async signingCertificateStatus() {
      const now = clock.now();
      const keys = await this.publishedKeys();
      const r = describeRollover(keys, now);
      const active = keys.find((k) => k.isActive)!;
      const x509cert = new crypto.X509Certificate(active.certificate);
      return {
        subject: x509cert.subject,
        fingerprint: x509cert.fingerprint256,
        expiresAt: r.currentExpiresAt,
        daysLeft: Math.floor((r.currentExpiresAt.getTime() - now.getTime()) / 86_400_000),
        next: r.next,
        isRolloverDue: r.isRolloverDue,
      };
    },
    /** Forget cached rows (tests move the clock; a rollover on another node shows within CACHE_MS). */
    refresh(): void {
      cache = undefined;
    },
  };
}
