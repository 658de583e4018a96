import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRuntime, type Runtime } from '../app/server.js';
import { createScratchPostgres } from '../../test/helpers/db.js';
import { HttpClient } from '../../test/helpers/http.js';
import { runCli, startServerProcess, type ServerProcess } from '../../test/helpers/server.js';
import { startSamba, type SambaDc } from '../../test/helpers/samba.js';

/**
 * A real server process on PostgreSQL, killed (SIGKILL) right after each step of a domain
 * password change, then restarted: at start it reconciles, and AD and Tessera agree on the
 * password. Also the `tessera directory sync` command's output and exit codes.
 */
const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const ALICE_PW = 'Al1ce-Pass!x';
const SYNC = 'Tessera Users Sync';
const ROTATION = 'Tessera Key Auto Password Change';

describe('domain password changes survive a crash between any two steps', () => {
  let dc: SambaDc;
  let pg: Awaited<ReturnType<typeof createScratchPostgres>>;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  let http: HttpClient;
  const outputs: string[] = [];
  const clients: HttpClient[] = [];
  let aliceId: string;
  let accountId: string;

  async function start(extra: Record<string, string> = {}) {
    server = await startServerProcess({ ...env, ...extra });
    http = new HttpClient(server.url);
    clients.push(http);
    const res = await http.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(res.status, 200, res.text);
  }
  async function stop() {
    if (!server) return;
    await server.stop();
    outputs.push(server.output());
    server = undefined;
  }
  /** The database as an operator with the master key sees it (the test's own runtime). */
  async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
    const rt = await openRuntime({ env: { ...process.env, ...env, LOG_LEVEL: 'warn' } });
    try {
      return await fn(rt);
    } finally {
      await rt.database.close();
    }
  }
  async function passwords() {
    return withRuntime(async (rt) => {
      const rows = await rt.database.query<{ id: string; state: string; password: string | null }>(
        'SELECT id, state, password FROM domain_passwords ORDER BY created_at',
      );
      return rows.map((r) => ({ ...r, clear: r.password ? rt.services.sealer.open(r.password, `domain_passwords.password:${r.id}`) : null }));
    });
  }

  before(async () => {
    dc = await startSamba({ ip: '127.0.0.24' });
    await dc.addGroup(SYNC);
    await dc.addGroup(ROTATION);
    await dc.addUser({ username: 'alice', password: ALICE_PW, givenName: 'Alice', surname: 'Archer', mail: 'alice@corp.example.test' });
    await dc.addMembers(SYNC, ['alice']);
    await dc.addMembers(ROTATION, ['alice']);
    pg = await createScratchPostgres();
    env = { DATABASE_URL: pg.url, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-rotation-')) };
    const created = await runCli(['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'], env, `${ADMIN.password}\n`);
    assert.equal(created.code, 0, created.stderr);
    await start();
    const domain = await http.post('/api/directory/domains', {
      kind: 'ad',
      name: 'corp.example.test',
      secret: dc.adminPassword,
      passwordChangeDays: 30,
      settings: { urls: [dc.ldapsUrl], bindUser: dc.adminUpn, caCertificate: dc.caPem, tlsServerName: dc.tlsServerName, timeoutMs: 3000 },
    });
    assert.equal(domain.status, 201, domain.text);
    const run = await http.post(`/api/directory/domains/${domain.json.id}/sync`, { wait: true });
    assert.equal(run.json.status, 'succeeded', run.text);
    aliceId = (await http.get('/api/employees?q=alice')).json.items[0].id;
    accountId = (await http.get(`/api/employees/${aliceId}/directory-accounts`)).json.items[0].id;
    assert.equal((await http.post(`/api/employees/${aliceId}/hardware-keys`, { serial: 'HK-42' })).status, 201);
    assert.equal((await http.post('/api/directory/rotation/run')).json.rotated, 1);
  });
  after(async () => {
    await stop().catch(() => {});
    await pg?.drop().catch(() => {});
    await dc?.stop();
    if (env?.DATA_DIR) fs.rmSync(env.DATA_DIR, { recursive: true, force: true });
  });

  for (const step of ['pending_saved', 'written', 'verified'] as const) {
    it(`ends with AD and Tessera agreeing when the server is killed after "${step}"`, async () => {
      const before = (await passwords()).find((p) => p.state === 'current')!;
      assert.equal(await dc.canBind('alice', before.clear!), true);
      await stop();
      await start({ TESSERA_FAULT_INJECTION: '1', TESSERA_FAULT_KILL_AT: step });
      const killed = server!;
      await assert.rejects(
        http.post(`/api/employees/${aliceId}/directory-accounts/${accountId}/password`, { generate: true }),
        'the server dies in the middle of the request',
      );
      assert.equal(await killed.stop(), null, 'killed by a signal');
      outputs.push(killed.output());
      server = undefined;
      const mid = await passwords();
      assert.equal(mid.filter((p) => p.state === 'pending').length, 1, 'the new password was saved (sealed) before AD was touched');

      await start();
      const account = (await http.get(`/api/employees/${aliceId}/directory-accounts`)).json.items[0];
      assert.equal(account.hasPendingPassword, false, 'reconciled at start');
      assert.equal(account.hasManagedPassword, true);
      const after = await passwords();
      const current = after.filter((p) => p.state === 'current');
      assert.equal(current.length, 1);
      assert.equal(await dc.canBind('alice', current[0].clear!), true, 'the password Tessera holds is the one AD has');
      if (step === 'pending_saved') assert.equal(current[0].id, before.id, 'AD never got the new one: the previous one stays current');
      else {
        assert.notEqual(current[0].id, before.id);
        assert.equal(await dc.canBind('alice', before.clear!), false);
      }
      for (const p of after) if (p.state !== 'current') assert.equal(p.password, null, 'passwords no longer in AD are erased');
    });
  }

  it('never shows a password in a log, an API answer or the database in clear', async () => {
    const all = await passwords();
    const secrets = all.map((p) => p.clear).filter((x): x is string => !!x);
    assert.ok(secrets.length >= 1);
    const dump = await withRuntime(async (rt) => {
      const tables = await rt.database.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`);
      let text = '';
      for (const { t } of tables) text += JSON.stringify(await rt.database.query(`SELECT * FROM "${t}"`));
      return text;
    });
    const logs = outputs.join('\n') + (server?.output() ?? '');
    const answers = clients.flatMap((c) => c.answers.map((a) => a.text)).join('\n');
    for (const s of secrets) {
      assert.equal(dump.includes(s), false, 'database');
      assert.equal(logs.includes(s), false, 'logs');
      assert.equal(answers.includes(s), false, 'API answers');
    }
  });

  it('syncs from the shell, printing the changes, with exit codes for cron', async () => {
    await stop();
    await dc.addUser({ username: 'bob', password: 'B0b-Pass!xyz', givenName: 'Bob', surname: 'Baker', mail: 'bob@corp.example.test' });
    await dc.addMembers(SYNC, ['bob']);
    const dry = await runCli(['directory', 'sync', '--domain', 'corp.example.test', '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr + dry.stdout);
    assert.match(dry.stdout, /dry run succeeded/);
    assert.match(dry.stdout, /\+ create bob@corp\.example\.test/);
    const real = await runCli(['directory', 'sync'], env);
    assert.equal(real.code, 0, real.stderr + real.stdout);
    assert.match(real.stdout, /corp\.example\.test: succeeded .*created 1/);
    assert.equal((await runCli(['directory', 'sync', '--domain', 'nope.test'], env)).code, 1);
    dc.freeze();
    try {
      const failed = await runCli(['directory', 'sync', '--domain', 'corp.example.test', '--full'], env);
      assert.equal(failed.code, 1, failed.stdout);
      assert.match(failed.stdout, /failed/);
    } finally {
      dc.thaw();
    }
  });
});
