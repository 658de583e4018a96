import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { cliContext } from '../lib/context.js';
import * as vaultRepo from './vault-account.repository.js';
import { vaultAccountAssignments, vaultAccounts, vaultTemplates } from './vault-account.tables.js';
import { HEADER_BYTES } from './vault-backup-format.js';

/**
 * Backup and restore of vault accounts through the API, on both engines, as an administrator
 * (or a script with an admin-scope API key) does it: export everything from one server, restore
 * onto a FRESH one whose employees were imported again (the secrets open there under its own
 * master key and equal the originals); a wrong passphrase and a damaged file write nothing; skip
 * and overwrite; one employee's backup; an employee the target does not know is reported.
 */
const PASSPHRASE = 'a long backup passphrase, kept offline';
const aad = (column: string, id: string) => `vault_accounts.${column}:${id}`;

interface Org {
  t: TestApp;
  adminKey: string;
  employees: Map<string, string>;
}

/** A server with the given employees (e-mail → id); carol in Engineering at Corp when listed. */
async function server(engine: (typeof ENGINES)[number], emails: string[]): Promise<Org> {
  const t = await createTestApp({ engine });
  const ctx = cliContext();
  const company = await t.services.organisation.createCompany(ctx, 'Corp');
  const department = await t.services.organisation.createDepartment(ctx, company.id, 'Engineering');
  const employees = new Map<string, string>();
  for (const email of emails) {
    const inDepartment = email.startsWith('carol') ? { companyId: company.id, departmentId: department.id } : {};
    const e = await t.services.employees.create(ctx, { email, firstName: email.split('@')[0], lastName: 'Test', ...inDepartment });
    employees.set(email, e.id);
  }
  const { secret } = await t.services.apiKeys.create(ctx, { name: 'backup script', scope: 'admin' });
  return { t, adminKey: secret, employees };
}

async function backup(o: Org, body: Record<string, unknown>): Promise<{ status: number; file: Buffer; headers: Record<string, unknown> }> {
  const res = await o.t.app.inject({ method: 'POST', url: '/api/vault/backup', headers: { authorization: `Bearer ${o.adminKey}` }, payload: body });
  return { status: res.statusCode, file: res.rawPayload, headers: res.headers };
}

