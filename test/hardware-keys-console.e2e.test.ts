// Hardware keys in the console, in Debian's Chromium, against the real server (a separate process on
// a fresh embedded database): an admin imports keys from a CSV (one row refused, with its reason),
// reserves one for a local employee (the activation code shown once), the employee activates it on
// /enroll with a CDP virtual security key, and the admin sees it Active, suspends it and marks it
// compromised. Each step is checked on the page and through the API, and the page offers only the
// actions the server allows from the key's state.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import {
  addVirtualAuthenticator,
  assertChromiumInstalled,
  browserSkipReason,
  type BrowserSession,
  dashboardCount,
  ensureConsoleBuilt,
  expectText,
  launchBrowser,
  newSession,
} from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { CHROMIUM_VIRTUAL_AAGUID, submitKeyActivation } from './helpers/key-activation.js';
import { runCli, type ServerProcess, startServerProcess, stopServerProcess } from './helpers/server.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const EMPLOYEE = { email: 'dana.dunn@corp.example', firstName: 'Dana', lastName: 'Dunn' };
const SERIAL = 'HK-E2E-0001';
const OTHER = 'HK-E2E-0002';
const CSV = [
  'serial,model,aaguid,badge,batch',
  `${SERIAL},Virtual Key,${CHROMIUM_VIRTUAL_AAGUID},RFID-77,2026-Q4`,
  `${OTHER},Virtual Key,${CHROMIUM_VIRTUAL_AAGUID},,2026-Q4`,
  'HK-E2E-0003,Virtual Key,not-a-uuid',
].join('\n');

interface KeyDetail {
  id: string;
  state: string;
  employeeId: string | null;
  credentialIds: string[];
  history: { from: string | null; to: string; reason: string; actor: { label: string | null } }[];
  allowedTransitions: { to: string; action: string }[];
}

