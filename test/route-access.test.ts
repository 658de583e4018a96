import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { guardDeps } from '../src/app/auth-subjects.js';
import { installAuth, routeAccessList, type RouteAccess } from '../src/http/auth.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from './helpers/app.js';
import { createEmployee, passkeySignIn, registerKey } from './helpers/signin.js';
import { softKeys } from './helpers/soft-authenticator.js';
import { enrollSoftwareAgent } from './helpers/software-agent.js';

/**
 * Access is decided by the route the router matched, with default deny. These tests attack every
 * registered route as a stranger would: over a real socket (so no client library tidies the path),
 * through the canonical path and through encodings that a guard keyed on the raw URL would miss.
 */

const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

/** A concrete path for a route pattern: every parameter gets a well-formed id. */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, SAMPLE_ID).replace(/\*$/, 'x');

/** The canonical /api path written the ways an attacker would try to slip past a prefix check. */
function variants(apiPath: string): string[] {
  const rest = apiPath.slice('/api'.length);
  const [, first = '', tail = ''] = /^\/(.)(.*)$/.exec(rest) ?? [];
  return [
    apiPath,
    `/%61pi${rest}`,
    `/%41PI${rest}`,
    `/%2561pi${rest}`,
    `/API${rest}`,
    `//api${rest}`,
    `/./api${rest}`,
    `/api/../api${rest}`,
    `/x/../api${rest}`,
    `/api%2f${rest.slice(1)}`,
    `/api/%${first.charCodeAt(0).toString(16)}${tail}`,
    `/api${rest}/`,
    `/api${rest}?x=%00`,
  ];
}

interface RawAnswer {
  status: number;
  body: string;
}

