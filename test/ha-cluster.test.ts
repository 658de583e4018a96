/**
 * The reference deployment (deploy/haproxy/haproxy.cfg) under a node's death: two Tessera
 * processes on one fresh PostgreSQL database and Redis with the same master key, HAProxy in front
 * running the reference file. An employee enrols a passkey and signs in on node A, does SAML SSO
 * to a test SP on node B with the same session, then employees sign in in a loop through HAProxy
 * while node A is killed with SIGKILL and invitation mails are queued around the kill. Afterwards:
 * sign-ins went on through the other node (the only failures allowed are requests in flight on the
 * dead node when it died: HAProxy does not send a POST that reached a node again, so such a
 * sign-in is lost, not run twice), every sign-in a client saw succeed has its audit record, the
 * audit chain verifies, each mail arrived once, and no background job ran twice. Last, a rolling
 * restart under the same load: node A back, node B stopped with SIGTERM and its drain, no sign-in
 * lost.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { packageRoot } from '../src/lib/package-root.js';
import { ADMIN_DATABASE_URL } from './helpers/db.js';
import { eventually } from './helpers/eventually.js';
import { HttpClient } from './helpers/http.js';
import { idpCertFromMetadata, parsePostForm, spKeyPair } from './helpers/saml.js';
import { startSpServer, type SpServer } from './helpers/saml-sp-server.js';
import { freePort, runCli, startServerProcess, type ServerProcess } from './helpers/server.js';
import { smtpSink } from './helpers/smtp-sink.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { type SoftAuthenticator, softKeys } from './helpers/soft-authenticator.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The address people use: the same PUBLIC_URL on every node (WebAuthn's origin, SAML's entity ID). */
const PUBLIC_URL = 'http://localhost:8080';
const FROM = 'identity@corp.example';
/** Sign-in loops running side by side through HAProxy, each for its own employee and key. */
const WORKERS = 3;

interface Attempt {
  worker: number;
  userAgent: string;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  detail: string;
}

function haproxyAvailable(): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => fs.existsSync(path.join(d, 'haproxy')));
}

