// Application icons on the employee's portal, in Debian's Chromium: an employee signs in with a
// passkey (CDP virtual authenticator) and sees each application with the icon its administrator
// uploaded (the image loads from the portal's own address) or, without one, its initial; each
// links to where the application is launched (IdP-initiated SAML, the WS-Fed start URL).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser as Chromium } from 'playwright-core';
import { cliContext } from '../src/lib/context.js';
import {
  addVirtualAuthenticator,
  assertChromiumInstalled,
  browserSkipReason,
  importCredential,
  launchBrowser,
  newSession,
  type BrowserSession,
} from './helpers/browser.js';
import { tinyPng } from './helpers/images.js';
import { employeeWithKey, startOidcApp, type OidcTestApp } from './helpers/oidc.js';

describe('application icons on the portal, in Chromium', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let t: OidcTestApp;
  let chromium: Chromium | undefined;
  let session: BrowserSession;
  let payrollId: string;

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    [t, chromium] = await Promise.all([startOidcApp(), launchBrowser()]);
    const { key } = await employeeWithKey(t);
    const payroll = await t.services.serviceProviders.create(cliContext(), 'saml', {
      name: 'Payroll',
      entityId: 'https://payroll.example/metadata',
      acsEndpoints: [{ url: 'https://payroll.example/acs', binding: 'post', index: 0, isDefault: true }],
      nameIdFormat: 'email',
      nameIdField: 'email',
      attributes: [],
      idpInitiated: true,
    });
    payrollId = payroll.id;
    await t.services.applicationIcons.set(
      cliContext(),
      { protocol: 'saml', id: payroll.id, name: payroll.name },
      { contentType: 'image/png', base64: tinyPng().toString('base64') },
    );
    await t.services.serviceProviders.create(cliContext(), 'wsfed', {
      name: 'Timesheets',
      entityId: 'urn:timesheets',
      acsEndpoints: [{ url: 'https://timesheets.example/wsfed', binding: 'post', index: 0, isDefault: true }],
      nameIdFormat: 'email',
      nameIdField: 'email',
      attributes: [],
      startUrl: 'https://timesheets.example/',
    });
    session = await newSession(chromium, { baseURL: t.url });
    await importCredential(await addVirtualAuthenticator(session.context, session.page, 'usb'), key.credentials[0]);
  });
  after(async () => {
    await chromium?.close().catch(() => undefined);
    await t?.close().catch(() => undefined);
    if (session?.errors.length) console.log(`browser errors seen:\n${session.errors.join('\n')}`);
  });

  it('shows the uploaded icon, loaded, beside the application; the initial where there is none', async () => {
    const { page } = session;
    await page.goto('/signin');
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).click();
    await page.waitForURL((u) => u.pathname === '/portal', { timeout: 20_000 });
    const list = page.getByRole('list', { name: 'My applications' });
    const payroll = list.getByRole('listitem').filter({ hasText: 'Payroll' });
    const icon = payroll.locator('img');
    await icon.waitFor();
    assert.match((await icon.getAttribute('src'))!, new RegExp(`^/api/portal/applications/${payrollId}/icon\\?v=\\d+$`));
    // Loaded, not only placed: 0 until the browser has the image's bytes.
    const width = () => icon.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    for (let i = 0; i < 50 && (await width()) === 0; i++) await page.waitForTimeout(100);
    assert.equal(await width(), 1, 'the 1×1 PNG loaded from the portal');
    assert.equal(await payroll.getByRole('link', { name: 'Payroll' }).getAttribute('href'), `/saml/start/${payrollId}`);

    const timesheets = list.getByRole('listitem').filter({ hasText: 'Timesheets' });
    assert.equal(await timesheets.locator('img').count(), 0, 'no icon uploaded: no image');
    await timesheets.getByText('T', { exact: true }).waitFor();
    assert.equal(await timesheets.getByRole('link', { name: 'Timesheets' }).getAttribute('href'), 'https://timesheets.example/');
  });
});
