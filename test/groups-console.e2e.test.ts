// Local groups in the admin console, in Debian's Chromium against the real server started as a
// separate process: an admin creates a group, adds an employee on the group's page and another on
// the employee's page, sees the group on the employee's page, filters the employees list by it,
// and removes a member again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, ensureConsoleBuilt, expectText, launchBrowser, newSession } from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const GROUP = 'Night Shift';

describe('groups in the admin console, in Chromium', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const ids: Record<string, string> = {};
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });
  /** Types into a searchable select as a person does (click, then keys) and picks the option. */
  const pick = async (field: string, text: string, option: string | RegExp) => {
    const box = page.getByRole('combobox', { name: field });
    await box.click();
    await box.pressSequentially(text);
    const choice = page.getByRole('option', { name: option });
    // Cards above that are still loading can push the field out of view, which hides its dropdown
    // (Mantine's hideDetached); clicking the field again, as a person would, brings it back.
    await eventually(async () => {
      if (!(await choice.isVisible())) await box.click();
      await choice.click({ timeout: 1000 });
    }, `the option ${option} of ${field}`);
  };
  const rowNames = async (table: string) =>
    (await page.getByRole('table', { name: table }).locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());

  before(async () => {
    assertChromiumInstalled();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-groups-e2e-'));
    const created = await runCli(
      ['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'],
      { DATA_DIR: dataDir },
      `${ADMIN.password}\n`,
    );
    assert.equal(created.code, 0, created.stderr);
    await ensureConsoleBuilt();
    server = await startServerProcess({ DATA_DIR: dataDir });
    browser = await launchBrowser();
    page = (await newSession(browser, { baseURL: server.url })).page;

    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/');
    const csrf = (await (await page.request.get('/api/auth/csrf')).json()).csrfToken as string;
    for (const [firstName, lastName] of [
      ['Grace', 'Hopper'],
      ['Alan', 'Turing'],
    ]) {
      const res = await page.request.post('/api/employees', {
        data: { email: `${firstName.toLowerCase()}@corp.example`, firstName, lastName },
        headers: { 'x-csrf-token': csrf },
      });
      assert.equal(res.status(), 201, await res.text());
      ids[firstName] = (await res.json()).id;
    }
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a local group and adds an employee on its page', async () => {
    await nav('Groups').click();
    await heading('Groups').waitFor();
    await expectText(page.getByRole('table', { name: 'Groups' }), 'No groups yet', 'no group at first');
    await page.getByRole('button', { name: 'Create group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create local group' });
    await dialog.getByLabel('Name').fill(GROUP);
    await dialog.getByLabel('Description').fill('Operators on the late rota');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await heading(GROUP).waitFor();
    ids.group = new URL(page.url()).pathname.split('/').pop() as string;
    await expectText(page.getByRole('table', { name: 'Members' }), 'No members', 'a new group is empty');

    await pick('Add employee', 'Grace', /Grace Hopper/);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('table', { name: 'Members' }).getByRole('link', { name: 'Grace Hopper' }).waitFor();
    assert.equal((await rowNames('Members')).length, 1);

    await nav('Groups').click();
    const row = page.getByRole('table', { name: 'Groups' }).getByRole('row').filter({ hasText: GROUP });
    await expectText(row, /Local\s*1/, 'the list shows the source and the member count');
  });

  it("shows the group on the employee's page and adds another employee there", async () => {
    await page.goto(`/groups/${ids.group}`);
    await page.getByRole('table', { name: 'Members' }).getByRole('link', { name: 'Grace Hopper' }).click();
    await heading('Grace Hopper').waitFor();
    const groups = page.getByRole('table', { name: 'Groups' });
    await groups.getByRole('link', { name: GROUP }).waitFor();
    await expectText(groups, 'Local', 'the source is shown');

    await page.goto(`/employees/${ids.Alan}`);
    await heading('Alan Turing').waitFor();
    await expectText(page.getByRole('table', { name: 'Groups' }), 'In no group', 'Alan is in no group yet');
    await pick('Add to local group', 'night', GROUP);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('table', { name: 'Groups' }).getByRole('link', { name: GROUP }).waitFor();
  });

  it('filters the employees list by the group', async () => {
    await page.goto('/employees');
    await heading('Employees').waitFor();
    await page.getByRole('table', { name: 'Employees' }).getByRole('link', { name: 'alan@corp.example' }).waitFor();
    // A third employee, in no group, must drop out of the filtered list.
    const csrf = (await (await page.request.get('/api/auth/csrf')).json()).csrfToken as string;
    const res = await page.request.post('/api/employees', {
      data: { email: 'linus@corp.example', firstName: 'Linus', lastName: 'Torvalds' },
      headers: { 'x-csrf-token': csrf },
    });
    assert.equal(res.status(), 201);
    await page.reload();
    await page.getByRole('table', { name: 'Employees' }).getByRole('link', { name: 'linus@corp.example' }).waitFor();

    await pick('Group', 'Night', GROUP);
    await page.waitForURL((u) => u.searchParams.get('groupId') === ids.group);
    await eventually(async () => {
      const names = await page.getByRole('table', { name: 'Employees' }).getByRole('link').allInnerTexts();
      assert.deepEqual(names.sort(), ['alan@corp.example', 'grace@corp.example']);
    }, 'only the members are listed');
  });

  it("removes a member on the group's page", async () => {
    await page.goto(`/groups/${ids.group}`);
    await page.getByRole('button', { name: 'Remove Grace Hopper' }).click();
    await page.getByRole('dialog', { name: 'Remove member' }).getByRole('button', { name: 'Remove' }).click();
    await eventually(
      async () => assert.deepEqual(await page.getByRole('table', { name: 'Members' }).getByRole('link').allInnerTexts(), ['Alan Turing']),
      'Grace left',
    );
    await page.goto(`/employees/${ids.Grace}`);
    await expectText(page.getByRole('table', { name: 'Groups' }), 'In no group', "the group is gone from Grace's page");
  });
});
