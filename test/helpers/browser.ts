// Debian's Chromium driven by playwright-core, for the browser tests. No browser is ever
// downloaded: the tests use the system package (`apt-get install -y chromium`, which
// scripts/test-setup.sh runs when it is missing).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { packageRoot } from '../../src/lib/package-root.js';
import { eventually } from './eventually.js';
import type { SoftCredential } from './soft-authenticator.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why browser tests are skipped, or undefined when they must run. Only an explicit
 * TESSERA_SKIP_BROWSER=1 skips them: a missing Chromium makes launchBrowser() fail instead.
 */
export function browserSkipReason(): string | undefined {
  return process.env.TESSERA_SKIP_BROWSER === '1' ? 'TESSERA_SKIP_BROWSER=1' : undefined;
}

/** Throws a clear message when Debian's Chromium is missing (call it first, to fail before slow set-up). */
export function assertChromiumInstalled(): void {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}, so the console end-to-end tests cannot run. ` +
        'Install it with `apt-get install -y chromium` (CI does this in .ci/run), ' +
        'or set TESSERA_SKIP_BROWSER=1 to skip the browser tests.',
    );
  }
}

/** Launches headless Chromium from the Debian package; fails with a clear message if it is missing. */
export async function launchBrowser(opts: { slowMo?: number } = {}): Promise<Browser> {
  assertChromiumInstalled();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, slowMo: opts.slowMo });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors seen so far (a console that works logs none). */
  errors: string[];
}

export interface SessionOptions {
  /** The server's public URL (e.g. http://localhost:1234): relative page.goto() paths resolve against it. */
  baseURL: string;
  /** Defaults to this process's time zone, so that "today" is the same day for the test and the page. */
  timezoneId?: string;
  locale?: string;
  viewport?: { width: number; height: number };
  /** Playwright's default wait for actions and expectations, in ms. */
  timeoutMs?: number;
}

/**
 * A fresh context (its own cookies and storage, like a new browser profile) with one page.
 * Further set-up of the page (e.g. a CDP virtual authenticator via context.newCDPSession(page))
 * belongs in helpers next to this one.
 */
export async function newSession(browser: Browser, opts: SessionOptions): Promise<BrowserSession> {
  const context = await browser.newContext({
    baseURL: opts.baseURL,
    timezoneId: opts.timezoneId ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    locale: opts.locale ?? 'en-GB',
    viewport: opts.viewport ?? { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  // Generous: CI runs two test files at once on two cores, and a loaded machine is slow, not broken.
  context.setDefaultTimeout(opts.timeoutMs ?? 20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  return { context, page, errors };
}

/**
 * A CDP virtual authenticator on the page (Chromium's WebAuthn domain): `internal` is a platform
 * authenticator (Windows Hello, Touch ID), `usb` a roaming security key. Resident keys and user
 * verification are on, and the user always verifies. Returns its id and the CDP session.
 */
export async function addVirtualAuthenticator(
  context: BrowserContext,
  page: Page,
  transport: 'internal' | 'usb',
  /** Another kind of key: e.g. a U2F-only one, `{ protocol: 'u2f', hasResidentKey: false, hasUserVerification: false }`. */
  overrides: { protocol?: 'ctap2' | 'u2f'; hasResidentKey?: boolean; hasUserVerification?: boolean; isUserVerified?: boolean } = {},
) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport, hasResidentKey: true, hasUserVerification: true, isUserVerified: true, ...overrides },
  });
  return { authenticatorId, cdp };
}

/**
 * Puts a credential the test enrolled with a software authenticator into a virtual authenticator
 * of Chromium, so the browser signs in with the same key (its counter one step ahead).
 */
export async function importCredential(
  target: { authenticatorId: string; cdp: Awaited<ReturnType<typeof addVirtualAuthenticator>>['cdp'] },
  credential: SoftCredential,
): Promise<void> {
  await target.cdp.send('WebAuthn.addCredential', {
    authenticatorId: target.authenticatorId,
    credential: {
      credentialId: credential.id.toString('base64'),
      isResidentCredential: true,
      rpId: credential.rpId,
      privateKey: credential.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      userHandle: credential.userHandle.toString('base64'),
      signCount: credential.signCount + 1,
    },
  });
}

/**
 * Waits until the text a person sees in `locator` (its innerText, white space folded) has
 * `expected`: a string it contains, or a pattern it matches. Case is ignored, because badges are
 * shown in capitals (CSS), which innerText reports.
 */
export async function expectText(locator: Locator, expected: string | RegExp, what: string): Promise<void> {
  const pattern = typeof expected === 'string' ? new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : new RegExp(expected.source, 'i');
  await eventually(async () => {
    const text = ((await locator.innerText({ timeout: 2000 })) ?? '').replace(/\s+/g, ' ').trim();
    if (!pattern.test(text)) {
      throw new Error(`expected ${String(expected)}, got ${JSON.stringify(text.slice(0, 500))}`);
    }
  }, what);
}

/** The number on a console dashboard tile (role=group named by its label). */
export async function dashboardCount(page: Page, label: string): Promise<number> {
  const text = await page.getByRole('group', { name: label, exact: true }).innerText();
  const match = /(\d+)/.exec(text.replace(label, ''));
  assert.ok(match, `tile "${label}" shows a number: ${JSON.stringify(text)}`);
  return Number(match[1]);
}

/** Newest modification time of a file or of anything under a folder (0 when it does not exist). */
function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  return stat.isDirectory() ? Math.max(stat.mtimeMs, ...fs.readdirSync(p).map((f) => newestMtime(path.join(p, f)))) : stat.mtimeMs;
}

/**
 * Builds dist/web (a production `npm run build:web`) unless it is newer than every console source,
 * so that a browser test drives the console the working tree holds. Call it before starting the
 * server: the server lists the console's files when it starts.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const root = packageRoot();
  const built = path.join(root, 'dist/web/index.html');
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const sources = ['web/src', 'web/index.html', 'web/portal.html', 'web/public', 'web/vite.config.ts', 'web/postcss.config.cjs'];
  if (builtAt > Math.max(...sources.map((s) => newestMtime(path.join(root, s))))) return;
  await promisify(execFile)('npm', ['run', 'build:web'], { cwd: root, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 16 * 1024 * 1024 });
  if (!fs.existsSync(built)) throw new Error('npm run build:web did not produce dist/web/index.html');
}

/** The page's clipboard text (the context needs the clipboard-read permission). */
export async function readClipboard(page: Page): Promise<string> {
  // Evaluated in the page: the test's own TypeScript has no DOM types.
  return page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
}
