// The sign-in page is not an open redirect, in Debian's Chromium: an employee signs in with a
// passkey (CDP virtual authenticator) on `/signin?return_to=<hostile>`, and then, signed in,
// opens the sign-in page with each of the tricks browsers read as another host (tab, newline and
// backslash, raw or percent-encoded, scheme-relative, `javascript:`). Each lands on the portal;
// a listener on another origin proves that none reached it. The server decides
// (GET /api/signin/return-to, src/lib/return-to.ts); a legitimate path of ours is kept.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser as Chromium } from 'playwright-core';
import {
  addVirtualAuthenticator,
  importCredential,
  assertChromiumInstalled,
  browserSkipReason,
  launchBrowser,
  newSession,
  type BrowserSession,
} from './helpers/browser.js';
import { employeeWithKey, startOidcApp, type OidcTestApp } from './helpers/oidc.js';
import { freePort } from './helpers/server.js';

/** Another origin that records every request: the redirect must never get there. */
async function elsewhere() {
  const port = await freePort();
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Elsewhere</h1>');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { host: `127.0.0.1:${port}`, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('return_to in Chromium: only paths of this site', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let t: OidcTestApp;
  let chromium: Chromium | undefined;
  let evil: Awaited<ReturnType<typeof elsewhere>>;
  let session: BrowserSession;

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    [t, chromium, evil] = await Promise.all([startOidcApp(), launchBrowser(), elsewhere()]);
    const { key } = await employeeWithKey(t);
    session = await newSession(chromium, { baseURL: t.url });
    await importCredential(await addVirtualAuthenticator(session.context, session.page, 'usb'), key.credentials[0]);
  });

  after(async () => {
    await chromium?.close().catch(() => undefined);
    await evil?.close().catch(() => undefined);
    await t?.close().catch(() => undefined);
  });

  /** Opens the sign-in page with `returnTo` (as given: already encoded for the query) and waits for where it lands. */
  async function landsOn(returnTo: string): Promise<URL> {
    const { page } = session;
    await page.goto(`/signin?return_to=${returnTo}`);
    await page.waitForURL((u) => u.pathname !== '/signin', { timeout: 20_000 });
    await page.waitForLoadState('load');
    return new URL(page.url());
  }

  it('signs in on a hostile return_to and lands on the portal', async () => {
    const { page } = session;
    await page.goto(`/signin?return_to=${encodeURIComponent(`//${evil.host}/stolen`)}`);
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).click();
    await page.waitForURL((u) => u.pathname !== '/signin', { timeout: 20_000 });
    const landed = new URL(page.url());
    assert.equal(landed.origin, t.url);
    assert.equal(landed.pathname, '/portal');
    await page.getByText('My applications').first().waitFor();
  });

  it('sends a signed-in employee to the portal for every trick, never to another origin', async () => {
    const tricks = [
      `/%09/${evil.host}`,
      `/%0a/${evil.host}`,
      `/%0d%0a/${evil.host}`,
      `/%5c${evil.host}`,
      `/%5c/${evil.host}`,
      `//${evil.host}`,
      `/%2f${evil.host}`,
      `%2f%2f${evil.host}`,
      `/%252f%252f${evil.host}`,
      `/.//${evil.host}`,
      encodeURIComponent(`/\\${evil.host}`),
      encodeURIComponent(`/\t/${evil.host}`),
      encodeURIComponent(`/\n/${evil.host}`),
      encodeURIComponent(`http://${evil.host}/`),
      encodeURIComponent(`https://${evil.host}/`),
      encodeURIComponent('javascript:alert(1)'),
      'javascript:alert(1)',
      encodeURIComponent(`${t.url}@${evil.host}/`),
    ];
    for (const trick of tricks) {
      const landed = await landsOn(trick);
      assert.equal(landed.origin, t.url, `${trick} left the site`);
      assert.equal(landed.pathname, '/portal', `${trick} landed on ${landed.href}`);
    }
    assert.deepEqual(evil.hits, [], 'the other origin was never reached');
    assert.deepEqual(
      session.errors.filter((e) => !/status of (401|404)/.test(e)),
      [],
    );
  });

  it('keeps a path of this site', async () => {
    const portal = await landsOn('/portal');
    assert.equal(portal.href, `${t.url}/portal`);
    const resume = await landsOn('/oidc/interaction/x');
    assert.equal(resume.href, `${t.url}/oidc/interaction/x`, 'a protocol resume path loads as is');
  });
});
