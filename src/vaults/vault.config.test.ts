import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyDeclarativeConfig } from '../app/declarative-config.js';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { cliContext } from '../lib/context.js';
import * as vaultRepo from './vault-account.repository.js';
import { vaultSecretAad } from './vault-backup.deps.js';

/**
 * The declarative file's `vault:` section, on both engines: templates and shared accounts declared
 * with their secrets by reference, assigned by e-mail and department, applied idempotently (a
 * second start changes and records nothing), brought back to the file when it changes, owned by
 * the file (the console cannot change them), and refused whole, writing nothing, when a secret is
 * inline or missing.
 */
const OTP_URI = 'otpauth://totp/Twitter:corp_team?secret=JBSWY3DPEHPK3PXP&issuer=Twitter';

for (const engine of ENGINES) {
  describe(`declarative vault templates and shared accounts (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let dir: string;
    let alice: string;
    let engineering: string;
    const env: Record<string, string> = { TWITTER_PASSWORD: 'tw-pass-from-env-1' };
    const write = (name: string, text: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    const yaml = (text = doc(), name = 'tessera.yaml') => write(name, text);
    const doc = () => `
vault:
  templates:
    - name: Twitter
      urls: [https://twitter.com/login]
      loginHint: the team handle
  sharedAccounts:
    - name: Team Twitter
      urls: [https://twitter.com/login]
      login: corp_team
      password: {env: TWITTER_PASSWORD}
      otp: {file: ./twitter-otp}
      notes: {file: ./twitter-notes}
      template: Twitter
      assignTo:
        employees: [alice@corp.example, bob@corp.example]
        departments: [{company: Corp, department: Engineering}]
`;
    const shared = async () => (await admin.get('/api/vault/shared-accounts')).body.items as Record<string, any>[];
    const auditCount = async () => (await t.services.audit.find({}, { offset: 0, limit: 1 })).total;
    const opened = async (id: string, column: 'password' | 'otp_secret' | 'notes') => {
      const row = await vaultRepo.findVaultAccountById(t.services.db, id);
      const sealed = column === 'password' ? row!.password : column === 'otp_secret' ? row!.otpSecret : row!.notes;
      return sealed === null ? null : t.services.sealer.open(sealed, vaultSecretAad(column, id));
    };

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-vault-decl-'));
      write('twitter-otp', `${OTP_URI}\n`);
      write('twitter-notes', 'recovery codes: 1111 2222\n');
      const ctx = cliContext();
      const company = await t.services.organisation.createCompany(ctx, 'Corp');
      engineering = (await t.services.organisation.createDepartment(ctx, company.id, 'Engineering')).id;
      alice = (await t.services.employees.create(ctx, { email: 'alice@corp.example', firstName: 'Alice', lastName: 'A' })).id;
    });
    after(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('creates the template and the shared account, secrets read from their references and sealed, assigned to whom the server knows', async () => {
      const changes = await applyDeclarativeConfig(t.services, yaml(), env);
      assert.deepEqual(changes, ['vault template Twitter created', 'vault shared account Team Twitter created']);
      const templates = (await admin.get('/api/vault/templates')).body.items;
      assert.deepEqual(
        templates.map((x: Record<string, unknown>) => [x.name, x.urls, x.loginHint, x.source]),
        [['Twitter', ['https://twitter.com/login'], 'the team handle', 'config']],
      );
      const [a] = await shared();
      assert.deepEqual(
        [a.name, a.login, a.source, a.hasPassword, a.hasOtp, a.hasNotes, a.templateId],
        ['Team Twitter', 'corp_team', 'config', true, true, true, templates[0].id],
      );
      assert.deepEqual(a.assignments, { employeeIds: [alice], departmentIds: [engineering] }, 'bob is not on this server yet');
      assert.equal(await opened(a.id, 'password'), 'tw-pass-from-env-1');
      assert.equal(JSON.parse((await opened(a.id, 'otp_secret'))!).secret, 'JBSWY3DPEHPK3PXP');
      assert.equal(await opened(a.id, 'notes'), 'recovery codes: 1111 2222');
      const dump = JSON.stringify(await t.db.database.query('SELECT * FROM vault_accounts, audit_events'));
      for (const clear of ['tw-pass-from-env-1', 'JBSWY3DPEHPK3PXP', 'recovery codes']) assert.ok(!dump.includes(clear), clear);
    });

    it('changes and records nothing when applied again', async () => {
      const before = await auditCount();
      assert.deepEqual(await applyDeclarativeConfig(t.services, yaml(), env), []);
      assert.equal(await auditCount(), before);
    });

    it('brings the account back to the file: a new password, someone the server now knows', async () => {
      await t.services.employees.create(cliContext(), { email: 'bob@corp.example', firstName: 'Bob', lastName: 'B' });
      const changes = await applyDeclarativeConfig(t.services, yaml(), { TWITTER_PASSWORD: 'tw-pass-from-env-2' });
      assert.deepEqual(changes, ['vault shared account Team Twitter updated']);
      const [a] = await shared();
      assert.equal(await opened(a.id, 'password'), 'tw-pass-from-env-2');
      assert.equal(a.assignments.employeeIds.length, 2);
      const updated = await admin.get(`/api/audit?action=vault.account_updated&targetId=${a.id}`);
      assert.deepEqual(updated.body.items[0].details.fields, ['password']);
      assert.ok(!JSON.stringify(updated.body).includes('tw-pass-from-env-2'));
      assert.deepEqual(await applyDeclarativeConfig(t.services, yaml(), { TWITTER_PASSWORD: 'tw-pass-from-env-2' }), []);
    });

    it('keeps what it declares out of the console, which still changes its own', async () => {
      const [a] = await shared();
      const refused = [
        await admin.patch(`/api/vault/shared-accounts/${a.id}`, { password: 'typed in the console' }),
        await admin.request('PUT', `/api/vault/shared-accounts/${a.id}/assignments`, { employeeIds: [], departmentIds: [] }),
        await admin.delete(`/api/vault/shared-accounts/${a.id}`),
        await admin.patch(`/api/vault/templates/${a.templateId}`, { name: 'X' }),
        await admin.delete(`/api/vault/templates/${a.templateId}`),
      ];
      for (const r of refused) {
        assert.equal(r.status, 409, r.raw);
        assert.equal(r.body.error.code, 'vault.managed_by_config');
        assert.match(r.body.error.message, /configuration file/);
      }
      assert.equal(await opened(a.id, 'password'), 'tw-pass-from-env-2');
      const own = await admin.post('/api/vault/shared-accounts', { name: 'Console account', password: 'x-1' });
      assert.equal(own.status, 201, own.raw);
      assert.equal((await admin.patch(`/api/vault/shared-accounts/${own.body.id}`, { password: 'x-2' })).status, 200);
    });

    it('takes over a console template of the same name', async () => {
      const made = await admin.post('/api/vault/templates', { name: 'GitLab', urls: [] });
      assert.equal(made.status, 201, made.raw);
      const file = yaml(doc().replace('  sharedAccounts:', '    - name: gitlab\n      urls: [https://gitlab.corp.example]\n  sharedAccounts:'));
      const changes = await applyDeclarativeConfig(t.services, file, { TWITTER_PASSWORD: 'tw-pass-from-env-2' });
      assert.deepEqual(changes, ['vault template gitlab updated']);
      const gitlab = (await admin.get(`/api/vault/templates`)).body.items.find((x: { id: string }) => x.id === made.body.id);
      assert.deepEqual([gitlab.name, gitlab.urls, gitlab.source], ['gitlab', ['https://gitlab.corp.example'], 'config']);
    });

    it('hands an entry removed from the file back to the console, which may then delete it', async () => {
      const file = yaml(doc().replace(/ {2}sharedAccounts:[\s\S]*$/, ''), 'templates-only.yaml');
      const changes = await applyDeclarativeConfig(t.services, file, {});
      assert.deepEqual(changes, [
        'vault template gitlab no longer declared: managed in the console',
        'vault shared account Team Twitter no longer declared: managed in the console',
      ]);
      assert.deepEqual(await applyDeclarativeConfig(t.services, file, {}), []);
      const [a] = (await shared()).filter((x) => x.name === 'Team Twitter');
      assert.equal(a.source, 'console');
      assert.equal((await admin.patch(`/api/vault/shared-accounts/${a.id}`, { notes: null })).status, 200);
      assert.deepEqual(
        await applyDeclarativeConfig(t.services, yaml(), { TWITTER_PASSWORD: 'tw-pass-from-env-2' }),
        ['vault shared account Team Twitter updated'],
        'declared again: the file takes it back',
      );
      assert.equal(await opened(a.id, 'notes'), 'recovery codes: 1111 2222');
    });

    it('refuses the whole file, writing nothing, for an inline secret, a missing one, an unknown template or a name declared twice', async () => {
      const before = { accounts: (await shared()).length, audit: await auditCount() };
      const bad: [string, Record<string, string>, RegExp][] = [
        [
          yaml(doc().replace('password: {env: TWITTER_PASSWORD}', 'password: hunter2-inline'), 'bad-0.yaml'),
          env,
          /vault\.sharedAccounts\[0\]\.password: must be a reference/,
        ],
        [
          yaml(doc().replace('Team Twitter', 'Team Twitter 2'), 'bad-1.yaml'),
          {},
          /vault\.sharedAccounts\[0\]\.password: environment variable TWITTER_PASSWORD is not set/,
        ],
        [yaml(doc().replace('template: Twitter', 'template: Nope'), 'bad-2.yaml'), env, /vault\.sharedAccounts\[0\]: no template named Nope/],
        [
          yaml(doc().replace('- name: Team Twitter', '- name: " team twitter "\n      urls: []\n    - name: Team Twitter'), 'bad-4.yaml'),
          env,
          /vault\.sharedAccounts\[1\]\.name: Team Twitter is declared twice/,
        ],
        [yaml(doc().replace('otp: {file: ./twitter-otp}', 'otp: {file: ./twitter-notes}'), 'bad-3.yaml'), env, /vault\.sharedAccounts\[0\]\.otp: /],
      ];
      for (const [file, e, message] of bad) await assert.rejects(applyDeclarativeConfig(t.services, file, e), message);
      assert.deepEqual({ accounts: (await shared()).length, audit: await auditCount() }, before);
    });
  });
}
