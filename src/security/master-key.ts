import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface MasterKey {
  /** Short fingerprint written into every sealed value, so a wrong key is named, not guessed. */
  id: string;
  key: Buffer;
}

export function masterKeyFromBytes(key: Buffer): MasterKey {
  if (key.length !== 32) throw new Error(`master key must be 32 bytes, got ${key.length}`);
  const id = crypto.createHash('sha256').update('tessera-master-key-id:').update(key).digest('hex').slice(0, 8);
  return { id, key };
}

/** Accepts 64 hex characters or base64 / base64url of 32 bytes. */
export function parseMasterKey(text: string): MasterKey {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (bytes.length !== 32) throw new Error('TESSERA_MASTER_KEY must be 32 bytes, as 64 hex characters or base64');
  return masterKeyFromBytes(bytes);
}

export function generateMasterKeyText(): string {
  return crypto.randomBytes(32).toString('base64');
}

export function masterKeyPath(dataDir: string): string {
  return path.join(dataDir, 'master.key');
}

/**
 * The key from TESSERA_MASTER_KEY, else DATA_DIR/master.key, created (mode 0600) when missing.
 * `created` tells the caller to warn that the file must be backed up with the database.
 */
export interface LoadedMasterKey {
  masterKey: MasterKey;
  /** Older (or in-flight) keys that may still open values sealed before a rotation. */
  previous: MasterKey[];
  created: boolean;
  source: string;
}

export const nextKeyPath = (dataDir: string) => path.join(dataDir, 'master.key.next');
export const oldKeyPath = (dataDir: string, id: string) => path.join(dataDir, `master.key.old-${id}`);

/** Keys left by a rotation: the one being introduced and the ones retired. */
function loadPreviousKeys(dataDir: string, envPrevious?: string): MasterKey[] {
  const keys: MasterKey[] = (envPrevious ?? '')
    .split(',')
    .filter((t) => t.trim())
    .map(parseMasterKey);
  if (!fs.existsSync(dataDir)) return keys;
  for (const name of fs.readdirSync(dataDir)) {
    if (name === 'master.key.next' || name.startsWith('master.key.old-')) keys.push(parseMasterKey(fs.readFileSync(path.join(dataDir, name), 'utf8')));
  }
  return keys;
}

export function loadMasterKey(opts: { envKey?: string; envPrevious?: string; dataDir: string }): LoadedMasterKey {
  const previous = loadPreviousKeys(opts.dataDir, opts.envPrevious);
  if (opts.envKey) return { masterKey: parseMasterKey(opts.envKey), previous, created: false, source: 'TESSERA_MASTER_KEY' };
  const file = masterKeyPath(opts.dataDir);
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  let created = false;
  try {
    // 'wx' fails when the file exists, so two processes starting at once cannot both write a key.
    fs.writeFileSync(file, `${generateMasterKeyText()}\n`, { flag: 'wx', mode: 0o600 });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) fs.chmodSync(file, 0o600);
  return { masterKey: parseMasterKey(fs.readFileSync(file, 'utf8')), previous, created, source: file };
}

/**
 * The key in use, as loadMasterKey finds it, but never created: undefined when neither
 * TESSERA_MASTER_KEY nor DATA_DIR/master.key is there (`tessera restore` needs the key that
 * sealed the backup, not a new one, and writes nothing before it has checked it).
 */
export function readMasterKey(opts: { envKey?: string; envPrevious?: string; dataDir: string }): LoadedMasterKey | undefined {
  const file = masterKeyPath(opts.dataDir);
  if (!opts.envKey && !fs.existsSync(file)) return undefined;
  const previous = loadPreviousKeys(opts.dataDir, opts.envPrevious);
  if (opts.envKey) return { masterKey: parseMasterKey(opts.envKey), previous, created: false, source: 'TESSERA_MASTER_KEY' };
  return { masterKey: parseMasterKey(fs.readFileSync(file, 'utf8')), previous, created: false, source: file };
}
