import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';

const run = promisify(execFile);
const READY = { timeoutMs: 90_000 };

/** Sends raw lines to the control socket and collects the answer lines until the server closes. */
function talk(socketPath: string, text: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let data = '';
    s.on('data', (d) => {
      data += d;
    });
    s.on('error', reject);
    s.on('close', () =>
      resolve(
        data
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      ),
    );
    s.write(text);
  });
}

/**
 * One process owns an embedded data folder (issue 19): a second server on the same DATA_DIR is
 * refused and the first keeps serving; a lock left by a SIGKILLed server is taken over; the control
 * socket is the server user's alone and carries out only the listed commands.
 */
describe('one server per embedded data folder', () => {
  let dir: string;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  const socketPath = () => path.join(dir, 'run', 'control.sock');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-lock-e2e-'));
    env = { DATA_DIR: dir };
    const created = await runCli(['admin', 'create', '--email', 'owner@corp.example', '--name', 'Owner', '--password-stdin'], env, 'Corr3ct-Horse-Battery!\n');
    assert.equal(created.code, 0, created.stderr);
    server = await startServerProcess(env, READY);
  });
  after(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second server on the same DATA_DIR, naming the first, and the first keeps serving its data', async () => {
    const before = fs.readdirSync(dir).sort();
    const second = await runCli(['serve'], { ...env, PORT: '0', HOST: '127.0.0.1' });
    assert.notEqual(second.code, 0);
    assert.equal(second.code, 75, 'EX_TEMPFAIL: try again later');
    assert.match(second.stderr, new RegExp(`in use by the Tessera server \\(pid ${server!.child.pid}, since \\d{4}-`));
    assert.match(second.stderr, /Stop it first/);
    assert.deepEqual(fs.readdirSync(dir).sort(), before, 'the refused server created nothing');
    assert.equal((await fetch(`${server!.url}/readyz`)).status, 200);
    const list = await runCli(['admin', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /owner@corp\.example/);
  });

  it('makes the control socket mode 0600 in a 0700 folder, and no other user can connect', async () => {
    assert.equal(fs.statSync(socketPath()).mode & 0o777, 0o600);
    assert.ok(fs.statSync(socketPath()).isSocket());
    assert.equal(fs.statSync(path.join(dir, 'run')).mode & 0o777, 0o700);
    // Open the folders to everyone for a moment, so that the socket's own mode is what refuses.
    fs.chmodSync(dir, 0o711);
    fs.chmodSync(path.join(dir, 'run'), 0o711);
    try {
      const probe = `require('net').connect(${JSON.stringify(socketPath())}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`;
      const { stdout } = await run('runuser', ['-u', 'nobody', '--', process.execPath, '-e', probe]);
      assert.equal(stdout.trim(), 'EACCES');
      // The CLI run by that user says so, and opens nothing itself.
      const cli = await run(
        'runuser',
        ['-u', 'nobody', '--', 'env', `DATA_DIR=${dir}`, 'LOG_LEVEL=warn', process.execPath, '--import', 'tsx', 'src/cli/index.ts', 'admin', 'list'],
        { cwd: process.cwd() },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /control socket .* is not open to this user: run the command as the user that runs the server/);
    } finally {
      fs.chmodSync(path.join(dir, 'run'), 0o700);
      fs.chmodSync(dir, 0o700);
    }
  });

  it('refuses over the control socket a command not on its list, bad options and a malformed request', async () => {
    for (const command of ['serve', 'config check', 'entra enroll-key', 'shell']) {
      const answer = await talk(socketPath(), `${JSON.stringify({ v: 1, command, options: {} })}\n`);
      assert.deepEqual(answer.at(-1), { exit: 2 }, command);
      assert.match(String(answer[0].stderr), /is not a command the server carries out over its control channel/);
    }
    const badOptions = await talk(
      socketPath(),
      `${JSON.stringify({ v: 1, command: 'admin create', options: { email: 'x@corp.example', name: 'X', isSuperuser: true } })}\n`,
    );
    assert.deepEqual(badOptions.at(-1), { exit: 2 });
    assert.match(String(badOptions[0].stderr), /invalid options for `admin create`/);
    const malformed = await talk(socketPath(), 'hello\n');
    assert.deepEqual(malformed.at(-1), { exit: 2 });
    const list = await runCli(['admin', 'list'], env);
    assert.doesNotMatch(list.stdout, /x@corp\.example/, 'nothing was created');
  });

  it('takes over the lock (and the socket) a SIGKILLed server left, with the data intact', async () => {
    assert.equal(await server!.stop('SIGKILL'), null);
    assert.ok(fs.existsSync(socketPath()), 'a killed server leaves its socket file and lock behind');
    // A CLI command finds no server behind the socket and opens the folder itself.
    const list = await runCli(['admin', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /owner@corp\.example/);
    server = await startServerProcess(env, READY);
    assert.equal(fs.statSync(socketPath()).mode & 0o777, 0o600);
    const through = await runCli(['admin', 'list'], env);
    assert.equal(through.code, 0, through.stderr);
    assert.match(through.stdout, /owner@corp\.example/);
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.equal(fs.existsSync(socketPath()), false, 'a clean stop removes the socket');
    const owners = fs.readdirSync(path.join(dir, 'run')).filter((f) => f.startsWith('owner.'));
    assert.equal(owners.length, 1);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'run', owners[0]), 'utf8')).released, true, 'released on clean exit');
  });
});
