import crypto from 'node:crypto';
import { hashRaw } from '@node-rs/argon2';
import { AppError, type ErrorCode } from '../lib/errors.js';
import type {} from './vault-backup.codes.js';

/**
 * The encrypted file of a vault backup, version 1 (docs/vault-backup-format.md, byte by byte):
 *
 *   header (84 bytes) = fields (52 bytes) || HMAC-SHA256(headerKey, fields)
 *   body              = chunk 0 || chunk 1 || … || final chunk, each AES-256-GCM(payloadKey) of
 *                       `chunkSize` plaintext bytes (the final one: 0…chunkSize) followed by its tag
 *
 * Keys: argon2id(passphrase, salt, m, t, p) → 32 bytes → HKDF-SHA256 into the header key and the
 * payload key. The header MAC is checked before any chunk: a wrong passphrase is told apart from a
 * damaged body, and since the MAC commits to the key, no other passphrase opens the body.
 *
 * Why chunks (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, 2015, as `age`
 * uses it), not one AES-GCM over the whole document: GCM authenticates only at its end, so a reader
 * of one large message must either hold the whole plaintext until the tag checks or act on bytes
 * that are not yet authentic. A backup of 10,000 employees' accounts is tens of megabytes; with
 * 64 KiB chunks the writer holds one chunk and the reader two, and every byte it hands on has been
 * authenticated. Each chunk's nonce is noncePrefix || counter || final flag, and every chunk carries
 * the whole header as associated data, so a chunk moved to another place, another file, or a file
 * cut at a chunk boundary (whose last chunk then lacks the final flag) fails authentication.
 * A reader must still not act for good (commit) before the final chunk has been authenticated.
 */

export const BACKUP_MAGIC = Buffer.from('TESSERA-VAULT', 'ascii');
export const FORMAT_VERSION = 1;
export const KDF_ARGON2ID = 1;
export const AEAD_AES_256_GCM_STREAM = 1;
const SALT_BYTES = 16;
const NONCE_PREFIX_BYTES = 7;
const TAG_BYTES = 16;
const FIELDS_BYTES = 52;
const MAC_BYTES = 32;
export const HEADER_BYTES = FIELDS_BYTES + MAC_BYTES;

export interface KdfParams {
  /** argon2id memory in KiB (m). */
  memoryKiB: number;
  /** argon2id passes (t). */
  iterations: number;
  /** argon2id lanes (p). */
  parallelism: number;
}

/** RFC 9106 §4's second recommendation (64 MiB, 3 passes), on one lane: about a quarter second here. */
export const DEFAULT_KDF: KdfParams = { memoryKiB: 65_536, iterations: 3, parallelism: 1 };
/**
 * What a reader accepts. The floor is OWASP's minimum for argon2id (19 MiB); the ceiling keeps a
 * hostile file from making the server allocate more than 256 MiB or hash for more than seconds.
 */
export const KDF_BOUNDS = {
  memoryKiB: { min: 19_456, max: 262_144 },
  iterations: { min: 1, max: 16 },
  parallelism: { min: 1, max: 8 },
} as const;
export const DEFAULT_CHUNK_SIZE = 65_536;
export const CHUNK_SIZE_BOUNDS = { min: 1_024, max: 1_048_576 } as const;
/** A passphrase is NFC-normalised UTF-8 of 1 to this many bytes. */
export const MAX_PASSPHRASE_BYTES = 1_024;

export interface BackupHeader {
  version: number;
  kdf: KdfParams & { salt: Buffer };
  chunkSize: number;
  noncePrefix: Buffer;
}

const fail = (code: ErrorCode & `vault_backup.${string}`, message: string) => new AppError(code, message);