describe('hardware keys in the console (Chromium)', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let session: BrowserSession;
  let page: Page;
  let employeeId = '';
  let keyId = '';
  let code = '';
  const employeeSessions: BrowserSession[] = [];

  before(async () => {
    assertChromiumInstalled();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-hardware-keys-e2e-'));
    const created = await runCli(
      ['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'],
      { DATA_DIR: dataDir },
      `${ADMIN.password}\n`,
    );
    assert.equal(created.code, 0, created.stderr);
    await ensureConsoleBuilt();
    const [started, launched] = await Promise.allSettled([startServerProcess({ DATA_DIR: dataDir }), launchBrowser()]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched]) if (result.status === 'rejected') throw result.reason;
    assert.match(server!.url, /^http:\/\/localhost:\d+$/, 'WebAuthn needs a host name, not an IP address');
    session = await newSession(browser!, { baseURL: server!.url });
    page = session.page;
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stopServerProcess(server);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    const errors = [session, ...employeeSessions].flatMap((s) => s?.errors ?? []);
    if (errors.length) console.log(`browser errors seen:\n${errors.join('\n')}`);
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });
  const heading = (name: string) => page.getByRole('heading', { name, exact: true, level: 1 });
  const dialog = (name: string | RegExp) => page.getByRole('dialog', { name });
  const actions = () => page.getByRole('region', { name: 'Actions' });
  const stateBadge = () => page.getByRole('region', { name: 'Facts' }).getByTestId('key-state');
  /** The admin's own API calls, with the console's cookies and its CSRF token. */
  const apiRequest = (): APIRequestContext => page.request;
  const csrf = async () => (await (await apiRequest().get('/api/auth/csrf')).json()).csrfToken as string;
  const keyById = async (id: string): Promise<KeyDetail> => {
    const res = await apiRequest().get(`/api/hardware-keys/${id}`);
    assert.equal(res.status(), 200, await res.text());
    return (await res.json()) as KeyDetail;
  };
  /** The action buttons the page offers, by name. */
  const offered = async () => (await actions().getByRole('button').allInnerTexts()).map((t) => t.trim()).sort();
  const doAction = async (button: string, reason: string, serial = SERIAL) => {
    await actions().getByRole('button', { name: button, exact: true }).click();
    const d = dialog(new RegExp(`^${button.replace(/[()]/g, '\\$&')}: key ${serial}`));
    await d.getByLabel('Reason').fill(reason);
    return d;
  };

  it('imports keys from a CSV and reports each row: imported, or refused with its reason', async () => {
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Dashboard').waitFor();
    const employee = await apiRequest().post('/api/employees', { data: EMPLOYEE, headers: { 'x-csrf-token': await csrf() } });
    assert.equal(employee.status(), 201, await employee.text());
    employeeId = (await employee.json()).id;

    await nav('Hardware keys').click();
    await heading('Hardware keys').waitFor();
    await expectText(page.getByTestId('keys-empty'), 'import a CSV', 'the empty inventory says what to do next');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const importDialog = dialog('Import hardware keys');
    await expectText(importDialog, 'serial,model,aaguid', 'the dialog shows the expected columns');
    await importDialog.getByLabel('CSV').fill(CSV);
    await importDialog.getByRole('button', { name: 'Import', exact: true }).click();
    await expectText(importDialog.getByTestId('import-summary'), '2 imported, 0 skipped (already in the inventory), 1 refused', 'the import summary');
    const report = importDialog.getByRole('table', { name: 'Import report' });
    await expectText(report.getByRole('row').filter({ hasText: SERIAL }), 'imported', 'the first key is imported');
    await expectText(report.getByRole('row').filter({ hasText: 'HK-E2E-0003' }), /refused.*aaguid must be a UUID/, 'the bad row is refused with its reason');
    await importDialog.getByRole('button', { name: 'Done' }).click();

    const table = page.getByRole('table', { name: 'Hardware keys' });
    await expectText(table.getByRole('row').filter({ hasText: SERIAL }), /Virtual Key\s+Ready.*2026-Q4\s+badge RFID-77/, 'the imported key is listed Ready');
    const listed = await apiRequest().get('/api/hardware-keys?pageSize=500');
    const items = (await listed.json()).items as { id: string; serial: string; state: string }[];
    assert.deepEqual(items.map((k) => k.serial).sort(), [SERIAL, OTHER], 'the API has the two valid rows, not the refused one');
    keyId = items.find((k) => k.serial === SERIAL)!.id;

    // The state filter lives in the address and asks the server.
    await page.getByLabel('State').selectOption('active');
    await page.waitForURL((u) => u.searchParams.get('state') === 'active');
    await expectText(page.getByTestId('keys-empty'), 'No keys match these filters', 'no active key yet');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await table.getByRole('row').filter({ hasText: SERIAL }).waitFor();
  });

  it('reserves a key for the employee and shows the activation code once; only the allowed actions are offered', async () => {
    await page.getByRole('table', { name: 'Hardware keys' }).getByRole('link', { name: SERIAL }).click();
    await heading(`Key ${SERIAL}`).waitFor();
    await expectText(stateBadge(), 'Ready', 'a new key is Ready');
    assert.deepEqual(await offered(), ['Mark compromised', 'Reserve for an employee'], 'a Ready key can only be reserved or reported');

    const d = await doAction('Reserve for an employee', 'Issued to Dana on her first day');
    await d.getByRole('combobox', { name: 'Employee' }).fill('Dana');
    await page.getByRole('option', { name: /Dana Dunn/ }).click();
    await d.getByRole('button', { name: 'Reserve for an employee' }).click();

    const shown = dialog(`Activation code for key ${SERIAL}`);
    await expectText(shown, 'This code will not be shown again', 'the code is said to be shown once');
    await expectText(shown, /Valid until .*It was not e-mailed/, 'the expiry is shown');
    code = await shown.getByTestId('activation-code').inputValue();
    assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/, 'the activation code is shown');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });

    await expectText(stateBadge(), 'Reserved', 'the key is Reserved');
    await expectText(page.getByTestId('key-employee'), 'Dana Dunn', 'the key names its employee');
    assert.deepEqual(await offered(), ['Cancel reservation', 'Lock', 'Mark compromised'], 'a Reserved key cannot be suspended from the page');
    await page.reload();
    await heading(`Key ${SERIAL}`).waitFor();
    assert.ok(!(await page.content()).includes(code), 'the code is not on the page once its dialog closed');

    const key = await keyById(keyId);
    assert.equal(key.state, 'reserved');
    assert.equal(key.employeeId, employeeId);
    assert.deepEqual(key.allowedTransitions.map((t) => t.action).sort(), ['cancel', 'lock', 'report_compromised'], 'the page offered what the API allows');
    assert.ok(!JSON.stringify(key).includes(code), 'the API does not answer the code again');
    const refused = await apiRequest().post(`/api/hardware-keys/${keyId}/transitions`, {
      data: { to: 'suspended', reason: 'not allowed' },
      headers: { 'x-csrf-token': await csrf() },
    });
    assert.equal(refused.status(), 409, 'the server refuses what the page did not offer');
    const body = await refused.json();
    assert.equal(body.error.code, 'hardware_keys.transition_not_allowed');
    assert.deepEqual(body.error.details.allowed.map((a: { to: string }) => a.to).sort(), ['compromised', 'locked', 'ready']);
  });

  it('shows the key Active once the employee activated it on /enroll with the code', async () => {
    const employee = await newSession(browser!, { baseURL: server!.url });
    employeeSessions.push(employee);
    await addVirtualAuthenticator(employee.context, employee.page, 'usb');
    await submitKeyActivation(employee.page, EMPLOYEE.email, code);
    await employee.page.getByRole('heading', { name: 'Your security key is active', exact: true, level: 1 }).waitFor({ timeout: 15_000 });
    await employee.context.close();

    // The detail page watches a Reserved key; a reload is what an admin would do too.
    await page.reload();
    await expectText(stateBadge(), 'Active', 'the console shows the key Active');
    await expectText(page.getByRole('region', { name: 'Bound credentials' }), /registered/, 'the new credential is listed as bound');
    assert.deepEqual(await offered(), ['Deactivate (returned)', 'Lock', 'Mark compromised', 'Suspend']);
    const key = await keyById(keyId);
    assert.equal(key.state, 'active');
    assert.equal(key.credentialIds.length, 1, 'the credential is bound to the key');
  });

  it('suspends the key with a reason, which the history shows with who did it', async () => {
    const d = await doAction('Suspend', 'On leave until March');
    await d.getByRole('button', { name: 'Suspend' }).click();
    await d.waitFor({ state: 'hidden' });
    await expectText(stateBadge(), 'Suspended', 'the key is Suspended');
    assert.deepEqual(await offered(), ['Deactivate (returned)', 'Lock', 'Mark compromised', 'Resume'], 'a suspended key is resumed, not suspended again');
    const history = page.getByRole('table', { name: 'Key history' });
    await expectText(history.getByRole('row').nth(1), /Active → Suspended\s+ada\.admin@corp\.example|Active → Suspended\s+Ada Admin/, 'the newest line');
    await expectText(history.getByRole('row').nth(1), 'On leave until March', 'the reason is in the history');
    const key = await keyById(keyId);
    assert.equal(key.state, 'suspended');
    const last = key.history[0]; // newest first
    assert.deepEqual([last.from, last.to, last.reason], ['active', 'suspended', 'On leave until March']);
    assert.match(last.actor.label ?? '', /ada\.admin@corp\.example|Ada Admin/);
  });

  it('marks the key compromised only after an explicit confirmation, and says what was done', async () => {
    const d = await doAction('Mark compromised', 'Lost on the train');
    await expectText(
      d,
      /cannot be undone.*credentials bound to it are revoked.*every session of its employee ends.*passwords delivered to it are rotated/,
      'the dialog says what happens',
    );
    await d.getByRole('button', { name: 'Mark compromised' }).click();
    await expectText(d, 'Confirm to go on', 'it asks for the confirmation first');
    assert.equal((await keyById(keyId)).state, 'suspended', 'nothing happened without the confirmation');
    await d.getByLabel(/I understand/).check();
    await d.getByRole('button', { name: 'Mark compromised' }).click();
    await d.waitFor({ state: 'hidden' });
    await expectText(page.getByRole('alert').filter({ hasText: `Key ${SERIAL} marked compromised` }), '1 credential(s) revoked, sessions ended', 'the outcome');
    await expectText(stateBadge(), 'Compromised', 'the key is Compromised');
    await expectText(actions(), 'None: a compromised key never leaves that state', 'no action is offered');
    assert.deepEqual(await offered(), []);
    await expectText(page.getByRole('table', { name: 'Key history' }).getByRole('row').nth(1), /Suspended → Compromised.*Lost on the train/, 'history');

    const key = await keyById(keyId);
    assert.equal(key.state, 'compromised');
    assert.deepEqual(key.credentialIds, [], 'its credential is revoked');
    assert.deepEqual(key.allowedTransitions, []);
    assert.deepEqual(
      key.history.map((h) => h.to),
      ['compromised', 'suspended', 'active', 'reserved', 'ready'],
      'every transition is in the history',
    );
    const credentials = await apiRequest().get(`/api/employees/${employeeId}/credentials`);
    assert.deepEqual((await credentials.json()).items, [], "the employee's credential is gone");
  });

  it("shows the keys on the employee's page and the dashboard tiles by state", async () => {
    await page.goto(`/employees/${employeeId}`);
    const card = page.getByRole('region', { name: 'Hardware keys' });
    await expectText(card.getByRole('row').filter({ hasText: SERIAL }), 'Compromised', "the employee's key and its state");
    await expectText(card.getByTestId('password-rotation'), 'Password not rotated. The employee has no account in a directory domain', 'why not rotated');
    await card.getByRole('link', { name: SERIAL }).click();
    await heading(`Key ${SERIAL}`).waitFor();

    await nav('Dashboard').click();
    await heading('Dashboard').waitFor();
    await eventually(async () => {
      assert.equal(await dashboardCount(page, 'Keys compromised'), 1);
      assert.equal(await dashboardCount(page, 'Keys ready'), 1);
      assert.equal(await dashboardCount(page, 'Keys active'), 0);
    }, 'dashboard tiles by state');
    const dashboard = await (await apiRequest().get('/api/dashboard')).json();
    assert.equal(dashboard.hardwareKeys.compromised, 1);
    assert.equal(dashboard.hardwareKeys.ready, 1);
  });

  it("reserves a key from the employee's page, and returns a deactivated key to stock only once its reset is confirmed", async () => {
    await page.goto(`/employees/${employeeId}`);
    const card = page.getByRole('region', { name: 'Hardware keys' });
    // The card has loaded its keys and the stock before the search is typed.
    await card.getByRole('row').filter({ hasText: SERIAL }).waitFor();
    const stock = card.getByRole('combobox', { name: 'Key in stock' });
    await stock.click();
    await stock.pressSequentially('0002');
    await page.getByRole('option', { name: new RegExp(OTHER) }).click();
    await card.getByLabel('Reason').fill('Replacement for the lost key');
    await card.getByRole('button', { name: 'Reserve', exact: true }).click();
    const shown = dialog(`Activation code for key ${OTHER}`);
    const otherCode = await shown.getByTestId('activation-code').inputValue();
    assert.match(otherCode, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await expectText(shown, 'Give it to Dana Dunn', 'the code is for the employee of the page');
    await shown.getByRole('button', { name: 'Done' }).click();
    await expectText(card.getByRole('row').filter({ hasText: OTHER }), 'Reserved', 'the card lists the reserved key');

    const employee = await newSession(browser!, { baseURL: server!.url });
    employeeSessions.push(employee);
    await addVirtualAuthenticator(employee.context, employee.page, 'usb');
    await submitKeyActivation(employee.page, EMPLOYEE.email, otherCode);
    await employee.page.getByRole('heading', { name: 'Your security key is active', exact: true, level: 1 }).waitFor({ timeout: 15_000 });
    await employee.context.close();

    await page.reload();
    await card.getByRole('link', { name: OTHER }).click();
    await heading(`Key ${OTHER}`).waitFor();
    await expectText(stateBadge(), 'Active', 'activated');
    const otherId = new URL(page.url()).pathname.split('/').pop()!;
    assert.equal((await keyById(otherId)).credentialIds.length, 1);

    const deactivate = await doAction('Deactivate (returned)', 'Returned by Dana', OTHER);
    await deactivate.getByRole('button', { name: 'Deactivate (returned)' }).click();
    await deactivate.waitFor({ state: 'hidden' });
    await expectText(stateBadge(), 'Deactivated', 'returned');
    assert.deepEqual(await offered(), ['Confirm reset and return to stock', 'Mark compromised'], 'a returned key goes to stock only through the reset');

    const confirm = await doAction('Confirm reset and return to stock', 'Reset with fido2-token -R at the IT desk', OTHER);
    await expectText(confirm.getByTestId('reset-steps'), 'ykman fido reset', 'the reset steps are shown');
    await expectText(confirm, 'fido2-token -R', 'the fido2-tools command is named');
    await confirm.getByRole('button', { name: 'Confirm reset and return to stock' }).click();
    await expectText(confirm, 'Confirm the reset to return the key to stock', 'it needs the confirmation');
    assert.equal((await keyById(otherId)).state, 'deactivated', 'nothing happened without it');
    await confirm.getByLabel(/I reset this key/).check();
    await confirm.getByRole('button', { name: 'Confirm reset and return to stock' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await expectText(stateBadge(), 'Ready', 'back in stock');
    await expectText(page.getByTestId('key-employee'), 'Nobody', 'assigned to nobody');
    await expectText(
      page.getByRole('table', { name: 'Key history' }).getByRole('row').nth(1),
      /Deactivated → Ready\s+ada\.admin@corp\.example.*Reset with fido2-token -R at the IT desk/,
      'who confirmed the reset, and how',
    );
    const key = await keyById(otherId);
    assert.equal(key.state, 'ready');
    assert.equal(key.employeeId, null);
    assert.deepEqual(key.credentialIds, []);
    assert.deepEqual([key.history[0].from, key.history[0].to, key.history[0].actor.label], ['deactivated', 'ready', ADMIN.email]);
  });

  it('creates a default access profile, assigns it in bulk, and reports a bulk suspension the server refused', async () => {
    await nav('Hardware keys').click();
    await page.getByRole('tab', { name: 'Access profiles' }).click();
    await page.waitForURL((u) => u.pathname === '/hardware-keys/profiles');
    await page.getByRole('button', { name: 'New access profile' }).click();
    const create = dialog('New access profile');
    await create.getByLabel('Name').fill('Finance keys');
    await create.getByLabel('Re-authentication interval (minutes)').fill('60');
    await create.getByLabel('Default profile').check();
    await create.getByLabel('Minimum PIN length').fill('6');
    await create.getByRole('button', { name: 'Create profile' }).click();
    await create.waitFor({ state: 'hidden' });
    const row = page.getByRole('table', { name: 'Access profiles' }).getByRole('row').filter({ hasText: 'Finance keys' });
    await expectText(row, /Finance keys\s+default\s+Required\s+6\s+Any\s+60 min\s+0/, 'the new default profile');
    const profiles = (await (await apiRequest().get('/api/access-profiles')).json()).items as {
      id: string;
      name: string;
      isDefault: boolean;
      minPinLength: number;
    }[];
    const finance = profiles.find((p) => p.name === 'Finance keys')!;
    assert.deepEqual([finance.isDefault, finance.minPinLength], [true, 6]);

    await page.getByRole('tab', { name: 'Inventory' }).click();
    const table = page.getByRole('table', { name: 'Hardware keys' });
    await table.getByRole('checkbox', { name: `Select ${OTHER}` }).check();
    await page.getByRole('button', { name: 'Set access profile' }).click();
    const assign = dialog('Set access profile');
    await assign.getByLabel('Access profile').selectOption({ label: 'Finance keys (default)' });
    await assign.getByRole('button', { name: 'Set access profile' }).click();
    await expectText(assign.getByRole('table', { name: 'Bulk result' }), `${OTHER} Done`, 'the profile was set');
    await assign.getByRole('button', { name: 'Done' }).click();
    await expectText(table.getByRole('row').filter({ hasText: OTHER }), 'Finance keys', 'the list shows the key’s own profile');
    const other = (await (await apiRequest().get(`/api/hardware-keys?q=${OTHER}`)).json()).items[0];
    assert.equal(other.accessProfileId, finance.id);

    // A Ready key cannot be suspended: the bulk report gives the server's reason for it.
    await table.getByRole('checkbox', { name: `Select ${OTHER}` }).check();
    await page.getByRole('button', { name: 'Suspend selected' }).click();
    const suspend = dialog('Suspend keys');
    await suspend.getByLabel('Reason').fill('Audit of the Finance keys');
    await suspend.getByRole('button', { name: 'Suspend keys' }).click();
    await expectText(suspend.getByRole('table', { name: 'Bulk result' }), /Refused\s+A ready key cannot become suspended/, 'the refusal and its reason');
    await suspend.getByRole('button', { name: 'Done' }).click();
    assert.equal((await keyById(other.id)).state, 'ready', 'nothing changed');

    // Another admin reserves the key while this page still offers Reserve: the page shows the server's 409 in its words.
    await table.getByRole('link', { name: OTHER }).click();
    await heading(`Key ${OTHER}`).waitFor();
    const d = await doAction('Reserve for an employee', 'Second reservation', OTHER);
    await d.getByRole('combobox', { name: 'Employee' }).fill('Dana');
    await page.getByRole('option', { name: /Dana Dunn/ }).click();
    const meanwhile = await apiRequest().post(`/api/hardware-keys/${other.id}/transitions`, {
      data: { to: 'reserved', reason: 'Reserved by another admin', employeeId },
      headers: { 'x-csrf-token': await csrf() },
    });
    assert.equal(meanwhile.status(), 200, await meanwhile.text());
    await d.getByRole('button', { name: 'Reserve for an employee' }).click();
    await expectText(
      d.getByRole('alert'),
      /A reserved key cannot become reserved; from reserved it can become: ready, locked, compromised/,
      "the server's words",
    );
    await expectText(d.getByRole('alert'), 'Allowed now: Cancel reservation, Lock, Mark compromised', 'the allowed actions');
    await d.getByRole('button', { name: 'Cancel' }).click();
    await expectText(stateBadge(), 'Reserved', 'the page asked again for the key');
    assert.deepEqual(await offered(), ['Cancel reservation', 'Lock', 'Mark compromised']);
  });
});
