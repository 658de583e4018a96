/**
 * Driven as an administrator does, against a real `tessera serve` process, on each storage engine:
 * first-admin setup, secrets saved through the API, a graceful restart, then
 * - all data is still there (employees, organisation, settings, the API key, the session);
 * - no saved secret appears in any later API answer, in any log line, or in clear in the database
 *   (a pg_dump for PostgreSQL; every file of the data folder for PGlite);
 * - `tessera audit verify` passes, then catches a record changed in the database and the newest
 *   record removed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { totpCode } from '../src/security/totp.js';
import { createScratchPostgres, ENGINES } from './helpers/db.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';
import { HttpClient } from './helpers/http.js';

const run = promisify(execFile);

const serverBase = (s: ServerProcess) => `http://127.0.0.1:${s.port}`;
const unique = (label: string) => `${label}-${crypto.randomBytes(12).toString('hex')}`;

/** The forms a secret could be stored in by mistake: as is (UTF-8 and UTF-16LE), or base64. */
function needles(secret: string): { form: string; bytes: Buffer }[] {
  return [
    { form: 'utf8', bytes: Buffer.from(secret, 'utf8') },
    { form: 'utf16le', bytes: Buffer.from(secret, 'utf16le') },
    { form: 'base64', bytes: Buffer.from(Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, ''), 'utf8') },
    { form: 'base64url', bytes: Buffer.from(Buffer.from(secret, 'utf8').toString('base64url'), 'utf8') },
  ];
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** Where each secret (in any of its forms) occurs in the given named blobs. */
function findSecrets(secrets: Record<string, string>, blobs: { name: string; data: Buffer }[]): string[] {
  const hits: string[] = [];
  for (const [label, secret] of Object.entries(secrets)) {
    for (const { form, bytes } of needles(secret)) {
      for (const blob of blobs) if (blob.data.includes(bytes)) hits.push(`${label} (${form}) in ${blob.name}`);
    }
  }
  return hits;
}

