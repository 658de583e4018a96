import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { systemContext } from '../lib/context.js';
import { ENGINES } from '../../test/helpers/db.js';
import { eventually } from '../../test/helpers/eventually.js';
import { createTestApp, signedInAdmin, type Client, type TestApp } from '../../test/helpers/app.js';
import { startHecReceiver, type HecReceiver } from '../../test/helpers/splunk-hec.js';
import { makeTestCertificates } from '../../test/helpers/test-ca.js';
import { startWebhookReceiver } from '../../test/helpers/webhook-receiver.js';
import { startAuditForwarder, type AuditForwarder } from './audit-forward.worker.js';

const TOKEN = 'f0e5b8a1-3c1d-4e5f-9a7b-2c3d4e5f6a7b';
const WRONG_TOKEN = '00000000-dead-beef-0000-000000000000';
const WEBHOOK_SECRET = 'webhook-signing-key-9f8e7d6c5b4a';

/** A forwarder that retries within a fraction of a second (the default backoff starts at 2 s). */
function forwarder(t: TestApp, nodeId: string, logs?: string[]): AuditForwarder {
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs?.push(String(chunk));
      done();
    },
  });
  return startAuditForwarder({
    forwarding: t.services.auditForwarding,
    logger: pino({ level: 'info' }, stream),
    nodeId,
    intervalMs: 100,
    nudgeDelayMs: 20,
    delivery: { backoffMinMs: 50, backoffMaxMs: 300, batchSize: 7 },
  });
}

