// Every page of the console and every employee page, in Debian's Chromium at 1440×900 and 390×844,
// with realistic data (test/helpers/showcase.ts seeds it through the API of a real server process):
// nothing wider than the window, no table wider than its container (a narrow screen stacks the rows
// into cards instead), no console error, and no serious or critical axe-core violation. The list of
// pages is checked against the two routers, so a new page cannot be forgotten here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page, Response } from 'playwright-core';
import { browserSkipReason } from './helpers/browser.js';
import { allRoutes, PAGES, type Showcase, type ShowcasePage, startShowcase, VIEWPORTS, type Viewport } from './helpers/showcase.js';

/**
 * What is wider than it may be: the page itself, and every visible table's containers up to the
 * page (a table that scrolls inside its own box still hides columns; on a phone it must become cards).
 * A string evaluated in the page: this file's TypeScript has no DOM types.
 */
const OVERFLOW_SCRIPT = `(() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) problems.push('the page is ' + root.scrollWidth + ' px wide in a ' + root.clientWidth + '-px window');
  if (document.body.scrollWidth > document.body.clientWidth) problems.push('the body is ' + document.body.scrollWidth + ' px wide in ' + document.body.clientWidth + ' px');
  for (const table of document.querySelectorAll('table')) {
    if (!table.checkVisibility()) continue;
    const name = table.getAttribute('aria-label') || (table.querySelector('th') || {}).textContent || 'a table';
    for (let el = table; el && el !== document.body; el = el.parentElement) {
      if (el.scrollWidth > el.clientWidth + 1) {
        problems.push('table "' + name + '": <' + el.tagName.toLowerCase() + ' class="' + String(el.className).slice(0, 80) + '"> holds ' + el.scrollWidth + ' px in ' + el.clientWidth + ' px');
        break;
      }
    }
  }
  return problems;
})()`;

async function overflow(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(OVERFLOW_SCRIPT);
}

/** Serious and critical axe-core violations, one line each with up to 4 of the elements. */
async function accessibility(page: Page, only?: string): Promise<string[]> {
  // Only violations are collected in full: passes would cost time and are not reported.
  const builder = new AxeBuilder({ page }).options({ resultTypes: ['violations'] });
  const results = await (only ? builder.include(only) : builder).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `axe ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s): ${v.nodes
          .slice(0, 4)
          .map((n) => `${n.target.join(' ')} [${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 160)}]`)
          .join(' | ')}`,
    );
}

describe('every page at desktop and phone size', { skip: browserSkipReason(), timeout: 600_000 }, () => {
  let showcase: Showcase;

  before(async () => {
    showcase = await startShowcase();
  });
  after(async () => {
    await showcase?.close();
  });

  it('lists every route of the console and the portal routers', async () => {
    // Only the portal's catch-all is not a page: it sends the visitor to /portal (checked below).
    const redirects = ['/*'];
    const routes = allRoutes();
    const listed = (app: 'console' | 'portal') => new Set(PAGES.filter((p) => p.app === app).map((p) => p.route));
    const missing = [
      ...routes.console.filter((r) => !listed('console').has(r)).map((r) => `console ${r}`),
      ...routes.portal.filter((r) => !listed('portal').has(r) && !redirects.includes(r)).map((r) => `portal ${r}`),
    ];
    assert.deepEqual(missing, [], 'every route has a page in test/helpers/showcase.ts');
    const stale = PAGES.filter((p) => !routes[p.app].includes(p.route)).map((p) => `${p.app} ${p.route}`);
    assert.deepEqual(stale, [], 'every page listed is a route of its router');
    assert.ok(routes.console.length >= 30, `the parser found the console's routes: ${routes.console.join(' ')}`);

    const { page } = await showcase.session('employee');
    await page.goto('/portal/no-such-page');
    await page.waitForURL((u) => u.pathname === '/portal');
  });

  for (const viewport of VIEWPORTS) {
    describe(`at ${viewport.width}×${viewport.height} (${viewport.name})`, () => {
      it('shows the navigation behind a named menu button on a phone, or beside the page on a desktop', async () => {
        const { page, errors } = await showcase.session('admin');
        await page.setViewportSize(viewport);
        errors.length = 0;
        await page.goto('/');
        await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
        const nav = page.getByRole('navigation', { name: 'Main navigation' });
        const link = nav.getByRole('link', { name: 'Employees', exact: true });
        const burger = page.getByRole('button', { name: 'Open navigation' });
        if (viewport.name === 'phone') {
          assert.equal(await link.isVisible(), false, 'the navigation is hidden until asked for');
          assert.equal(await page.locator('#main-navigation').getAttribute('inert'), '', 'and out of reach of the Tab key while hidden');
          await burger.click();
          await link.waitFor();
          assert.equal(await page.getByRole('button', { name: 'Close navigation' }).getAttribute('aria-expanded'), 'true');
          assert.deepEqual(await accessibility(page, '#main-navigation'), [], 'the open navigation passes axe');
          await link.click();
          await page.getByRole('heading', { name: 'Employees', level: 1 }).waitFor();
          await nav.getByRole('link', { name: 'Groups', exact: true }).waitFor({ state: 'hidden' });
        } else {
          await link.waitFor();
          assert.equal(await burger.isVisible(), false, 'no menu button where the navigation fits');
        }
        assert.deepEqual(errors, [], 'no console errors');
      });

      for (const p of PAGES) {
        it(`${p.app} ${p.route}${p.what ? ` (${p.what})` : ''}`, async () => {
          const problems = await check(showcase, p, viewport);
          assert.deepEqual(problems, [], `${p.route} at ${viewport.width}×${viewport.height}`);
        });
      }
    });
  }
});

