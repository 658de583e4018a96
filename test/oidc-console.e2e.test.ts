// Settings → OIDC clients in the console, in Debian's Chromium: an admin registers a web
// application, copies its client ID from the one-time dialog (which also gives the issuer and
// discovery URL, and the secret once), finds it in the list, and registers an
// Entra ID EAM app. Needs the built console (npm run build:web).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { cliContext } from '../src/lib/context.js';
import { assertChromiumInstalled, browserSkipReason, launchBrowser, newSession, readClipboard, type BrowserSession } from './helpers/browser.js';
import { startOidcApp, type OidcTestApp } from './helpers/oidc.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };

describe('console: OIDC clients', { skip: browserSkipReason(), timeout: 90_000 }, () => {
  let t: OidcTestApp;
  let chromium: Browser | undefined;
  let session: BrowserSession;

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/index.html')), 'dist/web is built (npm run build:web)');
    [t, chromium] = await Promise.all([startOidcApp(), launchBrowser()]);
    await t.services.admins.create(cliContext(), ADMIN);
    session = await newSession(chromium, { baseURL: t.url });
    await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  });
  after(async () => {
    await chromium?.close().catch(() => undefined);
    await t?.close();
  });

  it('registers a web application and an Entra EAM app', async () => {
    const { page } = session;
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('link', { name: 'OIDC clients' }).click();
    await page.getByRole('heading', { name: 'OIDC clients', level: 1 }).waitFor();
    await page.getByText(`${t.issuer}/.well-known/openid-configuration`).waitFor();

    await page.getByRole('button', { name: 'Register client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register OIDC client' });
    await dialog.getByLabel('Name', { exact: true }).fill('Team wiki');
    await dialog.getByLabel('Redirect URIs', { exact: true }).fill('https://wiki.corp.example/oidc/callback');
    await dialog.getByLabel('Login URL', { exact: true }).fill('https://wiki.corp.example/');
    await dialog.getByRole('button', { name: 'Register' }).click();

    const shown = page.getByRole('dialog', { name: 'OIDC client “Team wiki”' });
    const secret = await shown.getByLabel('Client secret', { exact: true }).inputValue();
    const clientId = await shown.getByLabel('Client ID', { exact: true }).inputValue();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    const metadata = await t.services.oidc.clients.providerMetadata(clientId);
    assert.equal(metadata?.client_secret, secret, 'the secret shown is the one the provider checks');
    // The same dialog gives the provider's values, each with a copy button, and the secret only once.
    await shown.getByText(t.issuer, { exact: true }).waitFor();
    await shown.getByText(`${t.issuer}/.well-known/openid-configuration`, { exact: true }).waitFor();
    await shown.getByRole('button', { name: 'Copy client ID' }).click();
    await shown.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await readClipboard(page), clientId, 'the client ID is on the clipboard');
    const fieldsWithSecret = await shown
      .locator('input')
      .evaluateAll((els, v) => els.filter((e) => (e as unknown as { value: string }).value === v).length, secret);
    assert.equal(fieldsWithSecret, 1, 'one field holds the secret');
    assert.ok(!(await shown.innerText()).includes(secret), 'and no text repeats it');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'OIDC clients' }).getByRole('row', { name: /Team wiki/ });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(`${clientId}[\\s\\S]*authorization_code, refresh_token[\\s\\S]*client_secret_basic[\\s\\S]*Set`));
    assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page once the dialog is closed');

    // Edit: a second redirect URI, effective for the provider at once.
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit OIDC client' });
    await edit.getByLabel('Redirect URIs', { exact: true }).fill('https://wiki.corp.example/oidc/callback\nhttps://wiki-staging.corp.example/oidc/callback');
    assert.equal(await edit.getByLabel('Groups claim').inputValue(), 'names');
    await edit.getByLabel('Groups claim').selectOption('ids');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const edited = await t.services.oidc.clients.providerMetadata(clientId);
    assert.equal(edited?.tessera_groups_claim, 'ids', 'the groups claim setting reaches the provider');
    assert.deepEqual(edited?.redirect_uris, ['https://wiki.corp.example/oidc/callback', 'https://wiki-staging.corp.example/oidc/callback']);
    assert.equal(edited?.client_secret, secret, 'editing keeps the secret');

    await page.getByRole('button', { name: 'Register client' }).click();
    await dialog.getByText('Entra ID external authentication', { exact: true }).click();
    await dialog.getByLabel('Tenant id', { exact: true }).waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('Entra MFA');
    await dialog.getByLabel('Tenant id', { exact: true }).fill('72f988bf-86f1-41af-91ab-2d7cd011db47');
    await dialog.getByLabel('Entra application id', { exact: true }).fill('b5d0c7a2-4c61-4f4b-9a0e-2d1b7c8e9f01');
    await dialog.getByRole('button', { name: 'Register' }).click();
    const eam = page.getByRole('dialog', { name: 'OIDC client “Entra MFA”' });
    await eam.getByLabel('Client ID', { exact: true }).waitFor();
    assert.equal(await eam.getByLabel('Client secret', { exact: true }).count(), 0, 'an EAM app has no secret');
    await eam.getByRole('button', { name: 'Done' }).click();
    await page
      .getByRole('table', { name: 'OIDC clients' })
      .getByRole('row', { name: /Entra MFA/ })
      .getByText('Entra EAM')
      .waitFor();

    const audit = await t.services.audit.find({ action: 'oidc.client_created' }, { offset: 0, limit: 10 });
    assert.equal(audit.items.length, 2);
    assert.ok(
      audit.items.every((e) => e.actorType === 'admin'),
      'registered by the admin, on the record',
    );
  });
});
