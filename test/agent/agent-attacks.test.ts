/**
 * The agent, attacked through what it takes from Tessera (a command's payload reaches loginctl as
 * an argument, and an emergency lift decides whether anyone may unlock) and by the computer's
 * other users (a command line is theirs to read).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCommandRunner } from '../../agent/src/commands.js';
import { createLinuxDriver } from '../../agent/src/drivers/linux.js';
import { createLogger } from '../../agent/src/log.js';
import { createPolicy } from '../../agent/src/policy.js';
import type { Emergency } from '../../agent/src/protocol.js';
import { EMPTY_POLICY } from '../../agent/src/state.js';
import { packageRoot } from '../../src/lib/package-root.js';
import { GOOD_TOKEN, startFakeTessera } from './fake-tessera.js';

const STUB = path.resolve('agent/test/fixtures/loginctl-stub.mjs');

describe('agent under attack: session ids from a command payload', () => {
  let dir: string;
  let callsFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-agent-attack-'));
    callsFile = path.join(dir, 'calls.jsonl');
    const stateFile = path.join(dir, 'state.json');
    const props = { Name: 'alice', Class: 'user', Remote: 'no', LockedHint: 'no', IdleHint: 'no', State: 'active' };
    fs.writeFileSync(stateFile, JSON.stringify({ sessions: [{ session: '2', uid: 1000, user: 'alice', seat: 'seat0', tty: 'tty2', props }] }));
    process.env.LOGINCTL_STUB_STATE = stateFile;
    process.env.LOGINCTL_STUB_CALLS = callsFile;
  });
  after(() => {
    delete process.env.LOGINCTL_STUB_STATE;
    delete process.env.LOGINCTL_STUB_CALLS;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never hands loginctl an option instead of a session id (-H would make it ssh to another host)', async () => {
    const driver = createLinuxDriver({ log: createLogger({ write: () => {} }), loginctl: STUB, pollMs: 60_000, bootId: null });
    const runner = createCommandRunner({
      driver,
      log: createLogger({ write: () => {} }),
      refresh: async () => {},
      applyEmergency: async () => {},
      emergency: () => ({ active: false, version: 0, reason: null }),
    });
    for (const sessionId of ['--host=root@evil.example', '-Hroot@evil.example', '--machine=x', '2 --host=x', '-', '../2', '2\n']) {
      for (const kind of ['lock', 'logoff']) {
        const ack = await runner.run({ id: `${kind}:${sessionId}`, kind, payload: { sessionId } });
        assert.equal(ack.status, 'failed', `${kind} ${JSON.stringify(sessionId)}`);
      }
    }
    // Nor does a sessionId that is not one widen a logoff to every session.
    for (const sessionId of [2, '', {}, ['2']]) {
      const ack = await runner.run({ id: `logoff:${JSON.stringify(sessionId)}`, kind: 'logoff', payload: { sessionId } });
      assert.equal(ack.status, 'failed', JSON.stringify(sessionId));
    }
    const calls = fs.existsSync(callsFile) ? fs.readFileSync(callsFile, 'utf8') : '';
    assert.doesNotMatch(calls, /host|machine|evil|\.\.|"-"|terminate-session/);
    // A real session id still works.
    assert.equal((await runner.run({ id: 'lock-2', kind: 'lock', payload: { sessionId: '2' } })).status, 'done');
    assert.match(fs.readFileSync(callsFile, 'utf8'), /\["lock-session","2"\]/);
  });
});

describe('agent under attack: emergency lifts', () => {
  it('a lift must be newer than the block it lifts: not of the same version, nor without a version of its own', async () => {
    const policy = createPolicy({
      initial: structuredClone(EMPTY_POLICY),
      persist: () => {},
      api: { authorize: async () => ({ allowed: true, code: null, reason: null, employee: null }) },
      log: createLogger({ write: () => {} }),
    });
    const runner = createCommandRunner({
      driver: { lock: async () => {}, logoff: async () => {} },
      log: createLogger({ write: () => {} }),
      refresh: async () => {},
      applyEmergency: async (e: Emergency) => {
        policy.setEmergency(e);
      },
      emergency: () => policy.emergency(),
    });
    await runner.run({ id: 'emergency:5', kind: 'emergency_block', payload: { reason: 'incident' } });
    assert.equal(policy.emergency().active, true);
    // A lift that is not the block's successor: an ordinary command id, or the block's own version.
    await runner.run({ id: '3f0c1d9e-8f0a-4d0e-9c55-2f1b6f0e7a11', kind: 'emergency_lift', payload: null });
    await runner.run({ id: 'emergency:5', kind: 'emergency_lift', payload: null });
    assert.equal(policy.setEmergency({ active: false, version: 5, reason: null }), false);
    assert.equal(policy.emergency().active, true, 'still blocked');
    assert.equal((await policy.decide({ account: 'CORP\\alice', action: 'unlock', method: 'password' })).allowed, false);
    // The real lift, version 6, ends it; the same block again (hello after a reconnect) changes nothing.
    await runner.run({ id: 'emergency:6', kind: 'emergency_lift', payload: null });
    assert.equal(policy.emergency().active, false);
    assert.equal(policy.setEmergency({ active: false, version: 6, reason: null }), true);
  });
});

describe('agent under attack: the enrolment token on the command line', () => {
  /** `tessera-agent enroll` with these arguments and this standard input. */
  const enroll = (args: string[], stdin: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(packageRoot(), 'agent/src/cli.ts'), 'enroll', ...args], {
        cwd: packageRoot(),
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('exit', (code) => resolve({ code, stderr }));
      child.stdin.end(stdin);
    });

  it('takes the token from a file or standard input, so that other users of the computer never see it in ps or /proc/<pid>/cmdline', async () => {
    const tessera = await startFakeTessera();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-agent-token-'));
    try {
      const file = path.join(dir, 'token');
      fs.writeFileSync(file, `${GOOD_TOKEN}\n`, { mode: 0o600 });
      const common = (n: number) => ['--server', tessera.url, '--state-dir', path.join(dir, `state${n}`), '--machine-id', `machine-token-${n}`];
      assert.equal((await enroll([...common(1), '--token-file', file], '')).code, 0);
      assert.equal((await enroll([...common(2), '--token-file', '-'], `${GOOD_TOKEN}\n`)).code, 0);
      assert.deepEqual(
        tessera.enrolments.slice(-2).map((e) => e.facts.machineId),
        ['machine-token-1', 'machine-token-2'],
      );
      // Both, or neither, is a mistake, refused before anything is written.
      for (const args of [[...common(3), '--token', GOOD_TOKEN, '--token-file', file], common(3), [...common(3), '--token-file', '-']]) {
        const r = await enroll(args, '');
        assert.equal(r.code, 1, r.stderr);
        assert.ok(!fs.existsSync(path.join(dir, 'state3')));
        assert.ok(!r.stderr.includes(GOOD_TOKEN));
      }
    } finally {
      await tessera.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
