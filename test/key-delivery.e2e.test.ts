/**
 * Issue 14 end to end: a hardware key from the inventory to a Windows-style logon with the
 * password Tessera rotated. A real Samba AD domain controller with dana synced into Tessera,
 * `tessera serve` as a process, keys imported from CSV over the API, one reserved for dana with
 * the activation code mailed (caught by an SMTP sink), dana enrolling it on /enroll in Chromium
 * (a CDP virtual security key, whose AAGUID the inventory row names so the model check runs);
 * then the domain password rotates in Samba (not before the key is Active), and the reference
 * agent (`tessera-agent run`, scripted driver) logs dana on with the key: a fresh assertion made
 * by `fido2-assert -G` (test/helpers/fake-fido2-assert.mjs, signing with the very credential the
 * virtual authenticator made, read over CDP WebAuthn.getCredentials), the password delivered
 * decrypts on the agent and binds to Samba as dana. A replayed assertion, a Suspended key and an
 * unapproved workstation are refused; compromising the key rotates the password in Samba at once
 * (the other compromise tests use an in-memory directory).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createFido2AssertAuthenticator, relayAssertion } from '../agent/src/authenticator.js';
import { enrollAgent, startAgent, type AgentLine, type AgentProcess } from './helpers/agent.js';
import { addVirtualAuthenticator, assertChromiumInstalled, browserSkipReason, launchBrowser, newSession, type BrowserSession } from './helpers/browser.js';
import { startSamba, type SambaDc } from './helpers/samba.js';
import { freePort, startServerProcess, type ServerProcess } from './helpers/server.js';
import { decodeQuotedPrintable, smtpSink } from './helpers/smtp-sink.js';

const SYNC_GROUP = 'Tessera Users Sync';
/** The domain's default rotation group: only its members are rotated. */
const ROTATION_GROUP = 'Tessera Key Auto Password Change';
const DANA = { username: 'dana', password: 'Dana-Start!pw1', mail: 'dana@corp.example.test' };
/** Chromium's virtual CTAP2 device always reports this AAGUID (device/fido/virtual_ctap2_device.cc). */
const CHROMIUM_VIRTUAL_AAGUID = '01020304-0506-0708-0102-030405060708';
const FAKE_FIDO2_ASSERT = path.join(import.meta.dirname, 'helpers', 'fake-fido2-assert.mjs');
const DEVICE = '/dev/hidraw-e2e0';
const WAIT_MS = 20_000;

/** API answers, checked field by field. */
type Json = Record<string, any>;

