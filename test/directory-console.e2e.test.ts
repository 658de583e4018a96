import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, ensureConsoleBuilt, launchBrowser, newSession } from './helpers/browser.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';
import { startSamba, type SambaDc } from './helpers/samba.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const SYNC = 'Tessera Users Sync';

/**
 * The Domains page's main task in Chromium against a real server and a real Samba AD DC: add a
 * domain, test the connection, dry run, sync, and confirm a sync the removal threshold held.
 */
describe('Settings → Domains in Chromium', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let dc: SambaDc;
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const history = () => page.getByRole('table', { name: 'Sync runs' });

  before(async () => {
    assertChromiumInstalled();
    dc = await startSamba({ ip: '127.0.0.25' });
    await dc.addGroup(SYNC);
    await dc.addGroup('Tessera Key Auto Password Change');
    for (const u of ['anna', 'ben', 'cleo'])
      await dc.addUser({ username: u, password: `${u[0].toUpperCase()}x-Pass!word9`, givenName: u, surname: 'Test', mail: `${u}@corp.example.test` });
    await dc.addMembers(SYNC, ['anna', 'ben', 'cleo']);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-domains-e2e-'));
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
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await dc?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds a domain, tests it, dry-runs, syncs, and confirms a held sync', async () => {
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Domains', exact: true }).click();
    await page.getByRole('heading', { name: 'Domains', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Add domain' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Active Directory domain' });
    await dialog.getByLabel('Domain name').fill('corp.example.test');
    await dialog.getByLabel('Domain controller URLs').fill(dc.ldapsUrl);
    await dialog.getByLabel('Certificate name').fill(dc.tlsServerName);
    await dialog.getByLabel('CA certificate (PEM)').fill(dc.caPem);
    await dialog.getByLabel('Bind user').fill(dc.adminUpn);
    await dialog.getByLabel('Bind password').fill(dc.adminPassword);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('table', { name: 'Domains' }).getByRole('row').filter({ hasText: 'corp.example.test' });
    await row.waitFor();

    await row.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Test connection, corp.example.test: ok').waitFor();

    await row.getByRole('button', { name: 'Dry run' }).click();
    await history().getByRole('row').filter({ hasText: 'Dry run' }).filter({ hasText: 'succeeded' }).waitFor();
    await history().getByRole('row').filter({ hasText: 'Dry run' }).getByRole('button', { name: 'Changes' }).click();
    await page.getByRole('table', { name: 'Changes' }).getByText('anna@corp.example.test').waitFor();

    await row.getByRole('button', { name: 'Sync now' }).click();
    await history().getByRole('row').filter({ hasText: 'Full sync' }).filter({ hasText: 'created 3' }).waitFor();

    // Two of three leave the group: above the 10% threshold, the sync waits for a decision.
    await dc.removeMembers(SYNC, ['ben', 'cleo']);
    await row.getByRole('button', { name: 'Sync now' }).click();
    const held = page.getByRole('alert').filter({ hasText: 'This sync waits for your confirmation' });
    await held.waitFor();
    await held.getByText('ben@corp.example.test').waitFor();
    await held.getByRole('button', { name: 'Apply these changes' }).click();
    await history().getByRole('row').filter({ hasText: 'deactivated 2' }).filter({ hasText: 'succeeded' }).waitFor();

    // The bind password is shown only as set; turning TLS checks off is flagged in red.
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit corp.example.test' });
    assert.equal(await edit.getByLabel('Bind password', { exact: true }).inputValue(), '', 'the saved password is never sent to the page');
    await edit.getByText('Saved. Leave empty to keep it.').waitFor();
    await edit.getByLabel("Don't verify the TLS certificate (unsafe: tests and first set-up only)").check();
    await edit.getByRole('button', { name: 'Save' }).click();
    // Weaker certificate checks change how safely the saved password travels: it must be typed again.
    const password = edit.getByLabel('Bind password', { exact: true });
    await edit
      .getByText(/enter the bind password again/i)
      .first()
      .waitFor();
    await password.fill(dc.adminPassword);
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByText('TLS not verified').waitFor();

    // Which directory groups the domain imports: every security group by default, or named ones.
    await row.getByRole('button', { name: 'Edit' }).click();
    const groups = page.getByRole('dialog', { name: 'Edit corp.example.test' });
    assert.equal(await groups.getByLabel('Groups to import', { exact: true }).inputValue(), 'Every security group of the synced employees');
    await groups.getByLabel('Groups to import', { exact: true }).click();
    await page.getByRole('option', { name: 'Only the groups I name' }).click();
    await groups.getByLabel('Group names').fill('VPN Users\nFinance');
    await groups.getByRole('button', { name: 'Save' }).click();
    await groups.waitFor({ state: 'hidden' });
    await row.getByRole('button', { name: 'Edit' }).click();
    assert.equal(await groups.getByLabel('Group names').inputValue(), 'VPN Users\nFinance', 'saved and read back');
    await groups.getByRole('button', { name: 'Cancel' }).click();
    const html = await page.content();
    assert.equal(html.includes(dc.adminPassword), false);
  });
});
