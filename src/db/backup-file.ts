import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../lib/package-root.js';
import type { MasterKey } from '../security/master-key.js';
import { safeEqual } from '../security/tokens.js';
import { listMigrations } from './migrate.js';

/**
 * The file `tessera backup` writes and `tessera restore` reads: the whole database of one
 * Tessera, in one file.
 *
 *   TESSERA-BACKUP 1\n                       the magic line
 *   {"format":"tessera-backup",…}\n          the manifest, one line of JSON (BackupManifest)
 *   <payload>                                the embedded data folder as .tar.gz (PGlite's
 *                                            dumpDataDir), or `pg_dump --format=custom`
 *   \nTESSERA-BACKUP-END <sha256> <bytes> <mac>\n
 *                                            the trailer, fixed length: the SHA-256 of the
 *                                            manifest line and the payload, the payload's
 *                                            length (16 digits), and the signature: an
 *                                            HMAC-SHA256 of that SHA-256 under a key derived
 *                                            from the master key (backupMac)
 *
 * The trailer comes last so that a payload can be streamed (pg_dump) without holding it: a
 * file cut short has no trailer, one changed anywhere has another hash, and either is refused
 * before anything is written. The SHA-256 finds damage; the signature proves a Tessera holding
 * the master key wrote the file (a checksum anyone can recompute, and the key check value can be
 * copied from another file). The manifest names the master key that sealed the data by its id
 * and a check value, HMAC-SHA256(key, "tessera-backup-key-check:v1:" + salt), which proves a key
 * is that one without revealing anything of it.
 */
export const BACKUP_MAGIC = 'TESSERA-BACKUP 1\n';
const TRAILER_TAG = 'TESSERA-BACKUP-END';
export const TRAILER_BYTES = 1 + TRAILER_TAG.length + 1 + 64 + 1 + 16 + 1 + 64 + 1;
/** A manifest line is a few hundred bytes: anything much longer is not one. */
const MAX_MANIFEST_BYTES = 16 * 1024;

export const backupManifest = z.object({
  format: z.literal('tessera-backup'),
  formatVersion: z.number().int().positive(),
  tesseraVersion: z.string().max(100),
  engine: z.enum(['pglite', 'postgres']),
  payload: z.enum(['pglite-data-dir.tar.gz', 'pg_dump-custom']),
  /** The last migration applied to the backed-up database (its schema), and how many were. */
  migration: z.string().max(200),
  migrations: z.number().int().nonnegative(),
  createdAt: z.string().max(40),
  masterKey: z.object({ id: z.string().max(16), salt: z.string().max(100), check: z.string().max(100) }),
});
export type BackupManifest = z.infer<typeof backupManifest>;

/** The format version this Tessera writes and reads (1, from before the signature, is refused). */
export const FORMAT_VERSION = 2;

/** A refusal of `tessera backup` / `tessera restore`, with its stable code (README: Backup and restore). */
export type BackupErrorCode =
  | 'backup.not_a_backup'
  | 'backup.damaged'
  | 'backup.unsigned'
  | 'backup.not_authentic'
  | 'backup.newer_version'
  | 'backup.engine_mismatch'
  | 'backup.no_master_key'
  | 'backup.wrong_master_key'
  | 'backup.target_not_empty'
  | 'backup.server_running'
  | 'backup.pg_dump_missing'
  | 'backup.pg_dump_failed'
  | 'backup.pg_restore_missing'
  | 'backup.pg_restore_failed';

export function tesseraVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function keyCheck(key: MasterKey, salt: string): string {
  return crypto.createHmac('sha256', key.key).update(`tessera-backup-key-check:v1:${salt}`).digest('base64url');
}

/**
 * The file's signature: HMAC-SHA256 of its SHA-256 (hex) under a key derived from the master key
 * and the manifest's salt, so that only a holder of the master key can make a file a restore takes.
 */
export function backupMac(key: MasterKey, salt: string, sha256: string): string {
  const macKey = Buffer.from(crypto.hkdfSync('sha256', key.key, Buffer.from(salt), 'tessera-backup-mac:v1', 32));
  return crypto.createHmac('sha256', macKey).update(sha256).digest('hex');
}

/** True when the file's signature was made with `key`. */
export function isSignedWith(b: OpenedBackup, key: MasterKey): boolean {
  return safeEqual(b.mac, backupMac(key, b.manifest.masterKey.salt, b.sha256));
}

/** The manifest's key fields for the key that seals the data now. */
export function keyManifest(key: MasterKey): BackupManifest['masterKey'] {
  const salt = crypto.randomBytes(16).toString('base64url');
  return { id: key.id, salt, check: keyCheck(key, salt) };
}

/** Of the keys given, the one the manifest's check value names, if any. */
export function matchingKey(manifest: BackupManifest, keys: MasterKey[]): MasterKey | undefined {
  return keys.find((k) => safeEqual(keyCheck(k, manifest.masterKey.salt), manifest.masterKey.check));
}

