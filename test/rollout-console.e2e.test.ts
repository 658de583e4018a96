// The rollout at a glance, in Debian's Chromium against the real application listening on a port
// (in this process, so that its clock can pass an invitation's expiry): a mix of employees seeded
// through the API and the real flows (never invited, invited, invitation expired, enrolled with a
// passkey and with a security key from the mailed invitation link, CDP virtual authenticators), and
// the dashboard's rollout card reading the right numbers; a department row opening the employee
// list filtered to it; "Invite selected" asking first (Cancel sends nothing, confirming sends the
// mails the SMTP sink catches); an empty list saying what to do next; only Domains lit in the
// navigation on its page; and at 1440×900 the dashboard and audit tables fitting their width with
// long rows seeded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, type Client, createTestApp, manualClock, signedInAdmin, type TestApp } from './helpers/app.js';
import {
  addVirtualAuthenticator,
  assertChromiumInstalled,
  browserSkipReason,
  type BrowserSession,
  dashboardCount,
  ensureConsoleBuilt,
  expectText,
  launchBrowser,
  newSession,
} from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { freePort } from './helpers/server.js';
import { DEFAULT_POLICY, setPolicy } from './helpers/signin.js';
import { smtpSink } from './helpers/smtp-sink.js';

const DAY = 86_400_000;
const LONG = 'a-deliberately-long-address-that-would-push-the-table-sideways';