async function restore(o: Org, file: Buffer, opts: { passphrase?: string; onConflict?: string; contentType?: string } = {}) {
  const res = await o.t.app.inject({
    method: 'POST',
    url: `/api/vault/restore${opts.onConflict ? `?onConflict=${opts.onConflict}` : ''}`,
    headers: {
      authorization: `Bearer ${o.adminKey}`,
      'content-type': opts.contentType ?? 'application/octet-stream',
      'x-tessera-backup-passphrase': opts.passphrase ?? PASSPHRASE,
    },
    payload: file,
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

async function rowCounts(o: Org) {
  const db = o.t.services.db;
  const [a] = await db.select({ n: count() }).from(vaultAccounts);
  const [s] = await db.select({ n: count() }).from(vaultAccountAssignments);
  const [t] = await db.select({ n: count() }).from(vaultTemplates);
  return { accounts: a.n, assignments: s.n, templates: t.n };
}

/** An account inserted as the vault stores it: secrets sealed under its row. */
async function addAccount(
  o: Org,
  a: { kind: 'personal' | 'shared'; owner?: string; name: string; password: string; otp?: string; notes?: string; templateId?: string },
) {
  const id = crypto.randomUUID();
  const seal = (v: string | undefined, c: string) => (v === undefined ? null : o.t.services.sealer.seal(v, aad(c, id)));
  await vaultRepo.insertVaultAccount(o.t.services.db, {
    id,
    kind: a.kind,
    employeeId: a.owner ? o.employees.get(a.owner)! : null,
    name: a.name,
    urls: ['https://app.example.com/login'],
    login: `${a.owner ?? 'team'}-login`,
    password: seal(a.password, 'password'),
    otpSecret: seal(a.otp, 'otp_secret'),
    notes: seal(a.notes, 'notes'),
    workstationUse: a.kind === 'personal',
    templateId: a.templateId ?? null,
  });
  return id;
}

/** The accounts of a server in clear, by owner e-mail (or "shared") and name. */
async function secrets(o: Org): Promise<Map<string, { password: string | null; otp: string | null; notes: string | null; templateId: string | null }>> {
  const byId = new Map([...o.employees].map(([email, id]) => [id, email]));
  const out = new Map();
  for (const r of await vaultRepo.findVaultAccounts(o.t.services.db)) {
    const open = (v: string | null, c: string) => (v === null ? null : o.t.services.sealer.open(v, aad(c, r.id)));
    out.set(`${r.employeeId ? byId.get(r.employeeId) : 'shared'}/${r.name}`, {
      password: open(r.password, 'password'),
      otp: open(r.otpSecret, 'otp_secret'),
      notes: open(r.notes, 'notes'),
      templateId: r.templateId,
    });
  }
  return out;
}

async function auditActions(o: Org, action: string) {
  const { items } = await o.t.services.audit.find({ action }, { offset: 0, limit: 50 });
  return items as unknown as { action: string; details: Record<string, unknown>; outcome: string }[];
}

for (const engine of ENGINES) {
  describe(`vault backup and restore (${engine})`, () => {
    const people = ['alice@corp.example', 'bob@corp.example', 'carol@corp.example', 'dave@corp.example'];
    let source: Org;
    let full: Buffer;
    const servers: Org[] = [];
    const fresh = async (emails: string[]) => {
      const o = await server(engine, emails);
      servers.push(o);
      return o;
    };

    before(async () => {
      source = await fresh(people);
      const tpl = await vaultRepo.insertVaultTemplate(source.t.services.db, {
        name: 'Intranet',
        nameNormalized: 'intranet',
        urls: ['https://intranet.example.com'],
      });
      await addAccount(source, { kind: 'personal', owner: 'alice@corp.example', name: 'Intranet', password: 'alice-pw-1', templateId: tpl.id });
      await addAccount(source, {
        kind: 'personal',
        owner: 'alice@corp.example',
        name: 'GitHub',
        password: 'alice-gh',
        otp: '{"secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":6,"period":30}',
        notes: 'recovery codes: 1234 5678',
      });
      await addAccount(source, { kind: 'personal', owner: 'dave@corp.example', name: 'Payroll', password: 'dave-pw' });
      const shared = await addAccount(source, { kind: 'shared', name: 'Team Twitter', password: 'shared-pw' });
      const deps = await source.t.services.organisation.listCompanies();
      await vaultRepo.insertAssignments(source.t.services.db, shared, {
        employeeIds: [source.employees.get('alice@corp.example')!, source.employees.get('bob@corp.example')!, source.employees.get('dave@corp.example')!],
        departmentIds: [deps[0].departments[0].id],
      });
      // Enough of bob's accounts (with notes) that the file has several 64 KiB chunks.
      for (let i = 0; i < 150; i++)
        await addAccount(source, {
          kind: 'personal',
          owner: 'bob@corp.example',
          name: `Service ${i}`,
          password: `bob-pw-${i}`,
          notes: `n${i} ${'x'.repeat(600)}`,
        });
      const res = await backup(source, { passphrase: PASSPHRASE });
      assert.equal(res.status, 200, res.file.toString());
      assert.equal(res.headers['content-type'], 'application/octet-stream');
      assert.match(String(res.headers['content-disposition']), /^attachment; filename="tessera-vault-\d{4}-.*\.tvb"$/);
      full = res.file;
    });
    after(async () => {
      for (const o of servers) await o.t.close();
    });

    it('writes an encrypted file: the header first, no secret, login or name in clear', () => {
      assert.equal(full.subarray(0, 13).toString(), 'TESSERA-VAULT');
      assert.ok(full.length > HEADER_BYTES + 2 * 65_536, 'several chunks');
      for (const clear of ['alice-pw-1', 'shared-pw', 'JBSWY3DPEHPK3PXP', 'recovery codes', 'alice@corp.example', 'Team Twitter', 'bob-pw-7'])
        assert.equal(full.indexOf(clear), -1, clear);
    });

    it('restores onto a fresh database: every secret opens under the new master key and equals the original; an unknown employee is reported', async () => {
      const target = await fresh(people.filter((p) => p !== 'dave@corp.example'));
      const res = await restore(target, full);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.templates, { created: 1, overwritten: 0, skipped: 0 });
      assert.deepEqual(res.body.accounts, { created: 153, overwritten: 0, skipped: 0, skippedUnknownEmployee: 1 });
      assert.deepEqual(res.body.unknownEmployees, ['dave@corp.example']);
      assert.equal(res.body.unknownEmployeeCount, 1);
      assert.equal(res.body.assignmentsAdded, 3, 'alice, bob and the department; not dave');
      assert.deepEqual(res.body.unknownDepartments, []);
      assert.equal(res.body.source, 'http://localhost:8080');

      const before = await secrets(source);
      const after = await secrets(target);
      assert.equal(after.size, before.size - 1);
      for (const [key, value] of after) {
        const original = before.get(key)!;
        assert.deepEqual({ ...value, templateId: null }, { ...original, templateId: null }, key);
      }
      const [tpl] = await vaultRepo.findVaultTemplates(target.t.services.db);
      assert.equal(after.get('alice@corp.example/Intranet')?.templateId, tpl.id, 'the template link survives');
      const [shared] = await vaultRepo.findSharedVaultAccounts(target.t.services.db);
      const holders = (await vaultRepo.findAssignmentsByAccountIds(target.t.services.db, [shared.id])).map((a) => a.employeeId);
      assert.ok(holders.includes(target.employees.get('bob@corp.example')!));
      const [restored] = await auditActions(target, 'vault_backup.restored');
      assert.equal((restored.details.accounts as { created: number }).created, 153);
      assert.ok(!JSON.stringify(await auditActions(target, 'vault_backup.restored')).includes(PASSPHRASE));
      const [exported] = await auditActions(source, 'vault_backup.exported');
      assert.deepEqual(exported.details, { scope: 'all', templates: 1, accounts: 154, completed: true });
      assert.ok(!JSON.stringify(exported).includes(PASSPHRASE));
    });

    it('writes nothing with a wrong passphrase, and says so', async () => {
      const target = await fresh(people);
      const counts = await rowCounts(target);
      const res = await restore(target, full, { passphrase: `${PASSPHRASE}.` });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'vault_backup.wrong_passphrase');
      assert.match(res.body.error.message, /passphrase/);
      assert.deepEqual(await rowCounts(target), counts);
      const [failed] = await auditActions(target, 'vault_backup.restore_failed');
      assert.equal(failed.details.code, 'vault_backup.wrong_passphrase');
    });

    it('writes nothing from a file damaged after its first chunks, nor from one cut short', async () => {
      const target = await fresh(people);
      const counts = await rowCounts(target);
      const damaged = Buffer.from(full);
      damaged[damaged.length - 20] ^= 0x40;
      const res = await restore(target, damaged);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'vault_backup.damaged');
      assert.deepEqual(await rowCounts(target), counts, 'the records of the chunks before were rolled back');
      const cut = await restore(target, full.subarray(0, HEADER_BYTES + 65_552));
      assert.equal(cut.body.error.code, 'vault_backup.truncated');
      assert.deepEqual(await rowCounts(target), counts);
      const other = await restore(target, Buffer.from('PK\u0003\u0004 not a backup at all'));
      assert.equal(other.body.error.code, 'vault_backup.not_a_backup');
    });

    it('skips what exists (same id, or same owner and name), or overwrites it, as asked', async () => {
      const target = await fresh(people);
      // Alice already has an "intranet" of her own here, with another password.
      const mine = await addAccount(target, { kind: 'personal', owner: 'alice@corp.example', name: ' intranet ', password: 'kept-here' });
      const first = await restore(target, full, { onConflict: 'skip' });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.accounts, { created: 153, overwritten: 0, skipped: 1, skippedUnknownEmployee: 0 });
      assert.equal((await secrets(target)).get('alice@corp.example/ intranet ')?.password, 'kept-here');

      const again = await restore(target, full, { onConflict: 'skip' });
      assert.deepEqual(again.body.accounts, { created: 0, overwritten: 0, skipped: 154, skippedUnknownEmployee: 0 });
      assert.deepEqual(again.body.templates, { created: 0, overwritten: 0, skipped: 1 });
      assert.equal(again.body.assignmentsAdded, 0);
      const counts = await rowCounts(target);

      // A change made here since is undone by overwrite, and only by overwrite.
      const [shared] = await vaultRepo.findSharedVaultAccounts(target.t.services.db);
      await vaultRepo.updateVaultAccountById(
        target.t.services.db,
        shared.id,
        { password: target.t.services.sealer.seal('changed', aad('password', shared.id)) },
        new Date(),
      );
      const over = await restore(target, full, { onConflict: 'overwrite' });
      assert.deepEqual(over.body.accounts, { created: 0, overwritten: 154, skipped: 0, skippedUnknownEmployee: 0 });
      assert.deepEqual(over.body.templates, { created: 0, overwritten: 1, skipped: 0 });
      const now = await secrets(target);
      assert.equal(now.get('shared/Team Twitter')?.password, 'shared-pw');
      const [row] = await target.t.services.db.select().from(vaultAccounts).where(eq(vaultAccounts.id, mine));
      assert.equal(target.t.services.sealer.open(row.password!, aad('password', mine)), 'alice-pw-1', 'the name conflict was overwritten in place');
      assert.deepEqual(await rowCounts(target), counts, 'overwriting adds no rows');
    });

    it("backs up one employee's accounts: theirs, the shared ones reaching them with only their assignment, the templates they use", async () => {
      const one = await backup(source, { passphrase: PASSPHRASE, employee: 'Alice@corp.example' });
      assert.equal(one.status, 200);
      assert.match(String(one.headers['content-disposition']), /tessera-vault-alice_corp\.example-/);
      const target = await fresh(['alice@corp.example']);
      const res = await restore(target, one.file);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.scope, { kind: 'employee', email: 'alice@corp.example' });
      assert.deepEqual(res.body.accounts, { created: 3, overwritten: 0, skipped: 0, skippedUnknownEmployee: 0 });
      assert.deepEqual(res.body.templates, { created: 1, overwritten: 0, skipped: 0 });
      assert.equal(res.body.assignmentsAdded, 1);
      assert.deepEqual(res.body.unknownEmployees, [], "nobody else's name was in it");
      assert.deepEqual([...(await secrets(target)).keys()].sort(), ['alice@corp.example/GitHub', 'alice@corp.example/Intranet', 'shared/Team Twitter']);
      const [exported] = await auditActions(source, 'vault_backup.exported');
      assert.equal(exported.details.scope, 'employee');

      const nobody = await backup(source, { passphrase: PASSPHRASE, employee: 'nobody@corp.example' });
      assert.equal(nobody.status, 404);
      assert.equal(JSON.parse(nobody.file.toString()).error.code, 'employees.not_found');
    });

    it('is refused to a key of scope write, to no credential, and with a short passphrase or a body that is not the file', async () => {
      const { secret } = await source.t.services.apiKeys.create(cliContext(), { name: 'writer', scope: 'write' });
      const asWriter = await source.t.app.inject({
        method: 'POST',
        url: '/api/vault/backup',
        headers: { authorization: `Bearer ${secret}` },
        payload: { passphrase: PASSPHRASE },
      });
      assert.equal(asWriter.statusCode, 403);
      const anonymous = await source.t.app.inject({ method: 'POST', url: '/api/vault/backup', payload: { passphrase: PASSPHRASE } });
      assert.ok([401, 403].includes(anonymous.statusCode), String(anonymous.statusCode));
      const short = await backup(source, { passphrase: 'short' });
      assert.equal(short.status, 400);
      const json = await restore(source, Buffer.from('{"file":"x"}'), { contentType: 'application/json' });
      assert.equal(json.status, 415);
      assert.equal(json.body.error.code, 'vault_backup.upload_invalid');
    });
  });
}
