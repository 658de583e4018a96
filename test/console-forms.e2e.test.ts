// One form pattern for the whole admin console, in Debian's Chromium at 1440×900 against the real
// server started as a separate process: each form is submitted with an input that passes the
// page's own checks but that the server refuses (a value out of its rules, or a duplicate). The
// refused field must be marked (aria-invalid="true") with the server's words under it, and that
// message must be inside the viewport when the page settles, also in the long modals whose Save
// button sits below the fold. A summary names the fields at the top of the form.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { assertChromiumInstalled, browserSkipReason, ensureConsoleBuilt, launchBrowser, newSession } from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { runCli, startServerProcess, type ServerProcess } from './helpers/server.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const VIEWPORT = { width: 1440, height: 900 };
/** A label as the page names it: a required field's ends in an asterisk. */
const label = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`);

describe('console forms show server-side errors on their fields, in view, in Chromium', { skip: browserSkipReason(), timeout: 600_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let csrf: string;

  /** A change through the API, as set-up for a duplicate. */
  const apiPost = async (url: string, data: unknown) => {
    const res = await page.request.post(url, { data, headers: { 'x-csrf-token': csrf } });
    assert.ok(res.status() < 300, `${url}: ${res.status()} ${await res.text()}`);
    return res.json();
  };

  /** Inside the viewport: what a person sees without scrolling. */
  const assertInView = async (locator: Locator, what: string) => {
    await eventually(async () => {
      const box = await locator.boundingBox();
      assert.ok(box, `${what} has a box`);
      assert.ok(box.y >= 0 && box.y + box.height <= VIEWPORT.height, `${what} is inside the viewport (y ${box.y}, height ${box.height})`);
      assert.ok(box.x >= 0 && box.x + box.width <= VIEWPORT.width, `${what} is inside the viewport horizontally (x ${box.x})`);
    }, `${what} in view`);
  };

  /**
   * The input labelled `label` in `scope` is marked invalid and its error (the element its
   * aria-describedby names) says `message` and is in view; the summary names the field.
   */
  const expectRefused = async (scope: Locator, field: string | RegExp, message: RegExp) => {
    const input = scope.getByLabel(typeof field === 'string' ? label(field) : field).first();
    await eventually(
      async () => {
        assert.equal(await input.getAttribute('aria-invalid'), 'true', `${String(field)} is marked aria-invalid`);
      },
      `${String(field)} marked`,
    );
    const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
    const errorId = describedBy.split(/\s+/).find((id) => id.endsWith('-error'));
    assert.ok(errorId, `${String(field)} is described by its error (aria-describedby: ${describedBy})`);
    const error = page.locator(`[id="${errorId}"]`);
    const text = (await error.innerText()).trim();
    assert.match(text, message, `the message under ${String(field)}`);
    assert.doesNotMatch(text, /Too small|Too big|expected string|Invalid input|body\./, 'no raw validation text');
    await assertInView(error, `the message under ${String(field)}`);
    const summary = scope.locator('[data-form-summary]');
    await summary.waitFor();
    assert.match(await summary.innerText(), /\S/, 'the summary says something');
  };

  /** expectSummaryOnly for the sign-in form of another page. */
  const expectSummaryOnlyOn = async (other: Page, message: RegExp) => {
    const summary = other.locator('[data-form-summary]');
    assert.match(await summary.innerText(), message, 'the summary says what the server said');
    await eventually(async () => {
      const box = await summary.boundingBox();
      assert.ok(box, 'the summary has a box');
      assert.ok(box.y >= 0 && box.y + box.height <= VIEWPORT.height, `the summary is inside the viewport (y ${box.y})`);
    }, 'the summary in view');
    for (const field of ['Email', 'Password']) {
      assert.notEqual(await other.getByLabel(field, { exact: true }).getAttribute('aria-invalid'), 'true', `${field} is not marked`);
    }
  };

  before(async () => {
    assertChromiumInstalled();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-forms-e2e-'));
    const created = await runCli(
      ['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'],
      { DATA_DIR: dataDir },
      `${ADMIN.password}\n`,
    );
    assert.equal(created.code, 0, created.stderr);
    await ensureConsoleBuilt();
    server = await startServerProcess({ DATA_DIR: dataDir });
    browser = await launchBrowser();
    page = (await newSession(browser, { baseURL: server.url, viewport: VIEWPORT })).page;
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/');
    csrf = (await (await page.request.get('/api/auth/csrf')).json()).csrfToken as string;
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('Active Directory domain: an empty bind user is marked in the long modal, in view, and nothing is saved', async () => {
    await page.goto('/settings/domains');
    await page.getByRole('heading', { name: 'Domains', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add domain' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Active Directory domain' });
    await dialog.getByLabel('Domain name').fill('corp.example.test');
    await dialog.getByLabel('Domain controller URLs').fill('ldaps://dc1.corp.example.test');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expectRefused(dialog, 'Bind user', /^Enter the bind user$/);
    assert.equal(await dialog.getByLabel(/^Bind user/).evaluate((el) => el === el.ownerDocument.activeElement), true, 'the refused field has the focus');
    await dialog.getByLabel(/^Bind user/).fill('svc-tessera@corp.example.test');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Domains' }).getByRole('row').filter({ hasText: 'corp.example.test' }).waitFor();
  });

  it('Entra ID tenant: an application id that is not a GUID is marked, in view', async () => {
    await page.getByRole('button', { name: 'Add Entra ID tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Entra ID tenant' });
    await dialog.getByLabel(label('Domain')).fill('contoso.onmicrosoft.com');
    await dialog.getByLabel('Directory (tenant) ID').fill('72f988bf-86f1-41af-91ab-2d7cd011db47');
    await dialog.getByLabel('Application (client) ID').fill('tessera-app');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expectRefused(dialog, 'Application (client) ID', /GUID/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('OIDC client: a plain-http redirect URI is marked, in view', async () => {
    await page.goto('/oidc-clients');
    await page.getByRole('button', { name: 'Register client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register OIDC client' });
    await dialog.getByLabel(label('Name')).fill('Wiki');
    await dialog.getByLabel(label('Redirect URIs')).fill('http://wiki.corp.example/oidc/callback');
    await dialog.getByRole('button', { name: 'Register' }).click();
    await expectRefused(dialog, 'Redirect URIs', /https/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('SAML service provider: an ACS URL that is not http(s) is marked, in view', async () => {
    await page.goto('/saml');
    await page.getByRole('button', { name: 'Add service provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add service provider' });
    await dialog.getByLabel(label('Name')).fill('Wiki');
    await dialog.getByLabel(label('Entity ID')).fill('https://wiki.corp.example/saml');
    await dialog.getByLabel(label('ACS URLs (HTTP-POST)')).fill('ftp://wiki.corp.example/acs');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expectRefused(dialog, 'ACS URLs (HTTP-POST)', /https/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('WS-Fed relying party: a reply URL that is not http(s) is marked, in view', async () => {
    await page.goto('/saml');
    await page.getByRole('tab', { name: 'WS-Fed relying parties' }).click();
    await page.getByRole('button', { name: 'Add relying party' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add relying party' });
    await dialog.getByLabel(label('Name')).fill('Outlook on the web');
    await dialog.getByLabel(label('Realm (wtrealm)')).fill('urn:owa:corp');
    await dialog.getByLabel(label('Reply URLs (wreply)')).fill('ftp://mail.corp.example/owa/');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expectRefused(dialog, 'Reply URLs (wreply)', /https?/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('employee add: an e-mail address another employee has is marked, in view', async () => {
    await apiPost('/api/employees', { email: 'grace@corp.example', firstName: 'Grace', lastName: 'Hopper' });
    await page.goto('/employees');
    await page.getByRole('button', { name: 'Add employee' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add employee' });
    await dialog.getByLabel(label('Email')).fill('grace@corp.example');
    await dialog.getByLabel(label('First name')).fill('Grace');
    await dialog.getByLabel(label('Last name')).fill('Brewster');
    await dialog.getByRole('button', { name: 'Create employee' }).click();
    await expectRefused(dialog, 'Email', /Another employee has this e-mail address/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it("admin add: an admin's e-mail that is taken is marked, in view", async () => {
    await page.goto('/admins');
    await page.getByRole('button', { name: 'Add admin' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add admin' });
    await dialog.getByLabel(label('Email')).fill(ADMIN.email);
    await dialog.getByLabel(label('Full name')).fill('Ada Again');
    await dialog.getByLabel(label('Initial password')).fill('Another-quiet-lantern-74');
    await dialog.getByRole('button', { name: 'Create admin' }).click();
    await expectRefused(dialog, 'Email', /already exists/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('API key: a name in use is marked, in view', async () => {
    await apiPost('/api/api-keys', { name: 'Backup job', scope: 'read' });
    await page.goto('/api-keys');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await dialog.getByLabel(label('Name')).fill('Backup job');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expectRefused(dialog, 'Name', /already exists/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('group: a name in use is marked, in view', async () => {
    await apiPost('/api/groups', { name: 'Night Shift' });
    await page.goto('/groups');
    await page.getByRole('button', { name: 'Create group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create local group' });
    await dialog.getByLabel(label('Name')).fill('Night Shift');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expectRefused(dialog, 'Name', /Another local group has this name/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('workstation profile: a name in use is marked, in view', async () => {
    await page.goto('/workstations/profiles');
    for (const attempt of [1, 2]) {
      await page.getByRole('button', { name: 'New profile' }).click();
      const dialog = page.getByRole('dialog', { name: 'New workstation profile' });
      await dialog.getByLabel(label('Name')).fill('Front desk');
      await dialog.getByRole('button', { name: 'Create profile' }).click();
      if (attempt === 1) await dialog.waitFor({ state: 'hidden' });
      else {
        await expectRefused(dialog, 'Name', /Another workstation profile has this name/);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
      }
    }
  });

  it('settings SMTP: a host name longer than the server takes is marked, in view', async () => {
    // Settings is in tabs, one form and one Save each: the mail section is its own.
    await page.goto('/settings?section=mail');
    const host = page.getByLabel(label('SMTP host'));
    await host.fill(`${'mail'.repeat(64)}.example`);
    await page.getByRole('button', { name: 'Save mail settings' }).click();
    await expectRefused(page.locator('form').filter({ has: host }), 'SMTP host', /^Must be at most 253 characters$/);
  });

  it('access profile: a name in use is marked, in view', async () => {
    await page.goto('/hardware-keys/profiles');
    for (const attempt of [1, 2]) {
      await page.getByRole('button', { name: 'New access profile' }).click();
      const dialog = page.getByRole('dialog', { name: 'New access profile' });
      await dialog.getByLabel(label('Name')).fill('Finance keys');
      await dialog.getByRole('button', { name: 'Create profile' }).click();
      if (attempt === 1) await dialog.waitFor({ state: 'hidden' });
      else {
        await expectRefused(dialog, 'Name', /Another access profile has this name/);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
      }
    }
  });

  it('vault shared account: an address with a fragment, which the server refuses, is marked, in view', async () => {
    await page.goto('/vault');
    await page.getByRole('button', { name: 'New shared account' }).click();
    const dialog = page.getByRole('dialog', { name: 'New shared account' });
    await dialog.getByLabel(label('Name')).fill('Payroll');
    await dialog.getByLabel(label('Addresses')).fill('https://payroll.corp.example/#login');
    await dialog.getByRole('button', { name: /^(Save|Create)/ }).click();
    await expectRefused(dialog, 'Addresses', /fragment/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
  /** A refusal that names no field: the summary says the server's words, in view, and no field is marked. */
  const expectSummaryOnly = async (scope: Locator, message: RegExp, fields: (string | RegExp)[]) => {
    const summary = scope.locator('[data-form-summary]');
    await summary.waitFor();
    assert.match(await summary.innerText(), message, 'the summary says what the server said');
    await assertInView(summary, 'the summary');
    for (const field of fields) {
      const input = scope.getByLabel(typeof field === 'string' ? label(field) : field).first();
      assert.notEqual(await input.getAttribute('aria-invalid'), 'true', `${String(field)} is not marked`);
    }
  };

  it('organisation: a company name in use is marked on the add field, in view, and what was typed stays', async () => {
    await apiPost('/api/companies', { name: 'Northwind' });
    await page.goto('/organisation');
    const input = page.getByLabel(label('New company'));
    await input.fill('Northwind');
    await page.getByRole('button', { name: 'Add company' }).click();
    await expectRefused(page.locator('form').filter({ has: input }), 'New company', /^A company with this name already exists$/);
    assert.equal(await input.inputValue(), 'Northwind', 'the refused name is kept');
  });

  it('organisation: renaming a company to a name in use is marked in the rename dialog, in view', async () => {
    await apiPost('/api/companies', { name: 'Contoso' });
    await page.goto('/organisation');
    await page.getByRole('button', { name: 'Rename company Contoso' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename company' });
    await dialog.getByLabel(label('Name')).fill('Northwind');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expectRefused(dialog, 'Name', /^A company with this name already exists$/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('hardware key: a transition the key no longer allows is refused in the dialog, the summary in view with what is allowed now', async () => {
    const employee = (await apiPost('/api/employees', { email: 'linus@corp.example', firstName: 'Linus', lastName: 'Keyholder' })) as { id: string };
    const key = (await apiPost(`/api/employees/${employee.id}/hardware-keys`, { serial: 'FORMS-0001' })) as { id: string };
    await page.goto(`/hardware-keys/${key.id}`);
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend: key FORMS-0001' });
    await dialog.getByLabel(label('Reason')).fill('Left it in a taxi');
    // Another admin suspends it meanwhile: the server refuses the same move again.
    await apiPost(`/api/hardware-keys/${key.id}/transitions`, { to: 'suspended', reason: 'Reported by the service desk' });
    await dialog.getByRole('button', { name: 'Suspend', exact: true }).click();
    await expectSummaryOnly(dialog, /\S/, ['Reason']);
    assert.match(await dialog.getByTestId('transition-allowed-now').innerText(), /^Allowed now: .*Resume/, 'the dialog says what is allowed now');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('emergency block: a reason longer than the server takes is marked, in view, and the block stays off', async () => {
    await page.goto('/workstations/emergency');
    await page.getByRole('button', { name: 'Block all workstations' }).click();
    const dialog = page.getByRole('dialog', { name: 'Block all workstations' });
    await dialog.getByLabel('Type BLOCK ALL WORKSTATIONS to confirm').fill('BLOCK ALL WORKSTATIONS');
    await dialog.getByLabel(label('Reason')).fill('x'.repeat(501));
    await dialog.getByRole('button', { name: 'Block all workstations' }).click();
    await expectRefused(dialog, 'Reason', /^Must be at most 500 characters$/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const state = (await (await page.request.get('/api/emergency-block')).json()) as { active: boolean };
    assert.equal(state.active, false, 'the block was not turned on');
  });

  it('login: a wrong password is said in the summary, in view, in the same words as an unknown e-mail, and no field is marked', async () => {
    const session = await newSession(browser!, { baseURL: server!.url, viewport: VIEWPORT });
    try {
      const login = session.page;
      const attempt = async (email: string, password: string) => {
        await login.goto('/login');
        await login.getByLabel('Email', { exact: true }).fill(email);
        await login.getByLabel('Password', { exact: true }).fill(password);
        await login.getByRole('button', { name: 'Sign in', exact: true }).click();
        const summary = login.locator('[data-form-summary]');
        await summary.waitFor();
        await expectSummaryOnlyOn(login, /\S/);
        return (await summary.innerText()).trim();
      };
      const wrongPassword = await attempt(ADMIN.email, 'Not-the-password-42');
      const unknownEmail = await attempt('nobody@corp.example', 'Not-the-password-42');
      assert.equal(wrongPassword, unknownEmail, 'the wording does not tell which part was wrong');
      assert.match(wrongPassword, /^Sign-in failed\s+The e-mail address or password is wrong\./, 'the sentence that names neither part, as before');
    } finally {
      await session.context.close().catch(() => undefined);
    }
  });
});
