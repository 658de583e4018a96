import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { checkImport, parseCsv } from './hardware-key-import.js';

/** The inventory CSV: RFC 4180 parsing, hostile rows reported one by one, and imports of 10,000 keys on both engines. */
const AAGUID = 'ee882879-721c-4913-9775-3dfcce97072a';

describe('inventory CSV parsing', () => {
  it('reads quoted cells with commas, doubled quotes and CRLF line ends, skipping blank lines', () => {
    assert.deepEqual(parseCsv('a,"b, c","say ""hi"""\r\n\r\nd,e,f\n'), [
      { line: 1, cells: ['a', 'b, c', 'say "hi"'] },
      { line: 3, cells: ['d', 'e', 'f'] },
    ]);
  });

  it('takes the columns from a header line, in any order', () => {
    const [row] = checkImport(`batch,AAGUID,serial,model\nB7,${AAGUID.toUpperCase()},SN-1,YubiKey 5`);
    assert.deepEqual(row, { line: 2, row: { serial: 'SN-1', model: 'YubiKey 5', aaguid: AAGUID, badge: null, batch: 'B7' } });
  });

  it('reports formula injection, control characters, bad serials and AAGUIDs, and duplicates, each with its reason', () => {
    const rows = checkImport(
      [
        `=HYPERLINK("http://evil"),YubiKey,${AAGUID}`,
        `SN-2,=cmd|' /C calc'!A0,${AAGUID}`,
        `SN-3,+SUM(A1),${AAGUID}`,
        `SN-4,@evil,${AAGUID}`,
        `SN-5,Yubi\u0001Key,${AAGUID}`,
        `SN-6,"Yubi\nKey",${AAGUID}`,
        'SN-7,YubiKey,not-a-uuid',
        `SN-8,YubiKey,${AAGUID},-badge`,
        `SN-9,YubiKey,${AAGUID}`,
        `SN-9,YubiKey,${AAGUID}`,
        `SN-10,YubiKey,${AAGUID},,,extra`,
        `,YubiKey,${AAGUID}`,
      ].join('\n'),
    );
    const summary = rows.map((r) => ('row' in r ? 'ok' : `${r.status}: ${r.error}`));
    assert.match(summary[0], /^invalid: serial must be/);
    assert.match(summary[1], /^invalid: model starts like a spreadsheet formula/);
    assert.match(summary[2], /^invalid: model starts like a spreadsheet formula/);
    assert.match(summary[3], /^invalid: model starts like a spreadsheet formula/);
    assert.match(summary[4], /^invalid: a cell holds a control character/);
    assert.match(summary[5], /^invalid: a cell holds a control character or a line break/);
    assert.match(summary[6], /^invalid: aaguid must be a UUID/);
    assert.match(summary[7], /^invalid: badge starts like a spreadsheet formula/);
    assert.equal(summary[8], 'ok');
    assert.equal(summary[9], 'duplicate: the serial is on line 10 already', 'the quoted line break counts as a line');
    assert.match(summary[10], /^invalid: more cells than the 5 columns/);
    assert.equal(summary[11], 'invalid: serial is missing');
  });
});

for (const engine of ENGINES) {
  describe(`inventory import through the API (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
    });
    after(() => t.close());

    it('creates the valid rows as Ready, reports the others, and counts keys already in the inventory as duplicates', async () => {
      const csv = `serial,model,aaguid,badge,batch\nIMP-1,YubiKey 5 NFC,${AAGUID},RFID-9,2026-12\nIMP-2,=1+1,${AAGUID}\nIMP-1,YubiKey 5 NFC,${AAGUID}\n`;
      const first = await admin.post('/api/hardware-keys/import', { csv });
      assert.equal(first.status, 200, first.raw);
      assert.deepEqual({ created: first.body.created, duplicate: first.body.duplicate, invalid: first.body.invalid }, { created: 1, duplicate: 1, invalid: 1 });
      assert.deepEqual(
        first.body.rows.map((r: { line: number; status: string }) => [r.line, r.status]),
        [
          [2, 'created'],
          [3, 'invalid'],
          [4, 'duplicate'],
        ],
      );
      const again = await admin.post('/api/hardware-keys/import', { csv: `IMP-1,YubiKey 5 NFC,${AAGUID}` });
      assert.equal(again.body.rows[0].status, 'duplicate');
      const [key] = (await admin.get('/api/hardware-keys?q=IMP-1')).body.items;
      assert.deepEqual([key.state, key.badge, key.batch, key.aaguid], ['ready', 'RFID-9', '2026-12', AAGUID]);
      const detail = (await admin.get(`/api/hardware-keys/${key.id}`)).body;
      assert.deepEqual([detail.history.length, detail.history[0].from, detail.history[0].to, detail.history[0].reason], [1, null, 'ready', 'imported']);
    });

    it('refuses a file with a NUL character as a whole, writing nothing', async () => {
      const before = (await admin.get('/api/hardware-keys?pageSize=1')).body.total;
      const res = await admin.post('/api/hardware-keys/import', { csv: `NUL-1,YubiKey,${AAGUID}\nNUL-2,Yubi\u0000Key,${AAGUID}` });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'request.invalid_text');
      assert.equal((await admin.get('/api/hardware-keys?pageSize=1')).body.total, before);
    });

    it('imports 10,000 keys in one request, and refuses 10,001', async () => {
      const lines = Array.from({ length: 10_000 }, (_, i) => `BULK-${String(i).padStart(5, '0')},YubiKey 5 NFC,${AAGUID},,big-batch`);
      const res = await admin.post('/api/hardware-keys/import', { csv: lines.join('\n') });
      assert.equal(res.status, 200, res.raw.slice(0, 300));
      assert.equal(res.body.created, 10_000);
      assert.equal((await admin.get('/api/hardware-keys?batch=big-batch&pageSize=1')).body.total, 10_000);
      const tooMany = await admin.post('/api/hardware-keys/import', { csv: [...lines, `BULK-X,YubiKey,${AAGUID}`].join('\n') });
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body.error.code, 'hardware_keys.import_invalid');
      const huge = await admin.post('/api/hardware-keys/import', { csv: 'z'.repeat(100_000) });
      assert.equal(huge.status, 400);
      assert.match(huge.body.error.message, /Line 1 is longer than 1000 characters/);
    });
  });
}