describe('two nodes behind HAProxy, one killed mid-run', {
  timeout: 300_000,
  skip: haproxyAvailable() ? false : 'haproxy is not installed (scripts/test-setup.sh installs it)',
}, () => {
  const dbName = `tessera_ha_${crypto.randomBytes(5).toString('hex')}`;
  const dbUrl = (() => {
    const u = new URL(ADMIN_DATABASE_URL);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  const apiKey = `tsk_${crypto.randomBytes(32).toString('base64url')}`;
  const sink = smtpSink();
  const dirs: string[] = [];
  let env: Record<string, string>;
  let nodeA: ServerProcess;
  let nodeB: ServerProcess;
  let haproxy: ChildProcess | undefined;
  let haproxyLog = '';
  let lb = '';
  let sp: SpServer | undefined;
  let sql: pg.Client;
  /** The audit forwarding target: a webhook receiver that checks each batch's HMAC. */
  let hook: WebhookReceiver;
  const HOOK_SECRET = crypto.randomBytes(24).toString('base64url');
  const employees: { id: string; email: string; key: SoftAuthenticator }[] = [];

  const api = async (node: ServerProcess, method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${node.port}${url}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  };
  const startNode = async (extra: Record<string, string> = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-ha-node-'));
    dirs.push(dir);
    return startServerProcess({ ...env, DATA_DIR: dir, ...extra }, { timeoutMs: 120_000 });
  };
  /** Invites an employee (a mail in the outbox) and returns the enrolment token from the mail. */
  const inviteAndReadMail = async (node: ServerProcess, employeeId: string, email: string) => {
    const invited = await api(node, 'POST', `/api/employees/${employeeId}/invitations`, {});
    assert.ok([200, 201].includes(invited.status), invited.text);
    const { body } = await sink.waitForMail((m) => m.to.includes(email), `the invitation mail to ${email}`, 60_000);
    const token = new RegExp(`${PUBLIC_URL}/enroll\\?token=([A-Za-z0-9_-]+)`).exec(body)?.[1];
    assert.ok(token, `the mail to ${email} holds an enrolment link`);
    return token;
  };
  /** Username-less passkey sign-in, as the sign-in page does it, against `base`. */
  const signIn = async (base: string, key: SoftAuthenticator, userAgent: string) => {
    // X-Forwarded-For written by the client: behind the proxy it must not become the client's address.
    const client = new HttpClient(base, { 'user-agent': userAgent, 'x-forwarded-for': '203.0.113.9' });
    const start = await client.post('/api/signin/webauthn/options', {});
    if (start.status !== 200) return { client, status: start.status, text: `options: ${start.status} ${start.text.slice(0, 200)}` };
    const verify = await client.post('/api/signin/webauthn/verify', {
      ceremonyId: start.json.ceremonyId,
      response: key.authenticate(start.json.options, { origin: PUBLIC_URL }),
    });
    return { client, status: verify.status, text: `verify: ${verify.status} ${verify.text.slice(0, 200)}` };
  };

  /** Each employee signs in again and again through HAProxy until stopped; every attempt is kept. */
  const startSignInLoops = (tag: string) => {
    const attempts: Attempt[] = [];
    let stopped = false;
    const loop = async (worker: number) => {
      for (let n = 0; !stopped; n++) {
        const userAgent = `ha-test/${tag}/worker-${worker}/attempt-${n}`;
        const startedAt = Date.now();
        const result = await signIn(lb, employees[worker].key, userAgent).catch((err: Error) => ({ status: 0, text: `network: ${err.message}` }));
        attempts.push({ worker, userAgent, startedAt, endedAt: Date.now(), ok: result.status === 200, detail: result.text });
      }
    };
    const loops = Array.from({ length: WORKERS }, (_, w) => loop(w));
    return {
      attempts,
      /** Successful sign-ins started after `since`. */
      ok: (since = 0) => attempts.filter((a) => a.ok && a.startedAt > since).length,
      async stop() {
        stopped = true;
        await Promise.all(loops);
      },
    };
  };

  before(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    sql = new pg.Client({ connectionString: dbUrl });
    await sql.connect();
    const smtpPort = await freePort();
    await sink.start(smtpPort);
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-ha-'));
    dirs.push(configDir);
    const config = path.join(configDir, 'tessera.yaml');
    fs.writeFileSync(config, 'apiKeys:\n  - name: ha test\n    scope: admin\n    secret: { env: HA_API_KEY }\n');
    env = {
      DATABASE_URL: dbUrl,
      PUBLIC_URL,
      TESSERA_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
      TESSERA_CONFIG: config,
      HA_API_KEY: apiKey,
      REDIS_URL,
      // A key prefix of its own: no other test (nor a second run of this one) shares its keys.
      REDIS_PREFIX: `test-ha-${crypto.randomBytes(4).toString('hex')}:`,
      TRUST_PROXY: 'true',
      // One client address makes every sign-in here: the per-address limit is not under test.
      TESSERA_SIGNIN_RATE_LIMIT: '1000000',
      TESSERA_API_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'info',
      // Longer than HAProxy's two failed checks a second apart: a stopping node is out of rotation before it closes.
      TESSERA_SHUTDOWN_DRAIN_SECONDS: '4',
    };
    // One after the other: the first migrates and applies the configuration file.
    nodeA = await startNode();
    nodeB = await startNode();

    const lbPort = await freePort();
    lb = `http://127.0.0.1:${lbPort}`;
    haproxy = spawn('haproxy', ['-db', '-f', path.join(packageRoot(), 'deploy/haproxy/haproxy.cfg')], {
      env: {
        ...process.env,
        TESSERA_NODE1: `127.0.0.1:${nodeA.port}`,
        TESSERA_NODE2: `127.0.0.1:${nodeB.port}`,
        TESSERA_LB_ADDRESS: '127.0.0.1',
        TESSERA_LB_PORT: String(lbPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    haproxy.stdout!.on('data', (d) => {
      haproxyLog += d;
    });
    haproxy.stderr!.on('data', (d) => {
      haproxyLog += d;
    });
    await eventually(
      async () => {
        assert.equal(haproxy!.exitCode, null, `haproxy exited:\n${haproxyLog}`);
        for (let i = 0; i < 4; i++) {
          const res = await fetch(`${lb}/readyz`).catch(() => undefined);
          assert.equal(res?.status, 200, `HAProxy answers /readyz: ${res?.status}\n${haproxyLog.slice(-2000)}`);
        }
      },
      'HAProxy is up with both nodes in rotation',
      { timeoutMs: 60_000 },
    );

    const smtp = await api(nodeA, 'PATCH', '/api/settings', { smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: FROM } });
    assert.equal(smtp.status, 200, smtp.text);
    // Audit forwarding to a webhook, from the first record on: whichever node holds the
    // destination's lease delivers, and the other takes over when that one dies.
    hook = await startWebhookReceiver({ secret: HOOK_SECRET });
    const destination = await api(nodeA, 'POST', '/api/audit/destinations', {
      kind: 'webhook',
      name: 'HA test SIEM',
      settings: { url: hook.url },
      secret: HOOK_SECRET,
      replayHistory: true,
    });
    assert.equal(destination.status, 201, destination.text);
  });

  after(async () => {
    if (haproxy && haproxy.exitCode === null) {
      const exited = new Promise((r) => haproxy!.once('exit', r));
      haproxy.kill('SIGTERM');
      await exited;
    }
    for (const node of [nodeA, nodeB]) await node?.stop('SIGTERM');
    await sp?.stop();
    await hook?.close();
    await sink.stop();
    await sql?.end().catch(() => undefined);
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('enrols a passkey and signs in on node A, then does SAML SSO on node B with the same session', async () => {
    for (let i = 0; i < WORKERS; i++) {
      const email = `ha.employee${i}@corp.example`;
      const created = await api(nodeA, 'POST', '/api/employees', { email, firstName: 'Ha', lastName: `Employee${i}` });
      assert.equal(created.status, 201, created.text);
      const key = softKeys.yubikey();
      const token = await inviteAndReadMail(nodeA, created.json.id, email);
      const enrol = new HttpClient(`http://127.0.0.1:${nodeA.port}`);
      const options = await enrol.post(`/api/enroll/${token}/webauthn/options`, { kind: 'security_key' });
      assert.equal(options.status, 200, options.text);
      const verified = await enrol.post(`/api/enroll/${token}/webauthn/verify`, {
        ceremonyId: options.json.ceremonyId,
        response: key.register(options.json.options, { origin: PUBLIC_URL }),
      });
      assert.equal(verified.status, 200, verified.text);
      employees.push({ id: created.json.id, email, key });
    }

    const [first] = employees;
    const direct = await signIn(`http://127.0.0.1:${nodeA.port}`, first.key, 'ha-test/direct-a');
    assert.equal(direct.status, 200, direct.text);

    const metadata = await (await fetch(`http://127.0.0.1:${nodeB.port}/saml/metadata`)).text();
    const spKey = await spKeyPair();
    sp = await startSpServer({ idpUrl: PUBLIC_URL, idpCert: idpCertFromMetadata(metadata), ...spKey });
    const registered = await api(nodeB, 'POST', '/api/saml/service-providers', {
      name: 'HA test SP',
      entityId: sp.entityId,
      acsEndpoints: [{ url: sp.acs }],
      certificates: [spKey.certificate],
      nameIdFormat: 'email',
    });
    assert.equal(registered.status, 201, registered.text);
    // The session made on node A, used on node B: the SP's request goes to B, B answers with the
    // signed response at once (no sign-in page), since the session lives in the shared database.
    const onB = new HttpClient(`http://127.0.0.1:${nodeB.port}`);
    onB.cookies = new Map(direct.client.cookies);
    const authorize = new URL(await sp.saml.getAuthorizeUrlAsync('ha-relay', undefined, {}));
    assert.equal(authorize.origin, PUBLIC_URL);
    const answer = await onB.get(authorize.pathname + authorize.search);
    assert.equal(answer.status, 200, answer.text.slice(0, 500));
    const form = parsePostForm(answer.text);
    assert.equal(form.action, sp.acs);
    const { profile } = await sp.saml.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, first.email, 'the SP signed in the employee who signed in on node A');
  });

  it('keeps signing employees in through HAProxy while node A is killed, and loses no audit record, mail or job run', async () => {
    assert.equal(employees.length, WORKERS, 'the employees enrolled in the test before');
    const signIns = startSignInLoops('kill');
    const { attempts } = signIns;
    let killedAt = 0;
    let deadAt = 0;
    try {
      await eventually(async () => assert.ok(signIns.ok() >= 20, `20 sign-ins through HAProxy before the kill (${signIns.ok()})`), 'sign-ins before the kill', {
        timeoutMs: 120_000,
      });
      // Mails queued around the kill: invitations for new employees, made on the survivor; the
      // outbox workers of both nodes race for them, and the one on node A may hold some when it dies.
      const invited: { email: string; id: string }[] = [];
      for (let i = 0; i < 4; i++) {
        const email = `ha.invitee${i}@corp.example`;
        const created = await api(nodeB, 'POST', '/api/employees', { email, firstName: 'Invitee', lastName: String(i) });
        assert.equal(created.status, 201, created.text);
        const invitation = await api(nodeB, 'POST', `/api/employees/${created.json.id}/invitations`, {});
        assert.ok([200, 201].includes(invitation.status), invitation.text);
        invited.push({ email, id: created.json.id });
        if (i === 1) {
          killedAt = Date.now();
          await nodeA.stop('SIGKILL');
          deadAt = Date.now();
        }
      }
      await eventually(
        async () => assert.ok(signIns.ok(deadAt) >= 30, `30 sign-ins through HAProxy after the kill (${signIns.ok(deadAt)})`),
        'sign-ins after the kill',
        { timeoutMs: 120_000 },
      );
      await signIns.stop();

      // 1. Sign-ins went on. A failure is allowed only for a request in flight when node A died:
      // started before its death was seen, and answered (502 from HAProxy) after the kill. At most
      // one a loop. Every sign-in started after the death went through the other node.
      const failed = attempts.filter((a) => !a.ok);
      for (const f of failed) {
        assert.ok(f.startedAt <= deadAt && f.endedAt >= killedAt, `a failed sign-in that was not in flight at the kill: ${JSON.stringify(f)}`);
      }
      assert.ok(failed.length <= WORKERS, `at most one in-flight sign-in a loop was lost: ${JSON.stringify(failed)}`);
      const served = new Set([...haproxyLog.matchAll(/tessera_nodes\/(node[12])/g)].map((m) => m[1]));
      assert.deepEqual([...served].sort(), ['node1', 'node2'], 'HAProxy spread the sign-ins over both nodes before the kill');

      // 2. Each sign-in a client saw succeed has its audit record (matched by its own user agent),
      // with the client address the proxy saw, not the one the client wrote into X-Forwarded-For.
      const audited = await sql.query<{ user_agent: string; ip: string; actor_id: string }>(
        "SELECT user_agent, ip, actor_id FROM audit_events WHERE action = 'employee.sign_in' AND outcome = 'success' AND user_agent LIKE 'ha-test/kill/%'",
      );
      const byAgent = new Map(audited.rows.map((r) => [r.user_agent, r]));
      for (const a of attempts.filter((x) => x.ok)) {
        const row = byAgent.get(a.userAgent);
        assert.ok(row, `the successful sign-in ${a.userAgent} has its audit record`);
        assert.equal(row.actor_id, employees[a.worker].id);
        assert.equal(row.ip, '127.0.0.1', 'the client address HAProxy saw, not the forged X-Forwarded-For');
      }
      const verified = await runCli(['audit', 'verify'], { DATABASE_URL: dbUrl, TESSERA_MASTER_KEY: env.TESSERA_MASTER_KEY, DATA_DIR: dirs[0], PUBLIC_URL });
      assert.equal(verified.code, 0, `tessera audit verify: ${verified.stdout}${verified.stderr}`);

      // 2b. Every audit record written so far reached the forwarding target, the kill
      // notwithstanding (node A may have held the destination's lease: node B takes it over once
      // it runs out), first arrivals in record order. Delivery is at least once: a batch node A
      // sent but had not yet marked delivered when it died is sent again, with the same event ids,
      // so a receiver that de-duplicates by event id holds each record exactly once.
      const written = (await sql.query<{ id: string }>('SELECT id FROM audit_events ORDER BY id')).rows.map((r) => Number(r.id));
      await eventually(
        async () => {
          const got = new Set(hook.events.map((e) => e.auditId));
          const missing = written.filter((id) => !got.has(id));
          assert.equal(missing.length, 0, `${missing.length} audit records not forwarded yet, from id ${missing[0]}`);
        },
        'every audit record is forwarded once the surviving node delivers',
        { timeoutMs: 150_000 },
      );
      assert.equal(hook.refused.length, 0, `the receiver refused a batch: ${JSON.stringify(hook.refused)}`);
      const firstArrivals = hook.events.map((e) => e.eventId).filter((id, i, all) => all.indexOf(id) === i);
      const firstIds = firstArrivals.map((id) => Number(id.split(':')[1]));
      assert.deepEqual(
        firstIds,
        [...firstIds].sort((a, b) => a - b),
        'records first arrive in the order they were written',
      );
      assert.deepEqual(firstIds.slice(0, written.length), written, 'de-duplicated by event id: each record exactly once, none skipped');
      const repeats = hook.events.length - firstArrivals.length;
      assert.ok(repeats <= 100, `only a batch in flight at the kill (at most 100 records) may arrive again: ${repeats} repeats`);

      // 3. Each mail arrived once. Its Message-ID is made from its outbox row, so a mail sent again
      // would show up here with the same Message-ID.
      const outbox = await sql.query<{ id: string; to_address: string; status: string }>('SELECT id, to_address, status FROM mail_outbox');
      await eventually(
        async () => {
          for (const who of invited)
            assert.ok(
              sink.received.some((m) => m.to.includes(who.email)),
              `the invitation to ${who.email} arrived`,
            );
        },
        'every invitation queued around the kill is delivered',
        { timeoutMs: 60_000 },
      );
      const ids = sink.received.map((m) => /^Message-ID:\s*<([^>]+)>/im.exec(m.raw)?.[1]);
      assert.ok(
        ids.every((id) => id),
        'every mail has a Message-ID',
      );
      assert.equal(new Set(ids).size, ids.length, `a Message-ID arrived twice: ${ids.join(', ')}`);
      const fromOutbox = new Set(outbox.rows.map((r) => `${r.id}@corp.example`));
      for (const id of ids) assert.ok(fromOutbox.has(id!), `the Message-ID ${id} names an outbox row`);
      for (const who of invited) assert.equal(sink.received.filter((m) => m.to.includes(who.email)).length, 1, `one invitation mail to ${who.email}`);

      // 4. No background job ran twice: each run is logged with its holder; two runs of one job
      // never overlap, and the next starts only after the previous one finished.
      const runs = [nodeA, nodeB]
        .flatMap((node) => node.output().split('\n'))
        .filter((line) => line.includes('"job run finished"'))
        .map((line) => JSON.parse(line) as { job: string; holder: string; startedAt: string; finishedAt: string });
      const jobs = new Map<string, typeof runs>();
      for (const r of runs) jobs.set(r.job, [...(jobs.get(r.job) ?? []), r]);
      for (const [job, list] of jobs) {
        list.sort((x, y) => x.startedAt.localeCompare(y.startedAt));
        for (let i = 1; i < list.length; i++) {
          assert.ok(list[i].startedAt >= list[i - 1].finishedAt, `${job} ran twice at once: ${JSON.stringify(list)}`);
        }
      }
      console.log(
        `ha-cluster: ${attempts.filter((a) => a.ok).length} sign-ins through HAProxy, ${failed.length} lost in flight at the kill (${failed.map((f) => f.detail).join('; ') || 'none'}); ` +
          `${ids.length} mails, each Message-ID once; ${runs.length} job runs (${[...jobs.keys()].join(', ')}), none overlapping`,
      );
      const leases = await sql.query<{ name: string; holder: string | null }>('SELECT name, holder FROM job_leases');
      for (const l of leases.rows) {
        assert.ok(l.holder === null || !runs.some((r) => r.holder === l.holder), `${l.name}: a finished run still holds the lease`);
      }
    } finally {
      await signIns.stop();
    }
  });

  it('restarts node A and stops node B with SIGTERM while sign-ins loop through HAProxy, losing none (a rolling restart)', async () => {
    assert.equal(nodeA.child.exitCode !== null || nodeA.child.signalCode !== null, true, 'node A was killed in the test before');
    // Node A comes back on its port (the one HAProxy's file names), and HAProxy takes it back in.
    const logFrom = haproxyLog.length;
    nodeA = await startNode({ PORT: String(nodeA.port) });
    await eventually(
      async () => assert.ok(haproxyLog.slice(logFrom).includes('tessera_nodes/node1 is UP'), `HAProxy sees node A up again:\n${haproxyLog.slice(logFrom)}`),
      'node A back in rotation',
      { timeoutMs: 60_000 },
    );
    const signIns = startSignInLoops('rolling');
    try {
      await eventually(async () => assert.ok(signIns.ok() >= 10, `10 sign-ins before the stop (${signIns.ok()})`), 'sign-ins before the stop', {
        timeoutMs: 120_000,
      });
      // SIGTERM: node B drains (/readyz 503 while it still serves), HAProxy takes it out, then it stops.
      const stoppedAt = Date.now();
      const code = await nodeB.stop('SIGTERM');
      assert.equal(code, 0, `node B exits 0 after its drain:\n${nodeB.output().slice(-2000)}`);
      assert.ok(haproxyLog.slice(logFrom).includes('tessera_nodes/node2 is DOWN'), 'HAProxy took node B out during its drain');
      await eventually(
        async () => assert.ok(signIns.ok(stoppedAt) >= 20, `20 sign-ins after node B stopped (${signIns.ok(stoppedAt)})`),
        'sign-ins on node A alone',
        {
          timeoutMs: 120_000,
        },
      );
    } finally {
      await signIns.stop();
    }
    const failed = signIns.attempts.filter((a) => !a.ok);
    assert.deepEqual(failed, [], 'no sign-in is lost when a node stops with its drain');
    console.log(`ha-cluster: rolling restart, ${signIns.attempts.length} sign-ins through HAProxy, none lost`);
  });
});
