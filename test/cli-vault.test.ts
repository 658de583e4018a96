import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../src/lib/package-root.js';
import { readDocument } from '../src/vaults/vault-backup-document.js';
import { decryptBackup, HEADER_BYTES } from '../src/vaults/vault-backup-format.js';
import { createScratchPostgres } from './helpers/db.js';
import { HttpClient } from './helpers/http.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';

const READY = { timeoutMs: 90_000 };
const ADMIN = { email: 'it@corp.example', name: 'IT Admin', password: 'Adm1n-Console!pass' };
const PASSPHRASE = 'correct horse battery staple, offline';
const SHARED_PASSWORD = 'Team-Twitter-pw-4711';

/**
 * `tessera vault backup` and `tessera vault restore` from the server's shell, as an administrator
 * runs them: on the embedded database while the server runs (the server carries them out; the
 * file travels over its control socket), with no server (the CLI opens the database), and on
 * PostgreSQL. The round trip goes from one server to a FRESH one; the backup a restored server
 * writes is opened here to show the secret arrived whole.
 */
describe('tessera vault backup / restore', { timeout: 600_000 }, () => {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  const tmp = (prefix: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const work = tmp('tessera-cli-vault-files-');
  const passFile = path.join(work, 'passphrase');
  fs.writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  const wrongFile = path.join(work, 'wrong');
  fs.writeFileSync(wrongFile, `${PASSPHRASE}.\n`, { mode: 0o600 });
  const backupFile = path.join(work, 'vault.tvb');

  async function serverWith(env: Record<string, string>): Promise<{ server: ServerProcess; http: HttpClient }> {
    const server = await startServerProcess(env, READY);
    servers.push(server);
    const http = new HttpClient(server.url);
    const login = await http.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(login.status, 200, login.text);
    return { server, http };
  }
  async function withAdmin(env: Record<string, string>) {
    const r = await runCli(['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'], env, `${ADMIN.password}\n`);
    assert.equal(r.code, 0, r.stderr);
  }
  async function employees(http: HttpClient, emails: string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const email of emails) {
      const res = await http.post('/api/employees', { email, firstName: email.split('@')[0], lastName: 'Test' });
      assert.equal(res.status, 201, res.text);
      ids.set(email, res.json.id);
    }
    return ids;
  }
  const shared = async (http: HttpClient) => {
    const res = await http.get('/api/vault/shared-accounts');
    assert.equal(res.status, 200, res.text);
    return res.json.items as { id: string; name: string; hasPassword: boolean; assignments: { employeeIds: string[]; departmentIds: string[] } }[];
  };
  /** The records of a backup file, opened with the passphrase as a restore would. */
  async function contents(file: string) {
    const { manifest, records } = await readDocument(decryptBackup([fs.readFileSync(file)], { passphrase: PASSPHRASE }));
    const all: Record<string, unknown>[] = [];
    for await (const r of records) all.push(r);
    return { manifest, records: all };
  }
  const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.partial'));

  let envA: Record<string, string>;
  let envB: Record<string, string>;
  let a: { server: ServerProcess; http: HttpClient };
  let b: { server: ServerProcess; http: HttpClient };
  let bIds: Map<string, string>;

  before(async () => {
    envA = { DATA_DIR: tmp('tessera-cli-vault-a-') };
    envB = { DATA_DIR: tmp('tessera-cli-vault-b-') };
    await Promise.all([withAdmin(envA), withAdmin(envB)]);
    [a, b] = await Promise.all([serverWith(envA), serverWith(envB)]);
    const ids = await employees(a.http, ['alice@corp.example', 'bob@corp.example']);
    bIds = await employees(b.http, ['alice@corp.example']);
    const tpl = await a.http.post('/api/vault/templates', { name: 'Twitter', urls: ['https://twitter.com/login'] });
    assert.equal(tpl.status, 201, tpl.text);
    const acct = await a.http.post('/api/vault/shared-accounts', {
      name: 'Team Twitter',
      urls: ['https://twitter.com/login'],
      login: 'corp_team',
      password: SHARED_PASSWORD,
      notes: 'recovery: 1111 2222',
      templateId: tpl.json.id,
      assignments: { employeeIds: [...ids.values()] },
    });
    assert.equal(acct.status, 201, acct.text);
  });
  after(async () => {
    for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('backs up through the running server: a new file of mode 0600, no secret in clear, the passphrase in no log or audit row', async () => {
    const r = await runCli(['vault', 'backup', '--out', backupFile, '--passphrase-file', '-'], envA, `${PASSPHRASE}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Backed up all vault accounts: 1 template\(s\), 1 account\(s\), \d+ bytes\.$/m);
    assert.match(r.stdout, new RegExp(`^Wrote ${backupFile.replace(/[.]/g, '\\.')} \\(mode 0600\\)`, 'm'));
    assert.equal(fs.statSync(backupFile).mode & 0o777, 0o600);
    const bytes = fs.readFileSync(backupFile);
    assert.equal(bytes.subarray(0, 13).toString(), 'TESSERA-VAULT');
    for (const clear of [SHARED_PASSWORD, 'recovery: 1111', 'alice@corp.example', 'Team Twitter']) assert.equal(bytes.indexOf(clear), -1, clear);
    assert.deepEqual(leftovers(work), []);
    const { records } = await contents(backupFile);
    assert.equal(records.find((x) => x.type === 'account')?.password, SHARED_PASSWORD);

    const audit = await a.http.get('/api/audit?action=vault_backup.exported');
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.json.items[0]?.actorLabel, 'cli');
    assert.equal(audit.json.items[0]?.details?.accounts, 1);
    assert.ok(!audit.text.includes(PASSPHRASE));
    assert.ok(!a.server.output().includes(PASSPHRASE), 'the server never logs it');
    assert.ok(!r.stdout.includes(PASSPHRASE) && !r.stderr.includes(PASSPHRASE));
  });

  it('asks for the passphrase twice at a terminal that does not echo it (a pty, through script(1))', async () => {
    const out = path.join(work, 'typed.tvb');
    const cli = [process.execPath, '--import', 'tsx', path.join(packageRoot(), 'src/cli/index.ts'), 'vault', 'backup', '--out', out];
    const child = spawn('script', ['-qefc', cli.join(' '), '/dev/null'], { cwd: packageRoot(), env: { ...process.env, LOG_LEVEL: 'warn', ...envA } });
    let screen = '';
    const waitFor = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (screen.includes(text)) {
            child.stdout.off('data', check);
            child.off('exit', gone);
            resolve();
          }
        };
        const gone = () => reject(new Error(`exited before "${text}":\n${screen}`));
        child.stdout.on('data', check);
        child.once('exit', gone);
        check();
      });
    child.stdout.on('data', (d) => {
      screen += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor('Passphrase for the backup (at least 12 characters): ');
    child.stdin.write(`${PASSPHRASE}\r`);
    await waitFor('The same passphrase again: ');
    child.stdin.write(`${PASSPHRASE}\r`);
    assert.equal(await exited, 0, screen);
    assert.match(screen, /Wrote .*typed\.tvb \(mode 0600\)/);
    assert.ok(!screen.includes(PASSPHRASE), `the passphrase was echoed:\n${screen}`);
    assert.equal((await contents(out)).records.find((x) => x.type === 'account')?.password, SHARED_PASSWORD);
  });

  it('refuses, leaving no file: an existing file, no passphrase source and no terminal, a short passphrase, an unknown employee', async () => {
    const again = await runCli(['vault', 'backup', '--out', backupFile, '--passphrase-file', passFile], envA);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /^tessera: .*vault\.tvb already exists: give another --out/m);
    const other = path.join(work, 'other.tvb');
    const noTty = await runCli(['vault', 'backup', '--out', other], envA);
    assert.equal(noTty.code, 2, noTty.stderr);
    assert.match(noTty.stderr, /^tessera: there is no terminal to ask for the passphrase at: give --passphrase-file FILE/m);
    const short = await runCli(['vault', 'backup', '--out', other, '--passphrase-file', '-'], envA, 'too short\n');
    assert.equal(short.code, 2, short.stderr);
    assert.match(short.stderr, /passphrase: The passphrase must be at least 12 characters long/);
    const nobody = await runCli(['vault', 'backup', '--out', other, '--employee', 'nobody@corp.example', '--passphrase-file', passFile], envA);
    assert.equal(nobody.code, 1, nobody.stderr);
    assert.match(nobody.stderr, /^tessera: No employee nobody@corp\.example/m);
    assert.ok(!fs.existsSync(other));
    assert.deepEqual(leftovers(work), []);
  });

  it('restores through the running server onto a fresh database: a wrong passphrase or a damaged file writes nothing and says so', async () => {
    const wrong = await runCli(['vault', 'restore', backupFile, '--passphrase-file', wrongFile], envB);
    assert.equal(wrong.code, 1, wrong.stdout);
    assert.match(wrong.stderr, /^tessera: .*passphrase/m);
    const damaged = path.join(work, 'damaged.tvb');
    const bytes = fs.readFileSync(backupFile);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5] ^= 0x01;
    fs.writeFileSync(damaged, flipped);
    const bad = await runCli(['vault', 'restore', damaged, '--passphrase-file', passFile], envB);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stderr, /^tessera: .*(damaged|altered)/im);
    // Cut after its header: the chunks are gone.
    fs.writeFileSync(damaged, bytes.subarray(0, HEADER_BYTES));
    const cut = await runCli(['vault', 'restore', damaged, '--passphrase-file', passFile], envB);
    assert.equal(cut.code, 1, cut.stdout);
    assert.match(cut.stderr, /^tessera: .*(truncated|cut|ends)/im);
    assert.deepEqual(await shared(b.http), [], 'nothing was written');
    const failed = await b.http.get('/api/audit?action=vault_backup.restore_failed');
    assert.deepEqual((failed.json.items as { details: { code: string } }[]).map((x) => x.details.code).sort(), [
      'vault_backup.damaged',
      'vault_backup.truncated',
      'vault_backup.wrong_passphrase',
    ]);
    const missing = await runCli(['vault', 'restore', path.join(work, 'nope.tvb'), '--passphrase-file', passFile], envB);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^tessera: cannot read .*nope\.tvb: ENOENT/m);

    const ok = await runCli(['vault', 'restore', backupFile, '--passphrase-file', passFile], envB);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Restored the backup of all vault accounts made \S+ on http:\/\/localhost:\d+ \(on conflict: skip\):$/m);
    assert.match(ok.stdout, /^ {2}templates: 1 created, 0 overwritten, 0 skipped$/m);
    assert.match(ok.stdout, /^ {2}accounts: 1 created, 0 overwritten, 0 skipped$/m);
    const [restored] = await shared(b.http);
    assert.equal(restored.name, 'Team Twitter');
    assert.equal(restored.hasPassword, true);
    assert.deepEqual(restored.assignments.employeeIds, [bIds.get('alice@corp.example')], 'bob is not on this server');
    assert.match(
      ok.stdout,
      /^ {2}employees not on this server \(0 personal account\(s\) of theirs and their assignments were not restored; .*\): bob@corp\.example$/m,
    );
    const audit = await b.http.get('/api/audit?action=vault_backup.restored');
    assert.equal(audit.json.items[0]?.actorLabel, 'cli');
    assert.ok(!b.server.output().includes(PASSPHRASE));
  });

  it('restores and backs up with no server running (the CLI opens the embedded database): skip, then overwrite', async () => {
    const [mine] = await shared(b.http);
    const changed = await b.http.patch(`/api/vault/shared-accounts/${mine.id}`, { password: 'changed-here' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(await b.server.stop(), 0);

    const skip = await runCli(['vault', 'restore', backupFile, '--passphrase-file', passFile], envB);
    assert.equal(skip.code, 0, skip.stderr);
    assert.match(skip.stdout, /^ {2}accounts: 0 created, 0 overwritten, 1 skipped$/m);
    const out1 = path.join(work, 'b-after-skip.tvb');
    const kept = await runCli(['vault', 'backup', '--out', out1, '--passphrase-file', passFile], envB);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal((await contents(out1)).records.find((x) => x.type === 'account')?.password, 'changed-here');

    const over = await runCli(['vault', 'restore', backupFile, '--on-conflict', 'overwrite', '--passphrase-file', passFile], envB);
    assert.equal(over.code, 0, over.stderr);
    assert.match(over.stdout, /^ {2}accounts: 0 created, 1 overwritten, 0 skipped$/m);
    assert.match(over.stdout, /^ {2}templates: 0 created, 1 overwritten, 0 skipped$/m);
    const out2 = path.join(work, 'b-after-overwrite.tvb');
    const back = await runCli(['vault', 'backup', '--out', out2, '--employee', 'alice@corp.example', '--passphrase-file', passFile], envB);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /^Backed up the vault accounts of alice@corp\.example: 1 template\(s\), 1 account\(s\)/m);
    const { manifest, records } = await contents(out2);
    assert.deepEqual(manifest.scope, { kind: 'employee', email: 'alice@corp.example', externalIds: [] });
    const account = records.find((x) => x.type === 'account');
    assert.equal(account?.password, SHARED_PASSWORD, 'the secret came through both files whole');
    assert.equal(account?.notes, 'recovery: 1111 2222');

    const bad = await runCli(['vault', 'restore', backupFile, '--on-conflict', 'merge', '--passphrase-file', passFile], envB);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Allowed choices are skip, overwrite/);
  });

  it('restores and backs up on PostgreSQL, in the CLI process beside a running server', async () => {
    const scratch = await createScratchPostgres();
    try {
      const env = { DATA_DIR: tmp('tessera-cli-vault-pg-'), DATABASE_URL: scratch.url };
      await withAdmin(env);
      const pg = await serverWith(env);
      const pgIds = await employees(pg.http, ['alice@corp.example', 'bob@corp.example']);
      const wrong = await runCli(['vault', 'restore', backupFile, '--passphrase-file', wrongFile], env);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /passphrase/);
      assert.deepEqual(await shared(pg.http), []);
      const ok = await runCli(['vault', 'restore', backupFile, '--passphrase-file', passFile], env);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^ {2}accounts: 1 created/m);
      const [restored] = await shared(pg.http);
      assert.deepEqual(restored.assignments.employeeIds.sort(), [...pgIds.values()].sort());
      const out = path.join(work, 'pg.tvb');
      const back = await runCli(['vault', 'backup', '--out', out, '--passphrase-file', passFile], env);
      assert.equal(back.code, 0, back.stderr);
      assert.equal((await contents(out)).records.find((x) => x.type === 'account')?.password, SHARED_PASSWORD);
      await pg.server.stop();
    } finally {
      await scratch.drop();
    }
  });
});
