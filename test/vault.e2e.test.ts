// The vault end to end, as an administrator and an employee live it, in Debian's Chromium against a
// real server process on a fresh embedded database: the admin creates a shared account in the
// console's Vault page and assigns it to an employee; the employee, who enrolled a security key
// (CDP virtual authenticator with user verification) from the invitation mail, sees it in the
// portal's "My accounts" and reveals its password after a passkey check; the audit log has the
// reveal without the value; a check that fails shows words, not the value; the employee adds a
// personal account with a generated password and reveals it; the admin replaces the shared password
// (never seeing the old one) and the employee reveals the new one; the admin unassigns it and it
// is gone from the portal. The portal fits a 390-px phone. At the end the database files on disk
// hold the accounts' names but none of their passwords.
//
// That a password is sealed in the database row itself (and opens only for its row and column) is
// proved by src/vaults/vault-accounts.test.ts on both engines; here the whole data directory,
// audit log and write-ahead log included, is searched after the server stopped.
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
  ensureConsoleBuilt,
  expectText,
  launchBrowser,
  newSession,
  type BrowserSession,
} from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { HttpClient } from './helpers/http.js';
import { freePort, startServerProcess, type ServerProcess, stopServerProcess } from './helpers/server.js';
import { smtpSink } from './helpers/smtp-sink.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const EMPLOYEE = { email: 'grace.hopper@corp.example', firstName: 'Grace', lastName: 'Hopper' };
const FROM = 'identity@corp.example';
const SHARED = { name: 'Team Social', url: 'https://social.example.com/login', login: 'corp-social', password: 'Shared-Pass-1!vq', next: 'Shared-Pass-2!zk' };
const PERSONAL = { name: 'Payroll portal', url: 'https://payroll.example.com', login: 'grace.h', otp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' };

/** Every file under a folder, for the search of the data directory. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('the vault in the console and the portal, in Chromium', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const sink = smtpSink();
  let api: HttpClient;
  let employeeId = '';
  let sharedId = '';
  let generated = '';
  let adminSession: BrowserSession;
  let employee: BrowserSession;
  let authenticator: Awaited<ReturnType<typeof addVirtualAuthenticator>>;
  const sessions: BrowserSession[] = [];
  let shots = '';
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `vault-${name}.png`), fullPage: true });

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true, level: 1 });
  const card = (page: Page, name: string) => page.getByRole('list', { name: 'My accounts' }).getByRole('listitem', { name, exact: true });
  const revealed = (page: Page, label: string) => page.getByLabel(label, { exact: true });
  const audit = async (action: string) => {
    const res = await api.get(`/api/audit?action=${encodeURIComponent(action)}&pageSize=100`);
    assert.equal(res.status, 200, res.text);
    return { items: res.json.items as { action: string; targetId: string | null; outcome: string; details: unknown }[], text: res.text };
  };
  /** The page is no wider than its window: nothing needs a sideways scroll. */
  const noSidewaysScroll = async (page: Page, what: string) => {
    const { scroll, width } = await page.evaluate<{ scroll: number; width: number }>(
      '({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })',
    );
    assert.ok(scroll <= width, `${what}: the page is ${scroll} px wide in a ${width}-px window`);
  };

  before(async () => {
    assertChromiumInstalled();
    await ensureConsoleBuilt();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-vault-e2e-'));
    shots = process.env.TESSERA_E2E_SCREENSHOTS ?? path.join(dataDir, 'screenshots');
    const smtpPort = await freePort();
    const [started, launched, sunk] = await Promise.allSettled([
      startServerProcess({ DATA_DIR: dataDir }, { timeoutMs: 90_000 }),
      launchBrowser(),
      sink.start(smtpPort),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched, sunk]) if (result.status === 'rejected') throw result.reason;
    assert.match(server!.url, /^http:\/\/localhost:\d+$/, 'WebAuthn needs a host name, not an IP address');

    api = new HttpClient(server!.url);
    const token = server!.setupToken();
    assert.ok(token, `no setup link printed:\n${server!.output()}`);
    assert.equal((await api.post('/api/setup', { token, ...ADMIN })).status, 200);
    const smtp = await api.patch('/api/settings', { smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: FROM } });
    assert.equal(smtp.status, 200, smtp.text);
    const created = await api.post('/api/employees', EMPLOYEE);
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

  it('the employee enrolls a security key from the invitation mail and opens the portal', { timeout: 60_000 }, async () => {
    const invited = await api.post(`/api/employees/${employeeId}/invitations`, {});
    assert.ok([200, 201].includes(invited.status), invited.text);
    const { body } = await sink.waitForMail((m) => m.to.includes(EMPLOYEE.email), 'the invitation mail reaches the SMTP sink');
    const link = new RegExp(`${server!.url.replace(/[.:/]/g, '\\$&')}/enroll\\?token=[A-Za-z0-9_-]+`).exec(body)?.[0];
    assert.ok(link, 'the mail links to the enrolment page');

    employee = await newSession(browser!, { baseURL: server!.url });
    sessions.push(employee);
    await employee.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server!.url });
    authenticator = await addVirtualAuthenticator(employee.context, employee.page, 'usb');
    const { page } = employee;
    await page.goto(link);
    await heading(page, `Welcome, ${EMPLOYEE.firstName}`).waitFor();
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await heading(page, "You're all set").waitFor({ timeout: 15_000 });
    await page.goto('/portal');
    await heading(page, `Hello, ${EMPLOYEE.firstName}`).waitFor();
    await page.getByRole('heading', { name: 'My accounts', level: 2 }).waitFor();
    await page.getByText('No accounts yet').waitFor();
  });

  it('the admin creates a shared account on the Vault page and assigns it to the employee', async () => {
    adminSession = await newSession(browser!, { baseURL: server!.url });
    sessions.push(adminSession);
    const { page } = adminSession;
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading(page, 'Dashboard').waitFor();
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Vault', exact: true }).click();
    await heading(page, 'Vault').waitFor();
    await page.getByRole('tab', { name: 'Shared accounts' }).waitFor();

    await page.getByRole('button', { name: 'New shared account' }).click();
    const dialog = page.getByRole('dialog', { name: 'New shared account' });
    await dialog.getByLabel('Name', { exact: true }).fill(SHARED.name);
    await dialog.getByLabel('Addresses').fill('javascript:alert(1)');
    await dialog.getByRole('button', { name: 'Create shared account' }).click();
    await dialog.getByText('is not an http:// or https:// address').waitFor();
    await dialog.getByLabel('Addresses').fill(SHARED.url);
    await dialog.getByLabel('Login', { exact: true }).fill(SHARED.login);
    await dialog.getByLabel('Password', { exact: true }).fill(SHARED.password);
    await dialog.getByLabel('Employees').fill('grace');
    await dialog
      .page()
      .getByRole('option', { name: new RegExp(EMPLOYEE.email) })
      .click();
    await dialog.getByRole('button', { name: 'Create shared account' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByRole('table', { name: 'Shared accounts' }).getByRole('row').filter({ hasText: SHARED.name });
    await expectText(row, /corp-social.*password.*1 employee/, 'the account is listed with what is stored and whom it is shared with');
    await shot(page, 'console-shared-accounts');
    assert.ok(!(await page.content()).includes(SHARED.password), 'the password is not on the page once saved');
    const listed = await api.get('/api/vault/shared-accounts');
    const account = (listed.json.items as { id: string; name: string; assignments: { employeeIds: string[] } }[]).find((a) => a.name === SHARED.name);
    assert.ok(account, listed.text);
    assert.deepEqual(account.assignments.employeeIds, [employeeId]);
    assert.ok(!listed.text.includes(SHARED.password));
    sharedId = account.id;

    // The employee's page in the console lists it, by name only.
    await page.goto(`/employees/${employeeId}`);
    const card = page.getByRole('table', { name: 'Vault accounts' });
    await expectText(card, new RegExp(`${SHARED.name}.*Shared.*${SHARED.login}`), 'the employee page lists the shared account');
    await shot(page, 'console-employee');
  });

  it('the employee sees it marked shared and read-only, and reveals its password after the passkey check; the audit log has the reveal without the value', async () => {
    const { page } = employee;
    await page.reload();
    const shared = card(page, SHARED.name);
    await expectText(shared, /Shared.*Read-only/, 'the shared account is marked shared and read-only');
    await expectText(shared, SHARED.login, 'its login is shown');
    assert.equal(await shared.getByRole('button', { name: 'Edit' }).count(), 0, 'no Edit on a shared account');
    assert.equal(await shared.getByRole('button', { name: 'Delete' }).count(), 0, 'no Delete on a shared account');
    assert.ok(!(await page.content()).includes(SHARED.password), 'no secret before the check');

    const reveal = page.waitForResponse((r) => r.url().endsWith(`/api/portal/vault/accounts/${sharedId}/reveal`) && r.request().method() === 'POST');
    await shared.getByRole('button', { name: 'Show password' }).click();
    assert.equal((await reveal).status(), 200);
    await expectText(revealed(page, `Password of ${SHARED.name}`), SHARED.password, 'the password is shown after the check');
    await shared.getByText(/Hidden again in \d+ s/).waitFor();
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
    assert.ok(!stored.includes(SHARED.password), 'the revealed password is in neither local nor session storage');
    await shared.getByRole('button', { name: 'Hide password' }).click();
    await revealed(page, `Password of ${SHARED.name}`).waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(SHARED.password), 'hidden again');

    const events = await audit('vault.account_revealed');
    const mine = events.items.filter((e) => e.targetId === sharedId);
    assert.equal(mine.length, 1, events.text);
    assert.deepEqual((mine[0].details as { field: string }).field, 'password');
    assert.ok(!events.text.includes(SHARED.password), 'the audit event does not hold the password');
  });

  it('says so in words, and shows nothing, when the passkey check fails', async () => {
    const { page } = employee;
    const shared = card(page, SHARED.name);
    // The key cannot verify the person (no PIN or fingerprint): the browser refuses the check that requires it.
    await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified: false });
    try {
      await shared.getByRole('button', { name: 'Show password' }).click();
      await expectText(shared.getByRole('alert'), /Passkey check (cancelled|failed).*password was not shown/, 'the failed check is explained');
      await shot(page, 'portal-check-failed');
    } finally {
      await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified: true });
    }
    assert.equal(await revealed(page, `Password of ${SHARED.name}`).count(), 0);
    assert.ok(!(await page.content()).includes(SHARED.password));
    await shared.getByRole('alert').getByRole('button').click();
  });

  it('the employee adds a personal account with a generated password and reveals it', async () => {
    const { page } = employee;
    await page.getByRole('button', { name: 'Add account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an account' });
    await dialog.getByLabel('Name', { exact: true }).fill(PERSONAL.name);
    await dialog.getByLabel('Addresses').fill(PERSONAL.url);
    await dialog.getByLabel('Login', { exact: true }).fill(PERSONAL.login);
    await dialog.getByLabel('OTP secret', { exact: true }).fill(PERSONAL.otp);
    const generator = dialog.getByRole('group', { name: 'Password generator' });
    await generator.getByLabel('Length').fill('24');
    await generator.getByLabel('Symbols (!#$%…)').uncheck();
    await generator.getByRole('button', { name: 'Generate password' }).click();
    const password = dialog.getByLabel('Password', { exact: true });
    await eventually(async () => assert.match(await password.inputValue(), /^[A-Za-z0-9]{24}$/), 'the generated password fills the field');
    generated = await password.inputValue();
    await shot(page, 'portal-add-account');
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.waitFor({ state: 'detached' });

    const personal = card(page, PERSONAL.name);
    await personal.getByRole('button', { name: 'Edit' }).waitFor();
    assert.ok(!(await page.content()).includes(generated), 'the new password is not on the page once saved');
    await personal.getByRole('button', { name: 'Show password' }).click();
    await expectText(revealed(page, `Password of ${PERSONAL.name}`), generated, 'the generated password is revealed after the check');
    await shot(page, 'portal-revealed');
    await personal.getByRole('button', { name: 'Hide password' }).click();

    // Copy: the password goes to the clipboard after its own check, and is audited as a copy.
    await personal.getByRole('button', { name: 'Copy password' }).click();
    await expectText(personal.getByRole('status'), 'Password copied', 'the copy is confirmed');
    assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), generated, 'the clipboard holds the password');
    assert.equal(await revealed(page, `Password of ${PERSONAL.name}`).count(), 0, 'a copy does not show the password');
    assert.equal((await audit('vault.account_copied')).items.length, 1);

    // The live one-time code, from the OTP secret (checked against otplib, another RFC 6238 implementation).
    await personal.getByRole('button', { name: 'Show code' }).click();
    const code = await revealed(page, `One-time code of ${PERSONAL.name}`).innerText();
    const now = Date.now();
    assert.ok([-30_000, 0, 30_000].map((d) => totpCode(PERSONAL.otp, now + d)).includes(code.trim()), `${code} is the account's current code`);
    await personal.getByText(/Changes in \d+ s/).waitFor();
    await personal.getByRole('button', { name: 'Hide code' }).click();

    // Editing shows that a password is stored, never the password.
    await personal.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${PERSONAL.name}` });
    await edit.getByText('A password is stored. It is not shown here.').waitFor();
    assert.ok(!(await page.content()).includes(generated));
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await edit.waitFor({ state: 'detached' });
  });

  it('fits a 390-px phone: the accounts, a revealed password and the form need no sideways scroll', async () => {
    const { page } = employee;
    await page.setViewportSize({ width: 390, height: 844 });
    await card(page, SHARED.name).waitFor();
    await noSidewaysScroll(page, 'My accounts on a phone');
    await card(page, PERSONAL.name).getByRole('button', { name: 'Show password' }).click();
    await revealed(page, `Password of ${PERSONAL.name}`).waitFor();
    await noSidewaysScroll(page, 'a revealed password on a phone');
    await shot(page, 'portal-phone');
    await card(page, PERSONAL.name).getByRole('button', { name: 'Hide password' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an account' });
    await dialog.getByRole('group', { name: 'Password generator' }).waitFor();
    const box = await dialog.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390 + 0.5, `the form fits the screen: ${JSON.stringify(box)}`);
    await noSidewaysScroll(page, 'the account form on a phone');
    await shot(page, 'portal-phone-form');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('the admin replaces the shared password without seeing the old one, and the employee then reveals the new one', async () => {
    const { page } = adminSession;
    await page.goto('/vault');
    const row = page.getByRole('table', { name: 'Shared accounts' }).getByRole('row').filter({ hasText: SHARED.name });
    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${SHARED.name}` });
    await dialog.getByText('A password is stored. It is not shown here.').waitFor();
    assert.ok(!(await page.content()).includes(SHARED.password), 'the old password is not in the edit form');
    await dialog.getByRole('button', { name: 'Replace password' }).click();
    await dialog.getByLabel('New password', { exact: true }).fill(SHARED.next);
    await shot(page, 'console-replace-password');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const e = employee.page;
    const shared = card(e, SHARED.name);
    await shared.getByRole('button', { name: 'Show password' }).click();
    await expectText(revealed(e, `Password of ${SHARED.name}`), SHARED.next, 'the employee reveals the new password');
    await shared.getByRole('button', { name: 'Hide password' }).click();
    const updated = await audit('vault.account_updated');
    assert.ok(
      updated.items.some((x) => x.targetId === sharedId),
      updated.text,
    );
    assert.ok(!updated.text.includes(SHARED.next) && !updated.text.includes(SHARED.password), 'the change is audited without the passwords');
  });

  it('the admin unassigns it: the employee can no longer reveal it, and it is gone from their portal', async () => {
    const { page } = adminSession;
    const row = page.getByRole('table', { name: 'Shared accounts' }).getByRole('row').filter({ hasText: SHARED.name });
    await row.getByRole('button', { name: 'Assign' }).click();
    const dialog = page.getByRole('dialog', { name: `Assign ${SHARED.name}` });
    const employees = dialog.getByLabel('Employees');
    await dialog.getByText(EMPLOYEE.email).waitFor();
    await employees.click();
    await employees.press('Backspace');
    await dialog.getByText('lose the account at once').waitFor();
    await dialog.getByRole('button', { name: 'Save assignments' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expectText(row, 'Nobody', 'the account is shared with nobody now');

    // The portal still shows the card it loaded: asking for the password says the account is gone, and the list drops it.
    const e = employee.page;
    await card(e, SHARED.name).getByRole('button', { name: 'Show password' }).click();
    await eventually(async () => assert.equal(await card(e, SHARED.name).count(), 0), 'the unassigned account leaves the portal');
    await e.reload();
    await card(e, PERSONAL.name).waitFor();
    assert.equal(await card(e, SHARED.name).count(), 0, 'not there after a reload either');
    const list = await api.get(`/api/employees/${employeeId}/vault-accounts`);
    assert.deepEqual(
      (list.json.items as { name: string }[]).map((a) => a.name),
      [PERSONAL.name],
    );
  });

  it('keeps no password in clear in the database files (searched after the server stopped)', async () => {
    await stopServerProcess(server);
    server = undefined;
    const files = filesUnder(dataDir).map((f) => fs.readFileSync(f));
    const found = (text: string) => files.some((b) => b.includes(Buffer.from(text, 'utf8')));
    // The names are stored in clear: finding them proves the search reads the database's pages.
    assert.ok(found(SHARED.name) && found(PERSONAL.name), 'the account names are in the data directory');
    for (const secret of [SHARED.password, SHARED.next, generated]) assert.ok(!found(secret), `a password (${secret.slice(0, 3)}…) is in clear on disk`);
  });
});
