// An employee's passkey life end to end, as people live it: an admin invites an employee over the
// API, the invitation mail is caught by a local SMTP sink, the employee enrolls a security key in
// Debian's Chromium with a CDP virtual authenticator, signs out, and signs in again without typing
// a user name. With "Allow platform authenticators" off (the default), a platform (`internal`)
// authenticator is refused and a roaming (`usb`) one is accepted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  addVirtualAuthenticator,
  assertChromiumInstalled,
  browserSkipReason,
  expectText,
  launchBrowser,
  newSession,
  type BrowserSession,
} from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { freePort, startServerProcess, type ServerProcess, stopServerProcess } from './helpers/server.js';
import { HttpClient } from './helpers/http.js';
import { smtpSink } from './helpers/smtp-sink.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const EMPLOYEE = { email: 'grace.hopper@corp.example', firstName: 'Grace', lastName: 'Hopper' };
const FROM = 'identity@corp.example';

describe('employee passkey enrolment and username-less sign-in in Chromium', { skip: browserSkipReason(), timeout: 120_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const sink = smtpSink();
  let admin: HttpClient;
  let employeeId = '';
  let enrollLink = '';
  let enrollToken = '';
  /** The session with the `usb` authenticator, kept from enrolment to sign-in. */
  let usb: BrowserSession;
  const sessions: BrowserSession[] = [];

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true, level: 1 });
  const credentials = async () => {
    const res = await admin.get(`/api/employees/${employeeId}/credentials`);
    assert.equal(res.status, 200, res.text);
    return res.json.items as { name: string; type: string; attachment: string }[];
  };
  const open = async (transport: 'internal' | 'usb') => {
    const s = await newSession(browser!, { baseURL: server!.url });
    sessions.push(s);
    await addVirtualAuthenticator(s.context, s.page, transport);
    return s;
  };

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-signin-e2e-'));
    const smtpPort = await freePort();
    const [started, launched, sunk] = await Promise.allSettled([startServerProcess({ DATA_DIR: dataDir }), launchBrowser(), sink.start(smtpPort)]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched, sunk]) if (result.status === 'rejected') throw result.reason;
    assert.match(server!.url, /^http:\/\/localhost:\d+$/, 'WebAuthn needs a host name, not an IP address');

    admin = new HttpClient(server!.url);
    const token = server!.setupToken();
    assert.ok(token, `no setup link printed:\n${server!.output()}`);
    const setup = await admin.post('/api/setup', { token, ...ADMIN });
    assert.equal(setup.status, 200, setup.text);
    const smtp = await admin.patch('/api/settings', { smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: FROM } });
    assert.equal(smtp.status, 200, smtp.text);
    const created = await admin.post('/api/employees', EMPLOYEE);
    assert.equal(created.status, 201, created.text);
    employeeId = created.json.id;
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stopServerProcess(server).catch(() => undefined);
    await sink.stop().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    const errors = sessions.flatMap((s) => s.errors);
    if (errors.length) console.log(`browser errors seen:\n${errors.join('\n')}`);
  });

  it('mails the invitation through SMTP; the mail holds the enrolment link', { timeout: 45_000 }, async () => {
    const invited = await admin.post(`/api/employees/${employeeId}/invitations`, {});
    assert.ok(invited.status === 200 || invited.status === 201, invited.text);
    const { body } = await sink.waitForMail((m) => m.to.includes(EMPLOYEE.email), 'the invitation mail reaches the SMTP sink');
    const escaped = server!.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`${escaped}/enroll\\?token=([A-Za-z0-9_-]+)`).exec(body);
    assert.ok(match, `the mail links to ${server!.url}/enroll?token=…:\n${body.slice(0, 3000)}`);
    enrollLink = match[0];
    enrollToken = match[1];
  });

  it('with platform authenticators off, does not offer or accept a platform passkey', async () => {
    assert.ok(enrollLink, 'an invitation link was mailed');
    const { page } = await open('internal');
    await page.goto(enrollLink);
    await heading(page, `Welcome, ${EMPLOYEE.firstName}`).waitFor();
    await page.getByRole('button', { name: 'Use a security key' }).waitFor();
    assert.equal(
      await page.getByRole('button', { name: 'Use a passkey on this device' }).count(),
      0,
      'no platform option while "Allow platform authenticators" is off',
    );

    // Forcing the platform ceremony through the API is refused by the server.
    const anon = new HttpClient(server!.url);
    const forced = await anon.post(`/api/enroll/${enrollToken}/webauthn/options`, { kind: 'passkey' });
    assert.equal(forced.status, 403, forced.text);
    assert.equal(forced.json?.error?.code, 'webauthn.authenticator_not_allowed', forced.text);

    // "Use a security key" with only a platform authenticator present: the options ask for a
    // cross-platform authenticator, so Chromium finds none and the prompt waits (headless, until the
    // challenge expires) — or, were it offered, the server would refuse it with an alert. Either way
    // the page does not finish and nothing is registered.
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await Promise.race([
      page
        .getByRole('alert')
        .first()
        .waitFor({ timeout: 4000 })
        .catch(() => undefined),
      heading(page, "You're all set")
        .waitFor({ timeout: 4000 })
        .catch(() => undefined),
    ]);
    assert.equal(await heading(page, "You're all set").count(), 0, 'a platform authenticator is not enrolled');
    assert.deepEqual(await credentials(), [], 'no credential stored for the platform authenticator');

    // A client that rewrites the options (drops the cross-platform attachment) gets the platform
    // authenticator to answer: the server decides on what answered and refuses it.
    await page.route('**/api/enroll/*/webauthn/options', async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      if (json?.options?.authenticatorSelection) delete json.options.authenticatorSelection.authenticatorAttachment;
      await route.fulfill({ response, json });
    });
    const verify = page.waitForResponse((r) => r.url().includes('/webauthn/verify'), { timeout: 15_000 });
    await page.reload();
    await heading(page, `Welcome, ${EMPLOYEE.firstName}`).waitFor();
    await page.getByRole('button', { name: 'Use a security key' }).click();
    const refused = await verify;
    assert.equal(refused.status(), 403, await refused.text());
    assert.equal((await refused.json())?.error?.code, 'webauthn.authenticator_not_allowed');
    await expectText(page.getByRole('alert').first(), /security key/i, 'the refusal is shown on the page');
    assert.equal(await heading(page, "You're all set").count(), 0);
    assert.deepEqual(await credentials(), [], 'the refused platform credential is not stored');
    assert.equal((await anon.get(`/api/enroll/${enrollToken}`)).status, 200, 'the invitation is still open');
  });

  it('enrolls a USB security key from the invitation link', async () => {
    usb = await open('usb');
    const { page } = usb;
    await page.goto(enrollLink);
    await heading(page, `Welcome, ${EMPLOYEE.firstName}`).waitFor();
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await heading(page, "You're all set").waitFor({ timeout: 15_000 });
    const items = await credentials();
    assert.equal(items.length, 1, JSON.stringify(items));
    assert.equal(items[0].attachment, 'cross-platform');
    assert.equal(items[0].type, 'security_key');
    await page.getByRole('link', { name: 'Go to my portal' }).waitFor();
  });

  it('signs out of the portal and signs in again with the passkey without typing a user name', async () => {
    const { page } = usb;
    await page.goto('/portal');
    await heading(page, `Hello, ${EMPLOYEE.firstName}`).waitFor();
    await expectText(page.getByRole('table', { name: 'My sign-in methods' }).locator('tbody'), 'Security key', 'the enrolled key is listed');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    await page.goto('/portal');
    await page.waitForURL((u) => u.pathname === '/signin', { timeout: 10_000 });

    await page.goto('/signin');
    await heading(page, 'Sign in').waitFor();
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).click();
    await page.waitForURL((u) => u.pathname === '/portal', { timeout: 15_000 });
    await heading(page, `Hello, ${EMPLOYEE.firstName}`).waitFor();
    await page.getByText(`${EMPLOYEE.firstName} ${EMPLOYEE.lastName}`).first().waitFor();
    const recent = page.getByRole('table', { name: 'Recent sign-ins' });
    await eventually(async () => {
      const rows = (await recent.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
      assert.ok(
        // The key enrolled here is a security key, and the list names what was used.
        rows.some((r) => /^.*\bSecurity key\b/.test(r) && /success/i.test(r)),
        `a successful security key sign-in is listed: ${JSON.stringify(rows)}`,
      );
    }, 'recent sign-ins show the passkey sign-in');
  });

  it('refuses the passkey once the admin disables the employee', async () => {
    const { page } = usb;
    const disabled = await admin.patch(`/api/employees/${employeeId}`, { status: 'disabled' });
    assert.equal(disabled.status, 200, disabled.text);
    await page
      .getByRole('button', { name: 'Sign out' })
      .click()
      .catch(() => undefined);
    await page.goto('/signin');
    await eventually(async () => assert.equal(new URL(page.url()).pathname, '/signin'), 'a disabled employee is signed out');
    await heading(page, 'Sign in').waitFor();
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).click();
    await expectText(
      page.getByRole('alert').filter({ hasText: 'Account disabled' }).first(),
      'This account is disabled. Contact your administrator.',
      'the disabled message',
    );
    assert.equal(new URL(page.url()).pathname, '/signin');
  });
});