function encodeFields(h: BackupHeader): Buffer {
  const b = Buffer.alloc(FIELDS_BYTES);
  BACKUP_MAGIC.copy(b, 0);
  b.writeUInt8(h.version, 13);
  b.writeUInt8(KDF_ARGON2ID, 14);
  b.writeUInt32BE(h.kdf.memoryKiB, 15);
  b.writeUInt32BE(h.kdf.iterations, 19);
  b.writeUInt8(h.kdf.parallelism, 23);
  h.kdf.salt.copy(b, 24);
  b.writeUInt8(AEAD_AES_256_GCM_STREAM, 40);
  b.writeUInt32BE(h.chunkSize, 41);
  h.noncePrefix.copy(b, 45);
  return b;
}

function checkBounds(kdf: KdfParams, chunkSize: number): void {
  for (const name of ['memoryKiB', 'iterations', 'parallelism'] as const) {
    const { min, max } = KDF_BOUNDS[name];
    const value = kdf[name];
    if (!Number.isInteger(value) || value < min || value > max)
      throw fail('vault_backup.parameters_out_of_bounds', `The file asks for argon2id ${name} ${value}; a reader accepts ${min} to ${max}`);
  }
  if (!Number.isInteger(chunkSize) || chunkSize < CHUNK_SIZE_BOUNDS.min || chunkSize > CHUNK_SIZE_BOUNDS.max)
    throw fail(
      'vault_backup.parameters_out_of_bounds',
      `The file's chunk size is ${chunkSize} bytes; a reader accepts ${CHUNK_SIZE_BOUNDS.min} to ${CHUNK_SIZE_BOUNDS.max}`,
    );
}

/**
 * Refuses, from the first bytes, a file that is not a backup or is of another version: `bytes` is
 * whatever of the file has arrived, possibly less than the header.
 */
function checkPrefix(bytes: Buffer): void {
  const magicPart = bytes.subarray(0, BACKUP_MAGIC.length);
  if (!BACKUP_MAGIC.subarray(0, magicPart.length).equals(magicPart))
    throw fail('vault_backup.not_a_backup', 'This is not a Tessera vault backup: the file does not begin with "TESSERA-VAULT"');
  if (bytes.length > BACKUP_MAGIC.length && bytes.readUInt8(13) !== FORMAT_VERSION)
    throw fail('vault_backup.unsupported_version', `The backup is of format version ${bytes.readUInt8(13)}; this Tessera reads version ${FORMAT_VERSION}`);
}

/**
 * The header's fields (its first 52 bytes), checked in the order a person can act on: is it a
 * backup at all, of a version this server reads, with algorithms it knows and costs within bounds.
 */
export function parseHeaderFields(bytes: Buffer): BackupHeader {
  checkPrefix(bytes);
  if (bytes.length < FIELDS_BYTES) throw fail('vault_backup.truncated', 'The backup file ends inside its header');
  const kdfId = bytes.readUInt8(14);
  const aeadId = bytes.readUInt8(40);
  if (kdfId !== KDF_ARGON2ID)
    throw fail('vault_backup.unsupported_algorithm', `The backup's key derivation id is ${kdfId}; this Tessera knows ${KDF_ARGON2ID} (argon2id)`);
  if (aeadId !== AEAD_AES_256_GCM_STREAM)
    throw fail(
      'vault_backup.unsupported_algorithm',
      `The backup's encryption id is ${aeadId}; this Tessera knows ${AEAD_AES_256_GCM_STREAM} (chunked AES-256-GCM)`,
    );
  const kdf = { memoryKiB: bytes.readUInt32BE(15), iterations: bytes.readUInt32BE(19), parallelism: bytes.readUInt8(23) };
  const chunkSize = bytes.readUInt32BE(41);
  checkBounds(kdf, chunkSize);
  return {
    version: FORMAT_VERSION,
    kdf: { ...kdf, salt: Buffer.from(bytes.subarray(24, 24 + SALT_BYTES)) },
    chunkSize,
    noncePrefix: Buffer.from(bytes.subarray(45, 45 + NONCE_PREFIX_BYTES)),
  };
}

