import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import WebSocket from 'ws';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { enrollSoftwareAgent } from '../../test/helpers/software-agent.js';

/** The agent's requests, each with a fresh assertion (or the one given). */
async function softwareAgent(t: TestApp, token: string) {
  const agent = await enrollSoftwareAgent(t.app, { token });
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown, bearer?: string) => {
    const r = await t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${bearer ?? (await agent.assertion())}` },
      ...(payload ? { payload: payload as never } : {}),
    });
    return { status: r.statusCode, body: r.body ? r.json() : undefined };
  };
  return { ...agent, call };
}

const event = (type: string, at: Date, extra: Record<string, unknown> = {}) => ({ id: crypto.randomUUID(), type, at: at.toISOString(), ...extra });

for (const engine of ENGINES) {
  describe(`Workstations and their agents (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let token: string;
    let url: string;

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      const created = await admin.post('/api/workstation-enrolment-tokens', { name: 'Rollout', maxUses: 10, validHours: 2 });
      assert.equal(created.status, 201);
      token = created.body.secret;
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      url = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(() => t.close());

    it('enrols as pending; a pending workstation may read its status but not report events', async () => {
      const agent = await softwareAgent(t, token);
      assert.equal(agent.status, 'pending');
      const status = await agent.call('GET', '/api/agent/v1/status');
      assert.equal(status.status, 200);
      assert.equal(status.body.status, 'pending');
      assert.equal(status.body.profile, null);
      const events = await agent.call('POST', '/api/agent/v1/events', { events: [event('logon', new Date(), { account: 'CORP\\alice', method: 'password' })] });
      assert.equal(events.status, 403);
      assert.equal(events.body.error.code, 'agent.not_approved');
      const list = await admin.get('/api/workstations?status=pending');
      assert.ok(list.body.items.some((w: { id: string }) => w.id === agent.workstationId));
    });

    it('refuses a bad token with one answer, and a used-up one', async () => {
      const once = (await admin.post('/api/workstation-enrolment-tokens', { name: 'One', maxUses: 1 })).body.secret;
      await softwareAgent(t, once);
      const { publicKey } = await generateKeyPair('ES256', { extractable: true });
      const jwk = await exportJWK(publicKey);
      for (const tok of [once, 'te_nope', `${token}x`]) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/agent/v1/enroll',
          payload: {
            token: tok,
            publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
            facts: { hostname: 'X', domain: null, osName: 'Linux', osVersion: '1', agentVersion: '1', machineId: crypto.randomUUID() },
          },
        });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error.code, 'workstations.token_invalid');
      }
    });

    it('refuses replayed, foreign-audience, long-lived, future, wrongly signed and revoked assertions', async () => {
      const agent = await softwareAgent(t, token);
      const replayed = await agent.assertion();
      assert.equal((await agent.call('GET', '/api/agent/v1/status', undefined, replayed)).status, 200);
      const refusals = [
        replayed,
        await agent.assertion({ audience: 'https://elsewhere.example' }),
        await agent.assertion({ lifetime: 61 }),
        await agent.assertion({ iat: Math.floor(Date.now() / 1000) - 120 }),
        await agent.assertion({ iat: Math.floor(Date.now() / 1000) + 120 }),
        await agent.assertion({ key: (await generateKeyPair('ES256')).privateKey }),
        'not-a-jws',
      ];
      for (const bearer of refusals) {
        const res = await agent.call('GET', '/api/agent/v1/status', undefined, bearer);
        assert.equal(res.status, 401, bearer);
        assert.equal(res.body.error.code, 'agent.assertion_invalid');
      }
      assert.equal((await admin.delete(`/api/workstations/${agent.workstationId}`)).status, 204);
      assert.equal((await agent.call('GET', '/api/agent/v1/status')).status, 401, 'a removed workstation is refused at once');
      // An API key or an admin cookie is no agent.
      const key = (await admin.post('/api/api-keys', { name: 'k', scope: 'admin' })).body.secret;
      assert.equal((await agent.call('GET', '/api/agent/v1/status', undefined, key)).status, 401);
      assert.equal((await admin.get('/api/agent/v1/status')).status, 401);
    });

    it('turns events into sessions, once per idempotency key, and refuses a bad batch whole', async () => {
      const agent = await softwareAgent(t, token);
      await admin.post(`/api/workstations/${agent.workstationId}/approve`);
      const start = new Date(Date.now() - 3600_000);
      const at = (min: number) => new Date(start.getTime() + min * 60_000);
      const batch = [
        event('logon', at(0), { account: 'CORP\\alice', method: 'security_key', sessionId: '2' }),
        event('lock', at(10), { account: 'CORP\\alice', sessionId: '2' }),
        event('unlock', at(15), { account: 'CORP\\alice', method: 'passkey', sessionId: '2' }),
        event('logoff', at(30), { account: 'CORP\\alice', sessionId: '2' }),
      ];
      const first = await agent.call('POST', '/api/agent/v1/events', { events: batch });
      assert.deepEqual(first.body, { accepted: 4, duplicates: 0 });
      const again = await agent.call('POST', '/api/agent/v1/events', { events: batch });
      assert.deepEqual(again.body, { accepted: 0, duplicates: 4 });
      const sessions = await admin.get(`/api/workstation-sessions?workstationId=${agent.workstationId}`);
      assert.equal(sessions.body.total, 1);
      const s = sessions.body.items[0];
      assert.equal(s.durationSeconds, 1800);
      assert.equal(s.lockedSeconds, 300);
      assert.deepEqual(s.methods, ['security_key', 'passkey']);

      for (const bad of [
        { events: [event('logon', new Date(), { account: 'CORP\\bob' }), { ...event('logon', new Date()), workstationId: crypto.randomUUID() }] },
        { events: [event('logon', new Date(Date.now() + 3600_000), { account: 'CORP\\bob' })] },
        { events: [event('teleport', new Date(), { account: 'CORP\\bob' })] },
        { events: [event('logon', new Date(), { account: 'CORP\\bo\u0007b' })] },
        { events: Array.from({ length: 501 }, () => event('agent_start', new Date())) },
        { events: [] },
      ]) {
        const res = await agent.call('POST', '/api/agent/v1/events', bad);
        assert.equal(res.status, 400, JSON.stringify(bad).slice(0, 200));
      }
      const events = await admin.get(`/api/workstation-events?workstationId=${agent.workstationId}`);
      assert.equal(events.body.total, 4, 'nothing of the refused batches was stored');
      const summary = await admin.get('/api/workstation-sessions/summary?groupBy=workstation');
      assert.ok(summary.body.items.some((r: { key: string; sessions: number }) => r.key === agent.workstationId && r.sessions === 1));
      const csv = await admin.get(`/api/workstation-sessions/export.csv?workstationId=${agent.workstationId}`);
      assert.equal(csv.status, 200);
      assert.match(csv.raw, /^startedAt,endedAt,workstation/);
    });

    it('ends the sessions open when the agent starts again, and goes on with those the agent reports again', async () => {
      const agent = await softwareAgent(t, token);
      await admin.post(`/api/workstations/${agent.workstationId}/approve`);
      const start = new Date(Date.now() - 3600_000);
      const at = (min: number) => new Date(start.getTime() + min * 60_000);
      const post = (events: unknown[]) => agent.call('POST', '/api/agent/v1/events', { events });
      await post([
        event('logon', at(0), { account: 'CORP\\carol', method: 'security_key', sessionId: '5' }),
        event('logon', at(1), { account: 'CORP\\dan', method: 'password', sessionId: '6' }),
        event('lock', at(5), { account: 'CORP\\dan', sessionId: '6' }),
      ]);
      // The computer restarted: the agent starts and reports carol's session, still there; dan's is gone.
      await post([event('agent_start', at(10)), event('logon', at(10), { account: 'CORP\\carol', method: 'unknown', sessionId: '5' })]);
      const sessions = (await admin.get(`/api/workstation-sessions?workstationId=${agent.workstationId}`)).body.items as {
        account: string;
        endedAt: string | null;
        endReason: string | null;
        lockedSeconds: number;
        method: string;
      }[];
      assert.equal(sessions.length, 2, 'no new session for the one that went on');
      const carol = sessions.find((x) => x.account === 'CORP\\carol')!;
      const dan = sessions.find((x) => x.account === 'CORP\\dan')!;
      assert.equal(carol.endedAt, null);
      assert.equal(carol.method, 'security_key', 'the session keeps the method of its logon');
      assert.equal(dan.endedAt, at(10).toISOString());
      assert.equal(dan.endReason, 'agent_restart');
      assert.equal(dan.lockedSeconds, 300, 'locked from the lock until the restart');
    });

    it('locks the computers of a disabled or deleted employee, not of a deactivated one unless the profile says so, and answers unlock accordingly', async () => {
      const agent = await softwareAgent(t, token);
      await admin.post(`/api/workstations/${agent.workstationId}/approve`);
      const commands = async () => (await admin.get(`/api/workstations/${agent.workstationId}/commands`)).body.items as { kind: string; reason: string }[];
      const person = async (name: string) => {
        const e = await admin.post('/api/employees', { email: `${name}@corp.example`, firstName: name, lastName: 'Tester' });
        assert.equal(e.status, 201, e.raw);
        // A UPN the directory does not know is matched by e-mail.
        const logon = await agent.call('POST', '/api/agent/v1/events', {
          events: [event('logon', new Date(), { account: `${name}@corp.example`, method: 'security_key', sessionId: name })],
        });
        assert.equal(logon.body.accepted, 1);
        return e.body.id as string;
      };
      const ask = async (account: string) =>
        (await agent.call('POST', '/api/agent/v1/authorize', { account, action: 'unlock', method: 'security_key' })).body as { allowed: boolean; code: string };

      const dora = await person('dora');
      const sessions = await admin.get(`/api/workstation-sessions?employeeId=${dora}&open=true`);
      assert.equal(sessions.body.total, 1, 'the logon became a session of the employee');
      assert.equal((await ask('dora@corp.example')).allowed, true);
      assert.equal((await ask('nobody@corp.example')).code, 'workstations.unknown_account');

      const before = (await commands()).length;
      assert.equal((await admin.patch(`/api/employees/${dora}`, { status: 'deactivated' })).status, 200);
      assert.equal((await commands()).length, before, 'a deactivated employee keeps the computer (default profile)');
      assert.equal((await ask('dora@corp.example')).allowed, true);
      assert.equal((await admin.patch(`/api/employees/${dora}`, { status: 'disabled' })).status, 200);
      const afterDisable = await commands();
      assert.equal(afterDisable.length, before + 1);
      assert.equal(afterDisable[0].kind, 'lock');
      assert.equal(afterDisable[0].reason, 'employee disabled');
      assert.equal((await ask('dora@corp.example')).code, 'workstations.employee_disabled');

      // A profile that takes the computer from deactivated employees, and locks when an admin ends sessions.
      const strict = await admin.post('/api/workstation-profiles', {
        name: `Strict ${engine}`,
        deactivatedEmployeesMayUnlock: false,
        unlockMethods: ['security_key'],
      });
      assert.equal(strict.status, 201, strict.raw);
      assert.equal((await admin.patch(`/api/workstations/${agent.workstationId}`, { profileId: strict.body.id })).status, 200);
      assert.equal((await agent.call('GET', '/api/agent/v1/status')).body.profile.name, `Strict ${engine}`);
      const inForce = await admin.get(`/api/workstations?profileId=${strict.body.id}`);
      assert.deepEqual(
        inForce.body.items.map((w: { id: string }) => w.id),
        [agent.workstationId],
      );
      const erin = await person('erin');
      assert.equal(
        (await agent.call('POST', '/api/agent/v1/authorize', { account: 'erin@corp.example', action: 'unlock', method: 'password' })).body.code,
        'workstations.method_not_allowed',
      );
      assert.equal((await admin.post(`/api/employees/${erin}/end-sessions`)).status, 204);
      assert.equal((await commands())[0].reason, 'employee sessions ended by an admin');
      assert.equal((await admin.patch(`/api/employees/${erin}`, { status: 'deactivated' })).status, 200);
      assert.equal((await commands())[0].reason, 'employee deactivated');
      const fay = await person('fay');
      const count = (await commands()).length;
      assert.equal((await admin.delete(`/api/employees/${fay}`)).status, 204);
      assert.equal((await commands()).length, count + 1);
      assert.equal((await commands())[0].reason, 'employee deleted');
    });

    it('delivers Lock now over the channel, and the emergency block to agents that connect later', async () => {
      const agent = await softwareAgent(t, token);
      await admin.post(`/api/workstations/${agent.workstationId}/approve`);
      const frames: { type: string; id?: string; kind?: string }[] = [];
      const socket = new WebSocket(`${url}/api/agent/v1/channel`, { headers: { authorization: `Bearer ${await agent.assertion()}` } });
      socket.on('message', (d) => {
        const f = JSON.parse(String(d));
        frames.push(f);
        if (f.type === 'command') socket.send(JSON.stringify({ type: 'ack', id: f.id, status: 'done' }));
      });
      // Up to 20 s: a loaded 2-core machine (CI beside browser suites) took more than 5 s for a frame.
      const waitFor = async (pred: (f: (typeof frames)[number]) => boolean) => {
        for (let i = 0; i < 800; i++) {
          const f = frames.find(pred);
          if (f) return f;
          await new Promise((r) => setTimeout(r, 25));
        }
        assert.fail(`no such frame; got ${JSON.stringify(frames)}`);
      };
      await waitFor((f) => f.type === 'hello');
      const issued = await admin.post(`/api/workstations/${agent.workstationId}/lock`, { reason: 'test' });
      assert.equal(issued.status, 202);
      await waitFor((f) => f.type === 'command' && f.id === issued.body.id);
      let commands: { id: string; state: string }[] = [];
      for (let i = 0; i < 100 && commands[0]?.state !== 'done'; i++) {
        commands = (await admin.get(`/api/workstations/${agent.workstationId}/commands`)).body.items;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(commands[0].state, 'done');

      const wrongPhrase = await admin.post('/api/emergency-block', { confirmation: 'yes', reason: 'drill' });
      assert.equal(wrongPhrase.body.error.code, 'workstations.emergency_confirmation');
      const on = await admin.post('/api/emergency-block', { confirmation: 'BLOCK ALL WORKSTATIONS', reason: 'drill' });
      assert.equal(on.status, 200);
      await waitFor((f) => f.kind === 'emergency_block');
      const later = await softwareAgent(t, token);
      await admin.post(`/api/workstations/${later.workstationId}/approve`);
      const denied = await later.call('POST', '/api/agent/v1/authorize', { account: 'CORP\\alice', action: 'unlock', method: 'security_key' });
      assert.equal(denied.body.allowed, false);
      assert.equal(denied.body.code, 'workstations.emergency_block');
      const lift = await admin.post('/api/emergency-block/lift', { reason: 'drill over' });
      assert.equal(lift.status, 200);
      assert.equal(lift.body.active, false);
      await waitFor((f) => f.kind === 'emergency_lift');
      socket.close();
    });
  });
}