describe('the rollout dashboard and the console polish (Chromium)', { skip: browserSkipReason(), timeout: 300_000 }, () => {
  const clock = manualClock(new Date());
  const sink = smtpSink();
  let t: TestApp;
  let url = '';
  let browser: Browser | undefined;
  let admin: Client;
  let session: BrowserSession;
  let page: Page;
  const ids: Record<string, string> = {};
  const sessions: BrowserSession[] = [];

  const heading = (p: Page, name: string) => p.getByRole('heading', { name, exact: true, level: 1 });
  const add = async (name: string, departmentId?: string, email = `${name}@corp.example`) => {
    const r = await admin.post('/api/employees', { email, firstName: name[0].toUpperCase() + name.slice(1), lastName: 'Test', departmentId });
    assert.equal(r.status, 201, r.raw);
    ids[name] = r.body.id;
  };
  const invite = async (name: string) => {
    const r = await admin.post(`/api/employees/${ids[name]}/invitations`);
    assert.equal(r.status, 201, r.raw);
  };
  /** The mailed enrolment link of an employee (the outbox is sent here: no background worker in this process). */
  const mailedLink = async (email: string) => {
    await t.services.mail.processDue();
    const { body } = await sink.waitForMail((m) => m.to.includes(email), `the invitation to ${email}`);
    const match = new RegExp(`${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/enroll\\?token=[A-Za-z0-9_-]+`).exec(body);
    assert.ok(match, `the mail links to /enroll:\n${body.slice(0, 2000)}`);
    return match[0];
  };
  /** The employee enrols from the link with a virtual authenticator of this transport. */
  const enrol = async (link: string, transport: 'internal' | 'usb', firstName: string) => {
    const s = await newSession(browser!, { baseURL: url });
    sessions.push(s);
    await addVirtualAuthenticator(s.context, s.page, transport);
    await s.page.goto(link);
    await heading(s.page, `Welcome, ${firstName}`).waitFor();
    await s.page.getByRole('button', { name: transport === 'internal' ? /passkey on this device/i : /security key/i }).click();
    await heading(s.page, "You're all set").waitFor({ timeout: 20_000 });
    await s.context.close();
  };

  before(async () => {
    assertChromiumInstalled();
    await ensureConsoleBuilt();
    const [port, smtpPort] = [await freePort(), await freePort()];
    url = `http://localhost:${port}`;
    t = await createTestApp({ clock, env: { PUBLIC_URL: url } });
    await t.app.listen({ host: '127.0.0.1', port });
    const [launched] = await Promise.all([launchBrowser(), sink.start(smtpPort)]);
    browser = launched;
    admin = await signedInAdmin(t);
    await setPolicy(t, { ...DEFAULT_POLICY, allowPlatform: true });
    assert.equal((await admin.patch('/api/settings', { smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'it@corp.example' } })).status, 200);
    const company = (await admin.post('/api/companies', { name: 'Acme' })).body.id;
    ids.sales = (await admin.post(`/api/companies/${company}/departments`, { name: 'Sales' })).body.id;
    ids.rnd = (await admin.post(`/api/companies/${company}/departments`, { name: 'R&D' })).body.id;

    // Eli's invitation runs out: invited, then the clock passes its validity (7 days).
    await add('eli', ids.rnd);
    await invite('eli');
    clock.advance(8 * DAY);
    admin = await signedInAdmin(t);
    await add('nora', ids.sales); // never invited
    await add('ian', ids.sales); // invited, link open
    await invite('ian');
    await add('pam', ids.rnd); // enrols a passkey on her computer from the mailed link
    await invite('pam');
    await enrol(await mailedLink('pam@corp.example'), 'internal', 'Pam');
    await add('sam'); // enrols a USB security key from the mailed link
    await invite('sam');
    await enrol(await mailedLink('sam@corp.example'), 'usb', 'Sam');

    session = await newSession(browser!, { baseURL: url, viewport: { width: 1440, height: 900 } });
    page = session.page;
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading(page, 'Dashboard').waitFor();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await sink.stop().catch(() => undefined);
    await t?.close();
    const errors = [session, ...sessions].flatMap((s) => s?.errors ?? []);
    if (errors.length) console.log(`browser errors seen:\n${errors.join('\n')}`);
  });

  it('shows the right rollout counts for the seeded mix', async () => {
    const methods = (await admin.get('/api/employees?pageSize=50&sort=email')).body.items.map((e: { email: string; enrolment: unknown }) => [
      e.email,
      e.enrolment,
    ]);
    assert.deepEqual(Object.fromEntries(methods), {
      'eli@corp.example': { state: 'invitation_expired', methods: [] },
      'ian@corp.example': { state: 'invited', methods: [] },
      'nora@corp.example': { state: 'never_invited', methods: [] },
      'pam@corp.example': { state: 'enrolled', methods: ['passkey'] },
      'sam@corp.example': { state: 'enrolled', methods: ['security_key'] },
    });
    await page.reload();
    const card = page.getByRole('region', { name: 'Rollout' });
    await expectText(card, '40 % enrolled', 'two of five active employees are enrolled');
    assert.equal(await dashboardCount(page, 'Enrolled'), 2);
    assert.equal(await dashboardCount(page, 'Invited'), 1);
    assert.equal(await dashboardCount(page, 'Invitation expired'), 1);
    assert.equal(await dashboardCount(page, 'Never invited'), 1);
    const byDepartment = page.getByRole('table', { name: 'Rollout by department' });
    await expectText(byDepartment.getByRole('row').filter({ hasText: 'Sales' }), /Sales\s+0\s+1\s+0\s+1\s+0 %/, 'Sales: one invited, one never invited');
    await expectText(byDepartment.getByRole('row').filter({ hasText: 'R&D' }), /R&D\s+1\s+0\s+1\s+0\s+50 %/, 'R&D: one enrolled, one expired');
  });

  it("opens a department's employees from its row, and its never-invited ones from the count", async () => {
    const byDepartment = page.getByRole('table', { name: 'Rollout by department' });
    await byDepartment.getByRole('link', { name: 'Sales', exact: true }).click();
    await heading(page, 'Employees').waitFor();
    assert.match(page.url(), new RegExp(`departmentId=${ids.sales}`));
    const rows = page.locator('tbody tr');
    await eventually(async () => {
      const text = (await rows.allInnerTexts()).join('\n');
      assert.ok(/nora@corp\.example/.test(text) && /ian@corp\.example/.test(text) && !/pam@|sam@|eli@/.test(text), `Sales only: ${text}`);
    }, 'the list shows the Sales employees only');
    await page.goBack();
    await page
      .getByRole('table', { name: 'Rollout by department' })
      .getByRole('row')
      .filter({ hasText: 'Sales' })
      .getByRole('link', { name: '1 never invited' })
      .click();
    await heading(page, 'Employees').waitFor();
    assert.match(page.url(), /enrolment=never_invited/);
    await eventually(async () => {
      const text = (await rows.allInnerTexts()).join('\n');
      assert.ok(/nora@corp\.example/.test(text) && !/ian@corp\.example/.test(text), `nora only: ${text}`);
    }, 'the list shows the never-invited Sales employee only');
  });

  it('asks before "Invite selected" sends: Cancel sends nothing, confirming sends each mail', async () => {
    await add('bea');
    await add('bob');
    const before = sink.received.length;
    await page.goto('/employees?enrolment=never_invited');
    for (const who of ['bea', 'bob']) await page.getByRole('checkbox', { name: `Select ${who}@corp.example` }).check();
    await page.getByRole('button', { name: 'Invite selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite 2 employees?' });
    await expectText(dialog, /Bea and Bob will each get an e-mail with a personal link/, 'the dialog says who and what');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await t.services.mail.processDue();
    assert.equal(sink.received.length, before, 'Cancel sent nothing');
    const states = async () =>
      (await admin.get('/api/employees?q=corp&pageSize=50')).body.items
        .filter((e: { email: string }) => /^b(ea|ob)@/.test(e.email))
        .map((e: { enrolment: { state: string } }) => e.enrolment.state);
    assert.deepEqual(await states(), ['never_invited', 'never_invited'], 'and invited nobody');

    await page.getByRole('button', { name: 'Invite selected' }).click();
    await dialog.getByRole('button', { name: 'Send 2 invitations' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await t.services.mail.processDue();
    await sink.waitForMail((m) => m.to.includes('bea@corp.example'), 'the invitation to Bea');
    await sink.waitForMail((m) => m.to.includes('bob@corp.example'), 'the invitation to Bob');
    assert.deepEqual(await states(), ['invited', 'invited']);
    // The list on screen (never invited) follows without a reload: Bea and Bob leave it.
    await eventually(async () => {
      const text = await page.getByRole('main').innerText();
      assert.ok(!/bea@corp\.example|bob@corp\.example/.test(text), `the never-invited list still shows them: ${text}`);
    }, 'the employee list refetches after the invitations');
  });

  it('says what to do next on an empty list, with the button that does it', async () => {
    await page.goto('/api-keys');
    await heading(page, 'API keys').waitFor();
    const empty = page.getByTestId('empty-state');
    await expectText(empty, /No API keys yet.*Create one for each script/, 'the empty list says what to do');
    await empty.getByRole('button', { name: 'Create the first API key' }).click();
    await page.getByRole('dialog').waitFor();
  });

  it('lights only Domains in the navigation on the Domains page', async () => {
    await page.goto('/settings/domains');
    await heading(page, 'Domains').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    assert.equal(await nav.getByRole('link', { name: 'Domains', exact: true }).getAttribute('data-active'), 'true');
    assert.equal(await nav.getByRole('link', { name: 'Settings', exact: true }).getAttribute('data-active'), null, 'Settings is not lit as well');
  });

  it('fits the dashboard and audit tables in 1440 px with long rows: Outcome and IP stay in view', async () => {
    // Long actors and targets: an employee with a long address, renamed, and invited.
    await add('longname', undefined, `${LONG}@${LONG}.corp.example`);
    assert.equal((await admin.patch(`/api/employees/${ids.longname}`, { firstName: LONG, lastName: LONG })).status, 200);
    await invite('longname');
    /** Every table on the page, and each of its ancestors, is no wider than it shows. */
    const overflowing = () =>
      // A string: the test tsconfig has no DOM types.
      page.evaluate<string[]>(`(() => {
        const out = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) out.push('page ' + root.scrollWidth + ' > ' + root.clientWidth);
        for (const table of document.querySelectorAll('table'))
          for (let el = table.parentElement; el && el !== document.body; el = el.parentElement)
            if (el.scrollWidth > el.clientWidth + 1) out.push((table.getAttribute('aria-label') || 'table') + ': ' + el.className + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
        return out;
      })()`);
    for (const [path, name] of [
      ['/', 'Dashboard'],
      ['/audit', 'Audit log'],
    ]) {
      await page.goto(path);
      await heading(page, name).waitFor();
      await expectText(page.locator('table').last(), LONG.slice(0, 20), `the long row is shown on ${path}`);
      assert.deepEqual(await overflowing(), [], `${path}: nothing scrolls sideways`);
      const lastHeader = page.locator('table').last().locator('thead th').last();
      assert.equal((await lastHeader.innerText()).trim(), 'IP');
      assert.ok(await lastHeader.isVisible(), 'the IP column is in view');
      const box = await lastHeader.boundingBox();
      assert.ok(box && box.x + box.width <= 1440, `the IP column ends inside the window: ${JSON.stringify(box)}`);
    }
  });
});