/** The passphrase as the KDF takes it: NFC, so that é typed on any system is the same bytes. */
export function passphraseBytes(passphrase: string): Buffer {
  const bytes = Buffer.from(passphrase.normalize('NFC'), 'utf8');
  if (bytes.length === 0) throw fail('vault_backup.passphrase_invalid', 'The passphrase is empty');
  if (bytes.length > MAX_PASSPHRASE_BYTES) throw fail('vault_backup.passphrase_invalid', `The passphrase is longer than ${MAX_PASSPHRASE_BYTES} bytes`);
  return bytes;
}

interface Keys {
  headerKey: Buffer;
  payloadKey: Buffer;
}

async function deriveKeys(passphrase: string, kdf: BackupHeader['kdf']): Promise<Keys> {
  const ikm = await hashRaw(passphraseBytes(passphrase), {
    algorithm: 2 /* Argon2id */,
    version: 1 /* 0x13 */,
    memoryCost: kdf.memoryKiB,
    timeCost: kdf.iterations,
    parallelism: kdf.parallelism,
    salt: kdf.salt,
    outputLen: 32,
  });
  const expand = (info: string) => Buffer.from(crypto.hkdfSync('sha256', ikm, Buffer.alloc(0), info, 32));
  return { headerKey: expand('tessera-vault-backup v1 header'), payloadKey: expand('tessera-vault-backup v1 payload') };
}

const headerMac = (key: Buffer, fields: Buffer) => crypto.createHmac('sha256', key).update(fields).digest();

function nonce(prefix: Buffer, counter: number, isFinal: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, 7);
  n.writeUInt8(isFinal ? 1 : 0, 11);
  return n;
}

function sealChunk(key: Buffer, header: Buffer, prefix: Buffer, counter: number, isFinal: boolean, plaintext: Buffer): Buffer {
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce(prefix, counter, isFinal));
  cipher.setAAD(header);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function openChunk(key: Buffer, header: Buffer, prefix: Buffer, counter: number, isFinal: boolean, record: Buffer): Buffer | undefined {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce(prefix, counter, isFinal));
  decipher.setAAD(header);
  decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

const MAX_CHUNKS = 2 ** 32;

export interface EncryptOptions {
  passphrase: string;
  kdf?: KdfParams;
  chunkSize?: number;
  /** Salt and nonce prefix; crypto.randomBytes unless a test fixes them. */
  random?: (bytes: number) => Buffer;
}

/**
 * Encrypts a plaintext stream into a backup file, yielding the header first, then each chunk as
 * soon as it is full and more plaintext follows (so the writer knows it is not the final one).
 */
export async function* encryptBackup(
  plaintext: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  opts: EncryptOptions,
): AsyncGenerator<Buffer> {
  const random = opts.random ?? crypto.randomBytes;
  const kdf = opts.kdf ?? DEFAULT_KDF;
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkBounds(kdf, chunkSize);
  const h: BackupHeader = { version: FORMAT_VERSION, kdf: { ...kdf, salt: random(SALT_BYTES) }, chunkSize, noncePrefix: random(NONCE_PREFIX_BYTES) };
  const keys = await deriveKeys(opts.passphrase, h.kdf);
  const fields = encodeFields(h);
  const header = Buffer.concat([fields, headerMac(keys.headerKey, fields)]);
  yield header;

  const buf = Buffer.alloc(chunkSize);
  let filled = 0;
  let counter = 0;
  for await (const piece of plaintext) {
    let data = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (data.length > 0) {
      if (filled === chunkSize) {
        // More plaintext follows the full chunk: it is not the final one.
        if (counter + 1 >= MAX_CHUNKS) throw new Error('vault backup: too many chunks');
        yield sealChunk(keys.payloadKey, header, h.noncePrefix, counter++, false, buf);
        filled = 0;
      }
      const n = data.copy(buf, filled);
      filled += n;
      data = data.subarray(n);
    }
  }
  yield sealChunk(keys.payloadKey, header, h.noncePrefix, counter, true, buf.subarray(0, filled));
}

