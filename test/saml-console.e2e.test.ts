// Settings → SAML & WS-Fed in the console, in Chromium: an admin adds a service provider from its
// metadata XML (upload) with a preset, turns it off, adds a WS-Fed relying party with the
// Exchange preset — after each save the console lists the values to give the application, with copy
// buttons and the certificate download — and starts a signing-key rollover, which the signing-keys card and the dashboard
// then announce; every change lands in the API and audit log.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, launchBrowser, newSession, readClipboard, type BrowserSession } from './helpers/browser.js';
import { tinyPng } from './helpers/images.js';
import { nodeSamlSp, spKeyPair } from './helpers/saml.js';
import { startServerProcess, type ServerProcess } from './helpers/server.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };

describe('console: SAML & WS-Fed page', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let session: BrowserSession;
  let page: Page;
  let metadataFile: string;
  const api = async (url: string) => (await page.request.get(url)).json();

  before(async () => {
    assertChromiumInstalled();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-saml-console-'));
    [server, browser] = await Promise.all([startServerProcess({ DATA_DIR: path.join(dir, 'data') }), launchBrowser()]);
    session = await newSession(browser, { baseURL: server.url });
    await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = session.page;
    const key = await spKeyPair();
    const sp = nodeSamlSp({
      idpCert: 'unused',
      entryPoint: 'https://idp.example/sso',
      issuer: 'https://gitlab.corp.example',
      callbackUrl: 'https://gitlab.corp.example/users/auth/saml/callback',
      privateKey: key.privateKey,
      publicCert: key.certificate,
    });
    metadataFile = path.join(dir, 'gitlab-sp.xml');
    fs.writeFileSync(metadataFile, sp.generateServiceProviderMetadata(null, key.certificate));
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (session?.errors.length) console.log(`browser errors seen:\n${session.errors.join('\n')}`);
  });

  it('an admin adds a service provider by uploading its metadata and picking a preset', async () => {
    await page.goto(`/setup?token=${server!.setupToken()}`);
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Full name').fill(ADMIN.name);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    // The signing key was made when the server started listening, before any SAML request.
    let created: { action: string; actorLabel?: string }[] = [];
    for (let i = 0; i < 50 && !created.length; i++) {
      created = (await api('/api/audit?action=saml.key_created')).items ?? [];
      if (!created.length) await page.waitForTimeout(100);
    }
    assert.equal(created.length, 1, 'one signing key, made at start');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'SAML & WS-Fed' }).click();
    await page.getByRole('heading', { name: 'SAML & WS-Federation', level: 1 }).waitFor();
    await page.getByText('No service providers yet').waitFor();

    await page.getByRole('button', { name: 'Add service provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add service provider' });
    await dialog.locator('input[type="file"]').setInputFiles(metadataFile);
    const entity = dialog.getByLabel('Entity ID');
    for (let i = 0; i < 50 && (await entity.inputValue()) === ''; i++) await page.waitForTimeout(100);
    assert.equal(await entity.inputValue(), 'https://gitlab.corp.example', 'the metadata filled the entity ID');
    assert.equal(await dialog.getByLabel('ACS URLs (HTTP-POST)').inputValue(), 'https://gitlab.corp.example/users/auth/saml/callback');
    await dialog.getByLabel('Preset').selectOption('gitlab');
    assert.equal(await dialog.getByLabel('NameID format').inputValue(), 'persistent', 'the preset filled the NameID');
    await dialog.getByLabel('Name', { exact: true }).fill('GitLab');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Saved: the console says what to enter on GitLab's side, each value with a copy button.
    const idp = await api('/api/saml/idp');
    const give = page.getByRole('dialog', { name: 'Give GitLab these values' });
    for (const v of [idp.entityId, idp.ssoUrl, idp.sloUrl, idp.keys[0].fingerprint]) await give.getByText(v, { exact: true }).first().waitFor();
    assert.match(idp.metadataUrl, /\/saml\/metadata$/);
    await give.getByRole('button', { name: 'Copy Metadata URL' }).click();
    await give.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await readClipboard(page), idp.metadataUrl, 'the metadata URL is on the clipboard');
    // The certificate as a file, for SPs that ask for one: the one the metadata publishes.
    const [download] = await Promise.all([page.waitForEvent('download'), give.getByRole('link', { name: 'Download certificate (PEM)' }).click()]);
    const pem = fs.readFileSync((await download.path())!, 'utf8');
    assert.equal(new crypto.X509Certificate(pem).fingerprint256, idp.keys[0].fingerprint.toUpperCase());
    assert.equal(await give.getByRole('link', { name: 'Download certificate (DER)' }).getAttribute('href'), idp.certificateDerUrl);
    await give.getByRole('button', { name: 'Done' }).click();
    await give.waitFor({ state: 'hidden' });
    const table = page.getByRole('table', { name: 'SAML service providers' });
    await table.getByRole('row', { name: /GitLab/ }).waitFor();

    const { items } = await api('/api/saml/service-providers');
    assert.equal(items.length, 1);
    assert.equal(items[0].entityId, 'https://gitlab.corp.example');
    assert.equal(items[0].certificates.length, 1, 'the certificate came from the metadata');
    assert.equal(items[0].requireSignedRequests, true, 'AuthnRequestsSigned from the metadata');
    assert.ok(items[0].attributes.some((a: { name: string }) => a.name === 'username'));

    await table.getByRole('switch', { name: 'GitLab enabled' }).click({ force: true });
    for (let i = 0; i < 50 && (await api('/api/saml/service-providers')).items[0].enabled; i++) await page.waitForTimeout(100);
    assert.equal((await api('/api/saml/service-providers')).items[0].enabled, false, 'turned off');

    await table.getByRole('button', { name: 'Edit GitLab' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit GitLab' });
    assert.equal(await edit.getByLabel('Entity ID').inputValue(), 'https://gitlab.corp.example', 'the form holds the saved values');
    await edit.getByLabel('Name', { exact: true }).fill('GitLab CE');
    await edit.getByLabel('NameID format').selectOption('email');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await table.getByRole('row', { name: /GitLab CE/ }).waitFor();
    const [saved] = (await api('/api/saml/service-providers')).items;
    assert.equal(saved.nameIdFormat, 'email');
    assert.equal(saved.certificates.length, 1, 'the certificate is kept');
    assert.equal(saved.enabled, false, 'still off');

    // The portal icon is saved as soon as it is chosen, in the same dialog.
    await table.getByRole('button', { name: 'Edit GitLab CE' }).click();
    const again = page.getByRole('dialog', { name: 'Edit GitLab CE' });
    await again.getByText('No icon: the portal shows the application').waitFor();
    await again.getByLabel('Portal icon').setInputFiles({ name: 'gitlab.png', mimeType: 'image/png', buffer: tinyPng() });
    const preview = again.getByRole('img', { name: 'Current icon' });
    await preview.waitFor();
    // Loaded, not only placed: the console's CSP allows the preview's data: URL.
    const loaded = () => preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    for (let i = 0; i < 50 && (await loaded()) === 0; i++) await page.waitForTimeout(100);
    assert.equal(await loaded(), 1, 'the preview shows the 1×1 PNG');
    const icon = await page.request.get(`/api/saml/service-providers/${saved.id}/icon`);
    assert.equal(icon.status(), 200);
    assert.deepEqual(await icon.body(), tinyPng());
    // A file that is not what it says: the server's words, and the icon stays.
    await again.getByLabel('Portal icon').setInputFiles({ name: 'evil.png', mimeType: 'image/png', buffer: Buffer.from('<svg onload="alert(1)"/>') });
    await again.getByText('not a PNG, JPEG or WebP image').waitFor();
    assert.deepEqual(await (await page.request.get(`/api/saml/service-providers/${saved.id}/icon`)).body(), tinyPng());
    await again.getByRole('button', { name: 'Remove icon' }).click();
    await again.getByText('No icon: the portal shows the application').waitFor();
    assert.equal((await page.request.get(`/api/saml/service-providers/${saved.id}/icon`)).status(), 404);
    await again.getByRole('button', { name: 'Cancel' }).click();
  });

  it('adds an Exchange relying party and starts a signing-key rollover', async () => {
    await page.getByRole('tab', { name: 'WS-Fed relying parties' }).click();
    await page.getByRole('button', { name: 'Add relying party' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add relying party' });
    await dialog.getByLabel('Preset').selectOption('exchange');
    // The preset maps the directory UPN and the AD objectSid, and says what Exchange documents.
    const mapping = await dialog.getByLabel('Attributes').inputValue();
    assert.match(mapping, /identity\/claims\/upn = upn$/m);
    assert.match(mapping, /identity\/claims\/primarysid = objectSid$/m);
    await dialog.getByText(/primarysid = objectSid: Exchange \(AD FS claim rule\): User-SID as Primary SID/).waitFor();
    await dialog.getByText(/Sources: .*groups \(group names, one value each\)/).waitFor();
    await dialog.getByLabel('Realm (wtrealm)').fill('https://mail.corp.example/owa/');
    await dialog.getByLabel('Reply URLs (wreply)').fill('https://mail.corp.example/owa/');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const give = page.getByRole('dialog', { name: /^Give .+ these values$/ });
    await give.getByText((await api('/api/saml/idp')).federationMetadataUrl, { exact: true }).waitFor();
    await give.getByRole('button', { name: 'Done' }).click();
    await give.waitFor({ state: 'hidden' });
    await page
      .getByRole('table', { name: 'WS-Fed relying parties' })
      .getByRole('row', { name: /SAML 1\.1/ })
      .waitFor();

    await page.getByRole('tab', { name: 'Identity provider' }).click();
    const certs = page.getByRole('table', { name: 'Signing certificates' });
    await certs.getByText('Signing').waitFor();
    // The state badge shows its whole word beside the long fingerprint, even in a narrow window.
    await page.setViewportSize({ width: 900, height: 900 });
    const clipped = await certs.getByText('Signing').evaluate((el) => el.scrollWidth > el.clientWidth);
    assert.equal(clipped, false, 'the Signing badge is not cut short');
    await page.setViewportSize({ width: 1400, height: 900 });
    const notice = page.getByTestId('rollover-notice');
    const expires = new Date((await api('/api/saml/idp')).rollover.currentExpiresAt);
    assert.match(await notice.innerText(), /No rollover is scheduled/);
    assert.ok((await notice.innerText()).includes(expires.toLocaleDateString('en-GB')), 'the current certificate expiry is shown');
    await page.getByRole('button', { name: 'Start rollover' }).click();
    await certs.getByText('Next').waitFor();
    await page.getByRole('alert').filter({ hasText: 'Signing-certificate rollover under way' }).waitFor();
    const next = (await api('/api/saml/idp')).rollover.next;
    const shown = await notice.innerText();
    for (const d of [next.publishedAt, next.activatesAt]) assert.ok(shown.includes(new Date(d).toLocaleDateString('en-GB')), `${d} shown in: ${shown}`);
    // The dashboard carries the same notice while the rollover is under way.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('alert').filter({ hasText: 'Signing-certificate rollover under way' }).waitFor();
    const audit = await api('/api/audit?pageSize=50');
    const actions = audit.items.map((e: { action: string }) => e.action);
    for (const a of ['saml.sp_created', 'saml.sp_updated', 'application.icon_set', 'application.icon_removed', 'wsfed.rp_created', 'saml.keys_rolled_over'])
      assert.ok(actions.includes(a), `${a} in ${actions}`);
  });
});
