import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ApiError, UnreachableError } from '../../agent/src/api.js';
import { BoundedSet, createCommandRunner } from '../../agent/src/commands.js';
import type { SessionEvent } from '../../agent/src/drivers/driver.js';
import { createScriptedDriver, parseScriptLine } from '../../agent/src/drivers/scripted.js';
import { createEventQueue } from '../../agent/src/events.js';
import { createLogger } from '../../agent/src/log.js';
import { createPolicy } from '../../agent/src/policy.js';
import type { AgentEvent, AuthorizeRequest } from '../../agent/src/protocol.js';
import { EMPTY_POLICY } from '../../agent/src/state.js';

/** The agent's rules without a process: the event queue, commands, decisions and the scripted driver. */
function memoryLog() {
  const lines: ({ msg: string } & Record<string, unknown>)[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(JSON.parse(l)) }) };
}

describe('event queue (§6)', () => {
  const ev = (n: number) => ({ type: 'lock' as const, account: 'CORP\\alice', sessionId: String(n) });

  it('sends nothing until enabled, then batches of at most 500 in order', async () => {
    const batches: AgentEvent[][] = [];
    const { log, lines } = memoryLog();
    const q = createEventQueue({
      send: async (b) => {
        batches.push(b);
        return { accepted: b.length, duplicates: 0 };
      },
      log,
    });
    for (let i = 0; i < 1200; i++) q.push(ev(i));
    assert.equal(await q.flush(), false);
    assert.equal(batches.length, 0);
    q.setEnabled(true);
    assert.equal(await q.flush(), true);
    assert.deepEqual(
      batches.map((b) => b.length),
      [500, 500, 200],
    );
    assert.deepEqual(
      batches.flat().map((e) => e.sessionId),
      Array.from({ length: 1200 }, (_, i) => String(i)),
    );
    assert.equal(new Set(batches.flat().map((e) => e.id)).size, 1200);
    assert.deepEqual(
      lines.filter((l) => l.msg === 'events.sent').map((l) => l.count),
      [500, 500, 200],
    );
  });

  it('keeps a batch that failed and sends it again with the same ids', async () => {
    const attempts: string[][] = [];
    let fail = true;
    const q = createEventQueue({
      send: async (b) => {
        attempts.push(b.map((e) => e.id));
        if (fail) throw new UnreachableError('down');
        return { accepted: b.length, duplicates: 0 };
      },
      log: memoryLog().log,
    });
    q.setEnabled(true);
    q.push(ev(1));
    q.push({ ...ev(2), id: 'boot:2:logon' });
    assert.equal(await q.flush(), false);
    assert.equal(q.size(), 2);
    fail = false;
    assert.equal(await q.flush(), true);
    assert.deepEqual(attempts[0], attempts[1]);
    assert.equal(attempts[0][1], 'boot:2:logon', 'an id the driver chose is kept');
    assert.match(attempts[0][0], /^[A-Za-z0-9_-]{22}$/);
  });

  it('drops the oldest beyond 10,000 queued events, with a log line', () => {
    const { log, lines } = memoryLog();
    const q = createEventQueue({ send: async () => ({ accepted: 0, duplicates: 0 }), log });
    for (let i = 0; i < 10_005; i++) q.push(ev(i));
    assert.equal(q.size(), 10_000);
    assert.equal(q.pending()[0].sessionId, '5');
    const dropped = lines.filter((l) => l.msg === 'events.dropped');
    assert.equal(dropped.length, 5);
    assert.equal(dropped[0].reason, 'queue_full');
  });

  it('finds and drops the one event Tessera refuses (400), delivering the rest of its batch', async () => {
    const delivered: string[] = [];
    const { log, lines } = memoryLog();
    const q = createEventQueue({
      send: async (b) => {
        if (b.some((e) => e.sessionId === '13')) throw new ApiError(400, 'workstations.events_invalid', 'bad event');
        delivered.push(...b.map((e) => e.sessionId!));
        return { accepted: b.length, duplicates: 0 };
      },
      log,
    });
    q.setEnabled(true);
    for (let i = 0; i < 40; i++) q.push(ev(i));
    assert.equal(await q.flush(), true);
    assert.equal(delivered.length, 39);
    assert.ok(!delivered.includes('13'));
    assert.equal(lines.find((l) => l.msg === 'events.dropped')!.reason, 'refused');
  });
});