/** The last applied migration (in the order this Tessera knows them) and how many are applied; unknown tags too. */
export function describeMigrations(applied: string[]): { last: string; count: number; unknown: string[] } {
  const known = listMigrations().map((m) => m.tag);
  const done = new Set(applied);
  const last = [...known].reverse().find((t) => done.has(t)) ?? '';
  return { last, count: applied.length, unknown: applied.filter((t) => !known.includes(t)) };
}

/** Writes a backup through `write`: the manifest first, the payload as it comes, then the trailer. */
export function backupWriter(manifest: BackupManifest, key: MasterKey, write: (chunk: Uint8Array) => Promise<void>) {
  const hash = crypto.createHash('sha256');
  const manifestLine = Buffer.from(`${JSON.stringify(manifest)}\n`);
  hash.update(manifestLine);
  let bytes = 0;
  let isStarted = false;
  const start = async () => {
    if (isStarted) return;
    isStarted = true;
    await write(Buffer.from(BACKUP_MAGIC));
    await write(manifestLine);
  };
  return {
    async payload(chunk: Uint8Array) {
      await start();
      hash.update(chunk);
      bytes += chunk.byteLength;
      await write(chunk);
    },
    /** Writes the trailer; returns the payload's size and the file's hash. */
    async finish(): Promise<{ bytes: number; sha256: string }> {
      await start();
      const sha256 = hash.digest('hex');
      const mac = backupMac(key, manifest.masterKey.salt, sha256);
      await write(Buffer.from(`\n${TRAILER_TAG} ${sha256} ${String(bytes).padStart(16, '0')} ${mac}\n`));
      return { bytes, sha256 };
    },
  };
}

export class BackupFileError extends Error {
  constructor(
    readonly code: 'backup.not_a_backup' | 'backup.damaged' | 'backup.unsigned',
    message: string,
  ) {
    super(message);
  }
}

export interface OpenedBackup {
  file: string;
  manifest: BackupManifest;
  /** The payload's byte range in the file: [start, end). */
  start: number;
  end: number;
  sha256: string;
  /** The signature from the trailer (isSignedWith checks it against a key). */
  mac: string;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/**
 * Opens a backup and checks it whole (magic, manifest, trailer, length, hash) before any of it
 * is used: a file that is not a backup, or was cut or changed, throws BackupFileError.
 */
export async function openBackup(file: string): Promise<OpenedBackup> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = readAt(fd, 0, BACKUP_MAGIC.length + MAX_MANIFEST_BYTES);
    if (!head.subarray(0, BACKUP_MAGIC.length).equals(Buffer.from(BACKUP_MAGIC))) {
      throw new BackupFileError('backup.not_a_backup', `${file} is not a Tessera backup (it does not start with "${BACKUP_MAGIC.trim()}")`);
    }
    const nl = head.indexOf(0x0a, BACKUP_MAGIC.length);
    if (nl < 0) throw new BackupFileError('backup.damaged', `${file} is damaged: its manifest line is cut or too long`);
    const manifestLine = head.subarray(BACKUP_MAGIC.length, nl + 1);
    let manifest: BackupManifest;
    try {
      const parsed = backupManifest.safeParse(JSON.parse(manifestLine.toString('utf8')));
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      manifest = parsed.data;
    } catch (err) {
      throw new BackupFileError('backup.damaged', `${file} is damaged: its manifest is not readable (${(err as Error).message})`);
    }
    if (manifest.formatVersion < FORMAT_VERSION) {
      throw new BackupFileError(
        'backup.unsigned',
        `${file} was written by an earlier build (format ${manifest.formatVersion}, without a signature), which a restore no longer takes: make a new backup with this version`,
      );
    }
    const start = nl + 1;
    const end = size - TRAILER_BYTES;
    const trailer = end >= start ? readAt(fd, end, TRAILER_BYTES).toString('latin1') : '';
    const match = /^\nTESSERA-BACKUP-END ([0-9a-f]{64}) ([0-9]{16}) ([0-9a-f]{64})\n$/.exec(trailer);
    if (!match) throw new BackupFileError('backup.damaged', `${file} is damaged or cut short: it does not end with the backup's trailer`);
    if (Number(match[2]) !== end - start) {
      throw new BackupFileError('backup.damaged', `${file} is damaged: it holds ${end - start} bytes of data where the trailer says ${Number(match[2])}`);
    }
    const hash = crypto.createHash('sha256').update(manifestLine);
    if (end > start) for await (const chunk of fs.createReadStream(file, { start, end: end - 1 })) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== match[1]) throw new BackupFileError('backup.damaged', `${file} is damaged: its content does not match its checksum`);
    return { file, manifest, start, end, sha256: match[1], mac: match[3] };
  } finally {
    fs.closeSync(fd);
  }
}

/** The payload, streamed from the file. */
export function payloadStream(b: OpenedBackup): fs.ReadStream {
  return fs.createReadStream(b.file, { start: b.start, end: b.end - 1 });
}
