import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import '../app/codes.js';
import { AppError } from '../lib/errors.js';
import {
  BACKUP_MAGIC,
  decryptBackup,
  encryptBackup,
  HEADER_BYTES,
  KDF_BOUNDS,
  parseHeaderFields,
  type EncryptOptions,
  type KdfParams,
} from './vault-backup-format.js';

/**
 * The backup file format alone (docs/vault-backup-format.md): round trips of every size around the
 * chunk boundaries, fed in pieces of any length, and a refusal with its own code for each way a
 * file can be wrong: not a backup, another version, unknown algorithms, hostile costs, cut short,
 * chunks altered, reordered, dropped, spliced from another backup or followed by bytes, and a
 * wrong passphrase. The KDF runs at its lowest accepted cost to keep the tests quick.
 */
const FAST: KdfParams = { memoryKiB: KDF_BOUNDS.memoryKiB.min, iterations: 1, parallelism: 1 };
const CHUNK = 1_024;
const PASS = 'correct horse battery staple';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

async function encrypt(plain: Buffer, opts: Partial<EncryptOptions> = {}): Promise<Buffer> {
  return collect(encryptBackup([plain], { passphrase: PASS, kdf: FAST, chunkSize: CHUNK, ...opts }));
}

/** The file fed to the reader in pieces of `piece` bytes, as a socket or a file stream delivers it. */
function* pieces(file: Buffer, piece: number): Generator<Buffer> {
  for (let i = 0; i < file.length; i += piece) yield file.subarray(i, i + piece);
}

async function decrypt(file: Buffer, passphrase = PASS, piece = 4096): Promise<Buffer> {
  return collect(decryptBackup(pieces(file, piece), { passphrase }));
}