function rawRequest(port: number, method: string, requestPath: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  return new Promise((resolve, reject) => {
    const body = hasBody ? '{}' : undefined;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: requestPath,
        agent: false,
        headers: { ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}), ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** An employee signed in to the portal with a security key. */
async function signedInEmployee(t: TestApp): Promise<Client> {
  const key = softKeys.yubikey();
  await registerKey(t, await createEmployee(t), key);
  const client = new Client(t.app);
  const res = await passkeySignIn(client, key);
  assert.equal(res.status, 200, res.raw);
  return client;
}

const isApi = (r: RouteAccess) => r.url.startsWith('/api/');
const ADMIN_KINDS = new Set(['partial', 'session', 'read', 'write', 'admin']);

describe('route access', () => {
  let t: TestApp;
  let port: number;
  let routes: readonly RouteAccess[];
  const keys: Record<string, string> = {};

  before(async () => {
    t = await createTestApp();
    const admin = await signedInAdmin(t);
    for (const scope of ['read', 'write', 'admin'] as const) keys[scope] = (await admin.post('/api/api-keys', { name: `${scope} key`, scope })).body.secret;
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
    routes = routeAccessList(t.app as unknown as FastifyInstance);
  });
  after(() => t.close());

  it('knows every route with its declared access', () => {
    assert.ok(routes.length > 100, `only ${routes.length} routes listed`);
    assert.ok(routes.some((r) => r.url === '/api/admins' && r.method === 'POST' && r.access === 'admin'));
    assert.ok(
      routes.some((r) => r.url === '/api/docs' && r.access === 'public'),
      'plugin routes are listed too',
    );
    for (const r of routes) if (!isApi(r)) assert.equal(r.access, 'public', `${r.method} ${r.url} outside /api must be public`);
  });

  it('answers no protected route without credentials, whatever the encoding of its path', async () => {
    const protectedRoutes = routes.filter((r) => isApi(r) && r.access !== 'public');
    assert.ok(protectedRoutes.length > 80);
    const leaks: string[] = [];
    for (const route of protectedRoutes) {
      for (const p of variants(concrete(route.url))) {
        const res = await rawRequest(port, route.method, p);
        if (res.status < 400 || res.status >= 500) leaks.push(`${route.method} ${p} → ${res.status} ${res.body.slice(0, 120)}`);
      }
    }
    assert.deepEqual(leaks, []);
  });

  it('answers every route, public ones too, without a server error when called anonymously', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const res = await rawRequest(port, route.method, concrete(route.url));
      if (res.status >= 500) failures.push(`${route.method} ${route.url} → ${res.status} ${res.body.slice(0, 200)}`);
    }
    assert.deepEqual(failures, []);
  });

  it('gives an API key only the routes of its scope, and never the console-only or employee ones', async () => {
    const rank: Record<string, number> = { read: 1, write: 2, admin: 3 };
    const wrong: string[] = [];
    for (const route of routes.filter(isApi)) {
      for (const scope of ['read', 'write'] as const) {
        const res = await rawRequest(port, route.method, concrete(route.url), { authorization: `Bearer ${keys[scope]}` });
        const needs = route.access;
        const mustRefuse = needs === 'session' || needs === 'partial' || needs.startsWith('employee') || (needs in rank && rank[needs] > rank[scope]);
        if (mustRefuse && (res.status < 400 || res.status >= 500)) wrong.push(`${scope} key: ${route.method} ${route.url} (${needs}) → ${res.status}`);
        if (mustRefuse && needs in rank && res.status !== 403)
          wrong.push(`${scope} key: ${route.method} ${route.url} (${needs}) → ${res.status}, expected 403`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('refuses a write key every change to an SSO application (OIDC clients, SAML SPs, WS-Fed RPs, their access)', async () => {
    const sso = routes.filter(
      (r) => r.method !== 'GET' && r.method !== 'HEAD' && /^\/api\/(oidc\/clients|saml\/service-providers|wsfed\/relying-parties|applications\/)/.test(r.url),
    );
    assert.ok(sso.length >= 10, `${sso.length} SSO application routes`);
    for (const route of sso) {
      assert.equal(route.access, 'admin', `${route.method} ${route.url}`);
      const res = await rawRequest(port, route.method, concrete(route.url), { authorization: `Bearer ${keys.write}` });
      assert.equal(res.status, 403, `${route.method} ${route.url}: ${res.body}`);
      assert.equal(JSON.parse(res.body).error.code, 'auth.insufficient_scope');
    }
  });

  it('keeps an employee out of every admin route, and an admin out of every employee route', async () => {
    const employee = await signedInEmployee(t);
    const admin = await signedInAdmin(t);
    const wrong: string[] = [];
    for (const route of routes.filter(isApi)) {
      if (route.method === 'HEAD') continue;
      const who = ADMIN_KINDS.has(route.access) ? employee : route.access.startsWith('employee') ? admin : undefined;
      if (!who) continue;
      const res = await who.request(route.method, concrete(route.url), route.method === 'GET' ? undefined : {});
      if (res.status !== 401 && res.status !== 403) wrong.push(`${route.method} ${route.url} (${route.access}) → ${res.status}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("keeps agents to the agents' routes, and everyone else out of them; a pending workstation only to status, heartbeat and channel", async () => {
    const admin = await signedInAdmin(t);
    const tokens = {
      approved: (await admin.post('/api/workstation-enrolment-tokens', { name: 'route access approved', autoApprove: true })).body.secret,
      pending: (await admin.post('/api/workstation-enrolment-tokens', { name: 'route access pending' })).body.secret,
    };
    const approved = await enrollSoftwareAgent(t.app, { token: tokens.approved });
    const pending = await enrollSoftwareAgent(t.app, { token: tokens.pending });
    const wrong: string[] = [];
    for (const route of routes.filter(isApi)) {
      if (route.method === 'HEAD') continue;
      const url = concrete(route.url);
      const isAgentRoute = route.access.startsWith('agent');
      if (!isAgentRoute) {
        if (route.access === 'public') continue;
        // A valid assertion is no admin, API key or employee.
        const res = await rawRequest(port, route.method, url, { authorization: `Bearer ${await approved.assertion()}` });
        if (res.status !== 401 && res.status !== 403) wrong.push(`agent: ${route.method} ${route.url} (${route.access}) → ${res.status}`);
        continue;
      }
      for (const [who, headers] of [
        ['admin key', { authorization: `Bearer ${keys.read}` }],
        ['admin session', { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }],
      ] as const) {
        const res = await rawRequest(port, route.method, url, headers);
        if (res.status !== 401 || JSON.parse(res.body).error.code !== 'agent.assertion_invalid')
          wrong.push(`${who}: ${route.method} ${route.url} → ${res.status} ${res.body}`);
      }
      const res = await rawRequest(port, route.method, url, { authorization: `Bearer ${await pending.assertion()}` });
      if (route.access === 'agent' && (res.status !== 403 || JSON.parse(res.body).error.code !== 'agent.not_approved'))
        wrong.push(`pending: ${route.method} ${route.url} → ${res.status} ${res.body}`);
      if (route.access === 'agent_pending' && res.status === 401) wrong.push(`pending refused on ${route.method} ${route.url}: ${res.body}`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(routes.filter((r) => r.access === 'agent').length >= 2 && routes.filter((r) => r.access === 'agent_pending').length >= 3);
  });

  it('checks credentials before the body: anonymous input never reaches a validator', async () => {
    const res = await rawRequest(port, 'POST', '/%61pi/admins', { 'content-type': 'application/json' });
    assert.equal(res.status, 403, res.body);
    const invalid = await new Client(t.app).post('/api/admins', { not: 'valid' });
    assert.equal(invalid.status, 401, 'no validation details for a stranger');
    assert.equal(invalid.body.error.code, 'auth.required');
  });

  it('answers unknown API paths with a JSON 404, however they are written', async () => {
    for (const p of ['/api/nope', '/%61pi/nope', '/API/admins', '//api/admins', '/./api/admins']) {
      const res = await rawRequest(port, 'GET', p, { accept: 'application/json' });
      assert.ok(res.status === 404 || res.status === 401, `${p} → ${res.status}`);
    }
  });

  it('gives a percent-encoded OIDC endpoint path no endpoint (the EAM and POST checks name the plain path)', async () => {
    for (const p of ['/oidc/%61uth?client_id=x', '/oidc/%74oken', '/oidc/auth%2f']) {
      const res = await rawRequest(port, 'GET', p);
      assert.equal(res.status, 404, `${p} → ${res.status} ${res.body}`);
    }
  });
});

describe('route declarations', () => {
  it('refuses to start when a route declares no access, naming the route', async () => {
    const t = await createTestApp();
    try {
      const app = Fastify();
      installAuth(app, guardDeps(t.services));
      await assert.rejects(async () => {
        await app.register(async (scope) => {
          scope.get('/api/forgotten', async () => ({ secret: true }));
        });
        await app.ready();
      }, /GET \/api\/forgotten declares no access/);
      const outside = Fastify();
      installAuth(outside, guardDeps(t.services));
      await assert.rejects(async () => {
        await outside.register(async (scope) => {
          scope.get('/oops', { config: { access: 'admin' } }, async () => ({}));
        });
        await outside.ready();
      }, /outside \/api/);
    } finally {
      await t.close();
    }
  });
});

describe('README access table', () => {
  it('lists the access of every API operation as the OpenAPI document declares it', async () => {
    const t = await createTestApp();
    try {
      const doc = t.app.swagger() as { paths: Record<string, Record<string, { 'x-tessera-access'?: string; tags?: string[] }>> };
      const rows: string[] = [];
      let missing = 0;
      for (const [p, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!op['x-tessera-access']) missing += 1;
          rows.push(`| ${method.toUpperCase()} | \`${p}\` | ${op['x-tessera-access']} |`);
        }
      }
      assert.equal(missing, 0, 'every operation carries x-tessera-access');
      const table = ['| Method | Path | Access |', '|---|---|---|', ...rows].join('\n');
      const readmePath = path.join(import.meta.dirname, '..', 'README.md');
      const readme = fs.readFileSync(readmePath, 'utf8');
      const start = '<!-- api-access:start -->\n';
      const end = '\n<!-- api-access:end -->';
      const from = readme.indexOf(start);
      const to = readme.indexOf(end);
      assert.ok(from >= 0 && to > from, 'README has the api-access markers');
      if (process.env.UPDATE_README === '1') fs.writeFileSync(readmePath, readme.slice(0, from + start.length) + table + readme.slice(to));
      else assert.equal(readme.slice(from + start.length, to), table, 'README access table is stale: run `UPDATE_README=1 npm test -- route-access`');
    } finally {
      await t.close();
    }
  });
});
