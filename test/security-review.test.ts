/**
 * Findings of the second review of issue 11, each as the attack that got through.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { App } from '../src/http/types.js';
import { loadConfig } from '../src/config/config.js';
import { checkReturnTo } from '../src/lib/return-to.js';
import { Client, createTestApp, manualClock, type TestApp } from './helpers/app.js';

/** A browser-like client whose requests reach the server from `remoteAddress` with these headers. */
const clientVia = (t: TestApp, remoteAddress: string, headers: Record<string, string> = {}) =>
  new Client({
    inject: (opts: { headers?: Record<string, string> }) => t.app.inject({ ...opts, remoteAddress, headers: { ...opts.headers, ...headers } }),
  } as unknown as App);

const wrongLogin = (c: Client, i: number) => c.post('/api/auth/login', { email: `ghost${i}@corp.example`, password: `not the password ${i}` });

describe('TRUST_PROXY=true behind a reverse proxy', () => {
  const LIMIT = 3;
  let t: TestApp;
  before(async () => {
    // A clock that stands still: the credential budget is per minute (a fixed window), and a run
    // that crossed a minute's turn would find a fresh budget.
    t = await createTestApp({ clock: manualClock(new Date()), credentialLimit: LIMIT, signInRateLimit: 1000, env: { TRUST_PROXY: 'true' } });
  });
  after(() => t.close());

  it('takes the address the proxy saw, not the one a client wrote at the start of X-Forwarded-For', async () => {
    // A proxy such as nginx ($proxy_add_x_forwarded_for) appends the address it saw to what the client sent.
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      const c = clientVia(t, '10.0.0.2', { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.9` });
      statuses.push((await wrongLogin(c, i)).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429], 'a made-up X-Forwarded-For entry does not open a new credential budget');
    await t.services.audit.flush();
    const failures = await t.services.audit.find({ action: 'admin.sign_in', outcome: 'failure' }, { offset: 0, limit: 10 });
    assert.ok(failures.items.length > 0);
    for (const row of failures.items) assert.equal(row.ip, '203.0.113.9', 'the audit log names the client the proxy saw');
  });

  it('does not take X-Forwarded-For from a client that reaches the server directly (a public peer is no proxy)', async () => {
    const direct = await t.app.inject({
      method: 'GET',
      url: '/api/employees',
      remoteAddress: '198.51.100.77',
      headers: { 'x-forwarded-for': '192.0.2.1', authorization: 'Bearer made-up' },
    });
    assert.equal(direct.statusCode, 401);
    await t.services.audit.flush();
    const { items } = await t.services.audit.find({ action: 'api_key.auth_failed' }, { offset: 0, limit: 10 });
    assert.deepEqual(
      items.map((r) => r.ip),
      ['198.51.100.77'],
    );
  });

  it('reads "true" as one proxy in front; a hop count or addresses are taken as written', async () => {
    const trust = (v: string) => loadConfig({ PUBLIC_URL: 'http://localhost:8080', DATA_DIR: '/nonexistent', TRUST_PROXY: v }).trustProxy;
    assert.equal(trust('true'), 1);
    assert.equal(trust('2'), 2);
    assert.equal(trust('false'), false);
    assert.equal(trust('10.0.0.0/8'), '10.0.0.0/8');
    const two = await createTestApp({ env: { TRUST_PROXY: '2' } });
    try {
      await two.app.inject({
        method: 'GET',
        url: '/api/employees',
        remoteAddress: '::ffff:10.0.0.2',
        headers: { 'x-forwarded-for': '192.0.2.1, 203.0.113.50, 172.16.3.4', authorization: 'Bearer made-up' },
      });
      await two.services.audit.flush();
      const { items } = await two.services.audit.find({ action: 'api_key.auth_failed' }, { offset: 0, limit: 10 });
      assert.deepEqual(
        items.map((r) => r.ip),
        ['203.0.113.50'],
        'two proxies on private networks, then the client',
      );
    } finally {
      await two.close();
    }
  });
});

describe('an IPv6 /64 is one client', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ signInRateLimit: 3 });
  });
  after(() => t.close());

  it('shares the per-IP sign-in rate limit among the addresses of a /64 (held: @fastify/rate-limit groups IPv6 by subnet)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await wrongLogin(clientVia(t, `2001:db8:7:7::${(i + 1).toString(16)}`), i)).status);
    assert.deepEqual(
      statuses.map((s) => s === 429),
      [false, false, false, true, true],
      statuses.join(' '),
    );
    assert.notEqual((await wrongLogin(clientVia(t, '2001:db8:7:8::1'), 9)).status, 429, 'the next /64 has its own limit');
  });

  it('folds the anonymous failures of a /64 into one summary, however many of its addresses send them', async () => {
    for (let i = 0; i < 50; i++) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/employees',
        remoteAddress: `2001:db8:9:9::${(i + 1).toString(16)}`,
        headers: { authorization: 'Bearer made-up' },
      });
      assert.equal(res.statusCode, 401);
    }
    await t.services.audit.flush();
    const { items } = await t.services.audit.find({ action: 'api_key.auth_failed' }, { offset: 0, limit: 100 });
    const mine = items.filter((r) => r.ip?.startsWith('2001:db8:9:9:'));
    assert.equal(mine.length, 1, `${mine.length} summaries for one /64`);
    assert.equal((mine[0].details as { count: number }).count, 50);
    assert.equal((mine[0].details as { network?: string }).network, '2001:db8:9:9::/64', 'the summary names the network it folded');
  });
});

describe('return_to that a decoding hop turns into another host', () => {
  const check = (v: string) => checkReturnTo(v, { publicUrl: 'http://localhost:8080' });

  it('refuses encoded slashes that dot segments resolve to //host once decoded', () => {
    for (const v of [
      '/portal/..%2f..%2f/evil.example',
      '/a/..%2F..%2F%2Fevil.example',
      '/x/%2e%2e%2f%2e%2e%2f/evil.example',
      '/portal/..%252f..%252f/evil.example',
    ]) {
      assert.equal(check(v), '/portal', v);
    }
    assert.equal(check('/portal/apps?x=..%2f..%2f/y'), '/portal/apps?x=..%2f..%2f/y', 'the query is not a path');
    assert.equal(check('/portal/../signin'), '/signin');
  });
});

describe('malformed request paths', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await createTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  after(() => t.close());

  const get = (p: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });

  it('answers overlong UTF-8, lone surrogates and too long parameters in the path with the API error form and a stable code', async () => {
    const token = 'T'.repeat(40);
    for (const [p, status, code] of [
      ['/api/%C0%AFadmins', 400, 'request.invalid_url'],
      [`/api/enroll/${token}%ED%A0%80`, 400, 'request.invalid_url'],
      ['/oidc/interaction/x%ED%A0%80', 400, 'request.invalid_url'],
      [`/api/enroll/${'T'.repeat(300)}`, 414, 'request.uri_too_long'],
    ] as const) {
      const res = await get(p);
      assert.equal(res.status, status, `${p}: ${res.body}`);
      const body = JSON.parse(res.body);
      assert.equal(body.error?.code, code, `${p}: ${res.body}`);
      assert.ok(!res.body.includes(token), 'the answer does not repeat the path (it may hold a token)');
    }
  });
});
