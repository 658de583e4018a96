/**
 * The Graph emulator itself checks what Microsoft documents, so that tests against it mean
 * something: client assertion signature, audience and certificate; $select property names;
 * the passwordProfile shape; FIDO2 attestation format, challenge expiry and replay.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { makeEntraAttestation } from './helpers/entra-authenticator.js';
import { SoftAuthenticator, softKeys } from './helpers/soft-authenticator.js';
import { createClientCertificate, startEntraEmulator, type EntraEmulator } from './entra-emulator/index.js';
import type { ClientCertificate } from './entra-emulator/pki.js';
import type { EmulatedApp, EmulatedUser } from './entra-emulator/state.js';

describe('Entra/Graph emulator checks', () => {
  let emu: EntraEmulator;
  let app: EmulatedApp;
  let cert: ClientCertificate;
  let user: EmulatedUser;
  let token: string;
  const tokenUrl = () => `${emu.loginUrl}/${emu.tenantId}/oauth2/v2.0/token`;

  const assertion = async (o: { aud?: string; key?: string; exp?: number; thumb?: string } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'PS256', 'x5t#S256': Buffer.from(o.thumb ?? cert.thumbprintSha256, 'hex').toString('base64url') })
      .setIssuer(app.clientId)
      .setSubject(app.clientId)
      .setAudience(o.aud ?? tokenUrl())
      .setNotBefore(now)
      .setExpirationTime(o.exp ?? now + 600)
      .sign(crypto.createPrivateKey(o.key ?? cert.keyPem));
  };
  const requestToken = async (form: Record<string, string>) => {
    const res = await emu.fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, scope: `${emu.graphUrl}/.default`, ...form }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const graph = async (method: string, path: string, body?: unknown) => {
    const res = await emu.fetch(`${emu.graphUrl}/v1.0${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
  };

  before(async () => {
    emu = await startEntraEmulator();
    cert = await createClientCertificate();
    app = emu.state.addApp({ roles: ['User.Read.All', 'User-PasswordProfile.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'] });
    emu.state.addCertificate(app, cert.certPem);
    user = emu.state.addUser({ userPrincipalName: 'erin@contoso.onmicrosoft.com' });
    const res = await requestToken({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion() });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    token = res.body.access_token as string;
  });
  after(async () => {
    await emu.close();
  });

  it('accepts a repeated assertion (msal-node reuses one for minutes) but refuses a wrong audience, signer, certificate or an expired one', async () => {
    const a = await assertion();
    const type = { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' };
    assert.equal((await requestToken({ ...type, client_assertion: a })).status, 200);
    assert.equal((await requestToken({ ...type, client_assertion: a })).status, 200, 'same jti again');
    const wrongAud = await requestToken({ ...type, client_assertion: await assertion({ aud: 'https://login.example.com/other/oauth2/v2.0/token' }) });
    assert.equal(wrongAud.status, 401);
    assert.match(String(wrongAud.body.error_description), /audience/);
    const other = await createClientCertificate();
    const wrongKey = await requestToken({ ...type, client_assertion: await assertion({ key: other.keyPem }) });
    assert.match(String(wrongKey.body.error_description), /signature/);
    const unknownCert = await requestToken({ ...type, client_assertion: await assertion({ key: other.keyPem, thumb: other.thumbprintSha256 }) });
    assert.match(String(unknownCert.body.error_description), /not registered/);
    const expired = await requestToken({ ...type, client_assertion: await assertion({ exp: Math.floor(Date.now() / 1000) - 3600 }) });
    assert.equal(expired.status, 401);
    assert.equal((await requestToken({ client_secret: 'guess' })).body.error, 'invalid_client');
  });

  it('answers only the default user properties without $select, and refuses an unknown one', async () => {
    const plain = await graph('GET', `/users/${user.id}`);
    assert.equal('accountEnabled' in plain.body, false);
    const selected = await graph('GET', `/users/${user.id}?$select=id,accountEnabled`);
    assert.deepEqual(
      Object.keys(selected.body)
        .filter((k) => !k.startsWith('@'))
        .sort(),
      ['accountEnabled', 'id'],
    );
    const bad = await graph('GET', `/users/${user.id}?$select=id,password`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /password/);
  });

  it('checks the passwordProfile shape and complexity', async () => {
    assert.equal(
      (await graph('PATCH', `/users/${user.id}`, { passwordProfile: { password: 'Str0ng!enough', forceChangePasswordNextSignIn: false } })).status,
      204,
    );
    assert.equal((await graph('PATCH', `/users/${user.id}`, { passwordProfile: { password: 'Str0ng!enough', forceChange: false } })).status, 400);
    assert.equal(
      (await graph('PATCH', `/users/${user.id}`, { passwordProfile: { password: 'Str0ng!enough', forceChangePasswordNextSignIn: 'no' } })).status,
      400,
    );
    assert.equal((await graph('PATCH', `/users/${user.id}`, { passwordProfile: 'Str0ng!enough' })).status, 400);
    assert.equal((await graph('PATCH', `/users/${user.id}`, { passwordProfile: { password: 'alllowercase' } })).body.error.code, 'Request_BadRequest');
    assert.equal((await graph('PATCH', `/users/${user.id}`, { password: 'Str0ng!enough' })).status, 400);
  });

  it("accepts the software authenticator's packed attestation once, and refuses replay, expiry, none and a missing UV flag", async () => {
    const options = async () => (await graph('GET', `/users/${user.id}/authentication/fido2Methods/creationOptions`)).body.publicKey;
    const good = makeEntraAttestation(softKeys.yubikey(), await options(), 'Erin key');
    const created = await graph('POST', `/users/${user.id}/authentication/fido2Methods`, good);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.aaGuid, 'ee882879-721c-4913-9775-3dfcce97072a');
    assert.match((await graph('POST', `/users/${user.id}/authentication/fido2Methods`, good)).body.error.message, /already been used/);

    const stale = await options();
    emu.state.advance(5 * 60_000 + 1000);
    assert.match(
      (await graph('POST', `/users/${user.id}/authentication/fido2Methods`, makeEntraAttestation(softKeys.yubikey(), stale, 'late'))).body.error.message,
      /expired/,
    );
    assert.match(
      (
        await graph(
          'POST',
          `/users/${user.id}/authentication/fido2Methods`,
          makeEntraAttestation(softKeys.yubikey(), await options(), 'none', { attestation: 'none' }),
        )
      ).body.error.message,
      /packed/,
    );
    const noUv = new SoftAuthenticator({ attachment: 'cross-platform', transports: ['usb'], userVerified: false });
    assert.match(
      (await graph('POST', `/users/${user.id}/authentication/fido2Methods`, makeEntraAttestation(noUv, await options(), 'no uv'))).body.error.message,
      /UV/,
    );
    assert.match(
      (
        await graph(
          'POST',
          `/users/${user.id}/authentication/fido2Methods`,
          makeEntraAttestation(softKeys.yubikey(), await options(), 'wrong origin', { origin: 'https://evil.example' }),
        )
      ).body.error.message,
      /origin/,
    );
    const list = await graph('GET', `/users/${user.id}/authentication/fido2Methods`);
    assert.equal(list.body.value.length, 1);
    assert.equal((await graph('DELETE', `/users/${user.id}/authentication/fido2Methods/${list.body.value[0].id}`)).status, 204);
  });

  it('answers users/delta and groups/delta rounds: everything, then only what changed, with members@delta', async () => {
    const group = emu.state.addGroup('Delta Team', [user]);
    app.roles.push('Group.Read.All');
    emu.state.expireAllTokens();
    token = (await requestToken({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion() })).body
      .access_token as string;
    const first = await graph('GET', '/groups/delta?$select=displayName,members');
    const mine = first.body.value.find((g: { id: string }) => g.id === group.id);
    assert.deepEqual(
      mine['members@delta'].map((m: { id: string }) => m.id),
      [user.id],
    );
    const link = new URL(first.body['@odata.deltaLink']);
    const other = emu.state.addUser({ userPrincipalName: 'fred@contoso.onmicrosoft.com' });
    emu.state.addMember(group.id, other.id);
    emu.state.removeMember(group.id, user.id);
    const next = await graph('GET', `${link.pathname.replace('/graph/v1.0', '')}${link.search}`);
    const changed = next.body.value.find((g: { id: string }) => g.id === group.id);
    assert.deepEqual(changed['members@delta'], [
      { '@odata.type': '#microsoft.graph.user', id: other.id },
      { '@odata.type': '#microsoft.graph.user', id: user.id, '@removed': { reason: 'deleted' } },
    ]);
    const latest = await graph('GET', '/users/delta?$deltatoken=latest');
    assert.deepEqual(latest.body.value, []);
    emu.state.updateUser(other.id, { accountEnabled: false });
    const usersLink = new URL(latest.body['@odata.deltaLink']);
    const users = await graph('GET', `${usersLink.pathname.replace('/graph/v1.0', '')}${usersLink.search}`);
    assert.deepEqual(
      users.body.value.map((u: { id: string }) => u.id),
      [other.id],
    );
  });

  it("refuses calls the token has no permission for, in Graph's error shape", async () => {
    const res = await graph('POST', '/groups', { displayName: 'x', mailEnabled: false, mailNickname: 'x', securityEnabled: true });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'Authorization_RequestDenied');
  });
});