for (const engine of ENGINES) {
  describe(`persistence and secrets on ${engine} (real server process)`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-persist-${engine}-`));
    let scratch: Awaited<ReturnType<typeof createScratchPostgres>> | undefined;
    let env: Record<string, string>;
    const servers: ServerProcess[] = [];
    /** Everything the server and the CLI printed, over every run. */
    const output: string[] = [];

    const admin = { email: 'owner@persist.example', name: 'Olga Owner', password: unique('Correct horse battery staple') };
    const secrets: Record<string, string> = { 'admin password': admin.password, 'SMTP password': unique('smtp-secret') };
    let firstClient: HttpClient;
    let restarted = false;
    let expected: Record<string, unknown>;

    async function start(): Promise<ServerProcess> {
      const s = await startServerProcess(env);
      servers.push(s);
      return s;
    }

    async function stop(s: ServerProcess): Promise<number | null> {
      const code = await s.stop('SIGTERM');
      output.push(s.output());
      return code;
    }

    async function cli(args: string[]) {
      const res = await runCli(args, env);
      output.push(res.stdout, res.stderr);
      return { code: res.code, text: res.stdout + res.stderr };
    }

    type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;
    /** Runs SQL against the stopped server's database, as someone with access to it would. */
    async function withDatabase<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
      if (engine === 'postgres') {
        const c = new pg.Client({ connectionString: scratch!.url });
        await c.connect();
        try {
          return await fn(async (text, params = []) => (await c.query(text, params)).rows);
        } finally {
          await c.end();
        }
      }
      const db = await PGlite.create(path.join(dataDir, 'pglite'));
      try {
        return await fn(async (text, params = []) => (await db.query(text, params)).rows as never);
      } finally {
        await db.close();
      }
    }

    /** What the API says about the data: the same before and after a restart. */
    async function readState(c: HttpClient) {
      const [employees, companies, positions, settings, apiKeys, admins] = await Promise.all([
        c.get('/api/employees?sort=email&pageSize=500'),
        c.get('/api/companies'),
        c.get('/api/positions'),
        c.get('/api/settings'),
        c.get('/api/api-keys'),
        c.get('/api/admins'),
      ]);
      for (const r of [employees, companies, positions, settings, apiKeys, admins]) assert.equal(r.status, 200, r.text);
      return {
        employees: employees.json,
        companies: companies.json,
        positions: positions.json,
        settings: settings.json,
        // Last use and last sign-in move with every use; everything else must stay.
        apiKeys: apiKeys.json.items.map(({ lastUsedAt: _, ...k }: Record<string, unknown>) => k),
        admins: admins.json.items.map(({ lastSignInAt: _, ...a }: Record<string, unknown>) => a),
      };
    }

    /** Reads every page that shows stored data, so the secret checks see all of them. */
    async function readEverything(c: HttpClient) {
      for (const url of [
        '/api/settings',
        '/api/auth/me',
        '/api/api-keys',
        '/api/admins',
        '/api/audit?pageSize=500',
        '/api/audit/export.csv',
        '/api/audit/actions',
        '/api/dashboard',
        '/api/employees?pageSize=500',
        '/api/companies',
        '/api/positions',
      ]) {
        const res = await c.get(url);
        assert.equal(res.status, 200, `${url}: ${res.text}`);
      }
    }

    function assertNoSecretInAnswers(clients: HttpClient[], allowed: { what: string; secret: string }[] = []) {
      const hits: string[] = [];
      for (const c of clients) {
        for (const a of c.answers) {
          for (const [label, secret] of Object.entries(secrets)) {
            if (allowed.some((x) => x.what === a.what && x.secret === secret)) continue;
            if (a.text.includes(secret)) hits.push(`${label} in the answer to ${a.what}`);
          }
        }
      }
      assert.deepEqual(hits, [], 'a secret came back in an API answer');
    }

    before(async () => {
      env = { DATA_DIR: dataDir };
      if (engine === 'postgres') {
        scratch = await createScratchPostgres();
        env = { ...env, DATABASE_URL: scratch.url, TESSERA_MASTER_KEY: crypto.randomBytes(32).toString('base64') };
      }
    });

    after(async () => {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop('SIGKILL');
      await scratch?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps every record across a graceful restart, and never shows a saved secret again', { timeout: 90_000 }, async () => {
      // --- First run: set up the first admin with the printed one-time token.
      const first = await start();
      const setupToken = first.setupToken();
      assert.ok(setupToken, `no setup link printed:\n${first.output()}`);
      const c = (firstClient = new HttpClient(serverBase(first)));
      assert.equal((await c.get('/api/setup')).json.needsSetup, true);
      const setup = await c.post('/api/setup', { token: setupToken, ...admin });
      assert.equal(setup.status, 200, setup.text);
      assert.equal(setup.json.status, 'ok');
      assert.ok(c.cookies.has('tessera_session'), 'setup signs the admin in');

      // --- Secrets, saved through the API.
      const settings = await c.patch('/api/settings', {
        organisationName: 'Persist Corp',
        smtp: { host: 'smtp.persist.example', port: 2525, username: 'mailer', password: secrets['SMTP password'] },
      });
      assert.equal(settings.status, 200, settings.text);
      assert.deepEqual(settings.json.smtp.password, { set: true });

      const totpSetup = await c.post('/api/auth/totp/setup');
      assert.equal(totpSetup.status, 200, totpSetup.text);
      secrets['TOTP seed'] = totpSetup.json.secret;
      const confirm = await c.post('/api/auth/totp/confirm', { code: totpCode(secrets['TOTP seed'], Date.now()) });
      assert.equal(confirm.status, 200, confirm.text);
      assert.equal(confirm.json.admin.totpEnabled, true);

      const key = await c.post('/api/api-keys', { name: 'nightly sync', scope: 'write' });
      assert.equal(key.status, 201, key.text);
      secrets['API key secret'] = key.json.secret;

      // --- Ordinary data.
      const acme = await c.post('/api/companies', { name: 'Acme Persist' });
      const globex = await c.post('/api/companies', { name: 'Globex Persist' });
      const sales = await c.post(`/api/companies/${acme.json.id}/departments`, { name: 'Sales' });
      const engineer = await c.post('/api/positions', { name: 'Engineer' });
      for (const r of [acme, globex, sales, engineer]) assert.equal(r.status, 201, r.text);
      const people = [
        {
          email: 'ada@persist.example',
          firstName: 'Ada',
          lastName: 'Lovelace',
          phone: '+44 20 7946 0000',
          companyId: acme.json.id,
          departmentId: sales.json.id,
          positionId: engineer.json.id,
        },
        { email: 'grace@persist.example', firstName: 'Grace', lastName: 'Hopper', companyId: globex.json.id },
        { email: 'alan@persist.example', firstName: 'Alan', lastName: 'Turing', status: 'deactivated' },
      ];
      for (const p of people) {
        const r = await c.post('/api/employees', p);
        assert.equal(r.status, 201, r.text);
      }
      // The API key works before the restart.
      const viaKey = new HttpClient(serverBase(first), { authorization: `Bearer ${secrets['API key secret']}` });
      assert.equal((await viaKey.get('/api/employees')).json.total, 3);

      await readEverything(c);
      expected = await readState(c);
      assert.equal(expected.settings && (expected.settings as { organisationName: string }).organisationName, 'Persist Corp');
      // Shown once by design: the seed in the TOTP set-up answer, the key in its creation answer. Nowhere else.
      assertNoSecretInAnswers(
        [c, viaKey],
        [
          { what: 'POST /api/auth/totp/setup', secret: secrets['TOTP seed'] },
          { what: 'POST /api/api-keys', secret: secrets['API key secret'] },
        ],
      );

      // --- Graceful stop: SIGTERM ends the process with 0.
      assert.equal(await stop(first), 0, `not a graceful exit:\n${first.output()}`);

      // --- Second run on the same data and master key.
      const second = await start();
      assert.equal(second.setupToken(), undefined, 'an admin exists: no setup link any more');
      // The console session from before the restart is still valid (sessions live in the database).
      firstClient.base = serverBase(second);
      const me = await firstClient.get('/api/auth/me');
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.admin.email, admin.email);

      // Sign in again: password, then the next TOTP code (the one used to confirm cannot be reused).
      const again = new HttpClient(serverBase(second));
      const login = await again.post('/api/auth/login', { email: admin.email, password: admin.password });
      assert.equal(login.status, 200, login.text);
      assert.equal(login.json.status, 'totp_required');
      const totp = await again.post('/api/auth/login/totp', { code: totpCode(secrets['TOTP seed'], Date.now() + 30_000) });
      assert.equal(totp.status, 200, totp.text);
      assert.equal(totp.json.status, 'ok');

      assert.deepEqual(await readState(again), expected);
      const settingsAfter = await again.get('/api/settings');
      assert.deepEqual(settingsAfter.json.smtp, {
        host: 'smtp.persist.example',
        port: 2525,
        tls: 'starttls',
        username: 'mailer',
        from: null,
        password: { set: true },
      });
      const employees = (await again.get('/api/employees?sort=email')).json;
      assert.deepEqual(
        employees.items.map(
          (e: { email: string; status: string; company: { name: string } | null; department: { name: string } | null; position: { name: string } | null }) => [
            e.email,
            e.status,
            e.company?.name ?? null,
            e.department?.name ?? null,
            e.position?.name ?? null,
          ],
        ),
        [
          ['ada@persist.example', 'active', 'Acme Persist', 'Sales', 'Engineer'],
          ['alan@persist.example', 'deactivated', null, null, null],
          ['grace@persist.example', 'active', 'Globex Persist', null, null],
        ],
      );

      // The API key still authenticates, with its scope: it may write employees but not read settings.
      const keyAgain = new HttpClient(serverBase(second), { authorization: `Bearer ${secrets['API key secret']}` });
      const byKey = await keyAgain.get('/api/employees');
      assert.equal(byKey.status, 200, byKey.text);
      assert.equal(byKey.json.total, 3);
      assert.equal((await keyAgain.get('/api/settings')).status, 403);
      const wrongKey = new HttpClient(serverBase(second), { authorization: `Bearer ${secrets['API key secret'].slice(0, -2)}xx` });
      assert.equal((await wrongKey.get('/api/employees')).status, 401);

      await readEverything(again);
      restarted = true;
      assertNoSecretInAnswers([again, keyAgain, wrongKey]);
      assertNoSecretInAnswers(
        [firstClient],
        [
          { what: 'POST /api/auth/totp/setup', secret: secrets['TOTP seed'] },
          { what: 'POST /api/api-keys', secret: secrets['API key secret'] },
        ],
      );

      assert.equal(await stop(second), 0, `not a graceful exit:\n${second.output()}`);
    });

    it('keeps every secret out of the server output and out of the database in clear', { timeout: 60_000 }, async () => {
      assert.ok(restarted, 'the restart test must run first');
      assert.equal(Object.keys(secrets).length, 4);
      for (const s of servers) assert.notEqual(s.child.exitCode, null, 'every server is stopped');

      // Log lines of both runs.
      const logs = output.join('\n');
      assert.ok(logs.includes('Tessera is running'), 'the output was captured');

      // The database, as a thief with a copy of it would read it.
      let blobs: { name: string; data: Buffer }[];
      if (engine === 'postgres') {
        const { stdout } = await run('pg_dump', ['--no-owner', scratch!.url], { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' });
        blobs = [{ name: 'pg_dump', data: stdout as unknown as Buffer }];
      } else {
        blobs = listFiles(dataDir).map((f) => ({ name: path.relative(dataDir, f), data: fs.readFileSync(f) }));
        assert.ok(
          blobs.some((b) => b.name === 'master.key'),
          'PGlite keeps its master key in DATA_DIR',
        );
      }
      // The search itself works: data stored in clear (an employee's e-mail) is found.
      assert.ok(
        blobs.some((b) => b.data.includes(Buffer.from('grace@persist.example'))),
        'the search does not see the stored rows',
      );
      const hits = findSecrets(secrets, [{ name: 'the server and CLI output', data: Buffer.from(logs, 'utf8') }, ...blobs]);
      assert.deepEqual(hits, [], 'a secret reached the output, or is stored in clear');
    });

    it('`tessera audit verify` passes, then reports a record changed in the database and a removed newest record', { timeout: 60_000 }, async () => {
      assert.ok(restarted, 'the restart test must run first');
      for (const s of servers) assert.notEqual(s.child.exitCode, null, 'every server is stopped');

      const intact = await cli(['audit', 'verify']);
      assert.equal(intact.code, 0, intact.text);
      assert.match(intact.text, /intact/i);
      // Someone with database access rewrites a record.
      const { count, original } = await withDatabase(async (sql) => {
        const [{ count }] = await sql<{ count: number }>('SELECT count(*)::int AS count FROM audit_events');
        const [original] = await sql<{ details: string }>('SELECT details::text AS details FROM audit_events WHERE id = 2');
        await sql(`UPDATE audit_events SET details = '{"x":1}' WHERE id = 2`);
        return { count, original };
      });
      assert.ok(count >= 10, `only ${count} audit records`);
      assert.match(intact.text, new RegExp(`\\b${count} record`), 'every record is checked');
      const changed = await cli(['audit', 'verify']);
      assert.equal(changed.code, 1, changed.text);
      assert.match(changed.text, /TAMPERED/);
      assert.match(changed.text, /record 2\b/, 'the changed record is named');

      // Put it back: the chain is whole again.
      await withDatabase((sql) => sql('UPDATE audit_events SET details = $1::jsonb WHERE id = 2', [original.details]));
      const restored = await cli(['audit', 'verify']);
      assert.equal(restored.code, 0, restored.text);

      // Removing the newest record leaves no broken link behind it; the separately kept head catches it.
      const newest = await withDatabase(async (sql) => {
        const [{ id }] = await sql<{ id: number }>('SELECT max(id)::int AS id FROM audit_events');
        await sql('DELETE FROM audit_events WHERE id = $1', [id]);
        return id;
      });
      const removed = await cli(['audit', 'verify']);
      assert.equal(removed.code, 1, removed.text);
      assert.match(removed.text, /TAMPERED/);
      assert.match(removed.text, new RegExp(`record ${newest}\\b`), 'the removed record is named');
      assert.match(removed.text, /removed/);
    });
  });
}
