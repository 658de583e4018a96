/**
 * One person in both an on-premises AD (a real Samba AD DC) and an Entra ID tenant (the Graph
 * emulator) is one employee with two directory accounts, matched by e-mail; leaving one directory
 * does not remove what the other still says.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../../test/helpers/app.js';
import { startSamba, type SambaDc } from '../../../test/helpers/samba.js';
import { emulatorConnectorFactory, startEntraEmulator, type EntraEmulator } from '../../../test/entra-emulator/index.js';
import type { EmulatedUser } from '../../../test/entra-emulator/state.js';

const SYNC = 'Tessera Users Sync';

describe('one person in Samba AD and in Entra ID', () => {
  let dc: SambaDc;
  let emu: EntraEmulator;
  let t: TestApp;
  let c: Client;
  let adId: string, entraId: string;
  let alice: EmulatedUser;

  const employees = async () =>
    (await c.get('/api/employees?pageSize=100')).body.items as { id: string; email: string; status: string; firstName: string; lastName: string }[];
  const sync = async (id: string) => {
    const res = await c.post(`/api/directory/domains/${id}/sync`, { wait: true, full: true });
    assert.equal(res.body.status, 'succeeded', JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    [dc, emu] = await Promise.all([startSamba({ ip: '127.0.0.28', realm: 'merge.example.test' }), startEntraEmulator()]);
    await dc.addGroup(SYNC);
    await dc.addUser({ username: 'alice', password: 'Al1ce-Pass!x', givenName: 'Alice', surname: 'Archer', mail: 'Alice.Archer@corp.example' });
    await dc.addUser({ username: 'bob', password: 'B0b-Pass!xyz', givenName: 'Bob', surname: 'Baker', mail: 'bob@corp.example' });
    await dc.addMembers(SYNC, ['alice', 'bob']);
    const app = emu.state.addApp({ secrets: ['merge-secret'], roles: ['User.Read.All', 'Group.Read.All'] });
    alice = emu.state.addUser({ userPrincipalName: 'alice@corp.onmicrosoft.com', mail: 'alice.archer@corp.example', givenName: 'Alice', surname: 'Archer' });
    const carol = emu.state.addUser({ userPrincipalName: 'carol@corp.onmicrosoft.com', mail: 'carol@corp.example', givenName: 'Carol', surname: 'Cole' });
    emu.state.addGroup(SYNC, [alice, carol]);

    t = await createTestApp({ connectorFactory: emulatorConnectorFactory(emu) });
    c = await signedInAdmin(t);
    const ad = await c.post('/api/directory/domains', {
      kind: 'ad',
      name: 'merge.example.test',
      secret: dc.adminPassword,
      removalBehaviour: 'deactivate',
      removalThresholdPercent: 100,
      settings: { urls: [dc.ldapsUrl], bindUser: dc.adminUpn, caCertificate: dc.caPem, tlsServerName: dc.tlsServerName },
    });
    assert.equal(ad.status, 201, JSON.stringify(ad.body));
    adId = ad.body.id;
    const entra = await c.post('/api/directory/domains', {
      kind: 'entra',
      name: 'corp.onmicrosoft.com',
      secret: 'merge-secret',
      removalBehaviour: 'deactivate',
      removalThresholdPercent: 100,
      passwordChangeDays: 0,
      settings: { tenantId: emu.tenantId, clientId: app.clientId, loginBaseUrl: emu.loginUrl, graphBaseUrl: emu.graphUrl },
    });
    assert.equal(entra.status, 201, JSON.stringify(entra.body));
    entraId = entra.body.id;
  });
  after(async () => {
    await t?.close();
    await emu?.close();
    await dc?.stop();
  });

  it('merges the AD and Entra accounts of the same person by e-mail into one employee', async () => {
    await sync(adId);
    const run = await sync(entraId);
    assert.equal(run.counts.linked, 1, JSON.stringify(run.counts));
    assert.equal(run.counts.created, 1);
    const list = await employees();
    assert.deepEqual(list.map((e) => e.email.toLowerCase()).sort(), ['alice.archer@corp.example', 'bob@corp.example', 'carol@corp.example']);
    const aliceEmployee = list.find((e) => e.email.toLowerCase() === 'alice.archer@corp.example')!;
    const accounts = await c.get(`/api/employees/${aliceEmployee.id}/directory-accounts`);
    assert.equal(accounts.status, 200, JSON.stringify(accounts.body));
    assert.deepEqual(accounts.body.items.map((a: { domainName?: string; domainId?: string }) => a.domainId ?? a.domainName).sort(), [adId, entraId].sort());
  });

  it('keeps the merged employee active while one directory still has them', async () => {
    emu.state.removeMember(emu.state.groupByName(SYNC)!.id, alice.id);
    await sync(entraId);
    const aliceEmployee = (await employees()).find((e) => e.email.toLowerCase() === 'alice.archer@corp.example')!;
    assert.equal(aliceEmployee.status, 'active', 'AD still lists her');
  });
});