describe('commands (§5)', () => {
  function runner() {
    const locks: (string | undefined)[] = [];
    const { log } = memoryLog();
    let failNext = false;
    let emergency = { active: false, version: 0, reason: null as string | null };
    const r = createCommandRunner(
      {
        driver: {
          lock: async (id) => {
            if (failNext) {
              failNext = false;
              throw new Error('loginctl failed');
            }
            locks.push(id);
          },
          logoff: async () => {},
        },
        log,
        refresh: async () => {},
        applyEmergency: async (e) => {
          emergency = e;
        },
        emergency: () => emergency,
      },
      3,
    );
    return { r, locks, failOnce: () => (failNext = true), emergency: () => emergency };
  }

  it('carries out a command id once and answers a repeat "done"', async () => {
    const { r, locks } = runner();
    assert.deepEqual(await r.run({ id: 'c1', kind: 'lock', payload: { sessionId: '2' } }), { type: 'ack', id: 'c1', status: 'done' });
    assert.deepEqual(await r.run({ id: 'c1', kind: 'lock', payload: { sessionId: '2' } }), {
      type: 'ack',
      id: 'c1',
      status: 'done',
      detail: 'already carried out',
    });
    assert.deepEqual(locks, ['2']);
  });

  it('acknowledges a failure "failed" and carries it out again when it comes back', async () => {
    const { r, locks, failOnce } = runner();
    failOnce();
    assert.equal((await r.run({ id: 'c2', kind: 'lock', payload: null })).status, 'failed');
    assert.equal((await r.run({ id: 'c2', kind: 'lock', payload: null })).status, 'done');
    assert.deepEqual(locks, [undefined]);
  });

  it('rejects a kind it does not know, and a delivery when it has no way to take one', async () => {
    const { r } = runner();
    const ack = await r.run({ id: 'c3', kind: 'reboot_computer', payload: {} });
    assert.equal(ack.status, 'rejected');
    assert.match(ack.detail!, /reboot_computer/);
    // This runner has no acceptDelivery (an agent without a key reader): Tessera learns it cannot deliver here.
    const delivery = await r.run({ id: 'c4', kind: 'deliver_credentials', payload: {} });
    assert.equal(delivery.status, 'rejected');
    assert.match(delivery.detail!, /no credential deliveries/);
  });

  it('reads the emergency version from the command id emergency:<version>', async () => {
    const { r, emergency } = runner();
    await r.run({ id: 'emergency:7', kind: 'emergency_block', payload: { reason: 'incident' } });
    assert.deepEqual(emergency(), { active: true, version: 7, reason: 'incident' });
    await r.run({ id: 'emergency:8', kind: 'emergency_lift', payload: null });
    assert.deepEqual(emergency(), { active: false, version: 8, reason: null });
  });

  it('remembers a bounded number of ids, forgetting the oldest', () => {
    const s = new BoundedSet(2);
    s.add('a');
    s.add('b');
    s.add('c');
    assert.deepEqual([s.has('a'), s.has('b'), s.has('c'), s.size], [false, true, true, 2]);
  });
});

