// Issue 15's chain end to end against real peers: Samba AD with nested groups is synced, openid-client
// receives the transitive groups in the `groups` claim, an application assigned to the outer group
// refuses an employee outside it (access_denied at the redirect URI, audited), and once that employee
// is added to the inner group in Samba and the domain synced again, they get in with both groups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { cliContext } from '../src/lib/context.js';
import { type Client, signedInAdmin } from './helpers/app.js';
import { Browser, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from './helpers/oidc.js';
import { startSamba, type SambaDc } from './helpers/samba.js';
import { softKeys, type SoftAuthenticator } from './helpers/soft-authenticator.js';

const SYNC = 'Tessera Users Sync';
const REDIRECT = 'http://127.0.0.1:9/cb';
const mail = (u: string) => `${u}@corp.example.test`;

describe('groups from Samba AD decide application access and reach openid-client', { timeout: 240_000 }, () => {
  let dc: SambaDc;
  let t: OidcTestApp;
  let admin: Client;
  let domainId: string;
  let config: oidc.Configuration;
  let clientUuid: string;
  const keys = new Map<string, SoftAuthenticator>();
  const ids = new Map<string, string>();

  const sync = async () => {
    const res = await admin.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.status, 'succeeded', res.raw);
  };

  /** Signs the employee in on Tessera and walks an authorization; the callback URL the application receives. */
  async function authorize(username: string) {
    const browser = new Browser(t.url);
    await signIn(t, browser, keys.get(username)!);
    const verifier = pkce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email groups',
      code_challenge: verifier.challenge,
      code_challenge_method: 'S256',
      state,
    });
    const callback = new URL((await browser.follow(url.href)).location);
    assert.equal(callback.origin + callback.pathname, REDIRECT, `ended at ${callback.href}`);
    return { callback, verifier, state };
  }

  before(async () => {
    dc = await startSamba({ ip: '127.0.0.34' });
    await dc.addGroup(SYNC);
    await dc.addGroup('Engineering');
    await dc.addGroup('Platform');
    for (const u of ['lin', 'max'])
      await dc.addUser({ username: u, password: `${u}-Pass!x9A`, givenName: u === 'lin' ? 'Lin' : 'Max', surname: 'Tester', mail: mail(u) });
    await dc.addMembers(SYNC, ['lin', 'max']);
    await dc.addMembers('Platform', ['lin']);
    await dc.addMembers('Engineering', ['Platform']);

    t = await startOidcApp();
    admin = await signedInAdmin(t as never);
    const domain = await admin.post('/api/directory/domains', {
      kind: 'ad',
      name: 'corp.example.test',
      secret: dc.adminPassword,
      passwordChangeDays: 0,
      settings: { urls: [dc.ldapsUrl], bindUser: dc.adminUpn, caCertificate: dc.caPem, tlsServerName: dc.tlsServerName },
    });
    assert.equal(domain.status, 201, domain.raw);
    domainId = domain.body.id;
    await sync();

    const listed = await admin.get('/api/employees?pageSize=100');
    for (const u of ['lin', 'max']) {
      const employee = listed.body.items.find((e: { email: string }) => e.email === mail(u));
      assert.ok(employee, `${u} was imported`);
      ids.set(u, employee.id);
      const key = softKeys.yubikey();
      const subject = { type: 'employee' as const, id: employee.id, name: employee.email, displayName: employee.displayName };
      const { ceremonyId, options } = await t.services.webauthn.startRegistration(subject, 'security_key');
      await t.services.webauthn.finishRegistration(cliContext(), { subject, ceremonyId, response: key.register(options, { origin: t.url }) });
      keys.set(u, key);
    }

    const created = await registerClient(t, {
      name: 'Build dashboard',
      redirectUris: [REDIRECT],
      // Shown on the portal, launched at its start URL.
      initiateLoginUri: 'http://127.0.0.1:9/start',
      scopes: ['openid', 'email', 'groups'],
      claims: ['email', 'groups'],
    });
    clientUuid = created.client.id;
    config = await oidc.discovery(new URL(t.issuer), created.client.clientId, created.clientSecret!, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  after(async () => {
    await t?.close();
    await dc?.stop();
  });

  it('shows the transitive directory groups on the employee, read-only', async () => {
    const lin = await admin.get(`/api/employees/${ids.get('lin')}`);
    assert.deepEqual(
      lin.body.groups.map((g: { name: string }) => g.name),
      ['Engineering', 'Platform', SYNC],
      'Engineering through Platform',
    );
    const engineering = lin.body.groups.find((g: { name: string }) => g.name === 'Engineering');
    assert.equal(engineering.source.domainId, domainId);
    const rename = await admin.patch(`/api/groups/${engineering.id}`, { name: 'Hacked' });
    assert.equal(rename.status, 409, rename.raw);
    assert.equal(rename.body.error.code, 'groups.directory_owned');
    const filtered = await admin.get(`/api/employees?groupId=${engineering.id}`);
    assert.deepEqual(
      filtered.body.items.map((e: { email: string }) => e.email),
      [mail('lin')],
    );
  });

  it('refuses an employee outside the assigned group, and lets them in once Samba and a sync put them in it', async () => {
    const groups = await admin.get('/api/groups?q=engineering');
    const engineering = groups.body.items.find((g: { name: string }) => g.name === 'Engineering');
    const assigned = await admin.request('PUT', `/api/applications/oidc/${clientUuid}/access`, {
      mode: 'assigned',
      groups: [engineering.id],
      departments: [],
      employees: [],
    });
    assert.equal(assigned.status, 200, assigned.raw);

    // Lin is in Engineering through Platform: in, with both groups in the ID token.
    const lin = await authorize('lin');
    const linTokens = await oidc.authorizationCodeGrant(config, lin.callback, { pkceCodeVerifier: lin.verifier.verifier, expectedState: lin.state });
    assert.deepEqual(linTokens.claims()!.groups, ['Engineering', 'Platform', SYNC]);

    // Max is not: the application hears access_denied, and openid-client says so.
    const max = await authorize('max');
    assert.equal(max.callback.searchParams.get('error'), 'access_denied', max.callback.href);
    await assert.rejects(
      oidc.authorizationCodeGrant(config, max.callback, { pkceCodeVerifier: max.verifier.verifier, expectedState: max.state }),
      (err: Error & { error?: string }) => err.error === 'access_denied',
    );
    const refused = (await t.services.audit.find({ action: 'oidc.sign_in_refused' }, { offset: 0, limit: 20 })).items.filter(
      (e) => e.actorId === ids.get('max'),
    );
    assert.deepEqual(
      refused.map((e) => (e.details as Record<string, unknown>).reason),
      ['sso.not_assigned'],
      'the refusal is audited with its reason',
    );
    const portal = new Browser(t.url);
    await signIn(t, portal, keys.get('max')!);
    const linPortal = new Browser(t.url);
    await signIn(t, linPortal, keys.get('lin')!);
    assert.ok(JSON.stringify((await linPortal.api('GET', '/api/portal/applications')).json).includes('Build dashboard'), 'the portal offers it to Lin');
    const apps = await portal.api('GET', '/api/portal/applications');
    assert.equal(apps.status, 200, apps.text);
    assert.ok(!JSON.stringify(apps.json).includes('Build dashboard'), 'the portal does not offer it to Max');

    // An administrator adds Max to Platform in AD; the next sync lets him in.
    await dc.addMembers('Platform', ['max']);
    await sync();
    const again = await authorize('max');
    const tokens = await oidc.authorizationCodeGrant(config, again.callback, { pkceCodeVerifier: again.verifier.verifier, expectedState: again.state });
    assert.deepEqual(tokens.claims()!.groups, ['Engineering', 'Platform', SYNC]);
    const portalAgain = await portal.api('GET', '/api/portal/applications');
    assert.ok(JSON.stringify(portalAgain.json).includes('Build dashboard'), 'the portal offers it now');
  });
});
