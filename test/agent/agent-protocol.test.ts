import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { enrollAgent, runAgentCli, startAgent, type AgentProcess } from '../helpers/agent.js';
import { GOOD_TOKEN, OFFICE_PROFILE, startFakeTessera, WORKSTATION_ID, type FakeTessera } from './fake-tessera.js';

/**
 * The agent process against a fake Tessera (./fake-tessera.ts) that checks every assertion as §3
 * says and records what the agent sends: enrolment, status, the channel, commands and acks,
 * events, authorize. A protocol test of the agent; the end-to-end tests use the real server.
 */
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('tessera-agent enroll and status', () => {
  let tessera: FakeTessera;
  let dir: string;
  before(async () => {
    tessera = await startFakeTessera();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-agent-'));
  });
  after(async () => {
    await tessera.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('enrols with the public key and the facts, and keeps the private key in a 0600 file in a 0700 directory', async () => {
    const stateDir = path.join(dir, 'state');
    const r = await enrollAgent({ server: tessera.url, token: GOOD_TOKEN, stateDir, hostname: 'WS-0042', domain: 'CORP', machineId: 'machine-0042' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { workstationId: WORKSTATION_ID, status: 'pending' });
    const { publicKey, facts } = tessera.enrolments[0];
    assert.deepEqual(Object.keys(publicKey).sort(), ['crv', 'kty', 'x', 'y'], 'only the public half leaves the computer');
    assert.equal(facts.hostname, 'WS-0042');
    assert.equal(facts.domain, 'CORP');
    assert.equal(facts.machineId, 'machine-0042');
    assert.equal(facts.agentVersion, '1.0.0');
    assert.equal(facts.osVersion, os.release());
    assert.ok(typeof facts.osName === 'string' && facts.osName.length > 0);
    assert.equal(mode(stateDir), 0o700);
    assert.equal(mode(path.join(stateDir, 'key.pem')), 0o600);
    assert.equal(mode(path.join(stateDir, 'agent.json')), 0o600);
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'agent.json'), 'utf8'));
    assert.deepEqual([state.server, state.workstationId, state.audience, state.domain], [tessera.url, WORKSTATION_ID, tessera.url, 'CORP']);
    assert.ok(!r.stdout.includes('PRIVATE KEY') && !r.stderr.includes('PRIVATE KEY'));
    assert.deepEqual(
      fs.readdirSync(stateDir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left behind',
    );
  });

  it('refuses with exit 3 on an invalid token and leaves a working enrolment in place', async () => {
    const stateDir = path.join(dir, 'state');
    const keyBefore = fs.readFileSync(path.join(stateDir, 'key.pem'), 'utf8');
    const r = await enrollAgent({ server: tessera.url, token: 'te_wrong', stateDir });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /"msg":"enroll\.refused".*"code":"workstations\.token_invalid"/);
    assert.equal(fs.readFileSync(path.join(stateDir, 'key.pem'), 'utf8'), keyBefore);
  });

  it('prints the status with exit 0; exits 2 when not enrolled, 3 when refused, 4 when Tessera cannot be reached', async () => {
    const stateDir = path.join(dir, 'state');
    const ok = await runAgentCli(['status', '--state-dir', stateDir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).workstationId, WORKSTATION_ID);
    assert.equal(JSON.parse(ok.stdout).status, 'pending');
    assert.equal(tessera.rejectedAssertions.length, 0, tessera.rejectedAssertions.join());

    const env = { TESSERA_AGENT_STATE_DIR: path.join(dir, 'never-enrolled') };
    const none = await runAgentCli(['status'], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /agent\.not_enrolled/);

    tessera.config.revoked = true;
    const refused = await runAgentCli(['status', '--state-dir', stateDir]);
    tessera.config.revoked = false;
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /"msg":"status\.refused".*agent\.assertion_invalid/);

    const elsewhere = path.join(dir, 'elsewhere');
    fs.cpSync(stateDir, elsewhere, { recursive: true });
    const state = JSON.parse(fs.readFileSync(path.join(elsewhere, 'agent.json'), 'utf8'));
    fs.writeFileSync(path.join(elsewhere, 'agent.json'), JSON.stringify({ ...state, server: 'http://127.0.0.1:9' }));
    const down = await runAgentCli(['status', '--state-dir', elsewhere]);
    assert.equal(down.code, 4);
    assert.match(down.stderr, /status\.unreachable/);
  });
});

