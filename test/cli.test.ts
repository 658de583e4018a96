import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';

const READY = { timeoutMs: 90_000 };

/** The `tessera` command as an administrator uses it from the server's shell, on an embedded database, with no server running. */
describe('tessera command', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-'));
    env = { DATA_DIR: dir };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses to start on invalid configuration and names the key', async () => {
    const r = await runCli(['serve'], { ...env, PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /PORT/);
    assert.match(r.stderr, /DATABASE_URL: must be a postgres/);
  });

  it('applies migrations', async () => {
    const r = await runCli(['migrate'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Applied \d+ migration|up to date/);
    assert.match((await runCli(['migrate'], env)).stdout, /up to date/);
  });

  it('creates an admin with a generated password shown once, or one read from stdin', async () => {
    const gen = await runCli(['admin', 'create', '--email', 'first@corp.example', '--name', 'First Admin'], env);
    assert.equal(gen.code, 0, gen.stderr);
    assert.match(gen.stdout, /Password \(shown once/);
    const stdin = await runCli(
      ['admin', 'create', '--email', 'second@corp.example', '--name', 'Second', '--password-stdin'],
      env,
      'a password typed at the shell\n',
    );
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.ok(!stdin.stdout.includes('a password typed'));
    const dup = await runCli(['admin', 'create', '--email', 'FIRST@corp.example', '--name', 'Again'], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
    // A NUL cannot come from the command line, but it can from stdin: refused as the server refuses it.
    const nul = await runCli(['admin', 'create', '--email', 'nul@corp.example', '--name', 'Nul', '--password-stdin'], env, 'a\u0000b\n');
    assert.equal(nul.code, 2, nul.stderr);
    assert.match(nul.stderr, /^tessera: invalid options for `admin create`: options\.password contains a NUL character/m);
    const list = await runCli(['admin', 'list'], env);
    assert.match(list.stdout, /first@corp\.example/);
    assert.match(list.stdout, /second@corp\.example/);
    assert.doesNotMatch(list.stdout, /nul@corp\.example/);
  });

  it('recovers a forgotten password: the new one signs in, the old one no longer does', async () => {
    const rec = await runCli(['admin', 'recover', '--email', 'second@corp.example', '--password-stdin', '--reset-totp'], env, 'the recovered password\n');
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stdout, /authenticator app removed/);
    assert.equal((await runCli(['admin', 'recover', '--email', 'nobody@corp.example'], env)).code, 1);

    const server = await startServerProcess({ ...env, DATA_DIR: dir }, READY);
    try {
      assert.equal(server.setupToken(), undefined, 'no setup link once an admin exists');
      const csrf = await fetch(`${server.url}/api/auth/csrf`);
      const cookie = csrf.headers.getSetCookie()[0].split(';')[0];
      const token = cookie.split('=')[1];
      const login = (password: string) =>
        fetch(`${server.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': token },
          body: JSON.stringify({ email: 'second@corp.example', password }),
        });
      assert.equal((await login('a password typed at the shell')).status, 401);
      assert.equal((await login('the recovered password')).status, 200);
    } finally {
      assert.equal(await server.stop(), 0, 'SIGTERM shuts down gracefully');
    }
  });

  it('rotates the master key: every sealed secret still opens, the old key is kept aside', async () => {
    const before = fs.readFileSync(path.join(dir, 'master.key'), 'utf8');
    const cfg = path.join(dir, 'tessera.yaml');
    fs.writeFileSync(cfg, 'settings:\n  smtp:\n    host: smtp.corp.example\n    password: {env: SMTP_PW}\n');
    const server = await startServerProcess({ ...env, TESSERA_CONFIG: cfg, SMTP_PW: 'sealed smtp password' }, READY);
    await server.stop();
    const rot = await runCli(['keys', 'rotate'], env);
    assert.equal(rot.code, 0, rot.stderr);
    // The SMTP password, and the signing keys that the SSO protocols make at first start.
    assert.match(rot.stdout, /Re-sealed [1-9]\d* secrets?/);
    assert.notEqual(fs.readFileSync(path.join(dir, 'master.key'), 'utf8'), before);
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('master.key.old-')));
    // Applying the same file again finds the secret unchanged: it was opened with the new key.
    const again = await startServerProcess({ ...env, TESSERA_CONFIG: cfg, SMTP_PW: 'sealed smtp password' }, READY);
    try {
      assert.match(again.output(), /declarative configuration already in effect/);
    } finally {
      await again.stop();
    }
    assert.equal((await runCli(['audit', 'verify'], env)).code, 0);
  });

  it('checks a configuration file without applying it', async () => {
    const good = path.join(dir, 'good.yaml');
    fs.writeFileSync(good, 'settings:\n  organisationName: Corp\n');
    assert.match((await runCli(['config', 'check', good], env)).stdout, /valid/);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'admins:\n  - email: nope\n');
    const r = await runCli(['config', 'check', bad], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml: admins\[0\]\.email/);
    const none = await runCli(['config', 'check'], { ...env, TESSERA_CONFIG: '' });
    assert.equal(none.code, 1);
    assert.equal(none.stderr.replace(/^oidc-provider WARNING.*\n/m, ''), 'tessera: name a file, or set TESSERA_CONFIG\n', 'one line, no stack');
  });
});

/**
 * The same commands while `tessera serve` runs on the folder (issue 19): the server carries them out
 * over its control socket, with the same output and exit codes, and sees their changes at once.
 */
describe('tessera command while the server runs', () => {
  let dir: string;
  let env: Record<string, string>;
  let server: ServerProcess;
  let cfg: string;
  const start = () => startServerProcess({ ...env, TESSERA_CONFIG: cfg, SMTP_PW: 'sealed smtp password' }, READY);
  const login = async (email: string, password: string) => {
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const cookie = csrf.headers.getSetCookie()[0].split(';')[0];
    return (
      await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': cookie.split('=')[1] },
        body: JSON.stringify({ email, password }),
      })
    ).status;
  };
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-live-'));
    env = { DATA_DIR: dir };
    cfg = path.join(dir, 'tessera.yaml');
    fs.writeFileSync(cfg, 'settings:\n  smtp:\n    host: smtp.corp.example\n    password: {env: SMTP_PW}\n');
    server = await start();
  });
  after(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrates: the server has, so the schema is up to date', async () => {
    const r = await runCli(['migrate'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^The database schema is up to date\.$/m);
  });

  it('creates admins that sign in to the running server at once; the piped password is never printed', async () => {
    const gen = await runCli(['admin', 'create', '--email', 'first@corp.example', '--name', 'First Admin'], env);
    assert.equal(gen.code, 0, gen.stderr);
    const generated = /Password \(shown once, change it after signing in\): (\S+)/.exec(gen.stdout)?.[1];
    assert.ok(generated, gen.stdout);
    assert.match(gen.stdout, new RegExp(`Sign in at ${server.url}/login`));
    assert.equal(await login('first@corp.example', generated), 200);
    const stdin = await runCli(
      ['admin', 'create', '--email', 'second@corp.example', '--name', 'Second', '--password-stdin'],
      env,
      'a password typed at the shell\n',
    );
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.ok(!stdin.stdout.includes('a password typed'));
    assert.ok(!server.output().includes('a password typed'), 'the server never logs it');
    assert.equal(await login('second@corp.example', 'a password typed at the shell'), 200);
    const dup = await runCli(['admin', 'create', '--email', 'FIRST@corp.example', '--name', 'Again'], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^tessera: .*already exists/m);
    const list = await runCli(['admin', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /first@corp\.example\tFirst Admin\tpassword only/);
    assert.match(list.stdout, /second@corp\.example/);
    const nul = await runCli(['admin', 'create', '--email', 'nul@corp.example', '--name', 'Nul', '--password-stdin'], env, 'a\u0000b\n');
    assert.equal(nul.code, 2, nul.stderr);
    assert.match(nul.stderr, /^tessera: invalid options for `admin create`: options\.password contains a NUL character/m);
    assert.doesNotMatch((await runCli(['admin', 'list'], env)).stdout, /nul@corp\.example/);
  });

  it('recovers a password: the running server takes the new one at once', async () => {
    const rec = await runCli(['admin', 'recover', '--email', 'second@corp.example', '--password-stdin', '--reset-totp'], env, 'the recovered password\n');
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stdout, /authenticator app removed/);
    assert.equal(await login('second@corp.example', 'a password typed at the shell'), 401);
    assert.equal(await login('second@corp.example', 'the recovered password'), 200);
    const none = await runCli(['admin', 'recover', '--email', 'nobody@corp.example'], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^tessera: no admin with e-mail nobody@corp\.example$/m);
  });

  it('rotates the master key in the running server, which goes on opening its secrets, and after a restart', async () => {
    const before = fs.readFileSync(path.join(dir, 'master.key'), 'utf8');
    const rot = await runCli(['keys', 'rotate'], env);
    assert.equal(rot.code, 0, rot.stderr);
    assert.match(rot.stdout, /Re-sealed [1-9]\d* secrets?/);
    assert.notEqual(fs.readFileSync(path.join(dir, 'master.key'), 'utf8'), before);
    // A second rotation in the same server run opens every value with the key of the first.
    const again = await runCli(['keys', 'rotate'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith('master.key.old-')).length, 2);
    assert.equal(await server.stop(), 0);
    server = await start();
    assert.match(server.output(), /declarative configuration already in effect/, 'the SMTP password opens with the new key');
    assert.equal(await login('first@corp.example', 'wrong'), 401);
  });

  it('verifies the audit chain', async () => {
    const r = await runCli(['audit', 'verify'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Audit log intact: [1-9]\d* record\(s\) verified\./);
  });

  it('checks a configuration file in the CLI process alone', async () => {
    assert.match((await runCli(['config', 'check', cfg], env)).stdout, /valid/);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'admins:\n  - email: nope\n');
    const r = await runCli(['config', 'check', bad], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml: admins\[0\]\.email/);
  });
});