/**
 * Decrypts a backup file, yielding each chunk's plaintext only once it is authenticated; the
 * generator ends normally only after the final chunk has been. Throws AppError vault_backup.* for
 * every way a file can be wrong, before yielding anything when the header or passphrase is.
 */
export async function* decryptBackup(file: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { passphrase: string }): AsyncGenerator<Buffer> {
  passphraseBytes(opts.passphrase);
  let pending = Buffer.alloc(0);
  let header: Buffer | undefined;
  let h: BackupHeader | undefined;
  let keys: Keys | undefined;
  let counter = 0;
  let recordBytes = 0;

  const open = (record: Buffer, isFinal: boolean): Buffer => {
    if (!h || !keys || !header) throw new Error('vault backup: chunk before header');
    const plain = openChunk(keys.payloadKey, header, h.noncePrefix, counter, isFinal, record);
    if (plain) {
      if (isFinal && plain.length === 0 && counter > 0)
        throw fail('vault_backup.damaged', 'The backup file ends with an empty chunk, which a writer never makes');
      counter++;
      return plain;
    }
    // Tell the person what happened where the flag alone explains it.
    if (openChunk(keys.payloadKey, header, h.noncePrefix, counter, !isFinal, record)) {
      if (isFinal) throw fail('vault_backup.truncated', `The backup file is cut short: it ends after chunk ${counter}, which is not its final chunk`);
      throw fail('vault_backup.damaged', `The backup file has bytes after its final chunk (chunk ${counter})`);
    }
    throw fail('vault_backup.damaged', `Chunk ${counter} of the backup fails authentication: the file was altered, reordered, cut short or damaged`);
  };

  for await (const piece of file) {
    pending = pending.length === 0 ? Buffer.from(piece) : Buffer.concat([pending, Buffer.from(piece)]);
    if (!header) {
      // Refuse a file that is not a backup, or of another version, from its first bytes.
      checkPrefix(pending);
      if (pending.length < HEADER_BYTES) continue;
      ({ header, h, keys } = await openHeader(pending.subarray(0, HEADER_BYTES), opts.passphrase));
      recordBytes = h.chunkSize + TAG_BYTES;
      pending = pending.subarray(HEADER_BYTES);
    }
    // A full record followed by at least one more byte is not the final one.
    while (pending.length > recordBytes) {
      if (counter + 1 >= MAX_CHUNKS) throw fail('vault_backup.damaged', 'The backup file has more chunks than the format allows');
      yield open(pending.subarray(0, recordBytes), false);
      pending = pending.subarray(recordBytes);
    }
  }
  if (!header) {
    // Say what the fields already show (another version, costs out of bounds) before "cut short".
    if (pending.length >= FIELDS_BYTES) parseHeaderFields(pending);
    throw fail('vault_backup.truncated', 'The backup file ends inside its header');
  }
  if (pending.length < TAG_BYTES) throw fail('vault_backup.truncated', `The backup file is cut short: chunk ${counter} is incomplete or missing`);
  yield open(pending, true);
}

async function openHeader(bytes: Buffer, passphrase: string): Promise<{ header: Buffer; h: BackupHeader; keys: Keys }> {
  const h = parseHeaderFields(bytes);
  const keys = await deriveKeys(passphrase, h.kdf);
  const fields = bytes.subarray(0, FIELDS_BYTES);
  if (!crypto.timingSafeEqual(headerMac(keys.headerKey, fields), bytes.subarray(FIELDS_BYTES, HEADER_BYTES)))
    throw fail('vault_backup.wrong_passphrase', 'The passphrase does not open this backup (or its header was altered): nothing was read');
  return { header: Buffer.from(bytes), h, keys };
}
