import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { SessionEvent } from '../../agent/src/drivers/driver.js';
import { accountName, createLinuxDriver, diffSessions, parseProperties, parseSessionList, toSession } from '../../agent/src/drivers/linux.js';
import { createLogger } from '../../agent/src/log.js';
import { enrollAgent, startAgent } from '../helpers/agent.js';
import { GOOD_TOKEN, OFFICE_PROFILE, startFakeTessera } from './fake-tessera.js';

/**
 * The linux driver against a stub loginctl (agent/test/fixtures/loginctl-stub.mjs): systemd-logind
 * is not running here, so this checks the driver's parsing of loginctl's formats, the events it
 * derives from successive listings and the loginctl commands it runs — not logind itself.
 */
const STUB = path.resolve('agent/test/fixtures/loginctl-stub.mjs');
const BOOT = '039688e0-557d-4ef9-80d5-62c3e8029f84';

function session(id: string, user: string, props: Record<string, string> = {}) {
  return {
    session: id,
    uid: 1000 + Number(id.replace(/\D/g, '') || 0),
    user,
    seat: 'seat0',
    tty: `tty${id}`,
    props: {
      Name: user,
      Type: 'wayland',
      Class: 'user',
      Remote: 'no',
      RemoteHost: '',
      LockedHint: 'no',
      IdleHint: 'no',
      IdleSinceHint: '0',
      State: 'active',
      ...props,
    },
  };
}

describe('linux driver: loginctl output', () => {
  it('reads the JSON listing of systemd ≥ 250 and the --no-legend table of older ones', () => {
    const json = '[{"session":"2","uid":1000,"user":"alice","seat":"seat0","tty":"tty2"},{"session":"c1","uid":0,"user":"root","seat":null,"tty":null}]';
    assert.deepEqual(parseSessionList(json, true), [
      { id: '2', user: 'alice' },
      { id: 'c1', user: 'root' },
    ]);
    const table = '      2 1000 alice    seat0 tty2\n     c1    0 root\n\n';
    assert.deepEqual(parseSessionList(table, false), [
      { id: '2', user: 'alice' },
      { id: 'c1', user: 'root' },
    ]);
  });

  it('reads show-session properties, keeping an = inside a value', () => {
    assert.deepEqual(parseProperties('Name=alice\nRemote=yes\nRemoteHost=host=odd\nLockedHint=no\n'), {
      Name: 'alice',
      Remote: 'yes',
      RemoteHost: 'host=odd',
      LockedHint: 'no',
    });
  });

  it('names accounts DOMAIN\\user when a domain is configured, and keeps names that already say their domain', () => {
    assert.equal(accountName('alice', 'CORP'), 'CORP\\alice');
    assert.equal(accountName('alice', null), 'alice');
    assert.equal(accountName('alice@corp.example.com', 'CORP'), 'alice@corp.example.com');
    assert.equal(accountName('CORP\\bob', 'CORP'), 'CORP\\bob');
  });

  it('skips greeters, user managers and closing sessions, and computes idle minutes from IdleSinceHint (µs)', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    assert.equal(toSession('3', { Name: 'gdm', Class: 'greeter' }, null, now), null);
    assert.equal(toSession('4', { Name: 'alice', Class: 'manager' }, null, now), null);
    assert.equal(toSession('5', { Name: 'alice', Class: 'user', State: 'closing' }, null, now), null);
    const idle = toSession(
      '2',
      { Name: 'alice', Class: 'user', IdleHint: 'yes', IdleSinceHint: String((now - 12 * 60_000) * 1000), LockedHint: 'no' },
      'CORP',
      now,
    )!;
    assert.equal(idle.account, 'CORP\\alice');
    assert.equal(Math.round(idle.idleMinutes!), 12);
    assert.equal(toSession('2', { Name: 'alice', IdleHint: 'no' }, null, now)!.idleMinutes, 0);
    assert.equal(toSession('2', { Name: 'alice' }, null, now)!.idleMinutes, null);
  });

  it('turns two listings into logon, lock, unlock, logoff and remote events, with restart-proof ids for starts and ends', () => {
    const s = (id: string, over: Partial<ReturnType<typeof toSession> & object> = {}) => ({
      id,
      account: 'alice',
      isRemote: false,
      isLocked: false,
      idleMinutes: 0,
      remoteHost: null,
      ...over,
    });
    const before = new Map([
      ['2', s('2')],
      ['3', s('3', { isLocked: true })],
      ['9', s('9', { isRemote: true, remoteHost: '10.0.0.9' })],
    ]);
    const after = new Map([
      ['2', s('2', { isLocked: true })],
      ['3', s('3')],
      ['7', s('7', { isRemote: true, remoteHost: '10.0.0.7' })],
    ]);
    const events = diffSessions(before, after, BOOT);
    assert.deepEqual(
      events.map((e) => [e.type, e.sessionId, e.id ?? null]),
      [
        ['lock', '2', null],
        ['unlock', '3', null],
        ['remote_connect', '7', `${BOOT}:7:remote_connect`],
        ['remote_disconnect', '9', `${BOOT}:9:remote_disconnect`],
      ],
    );
    assert.equal(events[2].remoteAddress, '10.0.0.7');
    assert.equal(events[1].method, 'unknown');
  });
});

