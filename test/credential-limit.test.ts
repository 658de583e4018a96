/**
 * One per-IP budget of failed credential checks (src/security/credential-limiter.ts) for admin
 * sign-in, employee sign-in, the portal, setup and OIDC client authentication; and a locked
 * account that answers exactly like an unknown one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../src/http/types.js';
import { cliContext } from '../src/lib/context.js';
import { ADMIN, Client, createTestApp, manualClock, type TestApp } from './helpers/app.js';
import { createEmployee, givePasswordAndTotp, setPolicy } from './helpers/signin.js';

const LIMIT = 6;
const PASSWORD = 'a long and private passphrase';

/** A browser-like client whose requests come from `ip`. */
const clientFrom = (t: TestApp, ip: string) => new Client({ inject: (opts: object) => t.app.inject({ ...opts, remoteAddress: ip }) } as unknown as App);

describe('one per-IP budget for every credential check', () => {
  const clock = manualClock(new Date('2026-03-02T09:00:10Z'));
  let t: TestApp;
  let clientId: string;
  let employeeEmail: string;
  before(async () => {
    t = await createTestApp({ clock, credentialLimit: LIMIT });
    await t.services.admins.create(cliContext(), ADMIN);
    await setPolicy(t, { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] });
    const employee = await createEmployee(t);
    employeeEmail = employee.email;
    await givePasswordAndTotp(t, employee, PASSWORD);
    const created = await t.services.oidc.clients.create(cliContext(), {
      name: 'Budget app',
      kind: 'web',
      redirectUris: ['http://127.0.0.1:9/cb'],
      postLogoutRedirectUris: [],
      grantTypes: ['authorization_code'],
      tokenEndpointAuthMethod: 'client_secret_post',
      scopes: ['openid'],
      claims: [],
      firstParty: true,
    } as never);
    clientId = created.client.clientId;
  });
  after(() => t.close());

  // Unknown accounts: they spend the address's budget without locking the admin the other tests sign in with.
  const wrongLogin = (c: Client, i = 0) => c.post('/api/auth/login', { email: `ghost${i}@corp.example`, password: `not the password ${i}` });
  const tokenWithWrongSecret = (ip: string) =>
    t.app.inject({
      method: 'POST',
      url: '/oidc/token',
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'nope',
        redirect_uri: 'http://127.0.0.1:9/cb',
        client_id: clientId,
        client_secret: 'not-the-secret',
      }).toString(),
    });

  it('refuses admin sign-in, employee sign-in and the OIDC token endpoint from an address that spent its budget on one of them; another address is not affected', async () => {
    const a = clientFrom(t, '203.0.113.7');
    // Spread over two endpoints: switching does not reset the count.
    for (let i = 0; i < LIMIT - 1; i++) assert.equal((await wrongLogin(a, i)).status, 401);
    assert.equal((await a.post('/api/signin/password', { email: employeeEmail, password: 'wrong' })).status, 401);

    const admin = await a.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(admin.status, 429, 'even the right password waits');
    assert.equal(admin.body.error.code, 'rate_limit.exceeded');
    assert.match(admin.body.error.message, /try again in \d+ s/);
    assert.ok(Number(admin.headers['retry-after']) >= 1);
    const employee = await a.post('/api/signin/password', { email: employeeEmail, password: PASSWORD });
    assert.equal(employee.status, 429);
    assert.equal(employee.body.error.code, 'rate_limit.exceeded');
    const token = await tokenWithWrongSecret('203.0.113.7');
    assert.equal(token.statusCode, 429);
    assert.equal(token.json().error, 'invalid_request', 'the token endpoint answers in OAuth form (RFC 6749 §5.2)');
    assert.match(token.json().error_description, /too many/);
    assert.ok(Number(token.headers['retry-after']) >= 1);
    const setup = await a.post('/api/setup', { token: 'guess', email: 'x@corp.example', name: 'X', password: 'a long enough password' });
    assert.equal(setup.status, 429, 'setup tokens are guessed from the same budget');

    const b = clientFrom(t, '198.51.100.20');
    assert.equal((await b.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status, 200);
    assert.equal((await tokenWithWrongSecret('198.51.100.20')).json().error, 'invalid_client');

    clock.advance(60_000);
    assert.equal((await a.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status, 200, 'a new minute, a new budget');
  });

  it('counts failed OIDC client authentications against the sign-in budget of the address', async () => {
    for (let i = 0; i < LIMIT; i++) assert.equal((await tokenWithWrongSecret('192.0.2.44')).json().error, 'invalid_client');
    const c = clientFrom(t, '192.0.2.44');
    assert.equal((await c.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status, 429);
  });

  it('does not count checks that succeed: an office behind one address signs in as often as it needs', async () => {
    const office = clientFrom(t, '192.0.2.99');
    for (let i = 0; i < LIMIT * 3; i++) assert.equal((await office.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status, 200);
    assert.equal((await wrongLogin(office)).status, 401, 'the failures left are all there');
  });

  it('shares one budget among the addresses of an IPv6 /64', async () => {
    for (let i = 0; i < LIMIT; i++) assert.equal((await wrongLogin(clientFrom(t, `2001:db8:1:2::${i + 1}`), i)).status, 401);
    assert.equal((await clientFrom(t, '2001:db8:1:2:ffff::9').post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status, 429);
    assert.equal(
      (await clientFrom(t, '2001:db8:1:3::1').post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).status,
      200,
      'the next /64 is another budget',
    );
  });
});

describe('a locked account answers exactly like an unknown one', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await t.services.admins.create(cliContext(), ADMIN);
    await setPolicy(t, { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] });
  });
  after(() => t.close());

  /** Status, headers that are not per-request, and the body's bytes. */
  const answer = (res: { status: number; headers: Record<string, unknown>; raw: string }) => ({
    status: res.status,
    headers: Object.fromEntries(Object.entries(res.headers).filter(([k]) => !/^(date|x-ratelimit-|set-cookie$)/.test(k))),
    body: res.raw,
  });

  it('for an admin', async () => {
    const { lockoutThreshold } = await t.services.settings.get();
    const c = new Client(t.app);
    for (let i = 0; i < lockoutThreshold; i++) await c.post('/api/auth/login', { email: ADMIN.email, password: `wrong ${i}` });
    const locked = await c.post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    const unknown = await c.post('/api/auth/login', { email: 'nobody@corp.example', password: ADMIN.password });
    assert.equal(locked.status, 401);
    assert.deepEqual(answer(locked), answer(unknown));
    const audited = (await t.services.audit.find({ action: 'admin.sign_in', outcome: 'failure' }, { offset: 0, limit: 2 })).items.map((e) => e.details.reason);
    assert.deepEqual(audited, ['unknown account', 'locked'], 'the audit log knows which was which');
  });

  it('for an employee', async () => {
    const employee = await createEmployee(t);
    await givePasswordAndTotp(t, employee, PASSWORD);
    const { lockoutThreshold } = await t.services.settings.get();
    const c = new Client(t.app);
    for (let i = 0; i < lockoutThreshold; i++) await c.post('/api/signin/password', { email: employee.email, password: `wrong ${i}` });
    const locked = await c.post('/api/signin/password', { email: employee.email, password: PASSWORD });
    const unknown = await c.post('/api/signin/password', { email: 'nobody@corp.example', password: PASSWORD });
    assert.equal(locked.status, 401);
    assert.deepEqual(answer(locked), answer(unknown));
    assert.match(locked.body.error.message, /locked for a while/, 'the message still tells a locked-out person what to do');
  });
});
