// A U2F-era security key as the second factor, in Debian's Chromium: the policy allows password +
// key; an employee who enrolled with a password and an authenticator app adds, in the portal, a key
// that cannot keep a discoverable credential nor verify its user (a CDP virtual authenticator with
// protocol u2f, hasResidentKey false). The key is stored as non-discoverable and listed as
// "Security key (second factor)" in the portal and the console; the employee then signs in with the password and the key, and
// the passkey button finds nothing on the key to sign in with on its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../src/security/totp.js';
import {
  addVirtualAuthenticator,
  assertChromiumInstalled,
  browserSkipReason,
  expectText,
  launchBrowser,
  newSession,
  type BrowserSession,
} from './helpers/browser.js';
import { HttpClient } from './helpers/http.js';
import { freePort, startServerProcess, type ServerProcess, stopServerProcess } from './helpers/server.js';
import { smtpSink } from './helpers/smtp-sink.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const EMPLOYEE = { email: 'alan.turing@corp.example', firstName: 'Alan', lastName: 'Turing' };
const PASSWORD = 'Enigma-bombe-1940-Bletchley';
const FROM = 'identity@corp.example';

describe('a U2F security key as the second factor after the password, in Chromium', { skip: browserSkipReason(), timeout: 150_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const sink = smtpSink();
  let admin: HttpClient;
  let employeeId = '';
  let session: BrowserSession;
  let u2f: Awaited<ReturnType<typeof addVirtualAuthenticator>>;

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true, level: 1 });

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-u2f-e2e-'));
    const smtpPort = await freePort();
    const [started, launched, sunk] = await Promise.allSettled([startServerProcess({ DATA_DIR: dataDir }), launchBrowser(), sink.start(smtpPort)]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched, sunk]) if (result.status === 'rejected') throw result.reason;
    assert.match(server!.url, /^http:\/\/localhost:\d+$/, 'WebAuthn needs a host name, not an IP address');

    admin = new HttpClient(server!.url);
    const setup = await admin.post('/api/setup', { token: server!.setupToken(), ...ADMIN });
    assert.equal(setup.status, 200, setup.text);
    const settings = await admin.patch('/api/settings', {
      smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: FROM },
      authenticators: { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] },
    });
    assert.equal(settings.status, 200, settings.text);
    const created = await admin.post('/api/employees', EMPLOYEE);
    assert.equal(created.status, 201, created.text);
    employeeId = created.json.id;
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stopServerProcess(server).catch(() => undefined);
    await sink.stop().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    if (session?.errors.length) console.log(`browser errors seen:\n${session.errors.join('\n')}`);
  });

  it('enrolls with a password and an authenticator app from the invitation, then adds the U2F key as a second factor in the portal', async () => {
    assert.equal((await admin.post(`/api/employees/${employeeId}/invitations`, {})).status, 201);
    const { body } = await sink.waitForMail((m) => m.to.includes(EMPLOYEE.email), 'the invitation mail reaches the SMTP sink');
    const token = /\/enroll\?token=([A-Za-z0-9_-]+)/.exec(body)?.[1];
    assert.ok(token, body.slice(0, 2000));
    // The password and TOTP part of enrolment goes over the API (the invitation suites drive its page).
    const employee = new HttpClient(server!.url);
    const totp = await employee.post(`/api/enroll/${token}/totp/options`, {});
    assert.equal(totp.status, 200, totp.text);
    const enrolled = await employee.post(`/api/enroll/${token}/password`, { password: PASSWORD, totpCode: totpCode(totp.json.secret, Date.now()) });
    assert.equal(enrolled.status, 200, enrolled.text);

    session = await newSession(browser!, { baseURL: server!.url });
    await session.context.addCookies([...employee.cookies].map(([name, value]) => ({ name, value, url: server!.url })));
    u2f = await addVirtualAuthenticator(session.context, session.page, 'usb', { protocol: 'u2f', hasResidentKey: false, hasUserVerification: false });
    const { page } = session;
    await page.goto('/portal');
    await heading(page, `Hello, ${EMPLOYEE.firstName}`).waitFor();
    await page.getByRole('button', { name: 'Add a security key (second factor)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a security key (second factor)' });
    await dialog.getByLabel('Name this key').fill('Old U2F key');
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 20_000 });
    await expectText(
      page.getByRole('table', { name: 'My sign-in methods' }).locator('tbody'),
      /Old U2F key\s+Security key \(second factor\)/,
      'the portal lists the key with its kind',
    );

    const held = await u2f.cdp.send('WebAuthn.getCredentials', { authenticatorId: u2f.authenticatorId });
    assert.equal(held.credentials.length, 1);
    assert.equal(held.credentials[0].isResidentCredential, false, 'the key holds no discoverable credential');
    const listed = await admin.get(`/api/employees/${employeeId}/credentials`);
    assert.deepEqual(
      listed.json.items.map((c: { name: string; type: string }) => [c.name, c.type]),
      [['Old U2F key', 'second_factor_key']],
      'the admin sees the kind too',
    );
    // And so does the console's employee page.
    const adminView = await newSession(browser!, { baseURL: server!.url });
    try {
      await adminView.context.addCookies([...admin.cookies].map(([name, value]) => ({ name, value, url: server!.url })));
      await adminView.page.goto(`/employees/${employeeId}`);
      await expectText(
        adminView.page.getByRole('table', { name: 'Sign-in methods' }).locator('tbody'),
        /Old U2F key\s+Security key \(second factor\)/,
        "the console lists the employee's key with its kind",
      );
    } finally {
      await adminView.context.close();
    }
  });

  it('signs in with the password and then the U2F key; the key alone does not sign in', async () => {
    const { page } = session;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    await heading(page, 'Sign in').waitFor();

    // Username-less: the key has no discoverable credential, so the browser finds nothing to offer.
    const passkeyVerify = page.waitForResponse((r) => r.url().endsWith('/api/signin/webauthn/verify'), { timeout: 5000 }).catch(() => null);
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).click();
    assert.equal(await passkeyVerify, null, 'no passwordless answer is sent');
    await page.reload();
    await heading(page, 'Sign in').waitFor();

    await page.getByLabel('Email').fill(EMPLOYEE.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading(page, 'Confirm it is you').waitFor();
    const options = page.waitForResponse((r) => r.url().endsWith('/api/signin/second-factor/webauthn/options'));
    await page.getByRole('button', { name: 'Use my security key' }).click();
    const offered = await (await options).json();
    const held = await u2f.cdp.send('WebAuthn.getCredentials', { authenticatorId: u2f.authenticatorId });
    assert.deepEqual(
      offered.options.allowCredentials.map((c: { id: string }) => c.id),
      [Buffer.from(held.credentials[0].credentialId, 'base64').toString('base64url')],
      "the second factor names the employee's key",
    );
    await page.waitForURL((u) => u.pathname === '/portal', { timeout: 20_000 });
    await heading(page, `Hello, ${EMPLOYEE.firstName}`).waitFor();
    const audit = await admin.get(`/api/audit?action=employee.sign_in&targetId=${employeeId}&pageSize=5`);
    assert.equal(audit.status, 200, audit.text);
    const [latest] = audit.json.items as { outcome: string; details: { method: string } }[];
    assert.deepEqual([latest.outcome, latest.details.method], ['success', 'password+passkey']);
  });
});
