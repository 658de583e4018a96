// Audit forwarding in the admin console, in Debian's Chromium against the real server started as a
// separate process, forwarding to a Splunk-HEC-faithful receiver in this process: an admin adds a
// destination (a bad URL is refused on its field), the Test button shows Splunk refusing a wrong
// token, the table shows the refusal and the backlog, the token is fixed in Edit, the backlog drains
// and the events arrive; the token never appears on the page; the destination is deleted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, ensureConsoleBuilt, expectText, launchBrowser, newSession } from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';
import { startHecReceiver, type HecReceiver } from './helpers/splunk-hec.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const TOKEN = '8d2f6c1e-5b7a-4e3d-9c0f-1a2b3c4d5e6f';
const WRONG = 'not-the-token-0000000000';

describe('audit forwarding in the admin console, in Chromium', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let hec: HecReceiver;
  let page: Page;
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });
  const row = () => page.getByRole('table', { name: 'Audit destinations' }).locator('tbody tr', { hasText: 'Splunk' });

  before(async () => {
    assertChromiumInstalled();
    hec = await startHecReceiver({ token: TOKEN });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-forwarding-e2e-'));
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
    await hec?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds a Splunk destination, shows a wrong token and the backlog, and catches up once the token is fixed', async () => {
    await nav('Audit forwarding').click();
    await heading('Audit forwarding').waitFor();
    await expectText(page.getByRole('table', { name: 'Audit destinations' }), 'The audit log is not forwarded', 'no destination at first');

    await page.getByRole('button', { name: 'Add destination' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add audit destination' });
    await dialog.getByLabel('Name').fill('Splunk');
    await dialog.getByLabel('Collector URL').fill('ftp://splunk.corp.example');
    await dialog.getByLabel('HEC token').fill(WRONG);
    await dialog.getByRole('button', { name: 'Add destination' }).click();
    await expectText(dialog.getByRole('alert'), 'Could not add the destination', 'the refusal is summarised');
    const url = dialog.getByLabel('Collector URL');
    assert.equal(await url.getAttribute('aria-invalid'), 'true', 'the URL field is marked');
    await url.fill(hec.url);
    await dialog.getByRole('button', { name: 'Add destination' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expectText(row(), hec.url, 'the destination is listed with its URL');

    await row().getByRole('button', { name: 'Test' }).click();
    await expectText(
      page.getByRole('status').filter({ hasText: 'refused the test event' }),
      /HTTP 403: Invalid token \(code 4\)/,
      'the test shows what Splunk said',
    );
    await expectText(row(), 'Needs a fix', 'the delivery refusal is shown');
    await expectText(row(), 'Invalid token', 'with Splunk’s words');
    const backlog = Number(await row().getByRole('cell').nth(4).innerText());
    assert.ok(backlog >= 1, `backlog ${backlog}`);
    assert.equal(hec.events.length, 0, 'nothing was taken');

    await row().getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Splunk' });
    assert.equal(await edit.getByLabel('HEC token').inputValue(), '', 'the saved token is not sent to the browser');
    await edit.getByLabel('HEC token').fill(TOKEN);
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await expectText(row(), 'Delivering', 'delivering again');
    await eventually(async () => assert.equal(await row().getByRole('cell').nth(4).innerText(), '0', 'backlog'), 'the backlog drains', { timeoutMs: 30_000 });
    await eventually(
      async () =>
        assert.ok(
          hec.events.some((e) => (e.event as { action: string }).action === 'audit.destination_updated'),
          'the update event arrived',
        ),
      'the events reach Splunk',
    );
    const html = await page.content();
    assert.ok(!html.includes(TOKEN) && !html.includes(WRONG), 'no token on the page');

    await row().getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete audit destination' }).getByRole('button', { name: 'Delete' }).click();
    await expectText(page.getByRole('table', { name: 'Audit destinations' }), 'The audit log is not forwarded', 'deleted');
  });
});
