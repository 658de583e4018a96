import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startAuditForwarder, type AuditForwarder } from '../src/audit/audit-forward.worker.js';
import { createTestApp, signedInAdmin, type Client, type TestApp } from './helpers/app.js';
import { ENGINES } from './helpers/db.js';
import { eventually } from './helpers/eventually.js';
import { hasRsyslog, parseSyslogLine, startRsyslog, type Rsyslog, type SyslogLine } from './helpers/rsyslog.js';

/**
 * Audit forwarding to a real rsyslog over TCP and TLS (issue 17, "What it must show"): the
 * events arrive in RFC 5424 form; rsyslog is stopped, events are written, it is started again, and
 * every event arrives, in order, none twice (by event id).
 */
async function makeGroups(admin: Client, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await admin.post('/api/groups', { name: `${prefix}-${i}` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
}

for (const engine of ENGINES) {
  describe(`audit forwarding to rsyslog (${engine})`, {
    skip: hasRsyslog() ? false : 'rsyslog and rsyslog-gnutls are not installed (scripts/test-setup.sh)',
  }, () => {
    let rsyslog: Rsyslog;
    let t: TestApp;
    let admin: Client;
    let forwarder: AuditForwarder;
    before(async () => {
      rsyslog = await startRsyslog();
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      forwarder = startAuditForwarder({
        forwarding: t.services.auditForwarding,
        logger: pino({ level: 'silent' }),
        nodeId: 'node-a',
        intervalMs: 100,
        nudgeDelayMs: 20,
        delivery: { backoffMinMs: 50, backoffMaxMs: 300 },
      });
    });
    after(async () => {
      await forwarder?.stop();
      await t?.close();
      await rsyslog?.close();
    });

    it('delivers every event over TCP and TLS in RFC 5424 form, in order and once, across an rsyslog outage', async () => {
      const tcp = await admin.post('/api/audit/destinations', {
        kind: 'syslog',
        name: 'rsyslog TCP',
        settings: { host: '127.0.0.1', port: rsyslog.tcpPort, transport: 'tcp', facility: 'local4' },
      });
      assert.equal(tcp.status, 201, JSON.stringify(tcp.body));
      const tls = await admin.post('/api/audit/destinations', {
        kind: 'syslog',
        name: 'rsyslog TLS',
        settings: { host: '127.0.0.1', port: rsyslog.tlsPort, transport: 'tls', facility: 'auth', caCertificate: rsyslog.caPem },
      });
      assert.equal(tls.status, 201, JSON.stringify(tls.body));
      const cursor = tcp.body.state.cursor;

      await makeGroups(admin, 'before', 5);
      const expectedNow = async () => (await t.services.audit.toForward(cursor, 10_000)).map((r) => r.id);
      const arrived = (lines: () => string[]) => lines().map(parseSyslogLine);
      const waitAll = async (what: string) => {
        const expected = await expectedNow();
        await eventually(
          async () => {
            const ids = (get: () => string[]) => new Set(arrived(get).map((l) => Number(l.sd.auditId)));
            const tcpIds = ids(rsyslog.tcpLines);
            const tlsIds = ids(rsyslog.tlsLines);
            assert.ok(
              expected.every((id) => tcpIds.has(id)),
              `TCP has ${tcpIds.size} of ${expected.length}`,
            );
            // The TLS destination was created one record later: its own creation is its first.
            assert.ok(
              expected.slice(1).every((id) => tlsIds.has(id)),
              `TLS has ${tlsIds.size} of ${expected.length - 1}`,
            );
          },
          what,
          { timeoutMs: 30_000 },
        );
      };
      await waitAll('the first events reach rsyslog');

      const first = arrived(rsyslog.tcpLines).find((l) => l.msgId === 'group.created') as SyslogLine;
      const installationId = await t.services.auditForwarding.installationId();
      assert.equal(first.pri, 20 * 8 + 6, 'facility local4, severity informational');
      assert.equal(first.appName, 'tessera');
      assert.equal(first.sd.eventId, `${installationId}:${first.sd.auditId}:${first.sd.hash.slice(0, 16)}`);
      assert.equal(first.sd.installationId, installationId);
      assert.match(first.sd.hash, /^[0-9a-f]{64}$/);
      assert.equal(first.msg.eventId, first.sd.eventId, 'MSG is the record as JSON');
      assert.equal(first.msg.action, 'group.created');
      assert.equal((first.msg.target as { label: string }).label, 'before-0');
      assert.ok(!Number.isNaN(Date.parse(first.timestamp)), 'RFC 3339 timestamp');
      assert.equal(arrived(rsyslog.tlsLines).find((l) => l.msgId === 'group.created')?.pri, 4 * 8 + 6, 'facility auth over TLS');

      // rsyslog goes away; events keep being written; both destinations say they cannot deliver.
      await rsyslog.stop();
      await makeGroups(admin, 'during', 12);
      await eventually(async () => {
        for (const id of [tcp.body.id, tls.body.id]) {
          const state = (await admin.get(`/api/audit/destinations/${id}`)).body.state;
          assert.match(String(state.lastError), /connection refused/, `last error: ${state.lastError}`);
          assert.ok(state.backlog >= 12, `backlog ${state.backlog}`);
          assert.equal(state.lastErrorKind, 'retryable');
        }
      }, 'the outage is shown');

      await rsyslog.start();
      await makeGroups(admin, 'after', 2);
      await waitAll('every event reaches rsyslog after the outage');
      await eventually(async () => {
        for (const id of [tcp.body.id, tls.body.id]) {
          const state = (await admin.get(`/api/audit/destinations/${id}`)).body.state;
          assert.equal(state.consecutiveFailures, 0, `failures ${state.consecutiveFailures}`);
        }
      }, 'both destinations recover');

      const expected = await expectedNow();
      for (const [name, lines, from] of [
        ['TCP', rsyslog.tcpLines, 0],
        ['TLS', rsyslog.tlsLines, 1],
      ] as const) {
        const ids = arrived(lines).map((l) => Number(l.sd.auditId));
        assert.equal(new Set(ids).size, ids.length, `${name}: no event arrived twice`);
        assert.deepEqual(ids.slice(0, expected.length - from), expected.slice(from), `${name}: every event, in order`);
        const groups = arrived(lines)
          .filter((l) => l.msgId === 'group.created')
          .map((l) => (l.msg.target as { label: string }).label);
        assert.equal(groups.length, 19, `${name}: all 19 groups`);
        assert.deepEqual(
          groups.slice(5, 17),
          Array.from({ length: 12 }, (_, i) => `during-${i}`),
          `${name}: the outage's events in order`,
        );
      }
    });

    it('verifies the receiver’s certificate by default', async () => {
      const wrongCa = await admin.post('/api/audit/destinations', {
        kind: 'syslog',
        name: 'rsyslog TLS, wrong CA',
        enabled: false,
        settings: { host: '127.0.0.1', port: rsyslog.tlsPort, transport: 'tls', caCertificate: rsyslog.otherCaPem },
      });
      assert.equal(wrongCa.status, 201, JSON.stringify(wrongCa.body));
      const tested = await admin.post(`/api/audit/destinations/${wrongCa.body.id}/test`);
      assert.equal(tested.body.ok, false);
      assert.match(tested.body.message, /TLS certificate refused/);
      const right = await admin.patch(`/api/audit/destinations/${wrongCa.body.id}`, {
        kind: 'syslog',
        settings: { host: '127.0.0.1', port: rsyslog.tlsPort, transport: 'tls', caCertificate: rsyslog.caPem },
      });
      assert.equal(right.status, 200);
      const again = await admin.post(`/api/audit/destinations/${wrongCa.body.id}/test`);
      assert.equal(again.body.ok, true, again.body.message);
      await eventually(
        async () =>
          assert.ok(
            rsyslog.tlsLines().some((l) => l.includes('"test":true')),
            'the test event arrived',
          ),
        'the test event reaches rsyslog',
      );
    });
  });
}
