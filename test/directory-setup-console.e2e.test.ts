// Setting a directory up from the console without guesswork, in Debian's Chromium against a server
// process, a real Samba AD DC and the Entra ID emulator: Test connection inside the modal with the
// form's unsaved values (a wrong password in words, then the right one), a preview of the first
// sync that lists the users while nobody is imported, no alarm on a blank form, and the Graph
// permissions an Entra app registration needs. Needs the built console (npm run build:web).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, ensureConsoleBuilt, launchBrowser, newSession } from './helpers/browser.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';
import { startSamba, type SambaDc } from './helpers/samba.js';
import { startEntraEmulator, type EntraEmulator } from './entra-emulator/index.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const SYNC = 'Tessera Users Sync';

/** Whether the element lies within the browser's viewport (the admin sees it without scrolling). */
async function isInViewport(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= (globalThis as unknown as { innerHeight: number }).innerHeight && r.height > 0;
  });
}

describe('console: directory setup without guesswork', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let dc: SambaDc;
  let emu: EntraEmulator;
  let clientId: string;
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const employeeCount = async () => ((await (await page.request.get('/api/employees?pageSize=10')).json()) as { total: number }).total;

  before(async () => {
    assertChromiumInstalled();
    [dc, emu] = await Promise.all([startSamba({ ip: '127.0.0.35' }), startEntraEmulator()]);
    await dc.addGroup(SYNC);
    await dc.addGroup('Tessera Key Auto Password Change');
    for (const u of ['anna', 'ben', 'cleo'])
      await dc.addUser({ username: u, password: `${u[0].toUpperCase()}x-Pass!word9`, givenName: u, surname: 'Test', mail: `${u}@corp.example.test` });
    await dc.addMembers(SYNC, ['anna', 'ben', 'cleo']);
    const app = emu.state.addApp({ secrets: ['setup-secret'], roles: ['User.Read.All', 'Group.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'] });
    clientId = app.clientId;
    const alice = emu.state.addUser({
      userPrincipalName: 'alice@contoso.onmicrosoft.com',
      mail: 'alice@contoso.example',
      givenName: 'Alice',
      surname: 'Archer',
    });
    emu.state.addGroup(SYNC, [alice]);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-directory-setup-e2e-'));
    const env = { DATA_DIR: dataDir, NODE_EXTRA_CA_CERTS: emu.caFile };
    const created = await runCli(['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'], env, `${ADMIN.password}\n`);
    assert.equal(created.code, 0, created.stderr);
    await ensureConsoleBuilt();
    server = await startServerProcess(env);
    browser = await launchBrowser();
    page = (await newSession(browser, { baseURL: server.url })).page;
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/');
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await dc?.stop();
    await emu?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('tests the AD form before saving (wrong password in words, then OK) and previews the first sync while nobody is imported', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Domains', exact: true }).click();
    await page.getByRole('button', { name: 'Add domain' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Active Directory domain' });
    await dialog.getByLabel('Domain name').waitFor();
    assert.equal(await dialog.getByText(/sync is stopped/i).count(), 0, 'a blank form raises no alarm');

    await dialog.getByLabel('Domain name').fill('corp.example.test');
    await dialog.getByLabel('Domain controller URLs').fill(dc.ldapsUrl);
    await dialog.getByLabel('Certificate name').fill(dc.tlsServerName);
    await dialog.getByLabel('CA certificate (PEM)').fill(dc.caPem);
    await dialog.getByLabel('Bind user').fill(dc.adminUpn);
    await dialog.getByLabel('Bind password').fill('Not-the-password-1');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const refused = dialog.getByRole('status').filter({ hasText: 'Sign-in refused' });
    await refused.waitFor();
    await refused.getByText('The bind user or password was refused.').waitFor();
    assert.ok(await isInViewport(refused), 'the result is shown where the admin looks');

    await dialog.getByLabel('Bind password').fill(dc.adminPassword);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const ok = dialog.getByRole('status').filter({ hasText: 'Connection OK' });
    await ok.waitFor();
    await ok.getByText(`3 users in the sync group "${SYNC}"`, { exact: false }).first().waitFor();
    await ok.getByText(/Base DN DC=/).waitFor();
    assert.ok(await isInViewport(ok), 'the OK is shown where the admin looks');

    await dialog.getByRole('button', { name: 'Preview sync' }).click();
    const preview = dialog.getByRole('status', { name: 'Sync preview' });
    await preview.getByText('3 in the sync group: 3 to create', { exact: false }).waitFor();
    const rows = preview.getByRole('table', { name: 'Preview changes' });
    for (const u of ['anna', 'ben', 'cleo'])
      await rows
        .getByRole('row')
        .filter({ hasText: `${u}@corp.example.test` })
        .filter({ hasText: 'Create' })
        .waitFor();
    assert.equal(await employeeCount(), 0, 'the preview imported nobody');
    const domains = (await (await page.request.get('/api/directory/domains')).json()) as { items: unknown[] };
    assert.equal(domains.items.length, 0, 'nor saved the domain');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('lists the Graph permissions for an Entra tenant, with no alarm on the blank form, and tests it before saving', async () => {
    await page.getByRole('button', { name: 'Add Entra ID tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Entra ID tenant' });
    await dialog.getByText('Not set up yet').waitFor();
    assert.equal(await dialog.getByText('Not set: sync is stopped').count(), 0, 'no red badge on a blank form');

    const permissions = dialog.getByRole('table', { name: 'Graph permissions' });
    for (const p of ['User.Read.All', 'Group.Read.All', 'User-PasswordProfile.ReadWrite.All']) await permissions.getByText(p, { exact: true }).waitFor();
    assert.equal(
      await permissions.getByText('UserAuthMethod-Passkey.ReadWrite.All', { exact: true }).count(),
      0,
      'passkey permissions only when provisioning is on',
    );
    await dialog.getByRole('switch', { name: 'Provision passkeys into Entra ID' }).check({ force: true });
    await permissions.getByText('UserAuthMethod-Passkey.ReadWrite.All', { exact: true }).waitFor();
    await permissions.getByText(/Registers employees' passkeys in Entra ID/).waitFor();
    await dialog.getByRole('button', { name: 'Copy permissions' }).waitFor();

    await dialog.getByLabel(/^Domain/).fill('contoso.onmicrosoft.com');
    await dialog.getByLabel('Directory (tenant) ID').fill(emu.tenantId);
    await dialog.getByLabel('Application (client) ID').fill(clientId);
    await dialog.getByLabel('Client secret', { exact: true }).fill('setup-secret');
    await dialog.getByLabel('Login base URL').fill(emu.loginUrl);
    await dialog.getByLabel('Graph base URL').fill(emu.graphUrl);
    await dialog.getByLabel('Auto password change (days)').fill('0');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const ok = dialog.getByRole('status').filter({ hasText: 'Connection OK' });
    await ok.waitFor();
    await ok.getByText(/Token issued for application/).waitFor();
    await ok.getByText(`1 user in the sync group "${SYNC}"`, { exact: false }).first().waitFor();
    await dialog.getByRole('button', { name: 'Preview sync' }).click();
    await dialog.getByRole('status', { name: 'Sync preview' }).getByRole('row').filter({ hasText: 'alice@contoso.example' }).waitFor();
    assert.equal(await employeeCount(), 0, 'nobody imported');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