describe('policy decisions (§7)', () => {
  const profile = {
    id: 'p',
    name: 'Office',
    idleLockMinutes: 10,
    lockOnSessionEnd: true,
    unlockMethods: ['security_key' as const],
    rdpAllowed: false,
    offlineLogonDays: 7,
    deactivatedEmployeesMayUnlock: true,
  };
  function policy(authorize: (r: AuthorizeRequest) => Promise<{ allowed: boolean; code: string | null; reason: string | null }>, now = { t: 0 }) {
    const saved: unknown[] = [];
    const p = createPolicy({
      initial: { ...EMPTY_POLICY, status: 'approved', profile },
      persist: (s) => saved.push(structuredClone(s)),
      api: { authorize: async (r) => ({ ...(await authorize(r)), employee: null }) },
      log: memoryLog().log,
      clock: () => now.t,
    });
    return { p, saved };
  }
  const down = async (): Promise<never> => {
    throw new UnreachableError('down');
  };

  it('remembers a successful authorize and lets that account in offline within offlineLogonDays, not after', async () => {
    const now = { t: Date.parse('2026-12-01T08:00:00Z') };
    let isDown = false;
    const { p, saved } = policy(async () => (isDown ? down() : { allowed: true, code: null, reason: null }), now);
    assert.equal((await p.decide({ account: 'CORP\\Alice', action: 'logon', method: 'security_key' })).source, 'server');
    assert.ok(saved.length > 0, 'kept in cache.json for a restart without network');
    isDown = true;
    now.t += 6 * 86_400_000;
    assert.deepEqual(await p.decide({ account: 'corp\\alice', action: 'unlock', method: 'security_key' }), {
      allowed: true,
      code: null,
      reason: null,
      source: 'offline',
    });
    assert.equal((await p.decide({ account: 'CORP\\alice', action: 'unlock', method: 'password' })).code, 'agent.offline_method_not_allowed');
    assert.equal((await p.decide({ account: 'CORP\\alice', action: 'rdp', method: 'security_key' })).code, 'agent.offline_rdp_not_allowed');
    assert.equal((await p.decide({ account: 'CORP\\bob', action: 'logon', method: 'security_key' })).code, 'agent.offline_not_recent');
    now.t += 2 * 86_400_000;
    assert.equal((await p.decide({ account: 'CORP\\alice', action: 'logon', method: 'security_key' })).code, 'agent.offline_not_recent');
  });

  it("takes Tessera's refusal as it is, and a 5xx as Tessera being down", async () => {
    const refused = policy(async () => {
      throw new ApiError(401, 'agent.assertion_invalid', 'no');
    });
    assert.deepEqual(await refused.p.decide({ account: 'a', action: 'logon', method: 'security_key' }), {
      allowed: false,
      code: 'agent.assertion_invalid',
      reason: 'no',
      source: 'server',
    });
    const broken = policy(async () => {
      throw new ApiError(502, 'http.502', 'bad gateway');
    });
    assert.equal((await broken.p.decide({ account: 'a', action: 'logon', method: 'security_key' })).source, 'offline');
  });

  it('refuses everything under the emergency block without asking, and ignores a stale block or lift', async () => {
    let asked = 0;
    const { p } = policy(async () => {
      asked++;
      return { allowed: true, code: null, reason: null };
    });
    assert.equal(p.setEmergency({ active: true, version: 3, reason: 'incident' }), true);
    assert.equal((await p.decide({ account: 'a', action: 'unlock', method: 'security_key' })).code, 'workstations.emergency_block');
    assert.equal(asked, 0);
    assert.equal(p.setEmergency({ active: false, version: 2, reason: null }), false, 'an older lift does not end a newer block');
    assert.equal(p.emergency().active, true);
  });

  it('lets people in on a workstation that is not approved yet, which Tessera does not decide for, except during the emergency block', async () => {
    const { p } = policy(down);
    p.setStatus('pending');
    assert.equal((await p.decide({ account: 'a', action: 'logon', method: 'password' })).source, 'unmanaged');
    // The block holds every computer with the agent: Tessera sends it, and its lift, to pending ones too.
    p.setEmergency({ active: true, version: 1, reason: 'incident' });
    assert.equal((await p.decide({ account: 'a', action: 'unlock', method: 'password' })).code, 'workstations.emergency_block');
  });
});

