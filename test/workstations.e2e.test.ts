/**
 * Workstations end to end, as a customer runs them: a real Samba AD domain controller, `tessera
 * serve` as a process, and real `tessera-agent` processes (the scripted driver plays the person at
 * each computer). Two agents enrol with one token and only the first is approved; the waiting one
 * may ask its status but nothing else; a synced AD user's logon becomes a workstation session of
 * the right employee; Lock now reaches the agent; disabling the employee locks the computer and
 * keeps it locked; the emergency block holds every computer, one started afterwards too, until it
 * is lifted.
 *
 * Timing is reported (t.diagnostic), never asserted: "Lock now" latency is printed, not checked.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { enrollAgent, runAgentCli, startAgent, type AgentLine, type AgentProcess } from './helpers/agent.js';
import { startSamba, type SambaDc } from './helpers/samba.js';
import { startServerProcess, type ServerProcess } from './helpers/server.js';

const SYNC_GROUP = 'Tessera Users Sync';
const EMERGENCY_PHRASE = 'BLOCK ALL WORKSTATIONS';
/** Long enough for a loaded machine; the sweep delivers a command queued in another transaction within 2 s. */
const WAIT_MS = 15_000;

interface Workstation {
  id: string;
  dir: string;
  agent?: AgentProcess;
}

interface Json {
  /** Answers of the API, checked field by field. */
  [k: string]: any;
}

