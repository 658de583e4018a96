import { AppError } from '../lib/errors.js';
import type {} from './vault-backup.codes.js';

/**
 * The plaintext inside a backup file (docs/vault-backup-format.md §4): JSON lines, UTF-8, one
 * object a line, each with a string `type`. The first line is the manifest, the last the end line
 * with the number of records between them; records are what the vault service writes (templates,
 * accounts). Lines let a restore read one record at a time: neither side holds the document whole.
 */

export const DOCUMENT_FORMAT = 'tessera-vault-backup';
export const DOCUMENT_VERSION = 1;
/** A record line is at most this long (an account with long notes is a few KiB). */
export const MAX_LINE_BYTES = 1_048_576;

export interface BackupManifest {
  type: 'manifest';
  format: typeof DOCUMENT_FORMAT;
  version: typeof DOCUMENT_VERSION;
  createdAt: string;
  /** Who is in it: every employee's accounts, or one employee's. */
  scope: { kind: 'all' } | { kind: 'employee'; email: string; externalIds: string[] };
  /** The server that wrote it (its PUBLIC_URL), for the person reading a restore report. */
  source: string;
}

export interface BackupRecord {
  type: string;
  [field: string]: unknown;
}

const invalid = (message: string) => new AppError('vault_backup.invalid_document', message);

/** The document as lines: the manifest, each record, then the end line with their count. */
export async function* writeDocument(manifest: BackupManifest, records: AsyncIterable<BackupRecord> | Iterable<BackupRecord>): AsyncGenerator<string> {
  yield `${JSON.stringify(manifest)}\n`;
  let count = 0;
  for await (const record of records) {
    if (record.type === 'manifest' || record.type === 'end') throw new Error(`vault backup: a record cannot be of type ${record.type}`);
    const line = JSON.stringify(record);
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) throw invalid(`A ${record.type} record is longer than ${MAX_LINE_BYTES} bytes`);
    count++;
    yield `${line}\n`;
  }
  yield `${JSON.stringify({ type: 'end', records: count })}\n`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function parseLine(bytes: Buffer, lineNo: number): BackupRecord {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw invalid(`Line ${lineNo} of the backup document is not JSON in UTF-8`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string')
    throw invalid(`Line ${lineNo} of the backup document is not an object with a type`);
  return value as BackupRecord;
}

/** Splits authenticated plaintext into lines of at most MAX_LINE_BYTES, as buffers. */
async function* lines(plaintext: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  for await (const piece of plaintext) {
    let rest = piece;
    let nl: number;
    // 0x0A never occurs inside a multi-byte UTF-8 sequence: splitting bytes is splitting characters.
    while ((nl = rest.indexOf(0x0a)) >= 0) {
      if (partBytes + nl > maxLineBytes) throw invalid(`A line of the backup document is longer than ${maxLineBytes} bytes`);
      parts.push(rest.subarray(0, nl));
      yield Buffer.concat(parts);
      parts = [];
      partBytes = 0;
      rest = rest.subarray(nl + 1);
    }
    if (rest.length > 0) {
      partBytes += rest.length;
      if (partBytes > maxLineBytes) throw invalid(`A line of the backup document is longer than ${maxLineBytes} bytes`);
      parts.push(Buffer.from(rest));
    }
  }
  if (partBytes > 0) throw invalid('The backup document does not end with a line break');
}

/**
 * Reads the document: the manifest (checked), then yields each record; ends only after the end line
 * was read with the right count and nothing after it.
 */
export async function readDocument(
  plaintext: AsyncIterable<Buffer>,
  opts: { maxLineBytes?: number } = {},
): Promise<{ manifest: BackupManifest; records: AsyncGenerator<BackupRecord> }> {
  const it = lines(plaintext, opts.maxLineBytes ?? MAX_LINE_BYTES)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) throw invalid('The backup document is empty');
  const manifest = parseLine(first.value, 1);
  checkManifest(manifest);
  async function* records(): AsyncGenerator<BackupRecord> {
    let lineNo = 1;
    let count = 0;
    for (;;) {
      const next = await it.next();
      if (next.done) throw invalid('The backup document has no end line');
      lineNo++;
      const record = parseLine(next.value, lineNo);
      if (record.type === 'manifest') throw invalid(`Line ${lineNo} of the backup document is a second manifest`);
      if (record.type === 'end') {
        if (record.records !== count) throw invalid(`The backup document's end line counts ${String(record.records)} records; it holds ${count}`);
        if (!(await it.next()).done) throw invalid('The backup document goes on after its end line');
        return;
      }
      count++;
      yield record;
    }
  }
  return { manifest: manifest as unknown as BackupManifest, records: records() };
}

function checkManifest(m: BackupRecord): void {
  if (m.type !== 'manifest' || m.format !== DOCUMENT_FORMAT) throw invalid('The backup document does not begin with a Tessera vault backup manifest');
  if (m.version !== DOCUMENT_VERSION) throw invalid(`The backup document is of version ${String(m.version)}; this Tessera reads version ${DOCUMENT_VERSION}`);
  if (typeof m.createdAt !== 'string' || typeof m.source !== 'string') throw invalid('The backup manifest lacks createdAt or source');
  // Shown in the restore report and kept in the audit log: no megabyte "source".
  if (m.createdAt.length > 40 || m.source.length > 2048) throw invalid('The backup manifest has a createdAt or source longer than any writer makes');
  const scope = m.scope as { kind?: unknown; email?: unknown } | undefined;
  if (!scope || (scope.kind !== 'all' && !(scope.kind === 'employee' && typeof scope.email === 'string' && scope.email.length <= 320)))
    throw invalid('The backup manifest has no valid scope');
}
