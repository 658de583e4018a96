import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../src/lib/package-root.js';
import { HttpClient } from './helpers/http.js';
import { startSamba, type SambaDc } from './helpers/samba.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';

const SYNC = 'Tessera Users Sync';
const ADMIN = { email: 'it@corp.example.test', name: 'IT Admin', password: 'Adm1n-Console!pass' };
const READY = { timeoutMs: 90_000 };

/**
 * Issue 19: `npm start` on the embedded database with an AD domain in the configuration file, then
 * `tessera directory sync` from another shell. The server carries the sync out (its control
 * socket), so the employees are in its database at once and after a restart; and a server
 * stopped while the command runs finishes it first.
 */
describe('tessera directory sync while the server runs on PGlite', () => {
  let dc: SambaDc;
  let dir: string;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  let http: HttpClient;

  async function start() {
    server = await startServerProcess(env, READY);
    http = new HttpClient(server.url);
    const login = await http.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(login.status, 200, login.text);
  }
  const employees = async () => {
    const res = await http.get('/api/employees?pageSize=100');
    assert.equal(res.status, 200, res.text);
    return (res.json.items as { email: string; status: string }[]).map((e) => e.email).sort();
  };

  before(async () => {
    dc = await startSamba({ ip: '127.0.0.29' });
    await dc.addGroup(SYNC);
    for (const u of ['alice', 'bob'])
      await dc.addUser({ username: u, password: `${u}-Pass!w0rd`, givenName: u, surname: 'Test', mail: `${u}@corp.example.test` });
    await dc.addMembers(SYNC, ['alice', 'bob']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-sync-'));
    const ca = path.join(dir, 'ad-ca.pem');
    fs.writeFileSync(ca, dc.caPem);
    const cfg = path.join(dir, 'tessera.yaml');
    fs.writeFileSync(
      cfg,
      `${[
        'directory:',
        '  domains:',
        '    - kind: ad',
        `      name: ${dc.realm}`,
        '      secret: { env: AD_BIND_PASSWORD }',
        '      removalThresholdPercent: 100',
        // Only the CLI syncs in this test: no scheduled run.
        '      syncIntervalMinutes: 0',
        '      settings:',
        `        urls: [${dc.ldapsUrl}]`,
        `        bindUser: ${dc.adminUpn}`,
        `        tlsServerName: ${dc.tlsServerName}`,
        '        timeoutMs: 30000',
        '        caCertificate: |',
        ...dc.caPem
          .trim()
          .split('\n')
          .map((l) => `          ${l}`),
      ].join('\n')}\n`,
    );
    env = { DATA_DIR: dir, TESSERA_CONFIG: cfg, AD_BIND_PASSWORD: dc.adminPassword };
    const created = await runCli(['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'], env, `${ADMIN.password}\n`);
    assert.equal(created.code, 0, created.stderr);
    await start();
  });
  after(async () => {
    await server?.stop('SIGKILL');
    await dc?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates the employees in the running server's database: listed at once, and after a restart", async () => {
    assert.deepEqual(await employees(), []);
    const r = await runCli(['directory', 'sync'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /corp\.example\.test: succeeded \(full\) in [\d.]+ s: listed 2, created 2/);
    assert.match(r.stdout, /\+ create alice@corp\.example\.test/);
    assert.deepEqual(await employees(), ['alice@corp.example.test', 'bob@corp.example.test']);
    const audit = await http.get('/api/audit?action=directory.sync_completed');
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.json.items[0]?.actorLabel, 'cli', 'audited as the CLI, as when it opened the database itself');
    assert.equal(await server!.stop(), 0);
    await start();
    assert.deepEqual(await employees(), ['alice@corp.example.test', 'bob@corp.example.test']);
  });

  it('keeps the exit codes: a dry run, an unknown domain, a failed sync', async () => {
    await dc.addUser({ username: 'carol', password: 'carol-Pass!w0rd', givenName: 'carol', surname: 'Test', mail: 'carol@corp.example.test' });
    await dc.addMembers(SYNC, ['carol']);
    const dry = await runCli(['directory', 'sync', '--domain', dc.realm, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run succeeded .*\n {2}\+ create carol@corp\.example\.test/);
    const unknown = await runCli(['directory', 'sync', '--domain', 'nope.test'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^tessera: .*nope\.test/m);
    await dc.halt();
    try {
      const failed = await runCli(['directory', 'sync', '--full'], env);
      assert.equal(failed.code, 1, failed.stdout);
      assert.match(failed.stdout, /corp\.example\.test: failed/);
    } finally {
      await dc.start();
    }
    assert.deepEqual(await employees(), ['alice@corp.example.test', 'bob@corp.example.test'], 'the dry run and the failure changed nothing');
  });

  it('rotates the master key in the running server, whose next sync opens the bind password with the new key', async () => {
    const rot = await runCli(['keys', 'rotate'], env);
    assert.equal(rot.code, 0, rot.stderr);
    const r = await runCli(['directory', 'sync'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /\+ create carol@corp\.example\.test/);
    assert.deepEqual(await employees(), ['alice@corp.example.test', 'bob@corp.example.test', 'carol@corp.example.test']);
  });

  it('a server stopped while a sync runs through it finishes the sync, then stops', async () => {
    await dc.addUser({ username: 'dave', password: 'dave-Pass!w0rd', givenName: 'dave', surname: 'Test', mail: 'dave@corp.example.test' });
    await dc.addMembers(SYNC, ['dave']);
    const started = () => server!.output().split('control command started').length;
    const before = started();
    // The controller hangs: the sync waits in its listing while the server is told to stop.
    dc.freeze();
    let cli: Promise<{ code: number | null; stdout: string }>;
    let stopped: Promise<number | null>;
    try {
      cli = new Promise((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(packageRoot(), 'src/cli/index.ts'), 'directory', 'sync'], {
          cwd: packageRoot(),
          env: { ...process.env, LOG_LEVEL: 'warn', ...env },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let stdout = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.on('exit', (code) => resolve({ code, stdout }));
      });
      const deadline = Date.now() + 60_000;
      while (started() === before) {
        assert.ok(Date.now() < deadline, `the sync did not reach the server:\n${server!.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      stopped = server!.stop('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(server!.child.exitCode, null, 'the server waits for the command');
      assert.equal(fs.existsSync(path.join(dir, 'run', 'control.sock')), false, 'and takes no new one');
    } finally {
      dc.thaw();
    }
    const r = await cli;
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\+ create dave@corp\.example\.test/);
    assert.equal(await stopped, 0);
    assert.match(server!.output(), /waiting for control commands to finish/);
    await start();
    assert.ok((await employees()).includes('dave@corp.example.test'));
  });

  it('syncs with no server running: the CLI takes the folder and opens the database itself', async () => {
    assert.equal(await server!.stop(), 0);
    await dc.addUser({ username: 'erin', password: 'erin-Pass!w0rd', givenName: 'erin', surname: 'Test', mail: 'erin@corp.example.test' });
    await dc.addMembers(SYNC, ['erin']);
    const r = await runCli(['directory', 'sync'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /\+ create erin@corp\.example\.test/);
    await start();
    assert.ok((await employees()).includes('erin@corp.example.test'));
  });
});
