import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { acquireDataDirLock, DataDirLockedError, processStartTime, runDir, type LockOwner } from './data-dir-lock.js';

const LOCK_MODULE = path.resolve(import.meta.dirname, 'data-dir-lock.ts');

describe('data folder lock', () => {
  let root: string;
  let n = 0;
  const freshDir = () => path.join(root, `d${n++}`);
  const writeOwner = (dataDir: string, num: number, owner: Partial<LockOwner>) => {
    fs.mkdirSync(runDir(dataDir), { recursive: true, mode: 0o700 });
    const o: LockOwner = {
      pid: process.pid,
      hostname: os.hostname(),
      since: '2020-01-01T00:00:00.000Z',
      command: 'serve',
      processStart: processStartTime(process.pid),
      bootId: null,
      ...owner,
    };
    fs.writeFileSync(path.join(runDir(dataDir), `owner.${num}.json`), JSON.stringify(o));
  };
  /** The pid of a process that has exited. */
  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-lock-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses a second owner while the first holds the folder, naming it, and lets it in once released', async () => {
    const dir = freshDir();
    const first = await acquireDataDirLock(dir, { command: 'serve' });
    assert.equal(fs.statSync(runDir(dir)).mode & 0o777, 0o700);
    await assert.rejects(acquireDataDirLock(dir, { command: '`tessera admin list`' }), (err: unknown) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.equal(err.owner.pid, process.pid);
      assert.match(err.message, new RegExp(`in use by the Tessera server \\(pid ${process.pid}, since `));
      assert.match(err.message, /Stop it first/);
      return true;
    });
    first.release();
    const second = await acquireDataDirLock(dir, { command: '`tessera admin list`' });
    second.release();
    assert.deepEqual(fs.readdirSync(runDir(dir)).sort(), ['owner.2.json'], 'the older generation is removed, the current one stays (released)');
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = freshDir();
    writeOwner(dir, 7, { pid: deadPid(), processStart: null });
    const lock = await acquireDataDirLock(dir, { command: 'serve' });
    assert.deepEqual(fs.readdirSync(runDir(dir)), ['owner.8.json']);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (pid reuse), or written before a reboot', async () => {
    const reused = freshDir();
    writeOwner(reused, 1, { processStart: '1' });
    (await acquireDataDirLock(reused, { command: 'serve' })).release();
    const rebooted = freshDir();
    writeOwner(rebooted, 1, { bootId: 'another-boot' });
    (await acquireDataDirLock(rebooted, { command: 'serve' })).release();
  });

  it('never takes over a lock held on another host', async () => {
    const dir = freshDir();
    writeOwner(dir, 1, { hostname: 'other-host.example', pid: deadPid() });
    await assert.rejects(
      acquireDataDirLock(dir, { command: 'serve' }),
      /in use by the Tessera server \(pid \d+ on host other-host\.example.*cannot be checked from here/,
    );
  });

  it('waits for an owner the caller accepts to wait for', async () => {
    const dir = freshDir();
    const held = await acquireDataDirLock(dir, { command: '`tessera directory sync`' });
    let waitedFor: LockOwner | undefined;
    setTimeout(() => held.release(), 500);
    const lock = await acquireDataDirLock(dir, {
      command: 'serve',
      shouldWait: (o) => o.command !== 'serve',
      waitMs: 10_000,
      onWait: (o) => {
        waitedFor = o;
      },
    });
    assert.equal(waitedFor?.command, '`tessera directory sync`');
    lock.release();
  });

  it('lets exactly one of many processes take over the same stale lock at once', async () => {
    const dir = freshDir();
    writeOwner(dir, 1, { pid: deadPid(), processStart: null });
    // Every process loads first, then all try at the same moment.
    const startAt = Date.now() + 6000;
    const script = `
      const { acquireDataDirLock } = await import(${JSON.stringify(LOCK_MODULE)});
      await new Promise((r) => setTimeout(r, ${startAt} - Date.now()));
      try {
        const lock = await acquireDataDirLock(${JSON.stringify(dir)}, { command: 'serve' });
        process.stdout.write('won');
        await new Promise((r) => setTimeout(r, 3000));
        lock.release();
      } catch (err) {
        process.stdout.write(err.name === 'DataDirLockedError' ? 'refused' : 'error ' + err.message);
      }`;
    const runs = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
            let text = '';
            child.stdout.on('data', (d) => {
              text += d;
            });
            child.on('exit', () => resolve(text));
          }),
      ),
    );
    assert.equal(runs.filter((r) => r === 'won').length, 1, runs.join(', '));
    assert.equal(runs.filter((r) => r === 'refused').length, 7, runs.join(', '));
  });
});
