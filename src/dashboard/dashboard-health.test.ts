/**
 * The dashboard's health fields (issue 16): each directory domain's sync (last run, next scheduled
 * run, a run held by the removal threshold), outgoing mail health after a failed and a successful
 * send to a real SMTP server, and the SAML/WS-Fed signing certificate as it nears expiry (the
 * injected clock moves to 20 days before its notAfter).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectorFactory } from '../directory/connector-factory.js';
import type { DirectoryConnector } from '../directory/connector.js';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { freePort } from '../../test/helpers/server.js';
import { smtpSink } from '../../test/helpers/smtp-sink.js';

const DAY = 86_400_000;

/** A directory whose sync group holds `members` (changed between syncs by the test). */
function mutableDirectory(members: string[]) {
  const user = (u: string) => ({
    externalId: `00000000-0000-4000-8000-${u.padStart(12, '0')}`,
    username: u,
    upn: `${u}@corp.example.test`,
    email: `${u}@corp.example.test`,
    givenName: u,
    surname: 'Test',
    displayName: `${u} Test`,
    department: null,
    title: null,
    phone: null,
    company: null,
    enabled: true,
  });
  const factory: ConnectorFactory = () =>
    ({
      kind: 'ad',
      capabilities: { incremental: false, setPassword: false, changeOwnPassword: false },
      testConnection: async () => ({ outcome: 'ok', message: 'ok', steps: [] }),
      listGroupMembers: async () => {
        const users = members.map(user);
        return { memberIds: users.map((u) => u.externalId), users, cursor: null, isIncremental: false };
      },
      setPassword: async () => {
        throw new Error('not supported');
      },
      verifyPassword: async () => false,
      changeOwnPassword: async () => {
        throw new Error('not supported');
      },
      close: async () => {},
    }) satisfies DirectoryConnector;
  return { factory, members };
}

