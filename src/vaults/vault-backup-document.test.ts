import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../app/codes.js';
import { AppError } from '../lib/errors.js';
import { type BackupManifest, type BackupRecord, readDocument, writeDocument } from './vault-backup-document.js';

/**
 * The document inside a backup (JSON lines: manifest, records, end line), read back one record at a
 * time from plaintext split anywhere, and refused when it is not whole: no end line, a count that
 * does not match, lines after the end, a second manifest, invalid UTF-8, an overlong line.
 */
const manifest: BackupManifest = {
  type: 'manifest',
  format: 'tessera-vault-backup',
  version: 1,
  createdAt: '2026-12-02T08:00:00.000Z',
  scope: { kind: 'all' },
  source: 'https://id.example.com',
};

async function text(records: BackupRecord[]): Promise<string> {
  let s = '';
  for await (const line of writeDocument(manifest, records)) s += line;
  return s;
}

/** The plaintext as the decryptor hands it on: in pieces of `size` bytes, cut anywhere (inside a character too). */
async function* split(s: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8');
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function readAll(s: string | Buffer, size = 7, maxLineBytes?: number): Promise<{ manifest: BackupManifest; records: BackupRecord[] }> {
  const doc = await readDocument(split(s, size), { maxLineBytes });
  const records: BackupRecord[] = [];
  for await (const r of doc.records) records.push(r);
  return { manifest: doc.manifest, records };
}

const invalid = (err: unknown) => err instanceof AppError && err.code === 'vault_backup.invalid_document';

describe('vault backup document', () => {
  const records = [
    { type: 'template', name: 'Intranet', urls: ['https://intranet.example.com'] },
    { type: 'account', name: 'Café ☕ wiki', notes: 'line one\nline two', password: 'p\u00e4ss "quoted"' },
  ];

  it('reads back the manifest and every record, from plaintext cut anywhere', async () => {
    const s = await text(records);
    assert.equal(s.split('\n').length, 5, 'manifest, two records, end, and the final line break');
    for (const size of [1, 2, 3, 7, 64, 100_000]) {
      const doc = await readAll(s, size);
      assert.deepEqual(doc.manifest, manifest);
      assert.deepEqual(doc.records, records);
    }
  });

  it('reads an empty backup (no records)', async () => {
    assert.deepEqual((await readAll(await text([]))).records, []);
  });

  it('refuses a document without its end line, with a wrong count, or going on after it', async () => {
    const s = await text(records);
    const lines = s.split('\n');
    await assert.rejects(readAll(`${lines.slice(0, 3).join('\n')}\n`), invalid);
    await assert.rejects(readAll(s.replace('"records":2', '"records":3')), invalid);
    await assert.rejects(readAll(`${s}{"type":"account"}\n`), invalid);
  });

  it('refuses a document that does not begin with a manifest of this format and version, or has two', async () => {
    await assert.rejects(readAll('{"type":"account"}\n{"type":"end","records":0}\n'), invalid);
    await assert.rejects(readAll((await text([])).replace('"version":1', '"version":2')), invalid);
    await assert.rejects(readAll((await text([])).replace('"kind":"all"', '"kind":"some"')), invalid);
    const s = await text([]);
    await assert.rejects(readAll(`${s.split('\n')[0]}\n${s}`), invalid);
    await assert.rejects(readAll(''), invalid);
  });

  it('refuses lines that are not JSON objects with a type, invalid UTF-8, an overlong line, a missing final line break', async () => {
    const [head] = (await text([])).split('\n');
    for (const bad of ['[1,2]', '"text"', '{"no":"type"}', '{"type":3}', '{not json']) await assert.rejects(readAll(`${head}\n${bad}\n`), invalid, bad);
    await assert.rejects(readAll(Buffer.concat([Buffer.from(`${head}\n{"type":"a","x":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')])), invalid);
    await assert.rejects(readAll(`${head}\n{"type":"a","x":"${'y'.repeat(500)}"}\n{"type":"end","records":1}\n`, 7, 400), invalid);
    await assert.rejects(readAll(`${head}\n{"type":"end","records":0}`), invalid);
  });
});