describe('linux driver against a stub loginctl', () => {
  let dir: string;
  let stateFile: string;
  let callsFile: string;
  const out: string[] = [];
  const log = createLogger({ write: (l) => out.push(l) });
  const writeState = (state: object) => fs.writeFileSync(stateFile, JSON.stringify(state));
  const readState = () => JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const calls = (): string[][] =>
    fs.existsSync(callsFile)
      ? fs
          .readFileSync(callsFile, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-loginctl-'));
    stateFile = path.join(dir, 'state.json');
    callsFile = path.join(dir, 'calls.jsonl');
    process.env.LOGINCTL_STUB_STATE = stateFile;
    process.env.LOGINCTL_STUB_CALLS = callsFile;
  });
  after(() => {
    delete process.env.LOGINCTL_STUB_STATE;
    delete process.env.LOGINCTL_STUB_CALLS;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fs.rmSync(callsFile, { force: true });
    out.length = 0;
  });

  async function started(state: object, domain: string | null = 'CORP') {
    writeState(state);
    const events: SessionEvent[] = [];
    const driver = createLinuxDriver({ log, loginctl: STUB, domain, pollMs: 50, bootId: BOOT });
    await driver.start({
      onEvent: (e) => events.push(e),
      authorize: async () => ({ allowed: true, code: null, reason: null }),
      onIdleChanged: () => {},
    });
    const waitFor = async (pred: (e: SessionEvent) => boolean) => {
      const deadline = Date.now() + 5000;
      while (!events.some(pred)) {
        if (Date.now() > deadline) throw new Error(`no such event; got ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return { driver, events, waitFor };
  }

  it('reports the sessions present at start as logons, then lock, unlock and logoff as logind shows them', async () => {
    const { driver, events, waitFor } = await started({ sessions: [session('2', 'alice'), session('3', 'gdm', { Class: 'greeter' })] });
    try {
      assert.deepEqual(events, [{ type: 'logon', account: 'CORP\\alice', sessionId: '2', method: 'unknown', remoteAddress: null, id: `${BOOT}:2:logon` }]);
      const state = readState();
      state.sessions[0].props.LockedHint = 'yes';
      state.sessions.push(session('5', 'bob', { Remote: 'yes', RemoteHost: '192.0.2.5' }));
      writeState(state);
      await waitFor((e) => e.type === 'remote_connect');
      await waitFor((e) => e.type === 'lock');
      assert.deepEqual(
        events.find((e) => e.type === 'remote_connect'),
        { type: 'remote_connect', account: 'CORP\\bob', sessionId: '5', method: 'unknown', remoteAddress: '192.0.2.5', id: `${BOOT}:5:remote_connect` },
      );
      state.sessions[0].props.LockedHint = 'no';
      writeState(state);
      await waitFor((e) => e.type === 'unlock' && e.sessionId === '2');
      state.sessions = state.sessions.filter((s: { session: string }) => s.session !== '2');
      writeState(state);
      await waitFor((e) => e.type === 'logoff' && e.sessionId === '2');
      assert.equal(events.filter((e) => e.type === 'logon').length, 1, 'a session is reported once, not at every poll');
    } finally {
      await driver.stop();
    }
  });

  it('locks and ends sessions with lock-session and terminate-session, one or all of them', async () => {
    const { driver } = await started({ sessions: [session('2', 'alice'), session('4', 'bob')] });
    try {
      await driver.lock('2');
      assert.equal(readState().sessions[0].props.LockedHint, 'yes');
      await driver.lock();
      await driver.logoff('4');
      assert.deepEqual(
        calls().filter((c) => c[0] === 'lock-session' || c[0] === 'terminate-session'),
        [
          ['lock-session', '2'],
          ['lock-session', '2'],
          ['lock-session', '4'],
          ['terminate-session', '4'],
        ],
      );
      assert.deepEqual(
        readState().sessions.map((s: { session: string }) => s.session),
        ['2'],
      );
      const logged = out.map((l) => JSON.parse(l)).filter((l) => l.msg.startsWith('driver.'));
      assert.deepEqual(
        logged.map((l) => [l.msg, l.sessionId]),
        [
          ['driver.lock', '2'],
          ['driver.lock', '2'],
          ['driver.lock', '4'],
          ['driver.logoff', '4'],
        ],
      );
      const sessions = await driver.listSessions();
      assert.deepEqual(
        sessions.map((s) => [s.id, s.account, s.isLocked]),
        [['2', 'CORP\\alice', true]],
      );
    } finally {
      await driver.stop();
    }
  });

  it('asks for exactly the properties it reads', async () => {
    const { driver } = await started({ sessions: [session('2', 'alice')] }, null);
    await driver.stop();
    const show = calls().find((c) => c[0] === 'show-session')!;
    assert.deepEqual(show.slice(0, 2), ['show-session', '2']);
    const props = show.slice(2).filter((_, i) => i % 2 === 1);
    for (const p of ['Name', 'Type', 'Remote', 'LockedHint', 'IdleHint', 'IdleSinceHint', 'State']) assert.ok(props.includes(p), p);
  });

  it('falls back to the --no-legend table on a loginctl without --output=json, and remembers it', async () => {
    const { driver, events, waitFor } = await started({ noJson: true, sessions: [session('2', 'alice')] }, null);
    try {
      assert.deepEqual(
        events.map((e) => [e.type, e.account]),
        [['logon', 'alice']],
      );
      const state = readState();
      state.sessions[0].props.LockedHint = 'yes';
      writeState(state);
      await waitFor((e) => e.type === 'lock');
      const lists = calls().filter((c) => c[0] === 'list-sessions');
      assert.deepEqual(lists[0], ['list-sessions', '--output=json']);
      assert.ok(lists.slice(1).every((c) => c[1] === '--no-legend'));
      assert.equal(lists.filter((c) => c[1] === '--output=json').length, 1);
    } finally {
      await driver.stop();
    }
  });

  it('logs a loginctl that fails once per outage, not at every poll', async () => {
    const driver = createLinuxDriver({ log, loginctl: path.join(dir, 'no-such-loginctl'), pollMs: 20, bootId: null });
    await driver.start({ onEvent: () => {}, authorize: async () => ({ allowed: true, code: null, reason: null }), onIdleChanged: () => {} });
    await new Promise((r) => setTimeout(r, 150));
    await driver.stop();
    assert.equal(out.filter((l) => l.includes('driver.poll_failed')).length, 1);
  });
});

describe('tessera-agent run --driver linux, against a stub loginctl and a fake Tessera', () => {
  it('reports logind sessions as events, locks them on the emergency block and locks again a session unlocked during it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-agent-linux-'));
    const stateFile = path.join(dir, 'loginctl.json');
    const callsFile = path.join(dir, 'calls.jsonl');
    fs.writeFileSync(stateFile, JSON.stringify({ sessions: [session('2', 'alice')] }));
    const tessera = await startFakeTessera();
    tessera.config.status = 'approved';
    tessera.config.profile = OFFICE_PROFILE;
    const stateDir = path.join(dir, 'state');
    const enrolled = await enrollAgent({ server: tessera.url, token: GOOD_TOKEN, stateDir, domain: 'CORP' });
    assert.equal(enrolled.code, 0, enrolled.stderr);
    const agent = startAgent({
      stateDir,
      driver: 'linux',
      env: { TESSERA_AGENT_LOGINCTL: STUB, TESSERA_AGENT_POLL_MS: '100', LOGINCTL_STUB_STATE: stateFile, LOGINCTL_STUB_CALLS: callsFile },
    });
    try {
      await agent.waitFor('channel.connected');
      await tessera.waitUntil(() => tessera.batches.flatMap((b) => b.events).find((e) => e.type === 'logon' && e.account === 'CORP\\alice'));
      tessera.send({ type: 'command', id: 'emergency:1', kind: 'emergency_block', payload: { reason: 'incident' }, issuedAt: new Date().toISOString() });
      await agent.waitFor((l) => l.msg === 'driver.lock' && l.sessionId === '2');
      await agent.waitFor((l) => l.msg === 'event.queued' && l.type === 'lock');
      // Someone unlocks at the console anyway (logind cannot refuse it): the agent locks again.
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
      state.sessions[0].props.LockedHint = 'no';
      fs.writeFileSync(stateFile, JSON.stringify(state));
      await agent.waitFor('emergency.relock');
      await tessera.waitUntil(
        () =>
          fs
            .readFileSync(callsFile, 'utf8')
            .split('\n')
            .filter((l) => l === '["lock-session","2"]').length >= 2,
      );
    } finally {
      await agent.stop();
      await tessera.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
