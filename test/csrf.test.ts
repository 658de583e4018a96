import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, Client, createTestApp, signedInAdmin, type TestApp } from './helpers/app.js';

/** CSRF tokens are bound to the sessions the browser holds (src/http/csrf.ts). */
describe('CSRF tokens', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const cookieHeader = (cookies: Record<string, string>) =>
    Object.entries(cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  const createEmployee = (cookies: Record<string, string>, token: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/employees',
      headers: { cookie: cookieHeader(cookies), 'x-csrf-token': token },
      payload: { email: `csrf.${Date.now()}.${Math.random()}@corp.example`, firstName: 'C', lastName: 'Srf' },
    });

  it('renews the token at sign-in: the one from before no longer works with the new session', async () => {
    const client = new Client(t.app);
    await client.get('/api/auth/csrf');
    const before = client.cookies.get('tessera_csrf')!;
    await signedInAdmin(t); // the admin exists
    const login = await client.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(login.status, 200);
    const afterLogin = client.cookies.get('tessera_csrf')!;
    assert.notEqual(afterLogin, before, 'a new token comes with the new session');
    const session = client.cookies.get('tessera_session')!;
    const stale = await createEmployee({ tessera_session: session, tessera_csrf: before }, before);
    assert.equal(stale.statusCode, 403);
    assert.equal(stale.json().error.code, 'auth.csrf_invalid');
    assert.equal((await createEmployee({ tessera_session: session, tessera_csrf: afterLogin }, afterLogin)).statusCode, 201);
  });

  it("refuses another session's token, even when cookie and header agree", async () => {
    const alice = await signedInAdmin(t);
    const mallory = await signedInAdmin(t);
    const res = await createEmployee(
      { tessera_session: alice.cookies.get('tessera_session')!, tessera_csrf: mallory.cookies.get('tessera_csrf')! },
      mallory.cookies.get('tessera_csrf')!,
    );
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'auth.csrf_invalid');
  });

  it('keeps a valid token across GET /api/auth/csrf, and renews it at sign-out', async () => {
    const client = await signedInAdmin(t);
    const token = client.cookies.get('tessera_csrf');
    assert.equal((await client.get('/api/auth/csrf')).body.csrfToken, token);
    await client.post('/api/auth/logout');
    assert.notEqual(client.cookies.get('tessera_csrf'), token);
  });

  it('refuses a token with extra parts or a forged MAC', async () => {
    const client = await signedInAdmin(t);
    const session = client.cookies.get('tessera_session')!;
    const token = client.cookies.get('tessera_csrf')!;
    for (const bad of [`${token}.x`, `${token.split('.')[0]}.AAAA`, `.${token.split('.')[1]}`]) {
      assert.equal((await createEmployee({ tessera_session: session, tessera_csrf: bad }, bad)).statusCode, 403, bad);
    }
  });
});

describe('CSRF cookie over HTTPS', () => {
  it('is __Host- prefixed, Secure, path /', async () => {
    const t = await createTestApp({ env: { PUBLIC_URL: 'https://id.corp.example' } });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/api/auth/csrf' });
      const cookie = res.cookies.find((c) => c.name === '__Host-tessera_csrf');
      assert.ok(cookie, JSON.stringify(res.cookies));
      assert.equal(cookie.secure, true);
      assert.equal(cookie.path, '/');
      assert.equal(cookie.domain, undefined);
      assert.equal(cookie.value, res.json().csrfToken);
    } finally {
      await t.close();
    }
  });
});