describe('scripted driver', () => {
  it('parses the script lines and refuses malformed ones with their usage', () => {
    assert.deepEqual(parseScriptLine('logon CORP\\alice security_key'), {
      kind: 'logon',
      account: 'CORP\\alice',
      method: 'security_key',
      sessionId: undefined,
    });
    assert.deepEqual(parseScriptLine('  rdp-connect alice@corp.example.com passkey 7 '), {
      kind: 'rdp-connect',
      account: 'alice@corp.example.com',
      method: 'passkey',
      sessionId: '7',
    });
    assert.deepEqual(parseScriptLine('unlock smart_card 3'), { kind: 'unlock', method: 'smart_card', sessionId: '3' });
    assert.deepEqual(parseScriptLine('lock'), { kind: 'lock', sessionId: undefined });
    assert.deepEqual(parseScriptLine('rdp-disconnect 7'), { kind: 'rdp-disconnect', sessionId: '7' });
    assert.deepEqual(parseScriptLine('switch CORP\\bob'), { kind: 'switch', account: 'CORP\\bob' });
    assert.deepEqual(parseScriptLine('idle 12.5'), { kind: 'idle', minutes: 12.5 });
    assert.equal(parseScriptLine('   '), null);
    assert.equal(parseScriptLine('# a comment'), null);
    assert.throws(() => parseScriptLine('logon CORP\\alice retina'), /method must be one of/);
    assert.throws(() => parseScriptLine('logon'), /usage: logon <ACCOUNT> <method> \[sessionId\]/);
    assert.throws(() => parseScriptLine('idle soon'), /idle minutes/);
    assert.throws(() => parseScriptLine('dance'), /unknown command dance/);
  });

  it('plays sessions: logon, switch, lock, unlock, rdp and logoff become events; refused ones do not', async () => {
    const input = new PassThrough();
    const { log, lines } = memoryLog();
    const events: SessionEvent[] = [];
    const driver = createScriptedDriver({ log, input });
    await driver.start({
      onEvent: (e) => events.push(e),
      authorize: async ({ account }) =>
        account === 'CORP\\eve' ? { allowed: false, code: 'workstations.employee_disabled', reason: 'disabled' } : { allowed: true, code: null, reason: null },
      onIdleChanged: () => {},
    });
    const script = [
      'logon CORP\\alice security_key',
      'logon CORP\\eve passkey',
      'logon CORP\\bob passkey',
      'switch CORP\\alice',
      'lock',
      'unlock security_key',
      'rdp-connect CORP\\carol passkey 9',
      'rdp-disconnect',
      'logoff 3',
      'unlock passkey',
    ];
    input.end(`${script.join('\n')}\n`);
    const deadline = Date.now() + 5000;
    while (!lines.some((l) => l.msg === 'script.end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      events.map((e) => [e.type, e.account, e.sessionId, e.method ?? null]),
      [
        ['logon', 'CORP\\alice', '1', 'security_key'],
        ['logon', 'CORP\\bob', '2', 'passkey'],
        ['session_switch', 'CORP\\alice', '1', null],
        ['lock', 'CORP\\alice', '1', null],
        ['unlock', 'CORP\\alice', '1', 'security_key'],
        ['remote_connect', 'CORP\\carol', '9', 'passkey'],
        ['remote_disconnect', 'CORP\\carol', '9', null],
      ],
    );
    assert.deepEqual(
      lines.filter((l) => l.msg === 'driver.refused').map((l) => [l.account, l.code]),
      [['CORP\\eve', 'workstations.employee_disabled']],
    );
    assert.deepEqual(
      lines.filter((l) => l.msg === 'script.invalid').map((l) => l.line),
      ['logoff 3', 'unlock passkey'],
    );
    await driver.lock();
    assert.deepEqual(
      (await driver.listSessions()).map((s) => [s.id, s.isLocked]),
      [
        ['1', true],
        ['2', true],
      ],
    );
    await driver.logoff('2');
    assert.deepEqual(
      lines.filter((l) => l.msg.startsWith('driver.') && l.msg !== 'driver.refused').map((l) => [l.msg, l.sessionId]),
      [
        ['driver.lock', '1'],
        ['driver.lock', '2'],
        ['driver.logoff', '2'],
      ],
    );
    assert.deepEqual(events.at(-1), { type: 'logoff', account: 'CORP\\bob', sessionId: '2', remoteAddress: null });
    await driver.stop();
  });
});