async function makeGroups(admin: Client, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await admin.post('/api/groups', { name: `${prefix}-${i}` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
}

const auditIds = (events: { auditId: number }[]) => events.map((e) => e.auditId);
function assertInOrderOnce(ids: number[], what: string) {
  assert.equal(new Set(ids).size, ids.length, `${what}: an event arrived twice`);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
    `${what}: events out of order`,
  );
}

for (const engine of ENGINES) {
  describe(`audit forwarding (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let hec: HecReceiver;
    const logs: string[] = [];
    let nodes: AuditForwarder[] = [];
    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      hec = await startHecReceiver({ token: TOKEN });
    });
    after(async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      await hec.close();
      await t.close();
    });

    it('forwards every record to a Splunk HEC in order and once, refuses to lose any while the token is wrong, and catches up after the fix', async () => {
      nodes = [forwarder(t, 'node-a', logs), forwarder(t, 'node-b', logs)];
      const created = await admin.post('/api/audit/destinations', {
        kind: 'splunk',
        name: 'Splunk',
        settings: { url: hec.url, index: 'tessera', sourceType: 'tessera:audit' },
        secret: TOKEN,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id;
      assert.deepEqual(created.body.secret, { set: true });
      const startCursor = created.body.state.cursor;

      await makeGroups(admin, 'hec', 20);
      const installationId = await t.services.auditForwarding.installationId();
      const records = (await t.services.audit.toForward(startCursor, 1000)).map((r) => r.id);
      await eventually(
        async () => assert.ok(hec.events.length >= records.length, `${hec.events.length} of ${records.length} events arrived`),
        'every record reaches Splunk',
        { timeoutMs: 30_000 },
      );
      const ids = auditIds(hec.events.map((e) => e.event as { auditId: number }));
      assertInOrderOnce(ids, 'Splunk');
      assert.deepEqual(ids.slice(0, records.length), records, 'every record after the cursor, none skipped');
      const first = hec.events[0];
      assert.equal(first.index, 'tessera');
      assert.equal(first.sourcetype, 'tessera:audit');
      assert.equal(typeof first.time, 'number');
      const ev = first.event as Record<string, unknown>;
      assert.equal(ev.eventId, `${installationId}:${ev.auditId}:${String(ev.hash).slice(0, 16)}`);
      assert.equal(ev.action, 'audit.destination_created');
      assert.match(String(ev.hash), /^[0-9a-f]{64}$/);

      const state = await eventually(async () => {
        const res = await admin.get(`/api/audit/destinations/${id}`);
        assert.equal(res.body.state.backlog, 0, `backlog ${res.body.state.backlog}`);
        return res.body.state;
      }, 'the backlog drains');
      assert.ok(state.lastDeliveredAt, 'last delivered is shown');
      assert.equal(state.consecutiveFailures, 0);

      // A wrong token: the test button says what Splunk said, and delivery stops without moving the cursor.
      const patched = await admin.patch(`/api/audit/destinations/${id}`, { kind: 'splunk', secret: WRONG_TOKEN });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const tested = await admin.post(`/api/audit/destinations/${id}/test`);
      assert.equal(tested.status, 200);
      assert.equal(tested.body.ok, false);
      assert.match(tested.body.message, /HTTP 403: Invalid token \(code 4\)/);
      const before = hec.events.length;
      await makeGroups(admin, 'while-refused', 3);
      const broken = await eventually(async () => {
        const res = await admin.get(`/api/audit/destinations/${id}`);
        assert.match(String(res.body.state.lastError), /Invalid token/, `last error: ${res.body.state.lastError}`);
        return res.body.state;
      }, 'the refusal is shown');
      assert.equal(broken.lastErrorKind, 'permanent');
      assert.ok(broken.backlog >= 3, `backlog ${broken.backlog}`);
      assert.ok(broken.consecutiveFailures >= 1);
      assert.equal(hec.events.length, before, 'nothing was taken while the token was wrong');
      const metrics = await t.services.metrics.render();
      assert.match(metrics, /tessera_audit_forward_failures_total\{destination="Splunk"\} [1-9]/);
      assert.match(metrics, /tessera_audit_forward_backlog\{destination="Splunk"\} [1-9]/);

      // Splunk busy (503, code 9) is retried; the right token again: everything written meanwhile arrives, once.
      hec.busy = true;
      await admin.patch(`/api/audit/destinations/${id}`, { kind: 'splunk', secret: TOKEN });
      await eventually(async () => {
        const res = await admin.get(`/api/audit/destinations/${id}`);
        assert.match(String(res.body.state.lastError), /HTTP 503: Server is busy \(code 9\)/, `last error: ${res.body.state.lastError}`);
        assert.equal(res.body.state.lastErrorKind, 'retryable');
      }, 'a busy Splunk is shown as retryable');
      hec.busy = false;
      await eventually(
        async () => {
          const res = await admin.get(`/api/audit/destinations/${id}`);
          assert.equal(res.body.state.backlog, 0, `backlog ${res.body.state.backlog}`);
          assert.equal(res.body.state.consecutiveFailures, 0, 'failures reset');
        },
        'it catches up',
        { timeoutMs: 30_000 },
      );
      const all = auditIds(hec.events.map((e) => e.event as { auditId: number })).filter((n) => n > 0);
      assertInOrderOnce(all, 'Splunk after the outage');
      const expected = (await t.services.audit.toForward(startCursor, 10_000)).map((r) => r.id);
      assert.deepEqual(all, expected.slice(0, all.length), 'in order, none skipped');
      assert.ok(all.length >= expected.length - 2, 'everything up to the last few records (written by the checks themselves) arrived');
      assert.ok(Math.max(...hec.batches) >= 3, `what waited during the outage went in one request: ${hec.batches.join(',')}`);
      assert.ok(Math.max(...hec.batches) <= 7, 'no request above the batch size');
      const actions = hec.events.map((e) => (e.event as { action: string }).action);
      assert.equal(actions.filter((a) => a === 'group.created').length, 23);

      // The token is nowhere: not in the API, not in the audit log, not in the logs.
      const listed = await admin.get('/api/audit/destinations');
      const csv = await admin.get('/api/audit/export.csv');
      for (const [where, text] of [
        ['GET', JSON.stringify(listed.body)],
        ['audit CSV', csv.raw],
        ['logs', logs.join('')],
      ] as const) {
        assert.ok(!text.includes(TOKEN), `the token is not in the ${where}`);
        assert.ok(!text.includes(WRONG_TOKEN), `the wrong token is not in the ${where}`);
      }
      assert.match(logs.join(''), /audit forwarding failed/);
      const audited = await admin.get('/api/audit?q=audit.destination');
      const audActions = audited.body.items.map((i: { action: string }) => i.action);
      for (const a of ['audit.destination_created', 'audit.destination_updated', 'audit.destination_tested'])
        assert.ok(audActions.includes(a), `${a} is audited`);
    });

    it('sends a batch again when the receiver took it but its answer was lost: the same event ids, so a receiver de-duplicates', async () => {
      const lossy = await startHecReceiver({ token: TOKEN });
      try {
        const created = await admin.post('/api/audit/destinations', { kind: 'splunk', name: 'Lossy', settings: { url: lossy.url }, secret: TOKEN });
        assert.equal(created.status, 201);
        lossy.loseAnswers = 1;
        await makeGroups(admin, 'lossy', 3);
        const expected = async () => (await t.services.audit.toForward(created.body.state.cursor, 1000)).map((r) => r.id);
        const want = await expected();
        await eventually(async () => {
          const ids = new Set(lossy.events.map((e) => (e.event as { auditId: number }).auditId));
          assert.ok(
            want.every((id) => ids.has(id)),
            `${ids.size} of ${want.length}`,
          );
        }, 'every record reaches the lossy receiver');
        const ids = lossy.events.map((e) => (e.event as { eventId: string }).eventId);
        assert.ok(new Set(ids).size < ids.length, 'the batch whose answer was lost came again');
        const firstSeen = ids.filter((id, i) => ids.indexOf(id) === i).map((id) => Number(id.split(':')[1]));
        assert.deepEqual(firstSeen.slice(0, want.length), want, 'de-duplicated by event id: every record once, in order');
        assert.equal((await admin.delete(`/api/audit/destinations/${created.body.id}`)).status, 204);
      } finally {
        await lossy.close();
      }
    });

    it('signs webhook batches so that the receiver checks them, sends only what the filter passes, and a replay is refused', async () => {
      const hook = await startWebhookReceiver({ secret: WEBHOOK_SECRET });
      const later = await startWebhookReceiver({ secret: WEBHOOK_SECRET, now: () => Date.now() + 10 * 60_000 });
      try {
        const created = await admin.post('/api/audit/destinations', {
          kind: 'webhook',
          name: 'Hook',
          settings: { url: hook.url },
          secret: WEBHOOK_SECRET,
          filter: { actions: ['group.'], outcome: 'success' },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        await makeGroups(admin, 'hook', 4);
        await admin.post('/api/api-keys', { name: 'not forwarded', scope: 'read' });
        await eventually(async () => assert.ok(hook.events.length >= 4, `${hook.events.length} events`), 'the webhook gets the group events');
        assert.deepEqual(
          hook.events.map((e) => e.action),
          ['group.created', 'group.created', 'group.created', 'group.created'],
        );
        assert.equal(hook.refused.length, 0, JSON.stringify(hook.refused));
        assertInOrderOnce(auditIds(hook.events), 'webhook');
        await eventually(
          async () => assert.equal((await admin.get(`/api/audit/destinations/${created.body.id}`)).body.state.backlog, 0, 'backlog'),
          'records the filter passes over still move the cursor',
        );

        // The same request ten minutes later: the signature is right, the timestamp gives it away.
        const { headers, body } = hook.raw[0];
        const replay = await fetch(later.url, { method: 'POST', headers, body });
        assert.equal(replay.status, 401);
        assert.match(await replay.text(), /timestamp/);
        const forged = await fetch(hook.url, { method: 'POST', headers, body: body.replace('group.created', 'group.deleted') });
        assert.equal(forged.status, 401, 'a changed body fails the HMAC');

        // A receiver with another secret refuses: the state says so.
        const other = await admin.post('/api/audit/destinations', {
          kind: 'webhook',
          name: 'Hook with the wrong key',
          settings: { url: hook.url },
          secret: 'another-signing-key-0123456789',
        });
        const tested = await admin.post(`/api/audit/destinations/${other.body.id}/test`);
        assert.equal(tested.body.ok, false);
        assert.match(tested.body.message, /HTTP 401: bad signature/);
        assert.equal((await admin.delete(`/api/audit/destinations/${other.body.id}`)).status, 204);
      } finally {
        await hook.close();
        await later.close();
      }
    });

    it('sends to an https collector only when its certificate checks out against the CA given (verification on by default)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-hec-tls-'));
      const certs = makeTestCertificates(dir);
      const https = await startHecReceiver({ token: TOKEN, tls: { key: certs.serverKeyPem, cert: certs.serverCertPem } });
      try {
        const noCa = await admin.post('/api/audit/destinations', {
          kind: 'splunk',
          name: 'Splunk over TLS',
          enabled: false,
          settings: { url: https.url },
          secret: TOKEN,
        });
        assert.equal(noCa.status, 201, JSON.stringify(noCa.body));
        assert.equal(noCa.body.settings.verifyTls, true, 'verification is on by default');
        const refused = await admin.post(`/api/audit/destinations/${noCa.body.id}/test`);
        assert.equal(refused.body.ok, false);
        assert.match(refused.body.message, /TLS certificate refused/);
        const wrongCa = await admin.patch(`/api/audit/destinations/${noCa.body.id}`, {
          kind: 'splunk',
          settings: { url: https.url, caCertificate: certs.otherCaPem },
          secret: TOKEN, // another CA decides which server gets the token: it is given again
        });
        assert.equal(wrongCa.status, 200);
        assert.equal((await admin.post(`/api/audit/destinations/${noCa.body.id}/test`)).body.ok, false, 'a CA that did not sign it');
        await admin.patch(`/api/audit/destinations/${noCa.body.id}`, {
          kind: 'splunk',
          settings: { url: https.url, caCertificate: certs.caPem },
          secret: TOKEN,
        });
        const ok = await admin.post(`/api/audit/destinations/${noCa.body.id}/test`);
        assert.equal(ok.body.ok, true, ok.body.message);
        assert.match(ok.body.message, /Success \(code 0\)/);
        assert.equal(https.events.length, 1);
        assert.equal((https.events[0].event as { details: { test: boolean } }).details.test, true);
        assert.match(String((https.events[0].event as { eventId: string }).eventId), /:test:/);
        await admin.delete(`/api/audit/destinations/${noCa.body.id}`);
      } finally {
        await https.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('sends the saved token only where it was saved for: a PATCH that moves the URL or the TLS checks must give it again', async () => {
      const thief = await startHecReceiver({ token: 'the-attackers-own-token-1234' });
      try {
        const created = await admin.post('/api/audit/destinations', {
          kind: 'splunk',
          name: 'Splunk bound token',
          enabled: false,
          settings: { url: hec.url, index: 'tessera' },
          secret: TOKEN,
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const id = created.body.id;
        for (const settings of [
          { url: thief.url, index: 'tessera' },
          { url: hec.url, index: 'tessera', verifyTls: false },
        ]) {
          const moved = await admin.patch(`/api/audit/destinations/${id}`, { kind: 'splunk', settings });
          assert.equal(moved.status, 400, JSON.stringify(moved.body));
          assert.equal(moved.body.error.code, 'audit_forward.secret_required');
          assert.equal(moved.body.error.details[0].path, 'body.secret', 'the secret field is the one to fill in');
        }
        const tested = await admin.post(`/api/audit/destinations/${id}/test`, {});
        assert.equal(tested.status, 200, JSON.stringify(tested.body));
        assert.equal(thief.requests, 0, 'the other server never got a request, so never the token');
        // What does not move the token is saved without it; a move with the secret given again is too.
        const reindexed = await admin.patch(`/api/audit/destinations/${id}`, { kind: 'splunk', settings: { url: hec.url, index: 'audit' } });
        assert.equal(reindexed.status, 200, JSON.stringify(reindexed.body));
        const withSecret = await admin.patch(`/api/audit/destinations/${id}`, { kind: 'splunk', settings: { url: thief.url, index: 'audit' }, secret: TOKEN });
        assert.equal(withSecret.status, 200, JSON.stringify(withSecret.body));
        assert.equal((await admin.delete(`/api/audit/destinations/${id}`)).status, 204);
      } finally {
        await thief.close();
      }
    });

    it('keeps a batch under 512 KB of JSON, so a receiver with a body limit takes large records a few at a time, in order', async () => {
      const hook = await startWebhookReceiver({ secret: WEBHOOK_SECRET });
      try {
        const created = await admin.post('/api/audit/destinations', {
          kind: 'webhook',
          name: 'Hook with large records',
          settings: { url: hook.url },
          secret: WEBHOOK_SECRET,
          filter: { actions: ['config.applied'] },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const big = 'x'.repeat(150_000);
        for (let i = 0; i < 8; i++) await t.services.audit.record(systemContext('test'), { action: 'config.applied', details: { i, big } });
        await eventually(async () => assert.ok(hook.events.length >= 8, `${hook.events.length} of 8 large records`), 'the large records arrive', {
          timeoutMs: 30_000,
        });
        assert.ok(hook.raw.length >= 3, `sent in several batches: ${hook.raw.length}`);
        for (const r of hook.raw) assert.ok(Buffer.byteLength(r.body) < 600 * 1024, `a batch of ${Buffer.byteLength(r.body)} bytes`);
        assertInOrderOnce(auditIds(hook.events), 'large records');
        assert.equal((await admin.delete(`/api/audit/destinations/${created.body.id}`)).status, 204);
      } finally {
        await hook.close();
      }
    });

    it('keeps the token out of what the receiver said, even when the receiver echoes it', async () => {
      const echo = http.createServer((req, res) => {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ text: `bad token ${req.headers.authorization}`, code: 4 }));
      });
      await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/services/collector/event`;
        const created = await admin.post('/api/audit/destinations', { kind: 'splunk', name: 'Echo', enabled: false, settings: { url }, secret: TOKEN });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const tested = await admin.post(`/api/audit/destinations/${created.body.id}/test`, {});
        assert.equal(tested.body.ok, false);
        assert.match(tested.body.message, /\[redacted\]/);
        assert.ok(!JSON.stringify(tested.body).includes(TOKEN), 'the echoed token is not in the answer');
        const csv = await admin.get('/api/audit/export.csv');
        assert.ok(!csv.raw.includes(TOKEN), 'nor in the audit');
        assert.equal((await admin.delete(`/api/audit/destinations/${created.body.id}`)).status, 204);
      } finally {
        await new Promise<void>((r) => echo.close(() => r()));
      }
    });

    it('refuses bad destinations with 400 and a stable code, and keeps names unique', async () => {
      const cases: Array<[string, unknown]> = [
        ['bad URL', { kind: 'splunk', name: 'x', settings: { url: 'not a url' }, secret: TOKEN }],
        ['ftp URL', { kind: 'webhook', name: 'x', settings: { url: 'ftp://example.com/' }, secret: WEBHOOK_SECRET }],
        ['port out of range', { kind: 'syslog', name: 'x', settings: { host: 'siem.example.com', port: 70000, transport: 'tcp' } }],
        ['port zero', { kind: 'syslog', name: 'x', settings: { host: 'siem.example.com', port: 0, transport: 'tls' } }],
        ['bad host', { kind: 'syslog', name: 'x', settings: { host: 'a b;rm -rf', port: 514, transport: 'udp' } }],
        ['CA that is not PEM', { kind: 'syslog', name: 'x', settings: { host: 'siem.example.com', port: 6514, transport: 'tls', caCertificate: 'hello' } }],
        [
          'PEM that is not a certificate',
          {
            kind: 'splunk',
            name: 'x',
            settings: { url: 'https://splunk.example.com:8088', caCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
            secret: TOKEN,
          },
        ],
        ['short secret', { kind: 'webhook', name: 'x', settings: { url: 'https://hooks.example.com/a' }, secret: 'short' }],
        ['no token', { kind: 'splunk', name: 'x', settings: { url: 'https://splunk.example.com:8088' } }],
        ['unknown kind', { kind: 'kafka', name: 'x', settings: {} }],
        ['bad facility', { kind: 'syslog', name: 'x', settings: { host: 'siem.example.com', port: 514, transport: 'tcp', facility: 'local9' } }],
        ['bad filter', { kind: 'syslog', name: 'x', settings: { host: 'siem.example.com', port: 514, transport: 'tcp' }, filter: { actions: ['DROP TABLE'] } }],
      ];
      for (const [what, body] of cases) {
        const res = await admin.post('/api/audit/destinations', body);
        assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'request.validation_failed', what);
        assert.ok(res.body.error.message.length > 0, what);
      }
      const syslog = await admin.post('/api/audit/destinations', {
        kind: 'syslog',
        name: 'Syslog',
        enabled: false,
        settings: { host: '127.0.0.1', port: 514, transport: 'udp', facility: 'local4' },
      });
      assert.equal(syslog.status, 201, JSON.stringify(syslog.body));
      assert.deepEqual(syslog.body.secret, { set: false });
      const mismatch = await admin.patch(`/api/audit/destinations/${syslog.body.id}`, { kind: 'webhook', name: 'y' });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.error.code, 'audit_forward.kind_mismatch');
      const dup = await admin.post('/api/audit/destinations', { kind: 'syslog', name: 'Syslog', settings: { host: '127.0.0.1', port: 514, transport: 'udp' } });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.code, 'audit_forward.name_in_use');
      const missing = await admin.get('/api/audit/destinations/00000000-0000-4000-8000-000000000000');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'audit_forward.not_found');
      assert.equal((await admin.delete(`/api/audit/destinations/${syslog.body.id}`)).status, 204);
    });
  });
}