describe('tessera-agent run', () => {
  let tessera: FakeTessera;
  let dir: string;
  let stateDir: string;
  let agent: AgentProcess | undefined;

  beforeEach(async () => {
    tessera = await startFakeTessera();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-agent-run-'));
    stateDir = path.join(dir, 'state');
  });
  afterEach(async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
    await tessera.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function enrolled(status: 'pending' | 'approved', profile: typeof OFFICE_PROFILE | null = OFFICE_PROFILE) {
    tessera.config.status = status;
    tessera.config.profile = profile;
    const r = await enrollAgent({ server: tessera.url, token: GOOD_TOKEN, stateDir, domain: 'CORP' });
    assert.equal(r.code, 0, r.stderr);
    agent = startAgent({ server: tessera.url, stateDir });
    await agent.waitFor('channel.connected');
    await agent.waitFor('profile.applied');
    return agent;
  }
  const eventsPosted = () => tessera.batches.filter((b) => b.answered === 200).flatMap((b) => b.events);

  it('keeps events while pending and sends them, agent_start first, once the status frame says approved', async () => {
    const a = await enrolled('pending');
    assert.equal(a.lines().find((l) => l.msg === 'profile.applied')!.profile, null);
    a.write('logon CORP\\alice security_key');
    await a.waitFor((l) => l.msg === 'event.queued' && l.type === 'logon');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(tessera.batches.length, 0, 'nothing is posted before approval');
    tessera.config.status = 'approved';
    tessera.send({ type: 'status', status: 'approved' });
    await a.waitFor('events.sent');
    const events = eventsPosted();
    assert.deepEqual(
      events.map((e) => e.type),
      ['agent_start', 'logon'],
    );
    assert.equal(events[0].account, undefined, 'agent events carry no account');
    assert.deepEqual(
      { ...events[1], id: undefined, at: undefined },
      { id: undefined, at: undefined, type: 'logon', account: 'CORP\\alice', method: 'security_key', sessionId: '1', remoteAddress: null },
    );
    for (const e of events) {
      assert.match(String(e.id), /^[A-Za-z0-9._:-]{8,128}$/);
      assert.ok(Math.abs(Date.parse(String(e.at)) - Date.now()) < 60_000);
    }
  });

  it('acknowledges every command, carries out a repeated id once, and rejects a kind it does not know', async () => {
    const a = await enrolled('approved');
    a.write('logon CORP\\alice security_key');
    await a.waitFor('script.done');
    tessera.send({ type: 'command', id: 'cmd-1', kind: 'lock', payload: null, issuedAt: new Date().toISOString() });
    await a.waitFor((l) => l.msg === 'command.acked' && l.id === 'cmd-1');
    tessera.send({ type: 'command', id: 'cmd-1', kind: 'lock', payload: null, issuedAt: new Date().toISOString() });
    tessera.send({ type: 'command', id: 'cmd-2', kind: 'reboot_computer', payload: {}, issuedAt: new Date().toISOString() });
    await a.waitFor((l) => l.msg === 'command.acked' && l.id === 'cmd-2');
    // A delivery nobody can open (no JWE): failed, and nothing handed to a logon.
    tessera.send({ type: 'command', id: 'cmd-4', kind: 'deliver_credentials', payload: {}, issuedAt: new Date().toISOString() });
    await a.waitFor((l) => l.msg === 'command.acked' && l.id === 'cmd-4');
    const acks = await tessera.waitUntil(() => {
      const found = tessera.frames.filter((f) => f.type === 'ack');
      return found.length === 4 && found;
    });
    assert.deepEqual(
      acks.map((f) => [f.id, f.status]),
      [
        ['cmd-1', 'done'],
        ['cmd-1', 'done'],
        ['cmd-2', 'rejected'],
        ['cmd-4', 'failed'],
      ],
    );
    assert.match(String(acks[3].detail), /carries no JWE/);
    assert.equal(a.lines().filter((l) => l.msg === 'driver.lock').length, 1, 'the repeated command did not lock again');
    assert.deepEqual(
      a
        .lines()
        .filter((l) => l.msg === 'command.received')
        .map((l) => [l.id, l.kind]),
      [
        ['cmd-1', 'lock'],
        ['cmd-1', 'lock'],
        ['cmd-2', 'reboot_computer'],
        ['cmd-4', 'deliver_credentials'],
      ],
    );
    tessera.send({ type: 'command', id: 'cmd-3', kind: 'logoff', payload: { sessionId: '1' }, issuedAt: new Date().toISOString() });
    await a.waitFor((l) => l.msg === 'driver.logoff' && l.sessionId === '1');
    await a.waitFor((l) => l.msg === 'command.acked' && l.id === 'cmd-3' && l.status === 'done');
  });

  it('sends heartbeats every heartbeatSeconds and reconnects with a fresh assertion after the server goes away', async () => {
    tessera.config.heartbeatSeconds = 1;
    const a = await enrolled('approved');
    await tessera.waitUntil(() => tessera.frames.filter((f) => f.type === 'heartbeat').length >= 2, 5000);
    const from = a.lines().length;
    tessera.closeChannel(1001, 'server stopping');
    await a.waitFor((l) => l.msg === 'channel.closed' && l.code === 1001, 5000, from);
    await a.waitFor('channel.connected', 5000, from);
    assert.equal(tessera.connections.length, 2);
    assert.notEqual(tessera.connections[0].jti, tessera.connections[1].jti);
    assert.equal(new Set(tessera.jtis).size, tessera.jtis.length);
    assert.deepEqual(tessera.rejectedAssertions, []);
  });

  it('stops with exit 3 on close code 4401 and does not reconnect', async () => {
    const a = await enrolled('approved');
    tessera.closeChannel(4401, 'workstation removed');
    assert.equal(await a.exited, 3);
    assert.ok(a.lines().some((l) => l.msg === 'channel.revoked' && l.level === 'error'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(tessera.connections.length, 1);
  });

  it('stops with exit 3 when every reconnection is refused with 401 (a removed computer whose agent started again)', async () => {
    const a = await enrolled('approved');
    tessera.config.revoked = true;
    try {
      tessera.closeChannel(1001, 'server stopping');
      assert.equal(await a.exited, 3);
      const revoked = a.lines().find((l) => l.msg === 'channel.revoked');
      assert.equal(revoked?.refusals, 5);
      assert.equal(a.lines().filter((l) => l.msg === 'channel.error').length, 5);
    } finally {
      tessera.config.revoked = false;
    }
  });

  it('sends agent_stop on SIGTERM and exits 0', async () => {
    const a = await enrolled('approved');
    await a.waitFor('events.sent');
    assert.equal(await a.stop('SIGTERM'), 0);
    assert.deepEqual(
      eventsPosted().map((e) => e.type),
      ['agent_start', 'agent_stop'],
    );
    assert.ok(a.lines().some((l) => l.msg === 'agent.stopped'));
  });

  it('retries a refused batch with the same ids', async () => {
    tessera.config.failEvents = 1;
    const a = await enrolled('approved');
    await a.waitFor('events.failed');
    await a.waitFor('events.sent', 5000);
    assert.equal(tessera.batches[0].answered, 503);
    assert.deepEqual(
      tessera.batches[1].events.map((e) => e.id),
      tessera.batches[0].events.map((e) => e.id),
    );
  });

  it('sends a batch whose answer was lost again with the same ids, so that Tessera stores it once', async () => {
    tessera.config.loseEventsAnswers = 1;
    const a = await enrolled('approved');
    const sent = await a.waitFor('events.sent', 8000);
    assert.deepEqual([sent.count, sent.accepted, sent.duplicates], [1, 0, 1]);
    assert.deepEqual(
      tessera.batches.map((b) => [b.answered, b.events.map((e) => e.id).join()]),
      [
        [0, tessera.batches[1].events.map((e) => e.id).join()],
        [200, tessera.batches[0].events.map((e) => e.id).join()],
      ],
    );
  });

  it('asks Tessera before a logon, an RDP connection and an unlock, and refuses what Tessera refuses', async () => {
    tessera.config.authorize = ({ account, action, method }) =>
      account === 'CORP\\mallory'
        ? { allowed: false, code: 'workstations.unknown_account', reason: 'Tessera knows no employee with this account' }
        : action === 'rdp'
          ? { allowed: false, code: 'workstations.rdp_not_allowed', reason: 'RDP is not allowed' }
          : method === 'password'
            ? { allowed: false, code: 'workstations.method_not_allowed', reason: 'not a method of the profile' }
            : { allowed: true, code: null, reason: null };
    const a = await enrolled('approved');
    a.write('logon CORP\\mallory security_key');
    const refused = await a.waitFor('driver.refused');
    assert.equal(refused.code, 'workstations.unknown_account');
    a.write('rdp-connect CORP\\alice passkey 7');
    assert.equal((await a.waitFor((l) => l.msg === 'driver.refused' && l.action === 'rdp')).code, 'workstations.rdp_not_allowed');
    a.write('logon CORP\\alice security_key 2');
    a.write('lock');
    a.write('unlock password');
    assert.equal((await a.waitFor((l) => l.msg === 'driver.refused' && l.action === 'unlock')).code, 'workstations.method_not_allowed');
    a.write('unlock passkey');
    await a.waitFor((l) => l.msg === 'event.queued' && l.type === 'unlock');
    assert.deepEqual(tessera.authorizeCalls, [
      { account: 'CORP\\mallory', action: 'logon', method: 'security_key' },
      { account: 'CORP\\alice', action: 'rdp', method: 'passkey' },
      { account: 'CORP\\alice', action: 'logon', method: 'security_key' },
      { account: 'CORP\\alice', action: 'unlock', method: 'password' },
      { account: 'CORP\\alice', action: 'unlock', method: 'passkey' },
    ]);
    await tessera.waitUntil(() => eventsPosted().some((e) => e.type === 'unlock'));
    assert.deepEqual(
      eventsPosted()
        .filter((e) => e.type !== 'agent_start')
        .map((e) => [e.type, e.account, e.sessionId]),
      [
        ['logon', 'CORP\\alice', '2'],
        ['lock', 'CORP\\alice', '2'],
        ['unlock', 'CORP\\alice', '2'],
      ],
      'refused attempts are no events',
    );
  });

  it('under the emergency block locks every session and refuses unlocks without asking, until the lift', async () => {
    const a = await enrolled('approved');
    a.write('logon CORP\\alice security_key');
    a.write('logon CORP\\bob security_key');
    await a.waitFor((l) => l.msg === 'script.done' && l.line === 'logon CORP\\bob security_key');
    tessera.send({ type: 'command', id: 'emergency:1', kind: 'emergency_block', payload: { reason: 'ransomware' }, issuedAt: new Date().toISOString() });
    assert.equal((await a.waitFor('emergency.on')).reason, 'ransomware');
    await a.waitFor((l) => l.msg === 'command.acked' && l.id === 'emergency:1' && l.status === 'done');
    assert.deepEqual(
      a
        .lines()
        .filter((l) => l.msg === 'driver.lock')
        .map((l) => l.sessionId),
      ['1', '2'],
    );
    const calls = tessera.authorizeCalls.length;
    a.write('unlock security_key');
    assert.equal((await a.waitFor('driver.refused')).code, 'workstations.emergency_block');
    a.write('logon CORP\\carol security_key');
    await a.waitFor((l) => l.msg === 'driver.refused' && l.account === 'CORP\\carol');
    assert.equal(tessera.authorizeCalls.length, calls, 'refused here, without asking Tessera');
    tessera.send({ type: 'command', id: 'emergency:2', kind: 'emergency_lift', payload: null, issuedAt: new Date().toISOString() });
    await a.waitFor('emergency.off');
    a.write('unlock security_key');
    await a.waitFor((l) => l.msg === 'event.queued' && l.type === 'unlock');
  });

  it('applies a block announced in hello, and keeps it across a restart without network', async () => {
    tessera.config.emergency = { active: true, version: 4, reason: 'drill' };
    const a = await enrolled('approved');
    await a.waitFor('emergency.on');
    await a.waitFor((l) => l.msg === 'command.acked' && l.id === 'emergency:4');
    assert.equal(await a.stop(), 0);
    const cache = JSON.parse(fs.readFileSync(path.join(stateDir, 'cache.json'), 'utf8'));
    assert.equal(cache.emergency.active, true);
    await tessera.stop();
    agent = startAgent({ stateDir });
    assert.equal((await agent.waitFor('emergency.on')).cached, true);
    agent.write('logon CORP\\alice security_key');
    assert.equal((await agent.waitFor('driver.refused')).code, 'workstations.emergency_block');
    tessera = await startFakeTessera();
  });

  it('lets a known account in offline within offlineLogonDays, and no one else', async () => {
    const a = await enrolled('approved');
    a.write('logon CORP\\alice security_key 1');
    a.write('logoff 1');
    await a.waitFor((l) => l.msg === 'script.done' && l.line === 'logoff 1');
    tessera.config.authorizeDown = true;
    a.write('logon CORP\\alice security_key 2');
    const offline = await a.waitFor((l) => l.msg === 'authorize.decided' && l.source === 'offline');
    assert.equal(offline.allowed, true);
    a.write('logon CORP\\bob security_key 3');
    assert.equal((await a.waitFor('driver.refused')).code, 'agent.offline_not_recent');
    a.write('logon CORP\\alice password 4');
    assert.equal((await a.waitFor((l) => l.msg === 'driver.refused' && l.sessionId === '4')).code, 'agent.offline_method_not_allowed');
  });

  it('locks a session idle longer than the profile allows', async () => {
    const a = await enrolled('approved');
    a.write('logon CORP\\alice security_key');
    a.write('idle 9');
    await a.waitFor((l) => l.msg === 'script.done' && l.line === 'idle 9');
    assert.ok(!a.lines().some((l) => l.msg === 'driver.lock'));
    a.write('idle 11');
    const locked = await a.waitFor('idle.lock');
    assert.deepEqual([locked.sessionId, locked.idleMinutes, locked.limit], ['1', 11, 10]);
    await a.waitFor((l) => l.msg === 'driver.lock' && l.sessionId === '1');
  });

  it('applies a new profile from a profile frame and a refresh_profile command', async () => {
    const a = await enrolled('approved');
    tessera.send({ type: 'profile', profile: { ...OFFICE_PROFILE, name: 'Lab', idleLockMinutes: 5 } });
    await a.waitFor((l) => l.msg === 'profile.applied' && (l.profile as { name: string } | null)?.name === 'Lab');
    tessera.config.profile = { ...OFFICE_PROFILE, name: 'Kiosk' };
    tessera.send({ type: 'command', id: 'cmd-r', kind: 'refresh_profile', payload: null, issuedAt: new Date().toISOString() });
    await a.waitFor((l) => l.msg === 'profile.applied' && (l.profile as { name: string } | null)?.name === 'Kiosk');
    await a.waitFor((l) => l.msg === 'command.acked' && l.id === 'cmd-r' && l.status === 'done');
  });

  it('never logs the private key or an assertion', async () => {
    const a = await enrolled('approved');
    a.write('logon CORP\\alice security_key');
    await a.waitFor('events.sent');
    await a.stop();
    const pem = fs.readFileSync(path.join(stateDir, 'key.pem'), 'utf8');
    const body = pem.split('\n')[1];
    assert.ok(!a.output().includes(body));
    assert.doesNotMatch(a.output(), /eyJ[A-Za-z0-9_-]+\.eyJ/);
    for (const jti of tessera.jtis) assert.ok(!a.output().includes(jti));
  });
});
