// Settings in sections, in Debian's Chromium against a server process: each section saves alone
// (an edit left unsaved in one is neither sent nor reset by another's Save), and the SMTP test
// sends with the values in the form, unsaved, to a real SMTP server while the stored settings stay
// as they were. Needs the built console (npm run build:web).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, ensureConsoleBuilt, launchBrowser, newSession } from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { freePort, runCli, startServerProcess, type ServerProcess } from './helpers/server.js';
import { smtpSink } from './helpers/smtp-sink.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };

interface SavedSettings {
  organisationName: string;
  sessionIdleMinutes: number;
  smtp: { host: string | null; port: number | null; from: string | null; password: { set: boolean } };
  branding: { primaryColor: string };
}

async function isInViewport(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= (globalThis as unknown as { innerHeight: number }).innerHeight && r.height > 0;
  });
}

describe('console: Settings in sections', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const sink = smtpSink();
  let smtpPort: number;
  const saved = async () => (await (await page.request.get('/api/settings')).json()) as SavedSettings;
  const tab = (name: string) => page.getByRole('tab', { name, exact: true });
  const panel = (title: string) => page.getByRole('region', { name: title, exact: true });

  before(async () => {
    assertChromiumInstalled();
    smtpPort = await freePort();
    await sink.start(smtpPort);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-settings-e2e-'));
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
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await sink.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("saves each section alone: another section's Save neither sends nor resets an unsaved edit", async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const before = await saved();

    const general = panel('General');
    await general.getByLabel('Organisation name').fill('Contoso Unsaved');
    await general.getByText('Unsaved changes').waitFor();

    await tab('Branding').click();
    const branding = panel('Branding');
    await branding.getByLabel('Primary colour').fill('#2b8a3e');
    await branding.getByRole('button', { name: 'Save branding' }).click();
    await eventually(async () => assert.equal((await saved()).branding.primaryColor, '#2b8a3e', 'branding saved'), 'the branding section saves');
    const afterBranding = await saved();
    assert.equal(afterBranding.organisationName, before.organisationName, 'the unsaved organisation name was not sent');
    assert.equal(afterBranding.sessionIdleMinutes, before.sessionIdleMinutes);

    await tab('General').click();
    assert.equal(await general.getByLabel('Organisation name').inputValue(), 'Contoso Unsaved', 'nor reset');
    await general.getByRole('button', { name: 'Save general settings' }).click();
    await eventually(async () => assert.equal((await saved()).organisationName, 'Contoso Unsaved', 'general saved'), 'the general section saves');
    assert.equal((await saved()).branding.primaryColor, '#2b8a3e');
  });

  it('sends the SMTP test with the unsaved values of the form, shows the answer by the button, and saves nothing', async () => {
    await tab('Outgoing mail').click();
    const mail = panel('Email (SMTP)');
    await mail.getByLabel('SMTP host').fill('127.0.0.1');
    await mail.getByLabel('SMTP port').fill(String(smtpPort));
    await mail.getByLabel('TLS mode').selectOption('none');
    await mail.getByLabel('From address').fill('identity@corp.example');
    await mail.getByLabel('Test recipient').fill('it-ops@corp.example');
    await mail.getByRole('button', { name: 'Send test e-mail' }).click();
    const sent = mail.getByRole('status').filter({ hasText: 'Test e-mail sent' });
    await sent.waitFor();
    assert.ok(await isInViewport(sent), 'the answer is in view, by the button');
    const { mail: received } = await sink.waitForMail((m) => m.to.includes('it-ops@corp.example'), 'the test e-mail');
    assert.match(received.raw, /Test e-mail from Tessera/);
    const stored = (await saved()).smtp;
    assert.equal(stored.host, null, 'the SMTP settings were not saved by the test');
    assert.equal(stored.from, null);
    await mail.getByText('Unsaved changes').waitFor();

    // A refused send shows the server's answer in words, in the same place.
    await mail.getByLabel('SMTP port').fill(String(await freePort()));
    await mail.getByRole('button', { name: 'Send test e-mail' }).click();
    const failed = mail.getByRole('alert').filter({ hasText: 'The test e-mail was not sent' });
    await failed.waitFor();
    assert.ok(await isInViewport(failed), 'the failure is in view too');
  });
});
