// The console in Debian's Chromium, against a server process that reaches the Graph emulator over
// TLS (NODE_EXTRA_CA_CERTS): an admin adds an Entra ID tenant under Settings → Domains, tests the
// connection and syncs; then, on the Entra passkeys page, finds an employee paired with Entra, sees
// her passkey (name, model, AAGUID), deletes it, and finds her back in Pending while Entra lost the
// passkey and moved her between the pairing groups. Needs the built console (npm run build:web).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, launchBrowser, newSession, type BrowserSession } from './helpers/browser.js';
import { makeEntraAttestation } from './helpers/entra-authenticator.js';
import { HttpClient } from './helpers/http.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';
import { softKeys } from './helpers/soft-authenticator.js';
import { startEntraEmulator, type EntraEmulator } from './entra-emulator/index.js';
import type { EmulatedUser } from './entra-emulator/state.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const API_KEY = 'tessera-console-test-key-0123456789abcdefgh';

describe('console: Entra passkeys', { skip: browserSkipReason(), timeout: 120_000 }, () => {
  let emu: EntraEmulator;
  let server: ServerProcess;
  let chromium: Browser | undefined;
  let session: BrowserSession;
  let dir: string;
  let alice: EmulatedUser;
  let api: HttpClient;
  let clientId: string;

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/index.html')), 'dist/web is built (npm run build:web)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-entra-console-'));
    emu = await startEntraEmulator();
    const app = emu.state.addApp({ secrets: ['console-secret'], roles: ['User.Read.All', 'Group.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'] });
    alice = emu.state.addUser({ userPrincipalName: 'alice@contoso.onmicrosoft.com', mail: 'alice@contoso.example', givenName: 'Alice', surname: 'Archer' });
    const bob = emu.state.addUser({ userPrincipalName: 'bob@contoso.onmicrosoft.com', mail: 'bob@contoso.example', givenName: 'Bob', surname: 'Baker' });
    emu.state.addGroup('Tessera Users Sync', [alice, bob]);
    const cfg = path.join(dir, 'tessera.yaml');
    fs.writeFileSync(cfg, 'apiKeys:\n  - name: setup\n    scope: admin\n    secret: {env: TEST_API_KEY}\n');
    const env = { DATA_DIR: dir, TESSERA_CONFIG: cfg, TEST_API_KEY: API_KEY, NODE_EXTRA_CA_CERTS: emu.caFile };
    const created = await runCli(['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'], env, `${ADMIN.password}\n`);
    assert.equal(created.code, 0, created.stderr);
    [server, chromium] = await Promise.all([startServerProcess(env), launchBrowser()]);
    api = new HttpClient(server.url, { authorization: `Bearer ${API_KEY}` });
    clientId = app.clientId;
    session = await newSession(chromium, { baseURL: server.url });
  });
  after(async () => {
    await chromium?.close().catch(() => undefined);
    await server?.stop();
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds an Entra ID tenant in Settings → Domains, tests the connection and syncs', async () => {
    const { page } = session;
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('link', { name: 'Domains', exact: true }).click();
    await page.getByRole('button', { name: 'Add Entra ID tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Entra ID tenant' });
    await dialog.getByLabel(/^Domain/).fill('contoso.onmicrosoft.com');
    await dialog.getByLabel('Directory (tenant) ID').fill(emu.tenantId);
    await dialog.getByLabel('Application (client) ID').fill(clientId);
    await dialog.getByLabel('Client secret', { exact: true }).fill('console-secret');
    await dialog.getByLabel('Login base URL').fill(emu.loginUrl);
    await dialog.getByLabel('Graph base URL').fill(emu.graphUrl);
    await dialog.getByLabel('Auto password change (days)').fill('0');
    await dialog.getByRole('switch', { name: 'Provision passkeys into Entra ID' }).check({ force: true });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Domains' }).getByRole('row', { name: /contoso\.onmicrosoft\.com/ });
    await row.getByText('Entra ID', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Test connection' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Test connection, contoso.onmicrosoft.com' });
    await status.waitFor();
    assert.match(await status.innerText(), /Test connection, contoso\.onmicrosoft\.com: ok/);
    await row.getByRole('button', { name: 'Sync now' }).click();
    const domains = await api.get('/api/directory/domains');
    const domain = domains.json.items.find((d: { name: string }) => d.name === 'contoso.onmicrosoft.com');
    assert.equal(JSON.stringify(domain).includes('console-secret'), false, 'the secret is never answered');
    for (let i = 0; i < 100 && !(await api.get(`/api/directory/domains/${domain.id}`)).json.lastSyncAt; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await api.get('/api/employees?pageSize=10')).json.items.length, 2, 'both users imported');
  });

  it('lists users by pairing state with their passkeys, and deletes a passkey in Entra too', async () => {
    const options = await api.post('/api/entra/contoso.onmicrosoft.com/employees/alice@contoso.example/passkeys/options');
    const registered = await api.post(
      '/api/entra/contoso.onmicrosoft.com/employees/alice@contoso.example/passkeys',
      makeEntraAttestation(softKeys.yubikey(), options.json.publicKey, 'Alice YubiKey'),
    );
    assert.equal(registered.status, 201, registered.text);
    const { page } = session;
    await page.getByRole('link', { name: 'Entra passkeys' }).click();
    await page.getByRole('button', { name: 'Refresh from Entra' }).click();
    await page.getByRole('heading', { name: 'Entra passkeys', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Pending (1)' }).waitFor();
    await page.getByRole('tab', { name: 'Paired with Entra (1)' }).click();

    const table = page.getByRole('table', { name: 'Pairings' });
    await table.getByText('alice@contoso.example').waitFor();
    await table.getByText('Alice YubiKey').waitFor();
    await table.getByText('YubiKey 5 Series').waitFor();
    await table.getByText('ee882879-721c-4913-9775-3dfcce97072a').waitFor();

    await table.getByRole('button', { name: 'Delete Alice YubiKey' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete passkey' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Paired with Entra (0)' }).waitFor();
    await page.getByRole('tab', { name: 'Pending (2)' }).click();
    await table.getByText('alice@contoso.example').waitFor();
    await table.getByLabel('This user unpaired').waitFor();

    assert.equal(emu.state.fido2.get(alice.id)?.length, 0, 'deleted in Entra');
    assert.ok(emu.state.groupByName('Tessera Passkey Eligible')!.members.has(alice.id));
    assert.ok(!emu.state.groupByName('Tessera Passkey Paired with Entra')!.members.has(alice.id));
  });
});
