// The admin console end to end, as a person uses it: Debian's Chromium (playwright-core) against the
// real server started as a separate process on a fresh embedded database, with the console built
// from the current web/ sources.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../src/security/totp.js';
import {
  assertChromiumInstalled,
  browserSkipReason,
  dashboardCount,
  ensureConsoleBuilt,
  expectText,
  launchBrowser,
  newSession,
  type BrowserSession,
} from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { tinyPng } from './helpers/images.js';
import { startServerProcess, type ServerProcess, stopServerProcess } from './helpers/server.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const EMPLOYEE = { email: 'grace.hopper@corp.example', phone: '+44 20 7946 0101', firstName: 'Grace', lastName: 'Hopper' };
const COMPANY = 'Acme Widgets';
const DEPARTMENT = 'Research Lab';
const KEY_NAME = 'HR sync script';

async function expectCounter(page: Page, label: string, value: number): Promise<void> {
  await eventually(async () => assert.equal(await dashboardCount(page, label), value), `dashboard counter "${label}"`);
}

/** The local day (yyyy-mm-dd) `offset` days from today, as an <input type="date"> holds it. */
function localDay(offset = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Block elements inside a <p>: the HTML parser would not keep them there (React warns "cannot be a
 * descendant of <p>"), so what the page shows depends on the browser.
 */
async function invalidNesting(page: Page): Promise<string[]> {
  const paragraphs = page.locator('p').filter({ has: page.locator(':is(div, p, ul, ol, table, pre, section, form, h1, h2, h3, h4, h5, h6)') });
  const path = new URL(page.url()).pathname;
  return (await paragraphs.allTextContents()).map((text) => `${path}: a block element (e.g. <div>) inside <p>${text.slice(0, 60)}</p>`);
}

/** The action cells of the audit table's event rows (the details rows have none). */
const auditActionsShown = (page: Page) => page.locator('tbody tr td:nth-child(4) > code').allInnerTexts();

async function expectAuditActions(page: Page, check: (actions: string[]) => void, what: string): Promise<void> {
  await eventually(async () => {
    // The table is dimmed while the next page of results loads; judge only the settled table.
    await page.waitForLoadState('networkidle', { timeout: 2000 }).catch(() => undefined);
    check(await auditActionsShown(page));
  }, what);
}

describe('admin console in Chromium', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let session: BrowserSession;
  let page: Page;
  let totpSecret = '';
  /** The 30-second TOTP step of the last code the server accepted; it refuses that step and earlier ones. */
  let lastTotpStep = 0;
  let apiKeySecret = '';
  let shots: string;
  /** Invalid HTML nesting found on the pages visited, reported by the last test. */
  const nesting = new Set<string>();
  const checkNesting = async () => {
    for (const problem of await invalidNesting(page)) nesting.add(problem);
  };

  before(async () => {
    assertChromiumInstalled();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-'));
    shots = process.env.TESSERA_E2E_SCREENSHOTS ?? path.join(dataDir, 'screenshots');
    // The server lists the console's files when it starts, so build first; then start the server and
    // the browser side by side, keeping whichever started so that after() stops it even if the other failed.
    await ensureConsoleBuilt();
    const [started, launched] = await Promise.allSettled([startServerProcess({ DATA_DIR: dataDir }), launchBrowser()]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched]) if (result.status === 'rejected') throw result.reason;
    session = await newSession(browser!, { baseURL: server!.url });
    page = session.page;
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stopServerProcess(server);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const dialog = (name: string) => page.getByRole('dialog', { name });
  const alertTitled = (title: string) => page.getByRole('alert').filter({ hasText: title });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });
  const heading = (name: string) => page.getByRole('heading', { name, exact: true, level: 1 });

  it('is served at the public URL on localhost, and a signed-out visitor is sent to first-admin setup', async () => {
    assert.match(server!.url, /^http:\/\/localhost:\d+$/);
    await page.goto('/');
    await page.waitForURL((u) => u.pathname === '/setup');
    await heading('Set up Tessera').waitFor();
  });

  it('refuses a wrong setup token with "Setup failed"', async () => {
    await page.goto('/setup?token=not-the-printed-token');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Full name').fill(ADMIN.name);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await expectText(alertTitled('Setup failed'), /not valid/i, 'setup with a wrong token');
    assert.equal(new URL(page.url()).pathname, '/setup');
  });

  it('creates the first admin from the printed setup link and lands on the dashboard signed in', async () => {
    const token = server!.setupToken();
    assert.ok(token, `the server printed a setup link:\n${server!.output()}`);
    await page.goto(`/setup?token=${token}`);
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Full name').fill(ADMIN.name);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(`${ADMIN.password}!`);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByText('Passwords do not match').waitFor();
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();

    await page.waitForURL((u) => u.pathname === '/');
    await heading('Dashboard').waitFor();
    await page.getByRole('button', { name: ADMIN.email }).waitFor();
    await expectCounter(page, 'Admins', 1);
    await expectCounter(page, 'Total employees', 0);
    for (const link of ['Dashboard', 'Employees', 'Organisation', 'Admins', 'API keys', 'Audit log', 'Settings', 'API docs']) {
      await nav(link).waitFor();
    }
    const docs = await nav('API docs').getAttribute('href');
    assert.equal((await page.request.get(docs!)).status(), 200, `API docs at ${docs}`);
    // The link is now spent.
    await page.goto(`/setup?token=${token}`);
    await page.getByText('Tessera is already set up').waitFor();
    await page.goto('/');
    await heading('Dashboard').waitFor();
    await checkNesting();
    await page.screenshot({ path: path.join(shots, '1-dashboard.png'), fullPage: true });
  });

  it('turns on two-factor authentication in My profile', async () => {
    await page.getByRole('button', { name: ADMIN.email }).click();
    await page.getByRole('menuitem', { name: 'My profile' }).click();
    await page.waitForURL((u) => u.pathname === '/profile');
    await heading('My profile').waitFor();
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const secretField = page.getByLabel('Secret key');
    await secretField.waitFor();
    assert.equal(await secretField.getAttribute('readonly'), '', 'the secret key is read-only');
    totpSecret = await secretField.inputValue();
    assert.match(totpSecret, /^[A-Z2-7]{16,}=*$/, 'the secret key is the base32 seed');
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await checkNesting();

    const now = Date.now();
    await page.getByLabel('Authentication code').fill(totpCode(totpSecret, now));
    await page.getByRole('button', { name: 'Verify' }).click();
    lastTotpStep = Math.floor(now / 30_000);
    await page.getByText('Two-factor authentication is on.').first().waitFor();
    // The recovery codes are shown once (test/recovery-codes.e2e.test.ts uses them).
    const codes = dialog('Your recovery codes');
    await codes.getByLabel('I have saved these codes').check();
    await codes.getByRole('button', { name: 'Done' }).click();
    await page.getByText('Signing in asks for a code from your authenticator app.').waitFor();
  });

  it('creates a company and a department on the Organisation page', async () => {
    await nav('Organisation').click();
    await heading('Organisation').waitFor();
    await page.getByLabel('New company').fill(COMPANY);
    await page.getByRole('button', { name: 'Add company' }).click();
    const company = page.getByRole('region', { name: `Company ${COMPANY}` });
    await company.waitFor();
    await eventually(async () => assert.equal(await page.getByLabel('New company').inputValue(), ''), 'the field is emptied after adding');

    await company.getByLabel('New department').fill(DEPARTMENT);
    await company.getByRole('button', { name: 'Add department' }).click();
    const departments = company.getByRole('table', { name: `Departments of ${COMPANY}` });
    await departments.getByRole('row').filter({ hasText: DEPARTMENT }).waitFor();
    await checkNesting();
  });

  it('adds an employee placed in that company and department', async () => {
    await nav('Employees').click();
    await heading('Employees').waitFor();
    await page.getByRole('button', { name: 'Add employee' }).click();
    const add = dialog('Add employee');
    await add.waitFor();
    await add.getByLabel('Email', { exact: true }).fill(EMPLOYEE.email);
    await add.getByLabel('Phone').fill(EMPLOYEE.phone);
    await add.getByLabel('First name').fill(EMPLOYEE.firstName);
    await add.getByLabel('Last name').fill(EMPLOYEE.lastName);
    assert.ok(await add.getByLabel('Department').isDisabled(), 'Department waits for a company');
    await add.getByLabel('Company').selectOption({ label: COMPANY });
    await eventually(
      async () => assert.ok(await add.getByLabel('Department').isEnabled(), 'Department still disabled'),
      'Department enabled once a company is chosen',
    );
    await add.getByLabel('Department').selectOption({ label: DEPARTMENT });
    await checkNesting();
    await add.getByRole('button', { name: 'Create employee' }).click();
    await add.waitFor({ state: 'hidden' });

    const table = page.getByRole('table', { name: 'Employees' });
    const row = table.getByRole('row').filter({ hasText: EMPLOYEE.email });
    await expectText(row, new RegExp(`${EMPLOYEE.lastName}.*${EMPLOYEE.firstName}.*${COMPANY}.*${DEPARTMENT}.*active.*never invited`), 'the new employee row');

    // The list filters by company and search text, and says when nothing matches.
    await page.getByLabel('Company').selectOption({ label: COMPANY });
    await page.waitForURL((u) => u.searchParams.has('companyId'));
    await row.waitFor();
    await page.getByLabel('Search').fill('nobody-like-this');
    await table.getByText('No employees match').waitFor();
    await page.getByLabel('Search').fill(EMPLOYEE.lastName.slice(0, 4));
    await row.waitFor();
    // The enrolment filter: the new employee has no key and no invitation yet.
    await page.getByLabel('Enrolment').selectOption({ label: 'Enrolled' });
    await page.waitForURL((u) => u.searchParams.get('enrolment') === 'enrolled');
    await table.getByText('No employees match').waitFor();
    await page.getByLabel('Enrolment').selectOption({ label: 'Never invited' });
    await page.waitForURL((u) => u.searchParams.get('enrolment') === 'never_invited');
    await row.waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');
    await row.waitFor();

    // The dashboard's rollout card counts them among the active employees not yet invited.
    await nav('Dashboard').click();
    await expectCounter(page, 'Never invited', 1);
    await expectCounter(page, 'Enrolled', 0);
    await page.getByText('0 % enrolled').waitFor();
    await nav('Employees').click();
    await row.waitFor();
  });

  it('disables the employee after confirming in the "Disable employee" dialog', async () => {
    await page.getByRole('table', { name: 'Employees' }).getByRole('row').filter({ hasText: EMPLOYEE.email }).click();
    await page.waitForURL((u) => /^\/employees\/[0-9a-f-]{36}$/.test(u.pathname));
    await heading(`${EMPLOYEE.firstName} ${EMPLOYEE.lastName}`).waitFor();
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), EMPLOYEE.email);
    assert.equal(await page.getByLabel('Department').locator('option:checked').innerText(), DEPARTMENT);
    assert.ok(await page.getByRole('button', { name: 'Save' }).isDisabled(), 'nothing to save yet');
    await checkNesting();

    await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Disabled' });
    await page.getByRole('button', { name: 'Save' }).click();
    const confirm = dialog('Disable employee');
    await confirm.waitFor();
    // Cancelling keeps the employee active.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Save' }).click();
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Disable employee' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByText('Changes saved.').first().waitFor();
    await eventually(async () => assert.ok(await page.getByRole('button', { name: 'Save' }).isDisabled(), 'Save still enabled'), 'saved: nothing left to save');

    await page.getByRole('link', { name: 'Back to employees' }).click();
    const row = page.getByRole('table', { name: 'Employees' }).getByRole('row').filter({ hasText: EMPLOYEE.email });
    await expectText(row, 'disabled', 'the list shows the employee disabled');

    await nav('Dashboard').click();
    await expectCounter(page, 'Total employees', 1);
    await expectCounter(page, 'Disabled', 1);
    await expectCounter(page, 'Active', 0);
  });

  it('creates an API key whose secret is shown once and works as a Bearer token, then revokes it', async () => {
    await nav('API keys').click();
    await heading('API keys').waitFor();
    await page.getByRole('button', { name: 'Create API key' }).click();
    const create = dialog('Create API key');
    await create.getByLabel('Name', { exact: true }).fill(KEY_NAME);
    await create.getByLabel('Scope').selectOption('read');
    await create.getByRole('button', { name: 'Create key' }).click();

    const shown = dialog(`API key “${KEY_NAME}” created`);
    await shown.waitFor();
    await shown.getByText('This key will not be shown again').waitFor();
    const field = shown.getByLabel('API key secret');
    assert.equal(await field.getAttribute('readonly'), '', 'the secret field is read-only');
    apiKeySecret = await field.inputValue();
    assert.ok(apiKeySecret.length >= 20, `a secret is shown: ${JSON.stringify(apiKeySecret)}`);
    // "Copy" puts the secret on the clipboard.
    await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server!.url });
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), apiKeySecret, 'the clipboard holds the secret');
    await checkNesting();
    await page.screenshot({ path: path.join(shots, '2-api-key-secret.png') });
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });

    const row = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: KEY_NAME });
    await expectText(row, /read.*active/, 'the key is listed, active');
    assert.ok(!(await page.content()).includes(apiKeySecret), 'the secret is gone from the page after Done');
    await page.reload();
    await row.waitFor();
    assert.ok(!(await page.content()).includes(apiKeySecret), 'the secret is not shown again');

    const withKey = (secret: string) => fetch(`${server!.url}/api/employees`, { headers: { authorization: `Bearer ${secret}` } });
    const res = await withKey(apiKeySecret);
    assert.equal(res.status, 200, 'the key works against /api/employees');
    const body = (await res.json()) as { items: { email: string; status: string; company?: { name: string }; department?: { name: string } }[] };
    const employee = body.items.find((e) => e.email === EMPLOYEE.email);
    assert.ok(employee, 'the key sees the employee added in the console');
    assert.equal(employee.status, 'disabled');
    assert.equal(employee.company?.name, COMPANY);
    assert.equal(employee.department?.name, DEPARTMENT);
    assert.equal((await fetch(`${server!.url}/api/employees`)).status, 401, 'no key, no answer');
    await eventually(async () => {
      await page.reload();
      const lastUsed = (await row.locator('td').nth(4).textContent())?.trim();
      assert.notEqual(lastUsed, 'Never');
    }, 'the list shows when the key was last used');

    await row.getByRole('button', { name: 'Revoke' }).click();
    const revoke = dialog('Revoke API key');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await expectText(row, 'revoked', 'the key shows revoked');
    assert.equal(await row.getByRole('button', { name: 'Revoke' }).count(), 0, 'a revoked key has no Revoke button');
    assert.equal((await withKey(apiKeySecret)).status, 401, 'a revoked key no longer works');
  });

  it('uploads the logo on Settings, shows it, refuses a file that is not an image, and removes it', async () => {
    await nav('Settings').click();
    await heading('Settings').waitFor();
    await page.getByRole('tab', { name: 'Branding' }).click();
    await page.getByText('No logo: the organisation name is shown instead.').waitFor();
    await page.getByLabel('Logo', { exact: true }).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: tinyPng() });
    const preview = page.getByRole('img', { name: 'Current logo' });
    await preview.waitFor();
    const width = () => preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    await eventually(async () => assert.equal(await width(), 1), 'the preview shows the 1×1 PNG');
    assert.equal(((await (await fetch(`${server!.url}/api/branding`)).json()) as { hasLogo: boolean }).hasLogo, true);
    await page.getByLabel('Logo', { exact: true }).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('GIF89a not a png') });
    await page.getByText('The logo was not saved').waitFor();
    await page.getByRole('button', { name: 'Remove logo' }).click();
    await page.getByText('No logo: the organisation name is shown instead.').waitFor();
    assert.equal((await fetch(`${server!.url}/api/branding/logo`)).status, 404);
  });

  it('signs out from the header menu', async () => {
    await page.getByRole('button', { name: ADMIN.email }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.goto('/employees');
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/employees');
  });

  it('signs in with password and authentication code, refusing a wrong password and a wrong code', async () => {
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await alertTitled('Sign-in failed').waitFor();

    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const code = page.getByLabel('Authentication code');
    await code.waitFor();

    // A code that is valid at no step the server might accept right now.
    const valid = new Set([-1, 0, 1].map((s) => totpCode(totpSecret, Date.now() + s * 30_000)));
    const wrong = ['000000', '111111', '222222', '333333'].find((c) => !valid.has(c))!;
    await code.fill(wrong);
    await page.getByRole('button', { name: 'Verify' }).click();
    await alertTitled('Invalid code').waitFor();
    await checkNesting();

    // The server takes each 30-second step once: wait for the step after the one used to enroll.
    const wait = (lastTotpStep + 1) * 30_000 - Date.now() + 200;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await code.fill(totpCode(totpSecret, Date.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((u) => u.pathname === '/employees');
    await heading('Employees').waitFor();
    await page.getByRole('button', { name: ADMIN.email }).waitFor();

    await nav('Dashboard').click();
    await eventually(
      async () => assert.ok((await dashboardCount(page, 'Successful sign-ins today')) >= 1, 'no successful sign-in counted yet'),
      'this sign-in is counted',
    );
    // A wrong password and a wrong authentication code are both failed sign-ins.
    await expectCounter(page, 'Failed sign-ins today', 2);
  });

  it('shows the events in the audit log, with filters, details and CSV export', async () => {
    await nav('Audit log').click();
    await heading('Audit log').waitFor();
    const expected = [
      'setup.completed',
      'admin.totp_enabled',
      'company.created',
      'department.created',
      'employee.created',
      'api_key.created',
      'api_key.revoked',
      'admin.sign_out',
      'admin.sign_in',
      'admin.sign_in_totp',
    ];
    await expectAuditActions(
      page,
      (actions) => {
        for (const action of expected) assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
        assert.ok(
          actions.some((a) => a === 'employee.status_changed' || a === 'employee.updated'),
          `the disabling is logged: ${actions.join(', ')}`,
        );
      },
      "all the session's events are listed",
    );

    // Action filter, and the event's details.
    await page.getByLabel('Action').selectOption('employee.created');
    await page.waitForURL((u) => u.searchParams.get('action') === 'employee.created');
    await expectAuditActions(page, (actions) => assert.deepEqual(actions, ['employee.created']), 'filtered by action');
    const created = page.locator('tbody tr').filter({ hasText: 'employee.created' });
    await expectText(created, ADMIN.email, 'the actor is the admin');
    await expectText(created, EMPLOYEE.email, 'the target is the employee');
    await created.getByRole('button', { name: 'Show details' }).click();
    const details = page.getByLabel('Event details');
    await details.waitFor();
    await page.getByRole('button', { name: 'Hide details' }).click();
    await details.waitFor({ state: 'hidden' });

    // Outcome filter: only the failures (a wrong password, a wrong code, the revoked key). A bad
    // API key is a stranger's failure, counted per source and written when its minute closes.
    for (const deadline = Date.now() + 75_000; ; ) {
      const found = await page.request.get(`${server!.url}/api/audit?action=api_key.auth_failed`);
      if (((await found.json()) as { total?: number }).total) break;
      if (Date.now() > deadline) assert.fail('the summary of the bad API key was not written within 75 s');
      await new Promise((r) => setTimeout(r, 1000));
    }
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Outcome').selectOption('failure');
    await page.waitForURL((u) => u.searchParams.get('outcome') === 'failure' && !u.searchParams.has('action'));
    await expectAuditActions(
      page,
      // api.request_refused: the logo that was not an image (a refused admin change is audited too).
      (actions) => assert.deepEqual([...actions].sort(), ['admin.sign_in', 'admin.sign_in_totp', 'api.request_refused', 'api_key.auth_failed']),
      'filtered by outcome',
    );
    await page.locator('tbody tr').filter({ hasText: 'admin.sign_in_totp' }).getByRole('button', { name: 'Show details' }).click();
    await expectText(page.getByLabel('Event details'), 'wrong totp code', 'the failure says why');
    await checkNesting();

    // Export CSV downloads the filtered events.
    const exportLink = page.getByRole('link', { name: 'Export CSV' });
    assert.match((await exportLink.getAttribute('href')) ?? '', /outcome=failure/);
    const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    assert.match(csv, /admin\.sign_in_totp/);
    assert.doesNotMatch(csv, /employee\.created/, 'the export has the same filters as the table');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');

    // Actor and search.
    await page.getByLabel('Search').fill(EMPLOYEE.email);
    await page.waitForURL((u) => u.searchParams.get('q') === EMPLOYEE.email);
    await expectAuditActions(
      page,
      (actions) => {
        assert.ok(actions.includes('employee.created'), actions.join(', '));
        assert.ok(
          actions.every((a) => a.startsWith('employee.')),
          `only the employee's events: ${actions.join(', ')}`,
        );
      },
      "search by the employee's e-mail",
    );
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');
    await page.getByLabel('Actor').fill(ADMIN.email);
    await page.waitForURL((u) => u.searchParams.get('actor') === ADMIN.email);
    await expectAuditActions(
      page,
      (actions) => {
        assert.ok(actions.includes('company.created') && actions.includes('api_key.created'), actions.join(', '));
      },
      'filtered by actor',
    );
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');

    // Dates: today has the events, tomorrow has none, a range ending yesterday has none.
    await page.getByLabel('From date').fill(localDay(0));
    await page.getByLabel('To date').fill(localDay(0));
    await page.waitForURL((u) => u.searchParams.get('from') === localDay(0) && u.searchParams.get('to') === localDay(0));
    await expectAuditActions(page, (actions) => assert.ok(actions.includes('setup.completed'), actions.join(', ')), "today's events");
    await page.getByLabel('From date').fill(localDay(1));
    await page.getByLabel('To date').fill(localDay(1));
    await page.waitForURL((u) => u.searchParams.get('from') === localDay(1) && u.searchParams.get('to') === localDay(1));
    await page.getByText('No audit events').waitFor();
    await page.getByLabel('From date').fill('');
    await page.getByLabel('To date').fill(localDay(-1));
    await page.waitForURL((u) => !u.searchParams.has('from') && u.searchParams.get('to') === localDay(-1));
    await page.getByText('No audit events').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '');
    await expectAuditActions(page, (actions) => assert.ok(actions.length > 10, actions.join(', ')), 'all events again');

    // The whole log, exported, holds no secret the admin typed or was shown.
    const [full] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const all = fs.readFileSync((await full.path())!, 'utf8');
    assert.match(all, /setup\.completed/);
    for (const [what, secret] of [
      ['API key secret', apiKeySecret],
      ['TOTP seed', totpSecret],
      ['password', ADMIN.password],
    ]) {
      assert.ok(secret && !all.includes(secret), `the audit export does not contain the ${what}`);
    }
    await page.screenshot({ path: path.join(shots, '3-audit.png'), fullPage: true });
  });

  it('signs out, ending the session', async () => {
    await page.getByRole('button', { name: ADMIN.email }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    const me = await page.request.get('/api/auth/me');
    assert.equal(me.status(), 401, 'the session cookie no longer signs anything in');
    await page.goto('/audit');
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/audit');
  });

  it('ran without uncaught errors in the page', () => {
    const unexpected = session.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));
    assert.deepEqual(unexpected, []);
  });

  it('rendered valid HTML nesting on every page visited', () => {
    assert.deepEqual([...nesting], []);
  });
});
