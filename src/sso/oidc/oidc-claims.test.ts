// The claims an application receives, with openid-client 6 as the relying party over real HTTP:
// `groups` lists the employee's real groups (directory and local) by name or by id as the client is
// registered (set over the admin API), only under the `groups` scope; `upn` is the directory's
// userPrincipalName and is left out for an employee without a directory account.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { signedInAdmin } from '../../../test/helpers/app.js';
import { giveDirectoryGroups, giveLocalGroup, insertAccount, insertDomain } from '../../../test/helpers/directory-identity.js';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

describe('OIDC groups and upn claims with openid-client', { timeout: 60_000 }, () => {
  let t: OidcTestApp;
  let clientUuid = '';
  let config: oidc.Configuration;
  let katherine: Awaited<ReturnType<typeof employeeWithKey>>;
  let groupIds: string[] = [];

  before(async () => {
    t = await startOidcApp();
    const created = await registerClient(t, {
      name: 'Intranet',
      redirectUris: [REDIRECT],
      scopes: ['openid', 'profile', 'email', 'groups'],
      claims: ['email', 'name', 'groups', 'upn'],
    });
    clientUuid = created.client.id;
    config = await oidc.discovery(new URL(t.issuer), created.client.clientId, created.clientSecret!, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    katherine = await employeeWithKey(t, { email: 'katherine.johnson@corp.example' });
    const corp = await insertDomain(t, 'ad', 'corp.example');
    await insertAccount(t, katherine.employee.id, corp, { username: 'kjohnson', upn: 'kjohnson@corp.local', importing: true });
    const ids = await giveDirectoryGroups(t, corp, katherine.employee.id, ['Flight Research', 'Navigation']);
    const mentors = await giveLocalGroup(t, katherine.employee.id, 'Mentors');
    groupIds = [ids.get('Flight Research')!, mentors, ids.get('Navigation')!];
  });
  after(async () => {
    await t?.close();
  });

  async function signInAndAuthorize(key: Awaited<ReturnType<typeof employeeWithKey>>['key'], scope: string) {
    const browser = new Browser(t.url);
    await signIn(t, browser, key);
    const verifier = pkce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope,
      code_challenge: verifier.challenge,
      code_challenge_method: 'S256',
      state,
    });
    const { location } = await browser.follow(url.href);
    const callback = new URL(location);
    assert.equal(callback.origin + callback.pathname, REDIRECT, `ended at ${callback.href}`);
    return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier.verifier, expectedState: state });
  }

  it('sends the real group names and the directory UPN in the ID token and userinfo', async () => {
    const tokens = await signInAndAuthorize(katherine.key, 'openid email profile groups');
    const claims = tokens.claims()!;
    assert.deepEqual(claims.groups, ['Flight Research', 'Mentors', 'Navigation']);
    assert.equal(claims.upn, 'kjohnson@corp.local', 'the directory UPN, not the e-mail');
    assert.equal(claims.email, 'katherine.johnson@corp.example');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, katherine.employee.id);
    assert.deepEqual(info.groups, ['Flight Research', 'Mentors', 'Navigation']);
    assert.equal(info.upn, 'kjohnson@corp.local');
  });

  it('sends group ids once the client is set to ids over the admin API, and nothing with none', async () => {
    const admin = await signedInAdmin(t);
    const bad = await admin.patch(`/api/oidc/clients/${clientUuid}`, { groupsClaim: 'sids' });
    assert.equal(bad.status, 400, bad.raw);
    const patched = await admin.patch(`/api/oidc/clients/${clientUuid}`, { groupsClaim: 'ids' });
    assert.equal(patched.status, 200, patched.raw);
    assert.equal(patched.body.client.groupsClaim, 'ids');
    const tokens = await signInAndAuthorize(katherine.key, 'openid email profile groups');
    assert.deepEqual(tokens.claims()!.groups, groupIds);
    assert.deepEqual((await oidc.fetchUserInfo(config, tokens.access_token, katherine.employee.id)).groups, groupIds);

    assert.equal((await admin.patch(`/api/oidc/clients/${clientUuid}`, { groupsClaim: 'none' })).status, 200);
    const none = await signInAndAuthorize(katherine.key, 'openid email profile groups');
    assert.equal(none.claims()!.groups, undefined);
    assert.equal((await admin.patch(`/api/oidc/clients/${clientUuid}`, { groupsClaim: 'names' })).status, 200);
  });

  it('sends no groups without the groups scope, and no upn for an employee without a directory account', async () => {
    const noScope = await signInAndAuthorize(katherine.key, 'openid email profile');
    assert.equal(noScope.claims()!.groups, undefined);
    const manual = await employeeWithKey(t, { email: 'dorothy.vaughan@corp.example' });
    const tokens = await signInAndAuthorize(manual.key, 'openid email profile groups');
    const claims = tokens.claims()!;
    assert.equal(claims.upn, undefined, 'no directory account: no upn, rather than the e-mail');
    assert.deepEqual(claims.groups, []);
    assert.equal(claims.email, 'dorothy.vaughan@corp.example');
  });
});