/** A direct request signed by the agent's own key (its state directory's key.pem), as docs/agent-protocol.md §3 describes. */
function agentAssertion(stateDir: string): string {
  const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'agent.json'), 'utf8')) as { workstationId: string; audience: string };
  const key = crypto.createPrivateKey(fs.readFileSync(path.join(stateDir, 'key.pem'), 'utf8'));
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', typ: 'tessera-agent+jwt', kid: state.workstationId })}.${b64({
    iss: state.workstationId,
    aud: state.audience,
    iat,
    exp: iat + 60,
    jti: crypto.randomBytes(24).toString('base64url'),
  })}`;
  const signature = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

describe('a hardware key from the CSV import to a workstation logon with the rotated password', { skip: browserSkipReason(), timeout: 300_000 }, () => {
  let dc: SambaDc | undefined;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let session: BrowserSession | undefined;
  let base = '';
  const sink = smtpSink();
  const dirs: string[] = [];
  const agents: AgentProcess[] = [];
  const apiKey = `tsk_${crypto.randomBytes(32).toString('base64url')}`;
  let dana: { id: string; email: string };
  let keyId = '';
  let account = '';
  /** The fido2-assert stand-in's device: the credential the virtual authenticator holds. */
  let deviceFile = '';
  let approved: { id: string; dir: string; agent?: AgentProcess };
  /** The password the agent received at the first logon. */
  let delivered = '';

  const api = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const ok = async (method: string, url: string, body: unknown, status: number) => {
    const r = await api(method, url, body);
    assert.equal(r.status, status, `${method} ${url}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const tmp = (prefix: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const device = () => JSON.parse(fs.readFileSync(deviceFile, 'utf8')) as { calls?: { args: string[] }[]; credentials: { signCount: number }[] };
  const fido2Calls = () => device().calls?.length ?? 0;
  /** Sends a script line and waits for its outcome (script.done; script.invalid fails the test). */
  const script = async (agent: AgentProcess, line: string) => {
    const from = agent.lines().length;
    agent.write(line);
    const outcome = await agent.waitFor(
      Object.assign((l: AgentLine) => (l.msg === 'script.done' || l.msg === 'script.invalid') && l.line === line, { toString: () => `the outcome of ${line}` }),
      WAIT_MS,
      from,
    );
    assert.equal(outcome.msg, 'script.done', `${line}: ${JSON.stringify(outcome)}`);
    return agent.lines().slice(from);
  };
  const enrol = async (name: string, token: string) => {
    const dir = path.join(tmp(`tessera-${name}-`), 'state');
    const r = await enrollAgent({ server: base, token, stateDir: dir, hostname: name, domain: dc!.netbios });
    assert.equal(r.code, 0, r.stderr);
    return { id: r.workstationId!, dir, status: r.status };
  };
  /** The agent with the key reader: fido2-assert (the stand-in) on DEVICE. */
  const run = async (dir: string) => {
    const agent = startAgent({
      server: base,
      stateDir: dir,
      secrets: true,
      env: { TESSERA_AGENT_FIDO2_DEVICE: DEVICE, TESSERA_AGENT_FIDO2_ASSERT: FAKE_FIDO2_ASSERT, FAKE_FIDO2_DEVICE_FILE: deviceFile },
    });
    agents.push(agent);
    await agent.waitFor('channel.connected', 30_000);
    await agent.waitFor('profile.applied', WAIT_MS);
    return agent;
  };
  const audits = async (action: string) => (await ok('GET', `/api/audit?action=${action}&pageSize=100`, undefined, 200)).items as Json[];

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    const smtpPort = await freePort();
    const dataDir = tmp('tessera-key-delivery-e2e-');
    const config = path.join(dataDir, 'tessera.yaml');
    fs.writeFileSync(config, 'apiKeys:\n  - name: key delivery e2e\n    scope: admin\n    secret: { env: E2E_API_KEY }\n');
    const [samba, started, launched, sunk] = await Promise.allSettled([
      startSamba({ ip: '127.0.0.32' }),
      startServerProcess({ DATA_DIR: dataDir, TESSERA_CONFIG: config, E2E_API_KEY: apiKey, LOG_LEVEL: 'warn' }, { timeoutMs: 90_000 }),
      launchBrowser(),
      sink.start(smtpPort),
    ]);
    if (samba.status === 'fulfilled') dc = samba.value;
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const r of [samba, started, launched, sunk]) if (r.status === 'rejected') throw r.reason;
    base = server!.url;
    assert.match(base, /^http:\/\/localhost:\d+$/, 'WebAuthn needs a host name, not an IP address');

    await dc!.addGroup(SYNC_GROUP);
    await dc!.addGroup(ROTATION_GROUP);
    await dc!.addUser({ username: DANA.username, password: DANA.password, givenName: 'Dana', surname: 'Dunn', mail: DANA.mail });
    await dc!.addMembers(SYNC_GROUP, [DANA.username]);
    await ok('PATCH', '/api/settings', { smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'identity@corp.example' } }, 200);
    const domain = await ok(
      'POST',
      '/api/directory/domains',
      {
        kind: 'ad',
        name: dc!.realm,
        secret: dc!.adminPassword,
        syncGroup: SYNC_GROUP,
        passwordChangeDays: 30,
        removalThresholdPercent: 100,
        syncIntervalMinutes: 0,
        settings: { urls: [dc!.ldapsUrl], bindUser: dc!.adminUpn, tlsServerName: dc!.tlsServerName, caCertificate: dc!.caPem, timeoutMs: 30_000 },
      },
      201,
    );
    const sync = await ok('POST', `/api/directory/domains/${domain.id}/sync`, { wait: true, full: true }, 200);
    assert.equal(sync.status, 'succeeded', JSON.stringify(sync));
    const found = (await ok('GET', `/api/employees?q=${encodeURIComponent(DANA.mail)}`, undefined, 200)).items[0];
    assert.ok(found, 'dana was synced');
    dana = { id: found.id, email: found.email };
    account = `${dc!.netbios}\\${DANA.username}`;
  });

  after(async () => {
    await Promise.allSettled(agents.map((a) => a.stop()));
    await browser?.close().catch(() => undefined);
    await server?.stop('SIGTERM').catch(() => undefined);
    await sink.stop().catch(() => undefined);
    await dc?.stop().catch(() => undefined);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    if (session?.errors.length) console.log(`browser errors seen:\n${session.errors.join('\n')}`);
  });

  it('imports keys from CSV, reserves one for the synced employee, and the mailed code activates it in Chromium; no rotation before that', async () => {
    // Not in the rotation group yet: the employee page says so, then once she is, that she has no key.
    const notMember = await ok('GET', `/api/employees/${dana.id}/password-rotation`, undefined, 200);
    assert.equal(notMember.code, 'not_in_rotation_group', JSON.stringify(notMember));
    assert.match(notMember.reason, new RegExp(ROTATION_GROUP));
    await dc!.addMembers(ROTATION_GROUP, [DANA.username]);
    const domainId = (await ok('GET', '/api/directory/domains', undefined, 200)).items[0].id;
    assert.equal((await ok('POST', `/api/directory/domains/${domainId}/sync`, { wait: true, full: true }, 200)).status, 'succeeded');
    assert.equal((await ok('GET', `/api/employees/${dana.id}/password-rotation`, undefined, 200)).code, 'no_active_key');
    assert.equal((await ok('POST', '/api/directory/rotation/run', undefined, 200)).rotated, 0, 'no Active key: nobody is rotated');
    assert.equal(await dc!.canBind(DANA.username, DANA.password), true, 'dana still has her own password');

    const csv = [
      'serial,model,aaguid,badge,batch',
      `E2E-DLV-1,Virtual Key,${CHROMIUM_VIRTUAL_AAGUID},B-100,2026-Q1`,
      'E2E-DLV-2,YubiKey 5 NFC,ee882879-721c-4913-9775-3dfcce97072a,,2026-Q1',
    ].join('\n');
    const imported = await ok('POST', '/api/hardware-keys/import', { csv }, 200);
    assert.equal(imported.created, 2, JSON.stringify(imported));
    keyId = (await ok('GET', '/api/hardware-keys?q=E2E-DLV-1', undefined, 200)).items[0].id;
    const reserved = await ok(
      'POST',
      `/api/hardware-keys/${keyId}/transitions`,
      { to: 'reserved', reason: 'issued to Dana', employeeId: dana.id, mailCode: true },
      200,
    );
    const code = reserved.activationCode as string;

    // Dana may get other mail (an invitation after the sync): the one about this key.
    const { body } = await sink.waitForMail(
      (m) => m.to.includes(dana.email) && decodeQuotedPrintable(m.raw).includes('Security key E2E-DLV-1'),
      'the activation mail reaches the SMTP sink',
    );
    const mailed = /\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b/.exec(body)?.[0];
    assert.equal(mailed, code, 'the mail carries the code the admin was shown');
    assert.ok(body.includes(`${base}/enroll`), 'and links to the activation page');

    session = await newSession(browser!, { baseURL: base });
    const virtual = await addVirtualAuthenticator(session.context, session.page, 'usb');
    const { page } = session;
    await page.goto('/enroll');
    await page.getByRole('heading', { name: 'Activate your security key', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: 'E-mail address' }).fill(dana.email);
    await page.getByRole('textbox', { name: 'Activation code' }).fill(mailed);
    await page.getByRole('button', { name: 'Activate my key' }).click();
    await page.getByRole('heading', { name: 'Your security key is active', level: 1 }).waitFor({ timeout: 15_000 });
    const key = await ok('GET', `/api/hardware-keys/${keyId}`, undefined, 200);
    assert.equal(key.state, 'active');
    assert.equal(key.credentialIds.length, 1);

    // The credential the virtual authenticator made: the fido2-assert stand-in signs with it.
    const { credentials } = await virtual.cdp.send('WebAuthn.getCredentials', { authenticatorId: virtual.authenticatorId });
    assert.equal(credentials.length, 1);
    const [c] = credentials;
    deviceFile = path.join(tmp('tessera-fido2-device-'), 'device.json');
    fs.writeFileSync(
      deviceFile,
      JSON.stringify({
        device: DEVICE,
        pin: null,
        // addVirtualAuthenticator: hasUserVerification and isUserVerified, a key with built-in UV.
        builtInUv: true,
        credentials: [{ credentialId: c.credentialId, rpId: c.rpId, privateKey: c.privateKey, signCount: c.signCount, userHandle: c.userHandle }],
      }),
    );
    await session.context.close();
  });

  it('rotates the domain password in Samba once the key is Active', async () => {
    assert.deepEqual(await ok('GET', `/api/employees/${dana.id}/password-rotation`, undefined, 200), { eligible: true, code: 'eligible', reason: null });
    assert.equal((await ok('POST', '/api/directory/rotation/run', undefined, 200)).rotated, 1);
    assert.equal(await dc!.canBind(DANA.username, DANA.password), false, 'her old password is refused by the controller');
  });

  it('logs dana on at an approved workstation with the key: a fresh assertion, the password decrypts on the agent and binds to Samba', async () => {
    // A vault account marked for workstation use travels with the directory password.
    await ok(
      'POST',
      '/api/vault/shared-accounts',
      { name: 'Intranet', login: 'dana', password: 'Intranet-e2e-secret', workstationUse: true, assignments: { employeeIds: [dana.id] } },
      201,
    );
    const token = await ok('POST', '/api/workstation-enrolment-tokens', { name: 'key delivery', maxUses: 3, autoApprove: false }, 201);
    const w = await enrol('WS-KEY-1', token.secret);
    assert.equal(w.status, 'pending');
    await ok('POST', `/api/workstations/${w.id}/approve`, undefined, 200);
    approved = { id: w.id, dir: w.dir };
    const agent = await run(w.dir);
    approved.agent = agent;

    const countBefore = device().credentials[0].signCount;
    const lines = await script(agent, `keylogon ${account}`);
    const got = lines.find((l) => l.msg === 'driver.credentials');
    assert.ok(got, `dana was logged on:\n${agent.output()}`);
    assert.deepEqual(got.directory, [`${dc!.realm}\\${DANA.username}`]);
    assert.deepEqual(got.accounts, ['Intranet']);
    assert.ok(
      lines.some((l) => l.msg === 'event.queued' && l.type === 'logon' && l.method === 'security_key'),
      'the logon is reported as a key logon',
    );
    // The key was asked, once: the agent's own fido2-assert command line, a signature counted.
    assert.equal(fido2Calls(), 1);
    assert.deepEqual(device().calls![0].args, ['-G', '-p', '-i', '/dev/fd/3', '-t', 'uv=true', DEVICE]);
    assert.equal(device().credentials[0].signCount, countBefore + 1);

    // The passwords come on fd 3, a pipe apart from the log: the log line can be first.
    const revealed = await agent.waitForSecret(0);
    delivered = revealed.directory[0].password;
    assert.equal(revealed.directory[0].username, DANA.username);
    assert.equal(revealed.accounts[0].password, 'Intranet-e2e-secret');
    assert.equal(await dc!.canBind(DANA.username, delivered), true, 'the delivered password binds to Samba as dana');
    assert.ok(!agent.output().includes(delivered), 'the agent log never has the password');
    const stateFiles = fs.readdirSync(w.dir).map((f) => fs.readFileSync(path.join(w.dir, f), 'utf8'));
    assert.ok(!stateFiles.some((t) => t.includes(delivered)), 'nothing of it in the state directory');

    const [audit] = (await audits('workstation.credentials_delivered')).filter((a) => a.targetId === dana.id);
    assert.equal(audit.details.workstationId, w.id);
    assert.equal(audit.details.keyId, keyId);
    assert.deepEqual(
      audit.details.accounts.map((a: Json) => [a.type, a.name]),
      [
        ['directory', `${dc!.realm}\\${DANA.username}`],
        ['vault', 'Intranet'],
      ],
    );
    assert.ok(!JSON.stringify(await audits('workstation.credentials_delivered')).includes(delivered), 'the audit names accounts, never a password');

    // Locked and unlocked with the key inside the re-authentication interval: from memory, no new assertion.
    await script(agent, 'lock');
    const unlock = await script(agent, 'keyunlock');
    assert.ok(
      unlock.some((l) => l.msg === 'driver.unlock_held'),
      JSON.stringify(unlock),
    );
    assert.equal(fido2Calls(), 1, 'no new ceremony within the interval');
    // At logoff the agent drops what it held.
    const logoff = await script(agent, 'logoff');
    assert.ok(
      logoff.some((l) => l.msg === 'credentials.dropped' && l.reason === 'logoff'),
      JSON.stringify(logoff),
    );
  });

  it('refuses a replayed assertion: the one the key made for a delivery does not get a second one', async () => {
    const call = async (url: string, payload: unknown) => {
      const res = await fetch(`${base}/api/agent/v1${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agentAssertion(approved.dir)}`, 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const options = await call('/credentials/options', { account });
    assert.equal(options.status, 200, JSON.stringify(options.body));
    // The agent's own relay through the same key (the stand-in's device), as at the logon.
    process.env.FAKE_FIDO2_DEVICE_FILE = deviceFile;
    const key = createFido2AssertAuthenticator({ device: DEVICE, command: FAKE_FIDO2_ASSERT });
    const assertion = await relayAssertion(key, options.body as never);
    const first = await call('/credentials', { requestId: options.body.requestId, assertion });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const replay = await call('/credentials', { requestId: options.body.requestId, assertion });
    assert.equal(replay.status, 400, JSON.stringify(replay.body));
    assert.equal(replay.body.error.code, 'webauthn.challenge_invalid');
    const again = await call('/credentials/options', { account });
    const stale = await call('/credentials', { requestId: again.body.requestId, assertion });
    assert.equal(stale.body.error.code, 'webauthn.verification_failed', JSON.stringify(stale.body));
    const refused = (await audits('workstation.credentials_refused')).filter((a) => a.details.workstationId === approved.id);
    assert.ok(refused.some((a) => a.details.code === 'webauthn.challenge_invalid'));
  });

  it('refuses a Suspended key at the logon, and an unapproved (pending) workstation', async () => {
    const agent = approved.agent!;
    await ok('POST', `/api/hardware-keys/${keyId}/transitions`, { to: 'suspended', reason: 'on leave' }, 200);
    const calls = fido2Calls();
    const lines = await script(agent, `keylogon ${account}`);
    const refused = lines.find((l) => l.msg === 'driver.refused');
    assert.ok(refused, JSON.stringify(lines));
    assert.equal(refused.code, 'workstations.no_active_key');
    assert.ok(!lines.some((l) => l.msg === 'driver.credentials'));
    assert.equal(fido2Calls(), calls, 'Tessera asked for no ceremony: the key is not Active');
    await ok('POST', `/api/hardware-keys/${keyId}/transitions`, { to: 'active', reason: 'back from leave' }, 200);

    const token = await ok('POST', '/api/workstation-enrolment-tokens', { name: 'key delivery pending', maxUses: 1, autoApprove: false }, 201);
    const pending = await enrol('WS-KEY-PENDING', token.secret);
    assert.equal(pending.status, 'pending');
    const waiting = await run(pending.dir);
    const tried = await script(waiting, `keylogon ${account}`);
    const no = tried.find((l) => l.msg === 'driver.refused');
    assert.ok(no, JSON.stringify(tried));
    assert.match(String(no.reason), /not approved/);
    assert.equal(fido2Calls(), calls, 'no ceremony on a computer Tessera does not trust');
    // And Tessera itself refuses that computer, whatever its agent does.
    const direct = await fetch(`${base}/api/agent/v1/credentials/options`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentAssertion(pending.dir)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ account }),
    });
    assert.equal(direct.status, 403);
    assert.equal(((await direct.json()) as Json).error.code, 'agent.not_approved');
  });

  it('compromising the key rotates the password in Samba at once: the delivered one binds no more, and the key logs nobody on', async () => {
    assert.equal(await dc!.canBind(DANA.username, delivered), true);
    const res = await ok('POST', `/api/hardware-keys/${keyId}/transitions`, { to: 'compromised', reason: 'lost on the train' }, 200);
    assert.equal(res.compromise.passwordsRotated, 1, JSON.stringify(res.compromise));
    assert.equal(res.compromise.credentialsRevoked, 1);
    assert.equal(await dc!.canBind(DANA.username, delivered), false, 'the controller refuses the password the key had delivered');
    const lines = await script(approved.agent!, `keylogon ${account}`);
    assert.equal(lines.find((l) => l.msg === 'driver.refused')?.code, 'workstations.no_active_key');
  });
});
