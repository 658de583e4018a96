// The Access section of an application in the console, in Chromium: an admin restricts a SAML SP
// to one employee found by the search, and opens it to everyone again; each change lands in the API.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, launchBrowser, newSession, type BrowserSession } from './helpers/browser.js';
import { startServerProcess, type ServerProcess } from './helpers/server.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };

describe('console: application access', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let session: BrowserSession;
  let page: Page;
  const csrf = async () => (await (await page.request.get('/api/auth/csrf')).json()).csrfToken as string;
  const post = async (url: string, data: unknown) => {
    const res = await page.request.post(url, { data, headers: { 'x-csrf-token': await csrf() } });
    assert.ok(res.ok(), `${url}: ${res.status()} ${await res.text()}`);
    return res.json();
  };

  before(async () => {
    assertChromiumInstalled();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-access-console-'));
    [server, browser] = await Promise.all([startServerProcess({ DATA_DIR: path.join(dir, 'data') }), launchBrowser()]);
    session = await newSession(browser, { baseURL: server.url });
    page = session.page;
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (session?.errors.length) console.log(`browser errors seen:\n${session.errors.join('\n')}`);
  });

  it('restricts an application to an employee picked by search, and opens it to everyone again', async () => {
    await page.goto(`/setup?token=${server!.setupToken()}`);
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Full name').fill(ADMIN.name);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.waitForURL((u) => u.pathname === '/');

    const grace = await post('/api/employees', { email: 'grace.hopper@corp.example', firstName: 'Grace', lastName: 'Hopper' });
    const sp = await post('/api/saml/service-providers', {
      name: 'Payroll',
      entityId: 'https://payroll.corp.example/metadata',
      acsEndpoints: [{ url: 'https://payroll.corp.example/acs', binding: 'post', index: 0, isDefault: true }],
    });
    const access = async () => (await page.request.get(`/api/applications/saml/${sp.id}/access`)).json();
    assert.equal((await access()).mode, 'everyone');

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'SAML & WS-Fed' }).click();
    await page.getByRole('button', { name: 'Edit Payroll' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Payroll' });
    const section = dialog.getByRole('group', { name: 'Access' });
    await section.getByText('Only these').click();
    await section.getByText('No one chosen: nobody may use the application.').waitFor();
    await section.getByLabel('Groups, departments and employees').fill('grace');
    await page.getByRole('option', { name: /Grace Hopper \(grace\.hopper@corp\.example\)/ }).click();
    await section.getByRole('button', { name: 'Apply access' }).click();
    let saved = await access();
    for (let i = 0; i < 50 && saved.mode !== 'assigned'; i++) {
      await page.waitForTimeout(100);
      saved = await access();
    }
    assert.equal(saved.mode, 'assigned');
    assert.deepEqual(
      saved.employees.map((e: { id: string }) => e.id),
      [grace.id],
    );

    await section.getByText('Everyone').click();
    await section.getByRole('button', { name: 'Apply access' }).click();
    for (let i = 0; i < 50 && saved.mode !== 'everyone'; i++) {
      await page.waitForTimeout(100);
      saved = await access();
    }
    assert.equal(saved.mode, 'everyone');
    const audit = (await (await page.request.get('/api/audit?action=application.access_changed')).json()).items;
    assert.equal(audit.length, 2, 'both changes audited');
  });
});
