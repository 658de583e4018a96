import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { startSamba, type SambaDc } from '../../test/helpers/samba.js';

/**
 * Two Samba AD domains side by side (each on its own loopback address): the same person in both
 * (same e-mail) becomes one employee with two domain accounts; leaving one domain's group under
 * "Delete" only unlinks that account while the other domain still holds the employee.
 */
const SYNC = 'Tessera Users Sync';

describe('one employee from two AD domains', () => {
  let corp: SambaDc;
  let lab: SambaDc;
  let t: TestApp;
  let c: Client;
  const ids: Record<string, string> = {};

  before(async () => {
    [corp, lab] = await Promise.all([
      startSamba({ ip: '127.0.0.26', realm: 'corp.example.test' }),
      startSamba({ ip: '127.0.0.27', realm: 'lab.example.test' }),
    ]);
    for (const dc of [corp, lab]) {
      await dc.addGroup(SYNC);
      await dc.addGroup('Tessera Key Auto Password Change');
      await dc.addUser({ username: 'mia', password: 'M1a-Pass!word', givenName: 'Mia', surname: 'Moss', mail: 'mia.moss@example.test' });
      await dc.addMembers(SYNC, ['mia']);
    }
    await corp.addUser({ username: 'noah', password: 'N0ah-Pass!word', givenName: 'Noah', surname: 'North', mail: 'noah@example.test' });
    await corp.addMembers(SYNC, ['noah']);
    t = await createTestApp();
    c = await signedInAdmin(t);
    for (const [name, dc] of [
      ['corp.example.test', corp],
      ['lab.example.test', lab],
    ] as const) {
      const res = await c.post('/api/directory/domains', {
        kind: 'ad',
        name,
        secret: dc.adminPassword,
        removalBehaviour: 'delete',
        removalThresholdPercent: 100,
        settings: { urls: [dc.ldapsUrl], bindUser: dc.adminUpn, caCertificate: dc.caPem, tlsServerName: dc.tlsServerName },
      });
      assert.equal(res.status, 201, res.raw);
      ids[name] = res.body.id;
    }
  });
  after(async () => {
    await t?.close();
    await Promise.all([corp?.stop(), lab?.stop()]);
  });

  it('merges the same e-mail from both domains into one employee with two accounts', async () => {
    const first = await c.post(`/api/directory/domains/${ids['corp.example.test']}/sync`, { wait: true });
    assert.equal(first.body.counts.created, 2, JSON.stringify(first.body));
    const second = await c.post(`/api/directory/domains/${ids['lab.example.test']}/sync`, { wait: true });
    assert.equal(second.body.counts.created, 0, JSON.stringify(second.body.counts));
    assert.equal(second.body.counts.linked, 1);
    const list = await c.get('/api/employees?q=mia');
    assert.equal(list.body.total, 1);
    const accounts = await c.get(`/api/employees/${list.body.items[0].id}/directory-accounts`);
    assert.deepEqual(accounts.body.items.map((a: { domainName: string }) => a.domainName).sort(), ['corp.example.test', 'lab.example.test']);
  });

  it('only unlinks an employee who leaves one domain while the other still holds them', async () => {
    await lab.removeMembers(SYNC, ['mia']);
    const run = await c.post(`/api/directory/domains/${ids['lab.example.test']}/sync`, { wait: true });
    assert.equal(run.body.counts.unlinked, 1, JSON.stringify(run.body.counts));
    assert.equal(run.body.counts.deleted, 0);
    const mia = (await c.get('/api/employees?q=mia')).body.items[0];
    assert.equal(mia.status, 'active');
    const accounts = await c.get(`/api/employees/${mia.id}/directory-accounts`);
    assert.deepEqual(
      accounts.body.items.map((a: { domainName: string }) => a.domainName),
      ['corp.example.test'],
    );
    // Leaving the last domain deletes the employee, through the employee service (audited).
    await corp.removeMembers(SYNC, ['mia']);
    const last = await c.post(`/api/directory/domains/${ids['corp.example.test']}/sync`, { wait: true });
    assert.equal(last.body.counts.deleted, 1, JSON.stringify(last.body.counts));
    assert.equal((await c.get('/api/employees?q=mia')).body.total, 0);
    const audit = await c.get('/api/audit?action=employee.deleted');
    assert.ok(
      audit.body.items.some((e: { targetLabel: string }) => e.targetLabel === 'mia.moss@example.test'),
      JSON.stringify(audit.body).slice(0, 300),
    );
  });
});
