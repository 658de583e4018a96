/**
 * Passkeys provisioned into Entra ID through Tessera's API, against the Graph emulator: creation
 * options from Graph, a software authenticator's packed attestation posted back, pairing states
 * (pending → paired with Tessera → paired with Entra and back) mirrored into the three Entra
 * groups Tessera creates, expired and replayed attestations refused, users gone from Entra flagged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { entraPasskeyJobs } from './entra-passkey.jobs.js';
import type { EmployeeDto } from '../../employees/employee.schemas.js';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../../test/helpers/app.js';
import { makeEntraAttestation } from '../../../test/helpers/entra-authenticator.js';
import { DEFAULT_POLICY, passkeySignIn, registerKey, setPolicy } from '../../../test/helpers/signin.js';
import { softKeys } from '../../../test/helpers/soft-authenticator.js';
import { emulatorConnectorFactory, startEntraEmulator, type EntraEmulator } from '../../../test/entra-emulator/index.js';
import type { EmulatedApp, EmulatedUser } from '../../../test/entra-emulator/state.js';

const SYNC = 'Tessera Users Sync';
const GROUPS = { pending: 'Tessera Passkey Eligible', paired_tessera: 'Tessera Passkey Paired', paired_entra: 'Tessera Passkey Paired with Entra' };

describe('Entra passkey provisioning', () => {
  const clock = manualClock(new Date());
  let emu: EntraEmulator;
  let t: TestApp;
  let c: Client;
  let domain: string;
  let alice: EmulatedUser, bob: EmulatedUser, carol: EmulatedUser, dan: EmulatedUser;
  let aliceEmployee: EmployeeDto;
  let app: EmulatedApp;
  const key = softKeys.yubikey();
  const base = () => `/api/entra/${domain}`;
  const pairings = async (state?: string) =>
    (await c.get(`${base()}/pairings${state ? `?state=${state}` : ''}`)).body.items as {
      email: string;
      state: string;
      isMissingInEntra: boolean;
      unpairedAt: string | null;
      passkeys: { id: string; displayName: string; aaguid: string; model: string; createdAt: string }[];
    }[];
  const stateOf = async (email: string) => (await pairings()).find((p) => p.email === email)?.state;
  /** Which pairing group(s) the Entra user is in, by group name. */
  const groupsOf = (u: EmulatedUser) =>
    Object.entries(GROUPS)
      .filter(([, name]) => emu.state.groupByName(name)?.members.has(u.id))
      .map(([s]) => s);

  before(async () => {
    emu = await startEntraEmulator();
    app = emu.state.addApp({ secrets: ['s3cret-value'], roles: ['User.Read.All', 'Group.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'] });
    alice = emu.state.addUser({
      userPrincipalName: 'alice@contoso.onmicrosoft.com',
      mail: 'alice@contoso.example',
      givenName: 'Alice',
      surname: 'Archer',
      displayName: 'Alice Archer',
    });
    bob = emu.state.addUser({ userPrincipalName: 'bob@contoso.onmicrosoft.com', mail: 'bob@contoso.example', givenName: 'Bob', surname: 'Baker' });
    carol = emu.state.addUser({ userPrincipalName: 'carol@contoso.onmicrosoft.com', mail: 'carol@partner.example', givenName: 'Carol', surname: 'Cole' });
    dan = emu.state.addUser({ userPrincipalName: 'dan@contoso.onmicrosoft.com', mail: 'dan@contoso.example', givenName: 'Dan', surname: 'Dunn' });
    emu.state.addGroup(SYNC, [alice, bob, carol, dan]);
    t = await createTestApp({ clock, connectorFactory: emulatorConnectorFactory(emu) });
    c = await signedInAdmin(t);
    const res = await c.post('/api/directory/domains', {
      kind: 'entra',
      name: 'contoso.onmicrosoft.com',
      secret: 's3cret-value',
      syncGroup: SYNC,
      passwordChangeDays: 0,
      settings: {
        tenantId: emu.tenantId,
        clientId: app.clientId,
        loginBaseUrl: emu.loginUrl,
        graphBaseUrl: emu.graphUrl,
        passkeys: { enabled: true, allowedEmailDomains: ['contoso.example'] },
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    domain = res.body.id;
    assert.equal((await c.post(`/api/directory/domains/${domain}/sync`, { wait: true })).body.status, 'succeeded');
    const list = await c.get('/api/employees?pageSize=100');
    aliceEmployee = list.body.items.find((e: EmployeeDto) => e.email === 'alice@contoso.example');
    // Alice already signs in to Tessera with a security key: she is paired with Tessera.
    await registerKey(t, aliceEmployee, softKeys.yubikey());
    // Bob holds only a second-factor key (used after his password, never alone): that is no
    // passwordless Tessera credential, so he stays pending.
    await setPolicy(t, { ...DEFAULT_POLICY, allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] });
    await registerKey(
      t,
      list.body.items.find((e: EmployeeDto) => e.email === 'bob@contoso.example'),
      softKeys.yubikey(),
      'second_factor_key' as never,
    );
    await setPolicy(t, DEFAULT_POLICY);
  });
  after(async () => {
    await t?.close();
    await emu?.close();
  });

  it('creates the three pairing groups and puts each user in the group of their state', async () => {
    assert.equal(emu.state.groupByName(GROUPS.pending), undefined);
    const res = await c.post(`${base()}/pairings/refresh`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.byState, { pending: 3, paired_tessera: 1, paired_entra: 0 });
    for (const name of Object.values(GROUPS)) assert.ok(emu.state.groupByName(name), `group ${name} created`);
    assert.deepEqual(groupsOf(alice), ['paired_tessera']);
    assert.deepEqual(groupsOf(bob), ['pending'], 'a second-factor key alone does not pair with Tessera');
    const audit = await c.get('/api/audit?action=entra.group_created');
    assert.equal(audit.body.items.length, 3);
    assert.equal((await c.post(`${base()}/pairings/refresh`)).status, 200);
    assert.equal(emu.state.groups.size, 4, 'a second refresh creates no groups');
  });

  it('registers a passkey in Entra from the authenticator\'s packed attestation; the user moves to "paired with Entra"', async () => {
    const options = await c.post(`${base()}/employees/alice@contoso.example/passkeys/options`);
    assert.equal(options.status, 200, JSON.stringify(options.body));
    assert.equal(options.body.publicKey.rp.id, 'login.microsoft.com');
    assert.equal(options.body.publicKey.authenticatorSelection.userVerification, 'required');
    const res = await c.post(`${base()}/employees/${aliceEmployee.id}/passkeys`, makeEntraAttestation(key, options.body.publicKey, 'Alice YubiKey'));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.aaguid, 'ee882879-721c-4913-9775-3dfcce97072a');
    assert.equal(res.body.model, 'YubiKey 5 Series');
    assert.equal(emu.state.fido2.get(alice.id)?.length, 1, 'the method exists in Entra');
    assert.equal(await stateOf('alice@contoso.example'), 'paired_entra');
    assert.deepEqual(groupsOf(alice), ['paired_entra']);
    const listed = (await pairings('paired_entra'))[0]!;
    assert.equal(listed.passkeys[0]!.displayName, 'Alice YubiKey');
    const audit = (await c.get('/api/audit?action=entra.passkey_registered')).body.items;
    assert.equal(audit.length, 1);
    assert.equal(
      (await c.get('/api/audit?action=entra.group_member_added')).body.items.some(
        (e: { targetLabel: string; details: { group: string } }) => e.targetLabel === 'alice@contoso.example' && e.details.group === GROUPS.paired_entra,
      ),
      true,
    );
  });

  it("refuses a replayed attestation, and one made for expired options (Tessera's clock or Entra's)", async () => {
    const options = await c.post(`${base()}/employees/bob@contoso.example/passkeys/options`);
    const bobKey = softKeys.yubikey();
    const attestation = makeEntraAttestation(bobKey, options.body.publicKey, 'Bob key');
    clock.advance(6 * 60_000);
    const late = await c.post(`${base()}/employees/bob@contoso.example/passkeys`, attestation);
    assert.equal(late.status, 400);
    assert.equal(late.body.error.code, 'entra.challenge_expired');
    assert.equal(emu.state.fido2.get(bob.id), undefined, 'Entra was not asked');

    // Entra's own 5-minute limit: Tessera's clock says fine, the emulator's has moved on.
    const again = await c.post(`${base()}/employees/bob@contoso.example/passkeys/options`);
    emu.state.advance(6 * 60_000);
    const refused = await c.post(`${base()}/employees/bob@contoso.example/passkeys`, makeEntraAttestation(bobKey, again.body.publicKey, 'Bob key'));
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'entra.attestation_refused');
    assert.match(refused.body.error.message, /expired/);

    const fresh = await c.post(`${base()}/employees/bob@contoso.example/passkeys/options`);
    const good = makeEntraAttestation(softKeys.yubikey(), fresh.body.publicKey, 'Bob key 2');
    assert.equal((await c.post(`${base()}/employees/bob@contoso.example/passkeys`, good)).status, 201);
    const replay = await c.post(`${base()}/employees/bob@contoso.example/passkeys`, good);
    assert.equal(replay.status, 409);
    assert.equal(replay.body.error.code, 'entra.challenge_missing');
    assert.equal(emu.state.fido2.get(bob.id)?.length, 1);
  });

  it('refuses an attestation that is not packed, and an employee outside the allowed e-mail domains', async () => {
    const options = await c.post(`${base()}/employees/dan@contoso.example/passkeys/options`);
    const res = await c.post(
      `${base()}/employees/dan@contoso.example/passkeys`,
      makeEntraAttestation(softKeys.yubikey(), options.body.publicKey, 'Dan', { attestation: 'none' }),
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'entra.attestation_refused');
    assert.match(res.body.error.message, /packed/);
    const carolRes = await c.post(`${base()}/employees/carol@partner.example/passkeys/options`);
    assert.equal(carolRes.status, 403);
    assert.equal(carolRes.body.error.code, 'entra.email_domain_not_allowed');
    assert.equal((await c.get('/api/audit?action=entra.passkey_registration_refused')).body.items.length >= 2, true);
  });

  it('deletes a passkey in Entra too; states and groups follow unpairing', async () => {
    const alicePasskey = (await pairings()).find((p) => p.email === 'alice@contoso.example')!.passkeys[0]!;
    const del = await c.delete(`${base()}/employees/${aliceEmployee.id}/passkeys/${alicePasskey.id}`);
    assert.equal(del.status, 204, JSON.stringify(del.body));
    assert.equal(emu.state.fido2.get(alice.id)?.length, 0, 'deleted in Entra');
    assert.equal(await stateOf('alice@contoso.example'), 'paired_tessera');
    assert.deepEqual(groupsOf(alice), ['paired_tessera']);
    // She removes her Tessera key too: back to pending, flagged as unpaired.
    const creds = await c.get(`/api/employees/${aliceEmployee.id}/credentials`);
    for (const cred of creds.body.items) assert.equal((await c.delete(`/api/employees/${aliceEmployee.id}/credentials/${cred.id}`)).status, 204);
    await c.post(`${base()}/pairings/refresh`);
    const p = (await pairings()).find((x) => x.email === 'alice@contoso.example')!;
    assert.equal(p.state, 'pending');
    assert.ok(p.unpairedAt, 'flagged as unpaired');
    assert.deepEqual(groupsOf(alice), ['pending']);
    assert.equal((await c.get('/api/audit?action=entra.passkey_deleted')).body.items.length, 1);
  });

  it('picks up passkeys registered or deleted in Entra directly, and flags users Entra no longer knows', async () => {
    emu.state.markPasskeyUsed(bob.id, emu.state.fido2.get(bob.id)![0]!.id);
    emu.state.deleteUser(dan.id);
    const res = await c.post(`${base()}/pairings/refresh`);
    assert.equal(res.body.missingInEntra, 1);
    const list = await pairings();
    assert.equal(list.find((p) => p.email === 'dan@contoso.example')!.isMissingInEntra, true);
    const bobRow = list.find((p) => p.email === 'bob@contoso.example')!;
    assert.equal(bobRow.state, 'paired_entra');
    assert.ok((bobRow as unknown as { lastUsedAt: string }).lastUsedAt, 'last use comes from Entra');
  });

  it('registers the passkey even when the groups cannot be updated, and the refresh names the missing permission', async () => {
    const roles = app.roles;
    app.roles = roles.filter((r) => r !== 'Group.ReadWrite.All');
    emu.state.expireAllTokens();
    const options = await c.post(`${base()}/employees/alice@contoso.example/passkeys/options`);
    const res = await c.post(
      `${base()}/employees/alice@contoso.example/passkeys`,
      makeEntraAttestation(softKeys.yubikey(), options.body.publicKey, 'Alice spare key'),
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(await stateOf('alice@contoso.example'), 'paired_entra');
    assert.deepEqual(groupsOf(alice), ['pending'], 'not mirrored yet');
    const refresh = await c.post(`${base()}/pairings/refresh`);
    assert.equal(refresh.status, 502);
    assert.equal(refresh.body.error.code, 'directory.insufficient_rights');
    app.roles = roles;
    emu.state.expireAllTokens();
    assert.equal((await c.post(`${base()}/pairings/refresh`)).status, 200);
    assert.deepEqual(groupsOf(alice), ['paired_entra']);
  });

  it('lets a signed-in employee enrol their own passkey into Entra through the portal API', async () => {
    const bobEmployee = (await c.get('/api/employees?pageSize=100')).body.items.find((e: EmployeeDto) => e.email === 'bob@contoso.example') as EmployeeDto;
    const tesseraKey = softKeys.yubikey();
    await registerKey(t, bobEmployee, tesseraKey);
    const phone = new Client(t.app);
    assert.equal((await phone.post('/api/portal/entra/contoso.onmicrosoft.com/passkeys/options')).status, 401, 'signed in first');
    assert.equal((await passkeySignIn(phone, tesseraKey)).status, 200);
    const options = await phone.post('/api/portal/entra/contoso.onmicrosoft.com/passkeys/options');
    assert.equal(options.status, 200, JSON.stringify(options.body));
    assert.equal(options.body.publicKey.user.name, 'bob@contoso.onmicrosoft.com', 'options for the signed-in employee only');
    const before = emu.state.fido2.get(bob.id)!.length;
    const res = await phone.post(
      '/api/portal/entra/contoso.onmicrosoft.com/passkeys',
      makeEntraAttestation(softKeys.yubikey(), options.body.publicKey, 'Bob phone'),
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(emu.state.fido2.get(bob.id)!.length, before + 1);
    const audit = (await c.get('/api/audit?action=entra.passkey_registered')).body.items[0];
    assert.equal(audit.actorType, 'employee');
    assert.equal((await phone.get(`${base()}/pairings`)).status, 401, 'an employee session is not an admin session');
  });

  it('refreshes on schedule: an employee who enrolls a Tessera key moves to "paired with Tessera" and its group', async () => {
    const carolEmployee = (await c.get('/api/employees?pageSize=100')).body.items.find((e: EmployeeDto) => e.email === 'carol@partner.example') as EmployeeDto;
    await registerKey(t, carolEmployee, softKeys.yubikey());
    const [job] = entraPasskeyJobs({ db: t.services.db, logger: pino({ level: 'silent' }), entraPasskeys: t.services.entraPasskeys });
    await job!.run();
    assert.equal(await stateOf('carol@partner.example'), 'paired_tessera');
    assert.deepEqual(groupsOf(carol), ['paired_tessera']);
  });

  it('keeps the API closed to read-only keys and bad input', async () => {
    const key = await c.post('/api/api-keys', { name: 'reader', scope: 'read' });
    const reader = new Client(t.app, { authorization: `Bearer ${key.body.secret}` });
    assert.equal((await reader.get(`${base()}/pairings`)).status, 200);
    assert.equal((await reader.post(`${base()}/employees/bob@contoso.example/passkeys/options`)).status, 403);
    const bad = await c.post(`${base()}/employees/bob@contoso.example/passkeys`, {
      displayName: 'x',
      publicKeyCredential: { id: 'not base64url!', response: {} },
    });
    assert.equal(bad.status, 400);
    await c.post(`${base()}/employees/bob@contoso.example/passkeys/options`);
    const notB64 = await c.post(`${base()}/employees/bob@contoso.example/passkeys`, {
      displayName: 'x',
      publicKeyCredential: { id: 'abc', response: { clientDataJSON: 'e30=', attestationObject: 'a+b/' } },
    });
    assert.equal(notB64.status, 400);
    assert.match(notB64.body.error.message, /base64url/);
    assert.equal((await c.get('/api/entra/no-such-domain/pairings')).status, 400, 'not a domain id or name');
    assert.equal((await c.get('/api/entra/no-such.example/pairings')).status, 404);
  });
});