for (const engine of ENGINES) {
  describe(`dashboard health: directory sync, mail, certificates (${engine})`, () => {
    const clock = manualClock(new Date());
    const directory = mutableDirectory(Array.from({ length: 10 }, (_, i) => `user${i}`));
    const sink = smtpSink();
    let t: TestApp;
    let port: number;
    let domainId: string;
    const dashboard = async () => {
      // The clock jumps: sign in afresh, as the admin would, rather than keep an expired session.
      const admin = await signedInAdmin(t);
      const res = await admin.get('/api/dashboard');
      assert.equal(res.status, 200, res.raw);
      return { admin, body: res.body };
    };

    before(async () => {
      t = await createTestApp({ engine, clock, connectorFactory: directory.factory });
      port = await freePort();
    });
    after(async () => {
      await sink.stop();
      await t?.close();
    });

    it('refuses the dashboard to a caller who is not signed in', async () => {
      assert.equal((await new Client(t.app).get('/api/dashboard')).status, 401);
    });

    it('says SMTP is not configured and nothing was sent on a fresh server, and lists no domain', async () => {
      const { body } = await dashboard();
      assert.deepEqual(body.mail, { isConfigured: false, lastAttempt: null, lastFailure: null, failuresLast24h: 0, pending: 0 });
      assert.deepEqual(body.directorySync, []);
    });

    it('records a failed send with the SMTP error in words (no recipient, no body), then a successful one', async () => {
      const { admin } = await dashboard();
      const saved = await admin.patch('/api/settings', {
        // No SMTP authentication: the sink (test/helpers/smtp-sink.ts) takes mail without it.
        smtp: { host: '127.0.0.1', port, tls: 'none', from: 'it@corp.example' },
      });
      assert.equal(saved.status, 200, saved.raw);
      // Nothing listens on the port yet: the test mail fails.
      const failed = await admin.post('/api/settings/smtp/test', { to: 'it-ops@corp.example' });
      assert.equal(failed.body.error?.code, 'mail.send_failed', failed.raw);
      let { body } = await dashboard();
      assert.equal(body.mail.isConfigured, true);
      assert.equal(body.mail.failuresLast24h, 1);
      assert.equal(body.mail.lastAttempt.outcome, 'failed');
      assert.equal(body.mail.lastFailure.at, clock.now().toISOString());
      assert.match(body.mail.lastFailure.error, /\S{6,}/, 'the error says something');
      assert.doesNotMatch(JSON.stringify(body.mail), /it-ops@corp\.example/, 'no recipient');

      await sink.start(port);
      clock.advance(60_000);
      const employee = await admin.post('/api/employees', { email: 'ivy@corp.example', firstName: 'Ivy', lastName: 'Test' });
      assert.equal((await admin.post(`/api/employees/${employee.body.id}/invitations`)).status, 201);
      // The invitation may already be on its way (the outbox worker); either way it arrives.
      await t.services.mail.processDue();
      await sink.waitForMail((m) => m.to.includes('ivy@corp.example'), 'the invitation');
      ({ body } = await dashboard());
      assert.deepEqual(body.mail.lastAttempt, { at: clock.now().toISOString(), outcome: 'sent', kind: 'invitation' });
      assert.equal(body.mail.lastFailure.kind, 'test', 'the last failure stays shown after a success');
      assert.equal(body.mail.failuresLast24h, 1);
      assert.doesNotMatch(JSON.stringify(body.mail), /ivy@corp\.example|enroll\//, 'no recipient, no link');

      clock.advance(DAY);
      ({ body } = await dashboard());
      assert.equal(body.mail.failuresLast24h, 0, 'a day later the failure is out of the window');
      assert.notEqual(body.mail.lastFailure, null, 'but still the last failure');
    });

    it('shows the last sync and the next scheduled one, then a run held by the removal threshold', async () => {
      const { admin } = await dashboard();
      const created = await admin.post('/api/directory/domains', {
        kind: 'ad',
        name: 'corp.example.test',
        secret: 'service-account-password',
        syncIntervalMinutes: 30,
        removalBehaviour: 'deactivate',
        removalThresholdPercent: 10,
        settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
      });
      assert.equal(created.status, 201, created.raw);
      domainId = created.body.id;
      let { body } = await dashboard();
      assert.equal(body.directorySync.length, 1);
      assert.deepEqual(
        { ...body.directorySync[0], nextRunAt: body.directorySync[0].nextRunAt },
        {
          domain: { id: domainId, name: 'corp.example.test', kind: 'ad' },
          schedule: 'scheduled',
          intervalMinutes: 30,
          lastSuccessAt: null,
          lastRun: null,
          nextRunAt: clock.now().toISOString(),
          heldRuns: [],
        },
        'never synced: due now',
      );

      const first = await admin.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
      assert.equal(first.body.status, 'succeeded', first.raw);
      const syncedAt = first.body.startedAt;
      ({ body } = await dashboard());
      let status = body.directorySync[0];
      assert.equal(status.lastRun.status, 'succeeded');
      assert.equal(status.lastRun.counts.created, 10);
      assert.equal(status.lastSuccessAt, syncedAt);
      assert.equal(status.nextRunAt, new Date(Date.parse(syncedAt) + 30 * 60_000).toISOString());

      directory.members.splice(0, 5);
      clock.advance(60_000);
      const held = await admin.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
      assert.equal(held.body.status, 'awaiting_confirmation', held.raw);
      ({ body } = await dashboard());
      status = body.directorySync[0];
      assert.equal(status.lastRun.status, 'awaiting_confirmation');
      assert.deepEqual(
        status.heldRuns.map((r: { id: string; counts: Record<string, number> }) => [r.id, r.counts.deactivated]),
        [[held.body.id, 5]],
      );
      assert.equal(status.lastSuccessAt, syncedAt, 'a held run is not a success');

      const cancelled = await admin.post(`/api/directory/domains/${domainId}/runs/${held.body.id}/cancel`);
      assert.equal(cancelled.status, 200, cancelled.raw);
      ({ body } = await dashboard());
      assert.deepEqual(body.directorySync[0].heldRuns, [], 'a cancelled run waits no more');
    });

    it('flags the SAML signing certificate 20 days before it expires, with the page that renews it', async () => {
      let { body } = await dashboard();
      const [cert] = body.certificates;
      assert.equal(cert.kind, 'saml_signing');
      assert.equal(cert.isExpiringSoon, false);
      assert.ok(cert.daysLeft > 9 * 365, `a fresh ten-year certificate, got ${cert.daysLeft} days`);
      assert.equal(cert.renewPath, '/saml');
      clock.set(new Date(Date.parse(cert.expiresAt) - 20 * DAY));
      t.services.samlKeys.refresh();
      ({ body } = await dashboard());
      assert.equal(body.certificates[0].daysLeft, 20);
      assert.equal(body.certificates[0].isExpiringSoon, true);
      assert.equal(body.certificates[0].fingerprint, cert.fingerprint);
    });
  });
}
