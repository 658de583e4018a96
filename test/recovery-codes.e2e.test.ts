// Admin TOTP recovery codes in Chromium, as an admin uses them: turn on TOTP in My profile, save the
// ten codes shown once (download as .txt), sign out, sign in with the password and a recovery code;
// a used code is refused; with three codes left the console says so, and My profile makes a new set.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../src/security/totp.js';
import { assertChromiumInstalled, browserSkipReason, ensureConsoleBuilt, launchBrowser, newSession, type BrowserSession } from './helpers/browser.js';
import { startServerProcess, type ServerProcess, stopServerProcess } from './helpers/server.js';

const ADMIN = { email: 'rita.recovery@corp.example', name: 'Rita Recovery', password: 'Amber-harbour-58-lighthouse' };
const CODE_SHAPE = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

describe('admin recovery codes in Chromium', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let session: BrowserSession;
  let page: Page;
  let codes: string[] = [];

  before(async () => {
    assertChromiumInstalled();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-rc-'));
    await ensureConsoleBuilt();
    const [started, launched] = await Promise.allSettled([startServerProcess({ DATA_DIR: dataDir }), launchBrowser()]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched]) if (result.status === 'rejected') throw result.reason;
    session = await newSession(browser!, { baseURL: server!.url });
    page = session.page;
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stopServerProcess(server);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const heading = (name: string) => page.getByRole('heading', { name, exact: true, level: 1 });
  const dialog = (name: string) => page.getByRole('dialog', { name });

  /** The codes a dialog shows, once it shows them. */
  async function codesIn(name: string): Promise<string[]> {
    const items = dialog(name).getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await items.first().waitFor();
    return (await items.allInnerTexts()).map((c) => c.trim());
  }

  async function signOut() {
    await page.getByRole('button', { name: ADMIN.email }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
  }

  async function signInWithRecoveryCode(code: string) {
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Authentication code').waitFor();
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
  }

  it('shows ten recovery codes once when the admin turns on TOTP, to copy or download', async () => {
    await page.goto(`/setup?token=${server!.setupToken()}`);
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Full name').fill(ADMIN.name);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await heading('Dashboard').waitFor();

    await page.goto('/profile');
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const secret = await page.getByLabel('Secret key').inputValue();
    await page.getByLabel('Authentication code').fill(totpCode(secret, Date.now()));
    await page.getByRole('button', { name: 'Verify' }).click();

    const shown = dialog('Your recovery codes');
    codes = await codesIn('Your recovery codes');
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, CODE_SHAPE);
    const [download] = await Promise.all([page.waitForEvent('download'), shown.getByRole('button', { name: 'Download .txt' }).click()]);
    assert.equal(download.suggestedFilename(), 'tessera-recovery-codes.txt');
    const text = fs.readFileSync((await download.path())!, 'utf8');
    for (const code of codes) assert.ok(text.includes(code), `${code} is in the downloaded file`);
    assert.ok(await shown.getByRole('button', { name: 'Done' }).isDisabled(), 'Done waits until the codes are saved');
    await shown.getByLabel('I have saved these codes').check();
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });
    await page.getByText('Recovery codes: 10 of 10 left.').waitFor();

    await page.reload();
    await page.getByText('Recovery codes: 10 of 10 left.').waitFor();
    const body = await page.content();
    assert.ok(!codes.some((code) => body.includes(code)), 'the codes are not shown again');
  });

  it('signs in with the password and a recovery code after signing out; a used code is refused', async () => {
    await signOut();
    await signInWithRecoveryCode('zzzzz-zzzzz');
    await page.getByRole('alert').filter({ hasText: 'Invalid code' }).waitFor();
    await page.getByLabel('Recovery code').fill(codes[0].toUpperCase());
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading('Dashboard').waitFor();
    await page.goto('/profile');
    await page.getByText('Recovery codes: 9 of 10 left.').waitFor();

    await signOut();
    await signInWithRecoveryCode(codes[0]);
    await page.getByRole('alert').filter({ hasText: 'Invalid code' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/login', 'a used code does not sign in');
  });

  it('warns when three codes are left, and makes a new set on My profile that replaces the old one', async () => {
    await page.goto('/login');
    for (const code of codes.slice(1, 7)) {
      await signInWithRecoveryCode(code);
      await heading('Dashboard').waitFor();
      if (code !== codes[6]) await signOut();
    }
    const low = page.getByTestId('recovery-codes-low');
    await low.getByText('Only 3 of your recovery codes are left.').waitFor();
    await low.getByRole('link', { name: 'Generate new ones in My profile' }).click();
    await page.getByText('Recovery codes: 3 of 10 left.').waitFor();

    await page.getByRole('button', { name: 'Generate new recovery codes' }).click();
    const modal = dialog('Generate new recovery codes');
    await modal.getByRole('button', { name: 'Generate' }).click();
    const fresh = dialog('New recovery codes');
    const newCodes = await codesIn('New recovery codes');
    assert.equal(newCodes.length, 10);
    assert.ok(!newCodes.some((c) => codes.includes(c)));
    await fresh.getByLabel('I have saved these codes').check();
    await fresh.getByRole('button', { name: 'Done' }).click();
    await page.getByText('Recovery codes: 10 of 10 left.').waitFor();
    assert.equal(await page.getByTestId('recovery-codes-low').count(), 0);

    await signOut();
    await signInWithRecoveryCode(codes[7]);
    await page.getByRole('alert').filter({ hasText: 'Invalid code' }).waitFor();
    await page.getByLabel('Recovery code').fill(newCodes[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading('Dashboard').waitFor();
    // Refused requests (the wrong codes' 401s) are logged by the browser; anything else is a fault of the page.
    assert.deepEqual(
      session.errors.filter((e) => !e.startsWith('console error: Failed to load resource')),
      [],
      'no page errors',
    );
  });
});
