/**
 * The Entra connector against the Graph emulator (test/entra-emulator): client credentials with a
 * secret or a certificate through msal-node, paged transitive member listings, throttling, token
 * renewal mid-listing, incremental listings from users/delta, permission checks, passwordProfile.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DirectoryError } from '../connector.js';
import { createEntraConnector } from './entra-connector.js';
import { entraSettings } from './entra.schemas.js';
import { createClientCertificate, startEntraEmulator, type EntraEmulator } from '../../../test/entra-emulator/index.js';
import type { EmulatedApp, EmulatedUser } from '../../../test/entra-emulator/state.js';

const ALL_READ = ['User.Read.All', 'Group.Read.All'];

describe('Entra connector against the Graph emulator', () => {
  let emu: EntraEmulator;
  let app: EmulatedApp;
  const SECRET = 'S3cr3t~value.from-the-portal';
  const slept: number[] = [];
  let users: EmulatedUser[];

  const settings = (extra: Record<string, unknown> = {}) =>
    entraSettings.parse({
      tenantId: emu.tenantId,
      clientId: app.clientId,
      loginBaseUrl: emu.loginUrl,
      graphBaseUrl: emu.graphUrl,
      pageSize: 3,
      ...extra,
    });
  const connector = (secret: string | null = SECRET, extra: Record<string, unknown> = {}) =>
    createEntraConnector(settings(extra), secret, {
      fetch: emu.fetch,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });

  before(async () => {
    emu = await startEntraEmulator();
    app = emu.state.addApp({ secrets: [SECRET], roles: [...ALL_READ, 'User-PasswordProfile.ReadWrite.All'] });
    // 8 users directly in the sync group, 2 more through a nested group, 1 outside.
    users = Array.from({ length: 10 }, (_, i) =>
      emu.state.addUser({
        userPrincipalName: `user${i}@contoso.onmicrosoft.com`,
        mail: `User${i}@Contoso.example`,
        givenName: `Given${i}`,
        surname: `Sur${i}`,
        displayName: `User ${i}`,
        department: 'Sales',
        jobTitle: 'Rep',
        businessPhones: ['+1 555 0100'],
        companyName: 'Contoso',
      }),
    );
    users[3]!.accountEnabled = false;
    emu.state.addUser({ userPrincipalName: 'outsider@contoso.onmicrosoft.com' });
    const nested = emu.state.addGroup('Sales Nested', users.slice(8));
    emu.state.addGroup('Tessera Users Sync', [...users.slice(0, 8), nested]);
  });
  after(async () => {
    await emu.close();
  });
  beforeEach(() => {
    slept.length = 0;
    emu.state.requests.length = 0;
    emu.state.hooks.length = 0;
  });

  it('imports the transitive members over several pages, asking Graph for exactly the fields it maps', async () => {
    const c = connector();
    const listing = await c.listGroupMembers('Tessera Users Sync');
    assert.equal(listing.users.length, 10, 'nested members are included, the nested group itself is not');
    assert.equal(listing.isIncremental, false);
    assert.ok(listing.cursor?.startsWith(`${emu.graphUrl}/v1.0/users/delta?`), 'a delta link is kept for the next sync');
    const pages = emu.state.requests.filter((r) => r.url.pathname.endsWith('/transitiveMembers'));
    assert.ok(pages.length >= 4, `10 members at $top=3 take 4 pages, got ${pages.length}`);
    const first = pages[0]!.url;
    assert.equal(first.searchParams.get('$top'), '3');
    assert.deepEqual(
      first.searchParams.get('$select')!.split(',').sort(),
      [
        'accountEnabled',
        'businessPhones',
        'companyName',
        'department',
        'displayName',
        'givenName',
        'id',
        'jobTitle',
        'mail',
        'mobilePhone',
        'onPremisesSecurityIdentifier',
        'surname',
        'userPrincipalName',
      ].sort(),
    );
    const u0 = listing.users.find((u) => u.externalId === users[0]!.id)!;
    assert.deepEqual(u0, {
      externalId: users[0]!.id,
      username: 'user0',
      upn: 'user0@contoso.onmicrosoft.com',
      email: 'user0@contoso.example',
      givenName: 'Given0',
      surname: 'Sur0',
      displayName: 'User 0',
      department: 'Sales',
      title: 'Rep',
      phone: '+1 555 0100',
      company: 'Contoso',
      enabled: true,
      objectSid: null,
    });
    assert.equal(listing.users.find((u) => u.externalId === users[3]!.id)!.enabled, false, 'accountEnabled false is a disabled account');
  });

  it('waits as long as Retry-After says when Graph throttles mid-listing, and finishes the listing', async () => {
    emu.state.injectFault({
      match: (_m, url) => url.pathname.endsWith('/transitiveMembers') && url.searchParams.has('$skiptoken'),
      status: 429,
      retryAfter: 7,
    });
    emu.state.injectFault({
      match: (_m, url) => url.pathname.endsWith('/transitiveMembers') && url.searchParams.has('$skiptoken'),
      status: 503,
      retryAfter: 2,
    });
    const c = connector();
    const listing = await c.listGroupMembers('Tessera Users Sync');
    assert.equal(listing.users.length, 10);
    assert.deepEqual(slept, [7000, 2000]);
    assert.equal(c.graph().stats().throttled, 2);
  });

  it('renews a token that expires mid-listing without losing the run', async () => {
    const c = connector();
    emu.state.before(
      (_m, url) => url.pathname.endsWith('/transitiveMembers') && url.searchParams.has('$skiptoken'),
      () => emu.state.expireAllTokens(),
    );
    const listing = await c.listGroupMembers('Tessera Users Sync');
    assert.equal(listing.users.length, 10);
    assert.equal(c.graph().stats().renewals, 1);
    assert.equal(emu.state.requests.filter((r) => r.url.pathname.endsWith('/oauth2/v2.0/token')).length, 2, 'one token, then a fresh one');
  });

  it('signs in with a certificate (client assertion) and is refused with a certificate the app does not know', async () => {
    const cert = await createClientCertificate();
    emu.state.addCertificate(app, cert.certPem);
    const listing = await connector(`${cert.certPem}\n${cert.keyPem}`, { credentialType: 'certificate' }).listGroupMembers('Tessera Users Sync');
    assert.equal(listing.users.length, 10);
    const form = new URLSearchParams(emu.state.requests.find((r) => r.url.pathname.endsWith('/token'))!.body as string);
    assert.equal(form.get('client_secret'), null);
    assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.equal(JSON.parse(Buffer.from(form.get('client_assertion')!.split('.')[0]!, 'base64url').toString()).alg, 'PS256');
    const other = await createClientCertificate('CN=not registered');
    const result = await connector(`${other.certPem}\n${other.keyPem}`, { credentialType: 'certificate' }).testConnection({
      syncGroup: 'Tessera Users Sync',
      rotationGroup: null,
    });
    assert.equal(result.outcome, 'bad_credentials');
    assert.match(result.message, /not registered/);
  });

  it('says which permission is missing in Test connection, per chosen feature', async () => {
    const ok = await connector().testConnection({ syncGroup: 'Tessera Users Sync', rotationGroup: 'Tessera Users Sync' });
    assert.equal(ok.outcome, 'ok', ok.message);
    const c = connector(SECRET, { passkeys: { enabled: true } });
    const result = await c.testConnection({ syncGroup: 'Tessera Users Sync', rotationGroup: null });
    assert.equal(result.outcome, 'insufficient_rights');
    assert.match(result.message, /UserAuthMethod-Passkey\.ReadWrite\.All \(passkey provisioning\)/);
    assert.match(result.message, /Group\.ReadWrite\.All/);
    const readOnly = emu.state.addApp({ secrets: ['ro-secret'], roles: ['User.Read.All'] });
    const r2 = await createEntraConnector(
      entraSettings.parse({ tenantId: emu.tenantId, clientId: readOnly.clientId, loginBaseUrl: emu.loginUrl, graphBaseUrl: emu.graphUrl }),
      'ro-secret',
      { fetch: emu.fetch },
    ).testConnection({ syncGroup: 'Tessera Users Sync', rotationGroup: 'x' });
    assert.equal(r2.outcome, 'insufficient_rights');
    assert.match(r2.message, /Group\.Read\.All.*User-PasswordProfile\.ReadWrite\.All/);
    const missingGroup = await connector().testConnection({ syncGroup: 'No Such Group', rotationGroup: null });
    assert.equal(missingGroup.outcome, 'group_not_found');
    const badSecret = await connector('wrong').testConnection({ syncGroup: 'Tessera Users Sync', rotationGroup: null });
    assert.equal(badSecret.outcome, 'bad_credentials');
    assert.doesNotMatch(JSON.stringify(badSecret), /wrong|S3cr3t/);
  });

  it('lists incrementally from the delta link: changed and new members only, ids for all', async () => {
    const c = connector();
    const full = await c.listGroupMembers('Tessera Users Sync');
    emu.state.updateUser(users[1]!.id, { accountEnabled: false });
    emu.state.updateUser(users[9]!.id, { department: 'Support' });
    const late = emu.state.addUser({ userPrincipalName: 'late@contoso.onmicrosoft.com' });
    emu.state.addMember(emu.state.groupByName('Tessera Users Sync')!.id, late.id);
    emu.state.removeMember(emu.state.groupByName('Tessera Users Sync')!.id, users[0]!.id);
    const inc = await c.listGroupMembers('Tessera Users Sync', { cursor: full.cursor, knownIds: new Set(full.memberIds) });
    assert.equal(inc.isIncremental, true);
    assert.equal(inc.memberIds.length, 10);
    assert.ok(!inc.memberIds.includes(users[0]!.id));
    assert.deepEqual(inc.users.map((u) => u.username).sort(), ['late', 'user1', 'user9']);
    assert.equal(inc.users.find((u) => u.username === 'user1')!.enabled, false);
    assert.notEqual(inc.cursor, full.cursor);
  });

  it('rotates a password with passwordProfile and no forced change; a weak one is a policy error', async () => {
    const c = connector();
    await c.setPassword({ externalId: users[2]!.id, username: 'user2', upn: null }, 'Xy7!rotated-password-2026');
    assert.equal(users[2]!.password, 'Xy7!rotated-password-2026');
    assert.equal(users[2]!.forceChangePasswordNextSignIn, false);
    const patch = emu.state.requests.find((r) => r.method === 'PATCH')!;
    assert.deepEqual(patch.body, { passwordProfile: { password: 'Xy7!rotated-password-2026', forceChangePasswordNextSignIn: false } });
    await assert.rejects(
      c.setPassword({ externalId: users[2]!.id, username: 'user2', upn: null }, 'short'),
      (e: DirectoryError) => e.code === 'password_policy' && !e.message.includes('short'),
    );
    await assert.rejects(
      c.setPassword({ externalId: '00000000-0000-0000-0000-000000000000', username: 'x', upn: null }, 'Xy7!rotated-password-2026'),
      (e: DirectoryError) => e.code === 'account_not_found',
    );
    await assert.rejects(c.verifyPassword({ externalId: users[2]!.id, username: 'user2', upn: null }, 'x'), (e: DirectoryError) => e.code === 'not_supported');
  });

  it('reports an untrusted login certificate as a TLS failure, and a closed port as unreachable', async () => {
    const untrusted = await createEntraConnector(settings(), SECRET, { fetch: globalThis.fetch }).testConnection({
      syncGroup: 'Tessera Users Sync',
      rotationGroup: null,
    });
    assert.equal(untrusted.outcome, 'tls_failure', untrusted.message);
    const closed = await createEntraConnector(settings({ loginBaseUrl: 'https://127.0.0.1:9' }), SECRET, { fetch: emu.fetch }).testConnection({
      syncGroup: 'Tessera Users Sync',
      rotationGroup: null,
    });
    assert.equal(closed.outcome, 'unreachable', closed.message);
  });

  it('stops with credentials_missing when no secret is saved', async () => {
    await assert.rejects(connector(null).listGroupMembers('Tessera Users Sync'), (e: DirectoryError) => e.code === 'credentials_missing');
  });
});
