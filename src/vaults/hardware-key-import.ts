/**
 * The inventory CSV (RFC 4180): one key a line, `serial,model,aaguid[,badge[,batch]]`, with an
 * optional header line naming the columns (then in any order). Parsing and row checks are pure;
 * the service looks up duplicates in the inventory and writes.
 *
 * Rules for a row:
 * - a serial of letters, digits and `.-_/`, starting with a letter or digit (so never a formula);
 * - a model of printable text that does not start like a spreadsheet formula (`= + - @`, OWASP
 *   "CSV injection"): the inventory is exported again and opened in spreadsheets;
 * - an AAGUID as a UUID (stored lower-case), the model's identity in WebAuthn (§6.5.1);
 * - no control character anywhere (NUL never reaches here: the text guard refuses the request);
 * - a serial seen on an earlier line, or already in the inventory, is a duplicate.
 */
export const IMPORT_MAX_ROWS = 10_000;
/** No row of five short cells comes near this: a longer line is another file (or an attack). */
export const IMPORT_MAX_LINE = 1000;

export interface ImportRow {
  serial: string;
  model: string;
  aaguid: string;
  badge: string | null;
  batch: string | null;
}

export type RowCheck = { line: number; row: ImportRow } | { line: number; serial: string | null; status: 'invalid' | 'duplicate'; error: string };

/** RFC 4180 records: quoted fields with "" for a quote, CRLF or LF line ends; blank lines skipped. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let isQuoted = false;
  let line = 1;
  let start = 1;
  const end = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0].trim() === '')) records.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (isQuoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') isQuoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') isQuoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      end();
      line++;
      start = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0) end();
  return records;
}

const COLUMNS = ['serial', 'model', 'aaguid', 'badge', 'batch'] as const;
const SERIAL = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const FORMULA = /^[=+\-@]/;

function checkText(name: string, value: string, max: number): string | undefined {
  if (value.length > max) return `${name} is longer than ${max} characters`;
  if (FORMULA.test(value)) return `${name} starts like a spreadsheet formula (= + - @)`;
  return undefined;
}

/** Each record checked on its own; duplicates within the file found here, against the inventory by the caller. */
export function checkImport(text: string): RowCheck[] {
  const records = parseCsv(text);
  let order: readonly string[] = COLUMNS;
  // A header line names only known columns, serial among them.
  const first = records[0]?.cells.map((c) => c.trim().toLowerCase());
  if (first?.includes('serial') && first.every((c) => (COLUMNS as readonly string[]).includes(c))) {
    records.shift();
    order = first;
  }
  const seen = new Map<string, number>();
  return records.map(({ line, cells }): RowCheck => {
    const get = (name: (typeof COLUMNS)[number]) => {
      const i = order.indexOf(name);
      return i >= 0 ? (cells[i] ?? '').trim() : '';
    };
    const rawSerial = get('serial');
    const serial = SERIAL.test(rawSerial) ? rawSerial : null;
    const fail = (error: string, status: 'invalid' | 'duplicate' = 'invalid'): RowCheck => ({ line, serial, status, error });
    if (cells.some((c) => CONTROL.test(c.replace(/\r?\n/g, ' ')) || /[\r\n]/.test(c))) return fail('a cell holds a control character or a line break');
    if (cells.length > order.length) return fail(`more cells than the ${order.length} columns`);
    if (!rawSerial) return fail('serial is missing');
    if (!serial) return fail('serial must be letters, digits and . - _ / (at most 64), starting with a letter or digit');
    const model = get('model');
    if (!model) return fail('model is missing');
    const aaguid = get('aaguid').toLowerCase();
    if (!UUID.test(aaguid)) return fail('aaguid must be a UUID such as ee882879-721c-4913-9775-3dfcce97072a');
    const badge = get('badge') || null;
    const batch = get('batch') || null;
    const textError =
      checkText('model', model, 100) ?? (badge ? checkText('badge', badge, 64) : undefined) ?? (batch ? checkText('batch', batch, 64) : undefined);
    if (textError) return fail(textError);
    const earlier = seen.get(serial);
    if (earlier !== undefined) return fail(`the serial is on line ${earlier} already`, 'duplicate');
    seen.set(serial, line);
    return { line, row: { serial, model, aaguid, badge, batch } };
  });
}
