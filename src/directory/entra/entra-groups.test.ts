/**
 * Groups of synced employees from an Entra ID tenant (the Graph emulator): users/{id}/transitiveMemberOf
 * cast to groups, nested groups resolved by Graph, paged by @odata.nextLink, security groups only
 * by default, the 'list' mode, renames followed, onPremisesSecurityIdentifier as objectSid, and
 * 'under_ou' refused (Entra ID has no OUs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../../test/helpers/app.js';
import { emulatorConnectorFactory, startEntraEmulator, type EntraEmulator } from '../../../test/entra-emulator/index.js';
import type { EmulatedApp, EmulatedGroup, EmulatedUser } from '../../../test/entra-emulator/state.js';

const SYNC = 'Tessera Users Sync';
const SECRET = 'client~secret.value-1234';

describe('Entra ID groups of synced employees', () => {
  let emu: EntraEmulator;
  let app: EmulatedApp;
  let t: TestApp;
  let c: Client;
  let domainId: string;
  let alice: EmulatedUser;
  let bob: EmulatedUser;
  let outer: EmulatedGroup;
  let inner: EmulatedGroup;

  async function groupsByEmail(): Promise<Map<string, string[]>> {
    const rows = await t.db.database.query<{ email: string; name: string }>(
      `SELECT e.email, g.name FROM group_members m JOIN groups g ON g.id = m.group_id JOIN employees e ON e.id = m.employee_id
       WHERE g.domain_id = $1 ORDER BY e.email, g.name`,
      [domainId],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.email, [...(out.get(r.email) ?? []), r.name]);
    return out;
  }
  const sync = async () => {
    const res = await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'succeeded', JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    emu = await startEntraEmulator();
    app = emu.state.addApp({ secrets: [SECRET], roles: ['User.Read.All', 'Group.Read.All'] });
    alice = emu.state.addUser({
      userPrincipalName: 'alice@contoso.onmicrosoft.com',
      mail: 'alice@contoso.example',
      onPremisesSecurityIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-1105',
    });
    bob = emu.state.addUser({ userPrincipalName: 'bob@contoso.onmicrosoft.com', mail: 'bob@contoso.example' });
    emu.state.addGroup(SYNC, [alice, bob]);
    inner = emu.state.addGroup('G-inner', [alice]);
    outer = emu.state.addGroup('G-outer', [inner]);
    // More groups than one page of 4: the listing must follow @odata.nextLink.
    for (let i = 1; i <= 5; i++) emu.state.addGroup(`Team ${i}`, [alice]);
    const m365 = emu.state.addGroup('All Company', [alice, bob]);
    m365.securityEnabled = false;
    m365.mailEnabled = true;
    t = await createTestApp({ connectorFactory: emulatorConnectorFactory(emu, []) });
    c = await signedInAdmin(t);
    const res = await c.post('/api/directory/domains', {
      kind: 'entra',
      name: 'contoso.onmicrosoft.com',
      secret: SECRET,
      passwordChangeDays: 0,
      syncGroup: SYNC,
      settings: { tenantId: emu.tenantId, clientId: app.clientId, loginBaseUrl: emu.loginUrl, graphBaseUrl: emu.graphUrl, pageSize: 4 },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    domainId = res.body.id;
  });
  after(async () => {
    await t?.close();
    await emu?.close();
  });

  it('refuses under_ou for a tenant with a clear 400', async () => {
    const res = await c.patch(`/api/directory/domains/${domainId}`, { groupImport: { mode: 'under_ou', ou: 'OU=Groups,DC=corp' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'request.validation_failed');
    assert.match(res.body.error.message, /Active Directory only/);
  });

  it('imports the security groups of members transitively, every page of them', async () => {
    const r = await sync();
    assert.equal(r.counts.groupsAdded, 8, JSON.stringify(r.counts));
    const groups = await groupsByEmail();
    assert.deepEqual(groups.get('alice@contoso.example'), ['G-inner', 'G-outer', 'Team 1', 'Team 2', 'Team 3', 'Team 4', 'Team 5', SYNC]);
    assert.deepEqual(groups.get('bob@contoso.example'), [SYNC], 'a Microsoft 365 (not security) group is not imported');
    const pages = emu.state.requests.filter((q) => q.url.pathname.endsWith(`/users/${alice.id}/transitiveMemberOf/microsoft.graph.group`));
    assert.ok(pages.length >= 3, `paged by @odata.nextLink (${pages.length} requests)`);
    const [row] = await t.db.database.query<{ sid: string | null }>("SELECT attributes->>'objectSid' AS sid FROM directory_accounts WHERE upn LIKE 'alice@%'");
    assert.equal(row.sid, 'S-1-5-21-1004336348-1177238915-682003330-1105');
  });

  it('follows renames and membership changes on an incremental sync', async () => {
    outer.displayName = 'G-outer renamed';
    emu.state.removeMember(inner.id, alice.id);
    emu.state.addMember(inner.id, bob.id);
    const r = await sync();
    assert.equal(r.mode, 'incremental');
    const groups = await groupsByEmail();
    assert.equal(groups.get('alice@contoso.example')?.includes('G-inner'), false);
    assert.deepEqual(groups.get('bob@contoso.example'), ['G-inner', 'G-outer renamed', SYNC]);
  });

  it("imports only named groups in 'list' mode", async () => {
    assert.equal((await c.patch(`/api/directory/domains/${domainId}`, { groupImport: { mode: 'list', names: ['g-outer renamed'] } })).status, 200);
    await sync();
    const groups = await groupsByEmail();
    assert.deepEqual([...groups.entries()], [['bob@contoso.example', ['G-outer renamed']]]);
  });
});
