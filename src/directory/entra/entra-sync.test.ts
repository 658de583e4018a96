/**
 * Import and sync by group from an Entra ID tenant (the Graph emulator in test/entra-emulator),
 * through the console API and the same engine as AD: pages, nested groups, disabled accounts,
 * each removal behaviour, throttling and a token expiring mid-sync, incremental syncs from the
 * users delta link, failures that change nothing, and password rotation through passwordProfile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../../lib/context.js';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../../test/helpers/app.js';
import { createClientCertificate, emulatorConnectorFactory, startEntraEmulator, type EntraEmulator } from '../../../test/entra-emulator/index.js';
import type { EmulatedApp, EmulatedUser } from '../../../test/entra-emulator/state.js';

const SYNC = 'Tessera Users Sync';
const ROTATION = 'Tessera Key Auto Password Change';
const SECRET = 'client~secret.value-1234';

describe('Entra ID sync through the directory engine', () => {
  let emu: EntraEmulator;
  let app: EmulatedApp;
  let t: TestApp;
  let c: Client;
  let domainId: string;
  let users: EmulatedUser[];
  const slept: number[] = [];
  const mail = (i: number) => `user${i}@contoso.example`;

  const employees = async () => {
    const res = await c.get('/api/employees?pageSize=100');
    return new Map<string, { id: string; status: string; firstName: string; lastName: string; source: string }>(
      res.body.items.map((e: { email: string }) => [e.email, e]),
    );
  };
  const sync = async (body: Record<string, unknown> = {}) => {
    const res = await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true, ...body });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const syncGroup = () => emu.state.groupByName(SYNC)!;

  before(async () => {
    emu = await startEntraEmulator();
    app = emu.state.addApp({ secrets: [SECRET], roles: ['User.Read.All', 'Group.Read.All', 'User-PasswordProfile.ReadWrite.All'] });
    users = Array.from({ length: 12 }, (_, i) =>
      emu.state.addUser({
        userPrincipalName: `user${i}@contoso.onmicrosoft.com`,
        mail: mail(i),
        givenName: `Given${i}`,
        surname: `Sur${i}`,
        displayName: `Given${i} Sur${i}`,
      }),
    );
    users[3]!.accountEnabled = false;
    const nested = emu.state.addGroup('Nested Team', [users[10]!, users[11]!]);
    emu.state.addGroup(SYNC, [...users.slice(0, 10), nested]);
    emu.state.addGroup(ROTATION, [users[0]!]);
    t = await createTestApp({ connectorFactory: emulatorConnectorFactory(emu, slept) });
    c = await signedInAdmin(t);
    const res = await c.post('/api/directory/domains', {
      kind: 'entra',
      name: 'contoso.onmicrosoft.com',
      secret: SECRET,
      removalThresholdPercent: 100,
      syncGroup: SYNC,
      rotationGroup: ROTATION,
      passwordChangeDays: 28,
      settings: { tenantId: emu.tenantId, clientId: app.clientId, loginBaseUrl: emu.loginUrl, graphBaseUrl: emu.graphUrl, pageSize: 4 },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.secret, { set: true });
    assert.equal(JSON.stringify(res.body).includes(SECRET), false, 'the client secret is never answered');
    domainId = res.body.id;
  });
  after(async () => {
    await t?.close();
    await emu?.close();
  });

  it('tests the connection: token, permissions, groups', async () => {
    const res = await c.post(`/api/directory/domains/${domainId}/test`);
    assert.equal(res.body.outcome, 'ok', JSON.stringify(res.body));
    assert.deepEqual(
      res.body.steps.map((s: { step: string }) => s.step),
      ['token', 'permissions', 'sync_group', 'rotation_group', 'members'],
    );
  });

  it('says which permission is missing when the app registration lacks one', async () => {
    const limited = emu.state.addApp({ secrets: ['limited-secret'], roles: ['User.Read.All', 'Group.Read.All'] });
    const res = await c.post('/api/directory/domains', {
      kind: 'entra',
      name: 'limited.onmicrosoft.com',
      secret: 'limited-secret',
      syncGroup: SYNC,
      rotationGroup: ROTATION,
      settings: { tenantId: emu.tenantId, clientId: limited.clientId, loginBaseUrl: emu.loginUrl, graphBaseUrl: emu.graphUrl },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const test = await c.post(`/api/directory/domains/${res.body.id}/test`);
    assert.equal(test.body.outcome, 'insufficient_rights', JSON.stringify(test.body));
    assert.match(test.body.message, /User-PasswordProfile\.ReadWrite\.All \(password rotation\)/);
    assert.equal((await c.delete(`/api/directory/domains/${res.body.id}`)).status, 204);
  });

  it('takes a client certificate and its key as the write-only secret, and signs in with them', async () => {
    const cert = await createClientCertificate();
    emu.state.addCertificate(app, cert.certPem);
    const res = await c.post('/api/directory/domains', {
      kind: 'entra',
      name: 'cert.onmicrosoft.com',
      secret: `${cert.certPem}${cert.keyPem}`,
      syncGroup: SYNC,
      rotationGroup: ROTATION,
      settings: { tenantId: emu.tenantId, clientId: app.clientId, credentialType: 'certificate', loginBaseUrl: emu.loginUrl, graphBaseUrl: emu.graphUrl },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.secret, { set: true });
    assert.equal(JSON.stringify(res.body).includes('PRIVATE KEY'), false);
    emu.state.requests.length = 0;
    const test = await c.post(`/api/directory/domains/${res.body.id}/test`);
    assert.equal(test.body.outcome, 'ok', JSON.stringify(test.body));
    const form = new URLSearchParams(emu.state.requests.find((r) => r.url.pathname.endsWith('/oauth2/v2.0/token'))!.body as string);
    assert.ok(form.get('client_assertion'), 'a signed client assertion, no secret');
    assert.equal((await c.delete(`/api/directory/domains/${res.body.id}`)).status, 204);
  });

  it('imports direct and nested members over several pages; a disabled account arrives deactivated', async () => {
    emu.state.requests.length = 0;
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.mode, 'full');
    const list = await employees();
    assert.equal(list.size, 12);
    assert.equal(list.get(mail(0))!.firstName, 'Given0');
    assert.equal(list.get(mail(0))!.source, domainId);
    assert.equal(list.get(mail(11))!.status, 'active', 'member through a nested group');
    assert.equal(list.get(mail(3))!.status, 'deactivated', 'accountEnabled false');
    const pages = emu.state.requests.filter((r) => r.url.pathname === `/graph/v1.0/groups/${syncGroup().id}/transitiveMembers`);
    assert.ok(pages.length >= 3, `12 members at $top=4 take at least 3 pages, got ${pages.length}`);
  });

  it('finishes a sync that Graph throttles (429 Retry-After) and whose token expires mid-listing', async () => {
    slept.length = 0;
    const paging = (_m: string, url: URL) => url.pathname.endsWith('/transitiveMembers') && url.searchParams.has('$skiptoken');
    emu.state.injectFault({ match: paging, status: 429, retryAfter: 3 });
    emu.state.before(paging, () => emu.state.expireAllTokens());
    emu.state.updateUser(users[4]!.id, { surname: 'Renamed' });
    const run = await sync({ full: true });
    assert.equal(run.status, 'succeeded', run.error);
    assert.deepEqual(slept, [3000]);
    assert.equal((await employees()).get(mail(4))!.lastName, 'Renamed');
  });

  it('syncs incrementally from the users delta link', async () => {
    emu.state.updateUser(users[1]!.id, { accountEnabled: false });
    emu.state.requests.length = 0;
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.mode, 'incremental');
    assert.equal((await employees()).get(mail(1))!.status, 'deactivated');
    assert.ok(
      emu.state.requests.some((r) => r.url.pathname.endsWith('/users/delta') && r.url.searchParams.has('$deltatoken')),
      'the delta link was followed',
    );
  });

  it('changes nothing when the listing cannot be completed', async () => {
    const before = JSON.stringify([...(await employees()).entries()]);
    emu.state.removeMember(syncGroup().id, users[2]!.id);
    emu.state.injectFault({
      match: (_m, url) => url.pathname.endsWith('/transitiveMembers') && url.searchParams.has('$skiptoken'),
      status: 503,
      retryAfter: 1,
      times: 10,
    });
    const run = await sync({ full: true });
    assert.equal(run.status, 'failed');
    assert.equal(JSON.stringify([...(await employees()).entries()]), before, 'no employee changed');
    emu.state.hooks.length = 0;
    emu.state.addMember(syncGroup().id, users[2]!.id);
  });

  it('applies each removal behaviour: deactivate, keep, delete', async () => {
    emu.state.removeMember(syncGroup().id, users[5]!.id);
    assert.equal((await sync({ full: true })).status, 'succeeded');
    assert.equal((await employees()).get(mail(5))!.status, 'deactivated');

    assert.equal((await c.patch(`/api/directory/domains/${domainId}`, { removalBehaviour: 'keep' })).status, 200);
    emu.state.removeMember(syncGroup().id, users[6]!.id);
    assert.equal((await sync({ full: true })).status, 'succeeded');
    assert.equal((await employees()).get(mail(6))!.status, 'active', 'kept');

    assert.equal((await c.patch(`/api/directory/domains/${domainId}`, { removalBehaviour: 'delete' })).status, 200);
    emu.state.removeMember(syncGroup().id, users[7]!.id);
    assert.equal((await sync({ full: true })).status, 'succeeded');
    assert.equal((await employees()).has(mail(7)), false, 'deleted');
  });

  it('rotates the password of a rotation-group member with a hardware key, through passwordProfile without a forced change', async () => {
    const alice = (await employees()).get(mail(0))!;
    assert.equal((await c.post(`/api/employees/${alice.id}/hardware-keys`, { serial: 'HK-0001' })).status, 201);
    const result = await t.services.domainPasswords.rotateDue(cliContext());
    assert.deepEqual(result, { rotated: 1, failed: 0 });
    const u0 = emu.state.users.get(users[0]!.id)!;
    assert.equal(u0.passwordWrites, 1);
    assert.equal(u0.forceChangePasswordNextSignIn, false);
    assert.ok(u0.password && u0.password.length >= 16);
    const audit = await c.get('/api/audit?action=directory.password_rotated');
    assert.equal(audit.body.items.length, 1);
    assert.equal(JSON.stringify(audit.body).includes(u0.password!), false, 'the password is never audited');
  });

  it('keeps a password Entra took but never confirmed as pending, and reconciles by writing it again', async () => {
    const u0 = emu.state.users.get(users[0]!.id)!;
    const alice = (await employees()).get(mail(0))!;
    const [account] = (await c.get(`/api/employees/${alice.id}/directory-accounts`)).body.items;
    emu.state.cutAfterApplying((m, url) => m === 'PATCH' && url.pathname.endsWith(`/users/${u0.id}`));
    const res = await c.post(`/api/employees/${alice.id}/directory-accounts/${account.id}/password`, { generate: true });
    assert.ok(res.status >= 400, 'the answer was lost: the change is not confirmed');
    const written = u0.password;
    assert.equal(u0.passwordWrites, 2, 'Entra did take it');
    const result = await t.services.domainPasswords.reconcile(cliContext());
    assert.deepEqual(result, { current: 1, failed: 0, unresolved: 0 });
    assert.equal(u0.passwordWrites, 3, 'written again: Entra surely holds the pending password');
    assert.equal(u0.password, written);
    assert.equal(u0.forceChangePasswordNextSignIn, false);
  });
});