/** The app (console or portal bundle) each page has loaded, so that the next page of the same app is opened in it. */
const loaded = new WeakMap<Page, string>();

/**
 * Opens `url` in the page: a full load when the page holds another app, otherwise the way a
 * click on a link does it (history.pushState and a popstate for React Router), which spares
 * loading the bundle again for each of the 70 visits.
 */
async function open(page: Page, app: string, url: string): Promise<void> {
  if (loaded.get(page) !== app) {
    await page.goto(url);
    loaded.set(page, app);
    return;
  }
  await page.evaluate(
    `(() => { const idx = ((window.history.state && window.history.state.idx) || 0) + 1; window.history.pushState({ usr: null, key: String(idx), idx }, '', ${JSON.stringify(url)}); window.dispatchEvent(new PopStateEvent('popstate', { state: window.history.state })); })()`,
  );
}

/**
 * The answers a signed-out page may get without it being an error: it asks who is signed in, and
 * the API answers 401 (Chromium logs every 4xx answer as a console error, listed separately here).
 */
const SIGNED_OUT_ASKS = ['/api/auth/me', '/api/portal/me', '/api/signin/session'];

/** Opens the page as its visitor at the viewport, waits until it has settled, and lists what is wrong. */
async function check(showcase: Showcase, p: ShowcasePage, viewport: Viewport): Promise<string[]> {
  const s = await showcase.session(p.visitor);
  if (p.visitor === 'admin-enrolling-totp') loaded.set(s.page, p.app);
  await s.page.setViewportSize(viewport);
  s.errors.length = 0;
  const failed: string[] = [];
  // The page's own requests in flight: a page opened by pushState has no load event to wait for.
  let inFlight = 0;
  let lastChange = Date.now();
  const onRequest = () => {
    inFlight++;
    lastChange = Date.now();
  };
  const onDone = () => {
    inFlight--;
    lastChange = Date.now();
  };
  const onResponse = (response: Response) => {
    if (response.status() < 400) return;
    const pathname = new URL(response.url()).pathname;
    if (p.visitor === 'anonymous' && response.status() === 401 && SIGNED_OUT_ASKS.includes(pathname)) return;
    failed.push(`answer ${response.status()} to ${response.request().method()} ${pathname}`);
  };
  s.page.on('response', onResponse);
  s.page.on('request', onRequest);
  s.page.on('requestfinished', onDone);
  s.page.on('requestfailed', onDone);
  try {
    if (p.visitor !== 'admin-enrolling-totp') await open(s.page, p.app, showcase.urlOf(p));
    await s.page.getByRole('heading', { level: 1, name: p.heading }).first().waitFor();
    await s.page.waitForLoadState('networkidle');
    // Settled: no request for 500 ms (the page's data and what it fetched next have arrived), then
    // Mantine's transitions (tabs, notifications) finish before the measurements.
    const deadline = Date.now() + 20_000;
    while ((inFlight > 0 || Date.now() - lastChange < 500) && Date.now() < deadline) await s.page.waitForTimeout(100);
    await s.page.waitForTimeout(300);
    // Chromium's "Failed to load resource" names no address: the failed answers are listed instead.
    const errors = s.errors.filter((e) => !/^console error: Failed to load resource: the server responded with a status of/.test(e));
    return [...(await overflow(s.page)), ...(await accessibility(s.page)), ...errors, ...failed];
  } finally {
    s.page.off('response', onResponse);
    s.page.off('request', onRequest);
    s.page.off('requestfinished', onDone);
    s.page.off('requestfailed', onDone);
  }
}