/** A direct request signed by the agent's own key (its state directory's key.pem), as docs/agent-protocol.md §3 describes. */
function agentAssertion(stateDir: string): string {
  const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'agent.json'), 'utf8')) as { workstationId: string; audience: string };
  const key = crypto.createPrivateKey(fs.readFileSync(path.join(stateDir, 'key.pem'), 'utf8'));
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', typ: 'tessera-agent+jwt', kid: state.workstationId })}.${b64({
    iss: state.workstationId,
    aud: state.audience,
    iat,
    exp: iat + 60,
    jti: crypto.randomBytes(24).toString('base64url'),
  })}`;
  const signature = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

describe('workstations end to end: real agents, a real AD, a started server', () => {
  let dc: SambaDc | undefined;
  let server: ServerProcess | undefined;
  let base: string;
  const dirs: string[] = [];
  const agents: AgentProcess[] = [];
  const apiKey = `tsk_${crypto.randomBytes(32).toString('base64url')}`;
  let tokenSecret: string;
  let alice: { id: string; email: string };
  let bob: { id: string; email: string };
  /** The enrolled computers, in order: 1 approved, 2 left waiting, 3 enrolled during the block. */
  const ws: Workstation[] = [];

  const api = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const ok = async (method: string, url: string, body: unknown, status: number) => {
    const r = await api(method, url, body);
    assert.equal(r.status, status, `${method} ${url}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  /** Polls `read` until `pred` holds; fails with the last value. */
  const until = async <T>(what: string, read: () => Promise<T>, pred: (v: T) => boolean, timeoutMs = WAIT_MS): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last = await read();
    while (!pred(last)) {
      if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
      last = await read();
    }
    return last;
  };
  const sessionsOf = async (workstationId: string) => (await ok('GET', `/api/workstation-sessions?workstationId=${workstationId}`, undefined, 200)).items;
  const commandsOf = async (workstationId: string) => (await ok('GET', `/api/workstations/${workstationId}/commands`, undefined, 200)).items;
  const tmp = (prefix: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  /** A log line `name` with these fields; named so that a timeout says what it waited for. */
  const msg = (name: string, fields: Record<string, unknown> = {}) =>
    Object.assign((l: AgentLine) => l.msg === name && Object.entries(fields).every(([k, v]) => l[k] === v), {
      toString: () => `${name} ${JSON.stringify(fields)}`,
    });
  /** Sends a script line and resolves with its outcome line (script.done or script.invalid, which fails the test). */
  const script = async (agent: AgentProcess, line: string) => {
    const from = agent.lines().length;
    agent.write(line);
    const outcome = await agent.waitFor(
      Object.assign((l: AgentLine) => (l.msg === 'script.done' || l.msg === 'script.invalid') && l.line === line, { toString: () => `the outcome of ${line}` }),
      WAIT_MS,
      from,
    );
    assert.equal(outcome.msg, 'script.done', `${line}: ${JSON.stringify(outcome)}`);
    return from;
  };
  const enrol = async (n: number) => {
    const dir = path.join(tmp(`tessera-ws${n}-`), 'state');
    const r = await enrollAgent({ server: base, token: tokenSecret, stateDir: dir, hostname: `WS-E2E-${n}`, domain: 'CORP' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.status, 'pending', 'the token does not approve automatically');
    const w: Workstation = { id: r.workstationId!, dir };
    ws.push(w);
    return w;
  };
  const run = async (w: Workstation) => {
    const agent = startAgent({ server: base, stateDir: w.dir });
    agents.push(agent);
    w.agent = agent;
    await agent.waitFor('channel.connected', 30_000);
    await agent.waitFor('profile.applied', WAIT_MS);
    return agent;
  };

  before(async () => {
    dc = await startSamba({ ip: '127.0.0.31' });
    await dc.addGroup(SYNC_GROUP);
    for (const u of ['alice', 'bob'])
      await dc.addUser({
        username: u,
        password: `${u}-Pass!w0rd`,
        givenName: u[0].toUpperCase() + u.slice(1),
        surname: 'Test',
        mail: `${u}@corp.example.test`,
      });
    await dc.addMembers(SYNC_GROUP, ['alice', 'bob']);

    const dataDir = tmp('tessera-ws-e2e-');
    const config = path.join(dataDir, 'tessera.yaml');
    fs.writeFileSync(config, 'apiKeys:\n  - name: workstations e2e\n    scope: admin\n    secret: { env: E2E_API_KEY }\n');
    server = await startServerProcess({ DATA_DIR: dataDir, TESSERA_CONFIG: config, E2E_API_KEY: apiKey, LOG_LEVEL: 'warn' }, { timeoutMs: 90_000 });
    base = `http://127.0.0.1:${server.port}`;

    // The AD domain, as an admin adds it in the console, then one sync.
    const domain = await ok(
      'POST',
      '/api/directory/domains',
      {
        kind: 'ad',
        name: dc.realm,
        secret: dc.adminPassword,
        syncGroup: SYNC_GROUP,
        removalThresholdPercent: 100,
        syncIntervalMinutes: 0,
        settings: { urls: [dc.ldapsUrl], bindUser: dc.adminUpn, tlsServerName: dc.tlsServerName, caCertificate: dc.caPem, timeoutMs: 30_000 },
      },
      201,
    );
    const sync = await ok('POST', `/api/directory/domains/${domain.id}/sync`, { wait: true, full: true }, 200);
    assert.equal(sync.status, 'succeeded', JSON.stringify(sync));
    const employees = (await ok('GET', '/api/employees?pageSize=100', undefined, 200)).items as { id: string; email: string; status: string }[];
    const find = (email: string) => {
      const e = employees.find((x) => x.email === email);
      assert.ok(e, `${email} was synced: ${JSON.stringify(employees)}`);
      assert.equal(e.status, 'active');
      return { id: e.id, email: e.email };
    };
    alice = find('alice@corp.example.test');
    bob = find('bob@corp.example.test');
    const accounts = (await ok('GET', `/api/employees/${alice.id}/directory-accounts`, undefined, 200)).items;
    assert.deepEqual(
      accounts.map((a: Json) => [a.username, a.domainName, a.domainKind]),
      [['alice', dc.realm, 'ad']],
    );

    const token = await ok('POST', '/api/workstation-enrolment-tokens', { name: 'e2e', maxUses: 3, autoApprove: false }, 201);
    tokenSecret = token.secret;
  });

  after(async () => {
    await Promise.allSettled(agents.map((a) => a.stop()));
    await server?.stop('SIGTERM').catch(() => undefined);
    await dc?.stop().catch(() => undefined);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('enrols two agents; the approved one sends events, the waiting one may ask its status and nothing else', async () => {
    const w1 = await enrol(1);
    const w2 = await enrol(2);
    assert.notEqual(w1.id, w2.id);
    const a1 = await run(w1);
    const a2 = await run(w2);
    for (const a of [a1, a2]) assert.equal((await a.waitFor('profile.applied')).profile, null, 'no profile before approval');

    const approved = await ok('POST', `/api/workstations/${w1.id}/approve`, undefined, 200);
    assert.equal(approved.status, 'approved');
    await a1.waitFor(msg('status.changed', { status: 'approved' }), WAIT_MS);
    await a1.waitFor(
      Object.assign((l: AgentLine) => l.msg === 'profile.applied' && l.profile !== null, { toString: () => 'profile.applied (a profile)' }),
      WAIT_MS,
    );
    // agent_start, queued until the approval, now delivered.
    await a1.waitFor('events.sent', WAIT_MS);
    const listed = await ok('GET', `/api/workstations/${w2.id}`, undefined, 200);
    assert.equal(listed.status, 'pending');
    assert.equal(listed.hostname, 'WS-E2E-2');
    assert.equal(listed.domain, 'CORP');

    // The waiting computer: its own status works, by the agent's command and by a signed request.
    const status = await runAgentCli(['status', '--state-dir', w2.dir]);
    assert.equal(status.code, 0, status.stderr);
    const answer = JSON.parse(status.stdout.trim().split('\n').pop()!);
    assert.equal(answer.workstationId, w2.id);
    assert.equal(answer.status, 'pending');
    assert.equal(answer.profile, null);

    // Someone signs in at it: the agent lets them in without asking Tessera (it does not decide yet)
    // and keeps the events, since Tessera refuses them.
    const from = await script(a2, 'logon CORP\\bob password 1');
    const decided = await a2.waitFor('authorize.decided', WAIT_MS, from);
    assert.equal(decided.allowed, true);
    assert.equal(decided.source, 'unmanaged');
    await a2.waitFor(msg('event.queued', { type: 'logon', account: 'CORP\\bob' }), WAIT_MS, from);
    // The approved agent, meanwhile, has sent its events; give the waiting one as long to (not) do so.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(
      a2.lines().filter((l) => l.msg.startsWith('events.')).length,
      0,
      `the waiting agent posted nothing:\n${a2
        .lines()
        .map((l) => l.msg)
        .join('\n')}`,
    );
    const events = await ok('GET', `/api/workstation-events?workstationId=${w2.id}`, undefined, 200);
    assert.equal(events.total, 0, 'Tessera holds no event of the waiting computer');

    // And Tessera's exact answers to that computer's key.
    const signed = (method: string, url: string, body?: unknown) =>
      fetch(`${base}/api/agent/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${agentAssertion(w2.dir)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const st = await signed('GET', '/status');
    assert.equal(st.status, 200);
    assert.equal(((await st.json()) as Json).status, 'pending');
    assert.equal((await signed('POST', '/heartbeat')).status, 204);
    const event = {
      id: crypto.randomBytes(12).toString('hex'),
      type: 'logon',
      at: new Date().toISOString(),
      account: 'CORP\\bob',
      method: 'password',
      sessionId: '9',
    };
    for (const [url, body] of [
      ['/events', { events: [event] }],
      ['/authorize', { account: 'CORP\\bob', action: 'unlock', method: 'password' }],
    ] as const) {
      const res = await signed('POST', url, body);
      const text = await res.text();
      assert.equal(res.status, 403, `${url}: ${text}`);
      assert.equal(JSON.parse(text).error.code, 'agent.not_approved', `${url}: ${text}`);
    }
    // The same request signed by the approved computer's key is taken.
    const approvedAuthorize = await fetch(`${base}/api/agent/v1/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentAssertion(w1.dir)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'CORP\\bob', action: 'logon', method: 'password' }),
    });
    assert.equal(approvedAuthorize.status, 200, await approvedAuthorize.clone().text());
    assert.equal(((await approvedAuthorize.json()) as Json).allowed, true);
  });

  it("turns a synced AD user's logon into a workstation session of that employee, with its locked period", async () => {
    const [w1] = ws;
    const a1 = w1.agent!;
    let from = await script(a1, 'logon CORP\\alice security_key 1');
    const decided = await a1.waitFor('authorize.decided', WAIT_MS, from);
    assert.equal(decided.allowed, true, JSON.stringify(decided));
    assert.equal(decided.source, 'server');
    await a1.waitFor('events.sent', WAIT_MS, from);
    const [session] = await until(
      'the session of the logon',
      () => sessionsOf(w1.id),
      (s) => s.length === 1,
    );
    assert.equal(session.account, 'CORP\\alice');
    assert.equal(session.sessionId, '1');
    assert.equal(session.method, 'security_key');
    assert.equal(session.employee?.id, alice.id, JSON.stringify(session));
    assert.equal(session.employee?.email, alice.email);
    assert.equal(session.endedAt, null);
    assert.equal(session.lockCount, 0);
    assert.equal(session.workstation?.id, w1.id);

    from = await script(a1, 'lock 1');
    await a1.waitFor('events.sent', WAIT_MS, from);
    await until(
      'the session locked',
      () => sessionsOf(w1.id),
      (s) => s[0]?.isLocked === true,
    );
    from = await script(a1, 'unlock security_key 1');
    assert.equal((await a1.waitFor('authorize.decided', WAIT_MS, from)).allowed, true);
    await a1.waitFor('events.sent', WAIT_MS, from);
    const [unlocked] = await until(
      'the session unlocked',
      () => sessionsOf(w1.id),
      (s) => s[0]?.isLocked === false,
    );
    assert.equal(unlocked.lockCount, 1);
    assert.deepEqual(unlocked.methods, ['security_key']);
    assert.equal(unlocked.endedAt, null);
    assert.equal(unlocked.employee?.id, alice.id);
  });

  it('Lock now reaches the agent, which locks and acknowledges it', async (t) => {
    const [w1] = ws;
    const a1 = w1.agent!;
    const from = a1.lines().length;
    const issuedAt = Date.now();
    const issued = await ok('POST', `/api/workstations/${w1.id}/lock`, { reason: 'Lock now from the e2e test' }, 202);
    const locked = await a1.waitFor(msg('driver.lock', { sessionId: '1' }), WAIT_MS, from);
    const seenAt = Date.now();
    const byAgentClock = Date.parse(locked.time) - issuedAt;
    t.diagnostic(`Lock now: POST → driver.lock ${byAgentClock} ms by the agent's log timestamp, ${seenAt - issuedAt} ms until the test read the line`);
    assert.equal(locked.account, 'CORP\\alice');
    assert.equal((await a1.waitFor(msg('command.received', { id: issued.id }), WAIT_MS, from)).kind, 'lock');
    const acked = await a1.waitFor(msg('command.acked', { id: issued.id }), WAIT_MS, from);
    assert.equal(acked.status, 'done');
    assert.equal(acked.sent, true);
    const command = (
      await until(
        'the command done',
        () => commandsOf(w1.id),
        (items) => items.find((c: Json) => c.id === issued.id)?.state === 'done',
      )
    ).find((c: Json) => c.id === issued.id);
    assert.equal(command.kind, 'lock');
    assert.equal(command.reason, 'Lock now from the e2e test');
    assert.ok(command.acknowledgedAt);
    // The lock is an event of the session like any other.
    await until(
      'the session locked by the command',
      () => sessionsOf(w1.id),
      (s) => s[0]?.isLocked === true && s[0]?.lockCount === 2,
    );
    const from2 = await script(a1, 'unlock security_key 1');
    assert.equal((await a1.waitFor('authorize.decided', WAIT_MS, from2)).allowed, true);
    await until(
      'the session unlocked again',
      () => sessionsOf(w1.id),
      (s) => s[0]?.isLocked === false,
    );
  });

  it('disabling the employee locks the workstation, and the agent refuses to unlock it', async () => {
    const [w1] = ws;
    const a1 = w1.agent!;
    const from = a1.lines().length;
    const disabled = await ok('PATCH', `/api/employees/${alice.id}`, { status: 'disabled' }, 200);
    assert.equal(disabled.status, 'disabled');
    const received = await a1.waitFor(msg('command.received', { kind: 'lock' }), WAIT_MS, from);
    await a1.waitFor(msg('driver.lock', { sessionId: '1', account: 'CORP\\alice' }), WAIT_MS, from);
    assert.equal((await a1.waitFor(msg('command.acked', { id: received.id }), WAIT_MS, from)).status, 'done');
    const command = (
      await until(
        'the lock of the disabled employee done',
        () => commandsOf(w1.id),
        (items) => items.find((c: Json) => c.id === received.id)?.state === 'done',
      )
    ).find((c: Json) => c.id === received.id);
    assert.equal(command.kind, 'lock');
    assert.equal(command.reason, 'employee disabled');

    const from2 = await script(a1, 'unlock security_key 1');
    const refused = await a1.waitFor('driver.refused', WAIT_MS, from2);
    assert.equal(refused.code, 'workstations.employee_disabled', JSON.stringify(refused));
    assert.equal(refused.action, 'unlock');
    assert.equal((await a1.waitFor('authorize.decided', WAIT_MS, from2)).source, 'server');
    assert.equal(
      a1
        .lines()
        .slice(from2)
        .filter((l) => l.msg === 'event.queued').length,
      0,
      'a refused unlock sends no event',
    );
  });

  it('the emergency block locks every computer, one started afterwards too, and its lift is delivered', async (t) => {
    const [w1, w2] = ws;
    const a1 = w1.agent!;
    const a2 = w2.agent!;
    const from1 = a1.lines().length;
    const from2 = a2.lines().length;
    const issuedAt = Date.now();
    const on = await ok('POST', '/api/emergency-block', { confirmation: EMERGENCY_PHRASE, reason: 'e2e drill' }, 200);
    assert.equal(on.active, true);
    const version = on.version as number;
    for (const [a, from, account] of [
      [a1, from1, 'CORP\\alice'],
      [a2, from2, 'CORP\\bob'],
    ] as const) {
      const line = await a.waitFor('emergency.on', WAIT_MS, from);
      assert.equal(line.version, version);
      assert.equal(line.reason, 'e2e drill');
      await a.waitFor(msg('driver.lock', { sessionId: '1', account }), WAIT_MS, from);
      assert.equal((await a.waitFor(msg('command.acked', { id: `emergency:${version}` }), WAIT_MS, from)).status, 'done');
    }
    t.diagnostic(`emergency block: POST → both agents locked within ${Date.now() - issuedAt} ms (as the test read the lines)`);
    assert.equal((await ok('GET', `/api/workstations/${w2.id}`, undefined, 200)).status, 'pending', 'the waiting computer is held too, still waiting');

    // A computer enrolled, approved and started during the block gets it on connect.
    const w3 = await enrol(3);
    assert.equal((await ok('POST', `/api/workstations/${w3.id}/approve`, undefined, 200)).status, 'approved');
    const a3 = startAgent({ server: base, stateDir: w3.dir });
    agents.push(a3);
    w3.agent = a3;
    const onConnect = await a3.waitFor('emergency.on', 30_000);
    assert.equal(onConnect.version, version);
    assert.notEqual(onConnect.cached, true, 'from the server, not from a cache it cannot have');
    const connectedAt = a3.lines().findIndex((l) => l.msg === 'channel.connected');
    assert.ok(connectedAt >= 0 && connectedAt < a3.lines().indexOf(onConnect), 'received on the channel');
    assert.equal((await a3.waitFor(msg('command.acked', { id: `emergency:${version}` }), WAIT_MS)).status, 'done');

    // Nobody gets in anywhere: the agents refuse without asking.
    for (const [a, line, account] of [
      [a3, 'logon CORP\\bob security_key', 'CORP\\bob'],
      [a1, 'unlock security_key 1', 'CORP\\alice'],
      [a2, 'unlock password 1', 'CORP\\bob'],
    ] as const) {
      const from = await script(a, line);
      const refused = await a.waitFor('driver.refused', WAIT_MS, from);
      assert.equal(refused.code, 'workstations.emergency_block', `${line}: ${JSON.stringify(refused)}`);
      assert.equal(refused.account, account);
      assert.equal((await a.waitFor('authorize.decided', WAIT_MS, from)).source, 'local');
    }
    const state = await until(
      'every computer acknowledged the block',
      () => ok('GET', '/api/emergency-block', undefined, 200),
      (s) => s.acknowledged === 3,
    );
    assert.equal(state.active, true);
    assert.equal(state.workstations, 3);
    assert.equal(state.reason, 'e2e drill');

    // The lift reaches all three.
    const marks = [a1, a2, a3].map((a) => a.lines().length);
    const off = await ok('POST', '/api/emergency-block/lift', { reason: 'drill over' }, 200);
    assert.equal(off.active, false);
    assert.ok(off.version > version);
    for (const [i, a] of [a1, a2, a3].entries()) {
      assert.equal((await a.waitFor('emergency.off', WAIT_MS, marks[i])).version, off.version);
      assert.equal((await a.waitFor(msg('command.acked', { id: `emergency:${off.version}` }), WAIT_MS, marks[i])).status, 'done');
    }
    const lifted = await until(
      'every computer acknowledged the lift',
      () => ok('GET', '/api/emergency-block', undefined, 200),
      (s) => s.acknowledged === 3,
    );
    assert.equal(lifted.active, false);
    assert.equal(lifted.workstations, 3);
    assert.equal(lifted.version, off.version);

    // After the lift Tessera decides again: bob signs in at the new computer, alice stays disabled.
    let from = await script(a3, 'logon CORP\\bob security_key 1');
    const allowed = await a3.waitFor('authorize.decided', WAIT_MS, from);
    assert.equal(allowed.allowed, true, JSON.stringify(allowed));
    assert.equal(allowed.source, 'server');
    const [bobs] = await until(
      "bob's session at the new computer",
      () => sessionsOf(w3.id),
      (s) => s.length === 1,
    );
    assert.equal(bobs.employee?.id, bob.id);
    from = await script(a1, 'unlock security_key 1');
    assert.equal((await a1.waitFor('driver.refused', WAIT_MS, from)).code, 'workstations.employee_disabled');
  });
});