/** Asserts the reader refuses the file with `code`, and says which chunks it had handed on before. */
async function refused(file: Buffer, code: string, passphrase = PASS): Promise<number> {
  let yielded = 0;
  await assert.rejects(
    async () => {
      for await (const _ of decryptBackup(pieces(file, 4096), { passphrase })) yielded++;
    },
    (err: unknown) => {
      assert.ok(err instanceof AppError, `expected AppError ${code}, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      assert.equal(err.status, 400);
      assert.ok(err.message.length > 20, 'a sentence a person reads');
      return true;
    },
  );
  return yielded;
}

const record = CHUNK + 16;
/** Offsets of the chunk records in a file of `CHUNK`-byte chunks. */
const chunkAt = (i: number) => HEADER_BYTES + i * record;

describe('vault backup file format', () => {
  it('round-trips an empty document and documents of every length around the chunk boundaries', async () => {
    for (const length of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17]) {
      const plain = crypto.randomBytes(length);
      const file = await encrypt(plain);
      // One chunk for an empty document, else ceil(length / CHUNK) chunks, each with its 16-byte tag.
      const chunks = Math.max(1, Math.ceil(length / CHUNK));
      assert.equal(file.length, HEADER_BYTES + length + 16 * chunks, `length ${length}`);
      assert.deepEqual(await decrypt(file), plain, `length ${length}`);
      assert.deepEqual(await decrypt(file, PASS, 1), plain, `length ${length}, fed byte by byte`);
      assert.deepEqual(await decrypt(file, PASS, record), plain, `length ${length}, fed a record at a time`);
    }
  });

  it('writes plaintext given in pieces of any size, strings or bytes, as the same document', async () => {
    const text = 'é'.repeat(3000);
    const file = await collect(encryptBackup(['a', Buffer.from('b'), text, new Uint8Array([0x0a])], { passphrase: PASS, kdf: FAST, chunkSize: CHUNK }));
    assert.equal((await decrypt(file)).toString('utf8'), `ab${text}\n`);
  });

  it('lays out the header as documented: magic, version, argon2id costs and salt, AEAD id, chunk size, nonce prefix, MAC', async () => {
    let n = 0;
    const random = (bytes: number) => Buffer.alloc(bytes, ++n); // salt = 0x01…, nonce prefix = 0x02…
    const file = await encrypt(Buffer.from('{}\n'), { random, kdf: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } });
    assert.equal(file.subarray(0, 13).toString('ascii'), 'TESSERA-VAULT');
    assert.equal(file[13], 1, 'format version');
    assert.equal(file[14], 1, 'KDF id: argon2id');
    assert.equal(file.readUInt32BE(15), 19_456);
    assert.equal(file.readUInt32BE(19), 2);
    assert.equal(file[23], 1);
    assert.deepEqual(file.subarray(24, 40), Buffer.alloc(16, 1), 'salt');
    assert.equal(file[40], 1, 'AEAD id: chunked AES-256-GCM');
    assert.equal(file.readUInt32BE(41), CHUNK);
    assert.deepEqual(file.subarray(45, 52), Buffer.alloc(7, 2), 'nonce prefix');
    assert.equal(HEADER_BYTES, 84);
    // A reader written from the document alone opens it: argon2id → HKDF → HMAC over the fields, then chunk 0.
    const { hashRaw } = await import('@node-rs/argon2');
    const ikm = await hashRaw(Buffer.from(PASS), {
      algorithm: 2,
      version: 1,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
      salt: Buffer.alloc(16, 1),
      outputLen: 32,
    });
    const headerKey = Buffer.from(crypto.hkdfSync('sha256', ikm, Buffer.alloc(0), 'tessera-vault-backup v1 header', 32));
    const payloadKey = Buffer.from(crypto.hkdfSync('sha256', ikm, Buffer.alloc(0), 'tessera-vault-backup v1 payload', 32));
    assert.deepEqual(file.subarray(52, 84), crypto.createHmac('sha256', headerKey).update(file.subarray(0, 52)).digest());
    const nonce = Buffer.concat([Buffer.alloc(7, 2), Buffer.from([0, 0, 0, 0, 1])]); // counter 0, final
    const d = crypto.createDecipheriv('aes-256-gcm', payloadKey, nonce);
    d.setAAD(file.subarray(0, 84));
    d.setAuthTag(file.subarray(file.length - 16));
    assert.equal(Buffer.concat([d.update(file.subarray(84, file.length - 16)), d.final()]).toString(), '{}\n');
  });

  it('makes a new salt and nonce prefix for every file, so one passphrase never reuses a key', async () => {
    const a = await encrypt(Buffer.from('same'));
    const b = await encrypt(Buffer.from('same'));
    assert.notDeepEqual(a.subarray(24, 40), b.subarray(24, 40));
    assert.notDeepEqual(a.subarray(84), b.subarray(84));
  });

  it('opens with the passphrase typed in either Unicode form (NFC)', async () => {
    const file = await encrypt(Buffer.from('x'), { passphrase: 'caf\u00e9 au lait, s\u2019il vous pla\u00eet' });
    assert.equal((await decrypt(file, 'cafe\u0301 au lait, s\u2019il vous plai\u0302t')).toString(), 'x');
  });

  it('refuses a file that is not a backup, from its first bytes', async () => {
    await refused(Buffer.from('PK\u0003\u0004 a zip file'), 'vault_backup.not_a_backup');
    await refused(Buffer.from('TESSERA-VAULX'), 'vault_backup.not_a_backup');
    await refused(Buffer.from('{"type":"manifest"}\n'), 'vault_backup.not_a_backup');
    await refused(Buffer.alloc(0), 'vault_backup.truncated');
  });

  it('refuses a version it does not read before asking anything of the passphrase', async () => {
    const file = await encrypt(Buffer.from('x'));
    file[13] = 2;
    await refused(file, 'vault_backup.unsupported_version', 'not even the right passphrase');
    await refused(Buffer.concat([BACKUP_MAGIC, Buffer.from([0])]), 'vault_backup.unsupported_version');
  });

  it('refuses key derivation and encryption ids it does not know', async () => {
    const file = await encrypt(Buffer.from('x'));
    const kdf = Buffer.from(file);
    kdf[14] = 2;
    await refused(kdf, 'vault_backup.unsupported_algorithm');
    const aead = Buffer.from(file);
    aead[40] = 9;
    await refused(aead, 'vault_backup.unsupported_algorithm');
  });

  it('refuses hostile argon2id costs and chunk sizes before deriving any key (64 GiB of memory, zero passes, 255 lanes)', async () => {
    const file = await encrypt(Buffer.from('x'));
    const cases: [number, (b: Buffer) => void][] = [
      [15, (b) => b.writeUInt32BE(64 * 1024 * 1024, 15)], // 64 GiB in KiB
      [15, (b) => b.writeUInt32BE(KDF_BOUNDS.memoryKiB.max + 1, 15)],
      [15, (b) => b.writeUInt32BE(8, 15)],
      [19, (b) => b.writeUInt32BE(0, 19)],
      [19, (b) => b.writeUInt32BE(0xffffffff, 19)],
      [23, (b) => b.writeUInt8(0, 23)],
      [23, (b) => b.writeUInt8(255, 23)],
      [41, (b) => b.writeUInt32BE(0, 41)],
      [41, (b) => b.writeUInt32BE(0xffffffff, 41)],
    ];
    for (const [, edit] of cases) {
      const hostile = Buffer.from(file);
      edit(hostile);
      await refused(hostile, 'vault_backup.parameters_out_of_bounds');
      assert.throws(() => parseHeaderFields(hostile.subarray(0, 52)), /accepts/);
    }
    // The writer keeps to the same bounds.
    await assert.rejects(encrypt(Buffer.from('x'), { kdf: { ...FAST, memoryKiB: 64 * 1024 * 1024 } }), { code: 'vault_backup.parameters_out_of_bounds' });
  });

  it('refuses a wrong passphrase without handing on a byte', async () => {
    const file = await encrypt(crypto.randomBytes(3 * CHUNK));
    assert.equal(await refused(file, 'vault_backup.wrong_passphrase', `${PASS}!`), 0);
    assert.equal(await refused(file, 'vault_backup.wrong_passphrase', PASS.toUpperCase()), 0);
  });

  it('refuses an altered header as the passphrase would be refused: salt, nonce prefix, a cost within bounds, the MAC', async () => {
    const file = await encrypt(crypto.randomBytes(2 * CHUNK));
    for (const offset of [24, 45, 51, 52, 83]) {
      const altered = Buffer.from(file);
      altered[offset] ^= 0x01;
      assert.equal(await refused(altered, 'vault_backup.wrong_passphrase'), 0, `byte ${offset}`);
    }
    const costlier = Buffer.from(file);
    costlier.writeUInt32BE(2, 19);
    await refused(costlier, 'vault_backup.wrong_passphrase');
  });

  it('refuses an empty passphrase', async () => {
    await assert.rejects(encrypt(Buffer.from('x'), { passphrase: '' }), { code: 'vault_backup.passphrase_invalid' });
    await refused(await encrypt(Buffer.from('x')), 'vault_backup.passphrase_invalid', '');
  });

  it('refuses a file cut inside its header, at a chunk boundary, or with only its header', async () => {
    const file = await encrypt(crypto.randomBytes(3 * CHUNK + 100));
    await refused(file.subarray(0, 30), 'vault_backup.truncated');
    await refused(file.subarray(0, HEADER_BYTES - 1), 'vault_backup.truncated');
    await refused(file.subarray(0, HEADER_BYTES), 'vault_backup.truncated');
    await refused(file.subarray(0, HEADER_BYTES + 10), 'vault_backup.truncated');
    // Cut after chunk 1 or 2: the last chunk left is authentic but lacks the final flag.
    assert.equal(await refused(file.subarray(0, chunkAt(2)), 'vault_backup.truncated'), 1);
    assert.equal(await refused(file.subarray(0, chunkAt(3)), 'vault_backup.truncated'), 2);
  });

  it('refuses a file cut inside a chunk', async () => {
    const file = await encrypt(crypto.randomBytes(3 * CHUNK + 100));
    await refused(file.subarray(0, chunkAt(1) + 500), 'vault_backup.damaged');
    await refused(file.subarray(0, file.length - 1), 'vault_backup.damaged');
  });

  it('refuses an altered chunk, ciphertext or tag, and hands on only the chunks before it', async () => {
    const file = await encrypt(crypto.randomBytes(3 * CHUNK + 100));
    for (const [offset, before] of [
      [chunkAt(0), 0],
      [chunkAt(1) + 10, 1],
      [chunkAt(2) - 1, 1], // chunk 1's tag
      [file.length - 1, 3], // the final chunk's tag
    ]) {
      const altered = Buffer.from(file);
      altered[offset] ^= 0x80;
      assert.equal(await refused(altered, 'vault_backup.damaged'), before, `byte ${offset}`);
    }
  });

  it('refuses reordered chunks, a dropped middle chunk and a repeated one', async () => {
    const file = await encrypt(crypto.randomBytes(3 * CHUNK + 100));
    const c = [0, 1, 2].map((i) => file.subarray(chunkAt(i), chunkAt(i + 1)));
    const head = file.subarray(0, HEADER_BYTES);
    const last = file.subarray(chunkAt(3));
    await refused(Buffer.concat([head, c[1], c[0], c[2], last]), 'vault_backup.damaged');
    await refused(Buffer.concat([head, c[0], c[2], last]), 'vault_backup.damaged');
    await refused(Buffer.concat([head, c[0], c[0], c[1], c[2], last]), 'vault_backup.damaged');
  });

  it('refuses bytes after the final chunk, and a chunk spliced in from another backup with the same passphrase', async () => {
    const file = await encrypt(crypto.randomBytes(2 * CHUNK + 100));
    await refused(Buffer.concat([file, Buffer.from('more')]), 'vault_backup.damaged');
    await refused(Buffer.concat([file, file.subarray(chunkAt(0), chunkAt(1))]), 'vault_backup.damaged');
    const other = await encrypt(crypto.randomBytes(2 * CHUNK + 100));
    await refused(Buffer.concat([file.subarray(0, chunkAt(1)), other.subarray(chunkAt(1))]), 'vault_backup.damaged');
    // The other's header on this one's body: the salt differs, so does the key.
    await refused(Buffer.concat([other.subarray(0, HEADER_BYTES), file.subarray(HEADER_BYTES)]), 'vault_backup.damaged');
  });

  it('refuses every single flipped bit of a small file with a vault_backup code, never anything else', async () => {
    const file = await encrypt(crypto.randomBytes(CHUNK + 50));
    const positions = new Set<number>([0, 12, 13, 14, 40]);
    while (positions.size < 40) positions.add(crypto.randomInt(file.length));
    for (const pos of positions) {
      const altered = Buffer.from(file);
      altered[pos] ^= 1 << crypto.randomInt(8);
      await assert.rejects(decrypt(altered), (err: unknown) => err instanceof AppError && err.code.startsWith('vault_backup.'), `byte ${pos}`);
    }
  });
});
