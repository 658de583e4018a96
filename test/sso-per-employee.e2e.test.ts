// SSO per employee in Debian's Chromium. The sign-in page offers an employee only the path their
// SSO method takes once the server has named it, which it does only after a right first factor
// (a bare e-mail address tells nothing, so an unknown one sees every path): a passwordless
// employee's right password is refused and the page drops the password path for that address,
// also after a reload; a password-plus-second-factor employee's passkey alone is refused and the
// page offers the password, then the key as the second factor. In the console, the employee page
// shows the effective SSO and where it comes from, and sets and clears the employee's override.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser as Chromium, Page } from 'playwright-core';
import { cliContext } from '../src/lib/context.js';
import { domainCreate } from '../src/directory/directory.schemas.js';
import type { EmployeeDto } from '../src/employees/employee.schemas.js';
import {
  addVirtualAuthenticator,
  assertChromiumInstalled,
  browserSkipReason,
  expectText,
  importCredential,
  launchBrowser,
  newSession,
  type BrowserSession,
} from './helpers/browser.js';
import { employeeWithKey, startOidcApp, type OidcTestApp } from './helpers/oidc.js';
import { givePasswordAndTotp, setPolicy } from './helpers/signin.js';
import type { SoftAuthenticator } from './helpers/soft-authenticator.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const PASSWORD = 'Enigma-bombe-1940-Bletchley';

describe('SSO per employee: the sign-in page and the console, in Chromium', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let t: OidcTestApp;
  let chromium: Chromium | undefined;
  const sessions: BrowserSession[] = [];
  let passwordless: EmployeeDto;
  let twoFactor: { employee: EmployeeDto; key: SoftAuthenticator };

  const open = async () => {
    const s = await newSession(chromium!, { baseURL: t.url });
    sessions.push(s);
    return s;
  };
  const passwordField = (page: Page) => page.getByLabel('Password', { exact: true });

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    [t, chromium] = await Promise.all([startOidcApp(), launchBrowser()]);
    await t.services.admins.create(cliContext(), ADMIN);
    passwordless = (await employeeWithKey(t, { email: 'grace.hopper@corp.example' })).employee;
    twoFactor = await employeeWithKey(t, { email: 'alan.turing@corp.example' });
    for (const e of [passwordless, twoFactor.employee]) await givePasswordAndTotp(t as never, e, PASSWORD);
    await setPolicy(t as never, { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] });
    await t.services.employees.update(cliContext(), passwordless.id, { ssoMethod: 'passwordless' });
    await t.services.employees.update(cliContext(), twoFactor.employee.id, { ssoMethod: 'password_2fa' });
  });
  after(async () => {
    await chromium?.close().catch(() => undefined);
    await t?.close().catch(() => undefined);
    const errors = sessions.flatMap((s) => s.errors);
    if (errors.length) console.log(`browser errors seen:\n${errors.join('\n')}`);
  });

  it('drops the password path for a passwordless employee once their right password was refused, and keeps it for an unknown address', async () => {
    const { page } = await open();
    await page.goto('/signin');
    await page.getByLabel('Email', { exact: true }).fill(passwordless.email);
    await passwordField(page).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectText(page.getByRole('alert'), 'signs in with a passkey or security key only', 'the refusal says why');
    await passwordField(page).waitFor({ state: 'detached' });
    await page.getByTestId('known-method').waitFor();
    await page.getByRole('button', { name: 'Continue' }).waitFor();
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).waitFor();

    // On this device, the address alone now offers the passkey paths only; another address, known
    // to the server or not, offers every path the policy allows.
    await page.reload();
    await page.getByLabel('Email', { exact: true }).fill('nobody.here@corp.example');
    await passwordField(page).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(passwordless.email);
    await passwordField(page).waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 0);

    // "Use another way" forgets it: the server still refuses the password.
    await page.getByRole('button', { name: 'Use another way' }).click();
    await passwordField(page).waitFor();
  });

  it('offers a password-plus-second-factor employee the password once their passkey alone was refused, then the key as the second factor', async () => {
    const s = await open();
    await importCredential(await addVirtualAuthenticator(s.context, s.page, 'usb'), twoFactor.key.credentials[0]);
    const { page } = s;
    await page.goto('/signin');
    await page.getByLabel('Email', { exact: true }).fill(twoFactor.employee.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectText(page.getByRole('alert'), 'a passkey alone is not accepted', 'the refusal says why');
    await page.getByRole('button', { name: 'Continue' }).waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).count(), 0, 'no passkey alone');
    await expectText(page.getByTestId('known-method'), 'password and a second factor', 'the page says how this account signs in');

    await passwordField(page).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Use my security key' }).click();
    await page.waitForURL((u) => u.pathname === '/portal', { timeout: 20_000 });
    const audit = await t.services.audit.find({ action: 'employee.sign_in', targetId: twoFactor.employee.id } as never, { offset: 0, limit: 10 });
    assert.ok(audit.items.some((e) => e.outcome === 'success' && (e.details as Record<string, unknown>).method === 'password+passkey'));
  });

  it("shows the effective SSO on the employee page with where it comes from, and sets and clears the employee's override", async () => {
    const domain = await t.services.domains.create(
      cliContext(),
      domainCreate.parse({
        kind: 'ad',
        name: 'corp.example.test',
        secret: 'service-account-password',
        passwordChangeDays: 30,
        settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
      }),
    );
    await t.services.domains.update(cliContext(), domain.id, { ssoEnabled: true, ssoMethod: 'passwordless' } as never);
    const imported = await t.services.employees.create(cliContext(), {
      email: 'katherine.johnson@corp.example.test',
      firstName: 'Katherine',
      lastName: 'Johnson',
      source: domain.id,
    });

    const { page } = await open();
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.goto(`/employees/${imported.id}`);
    const enabled = page.getByTestId('effective-sso-enabled');
    const method = page.getByTestId('effective-sso-method');
    await expectText(enabled, /On\s+from the importing domain's default/, 'SSO on, from the domain');
    await expectText(method, /Passwordless.*\s+from the importing domain's default/, 'passwordless, from the domain');

    const choose = async (label: string, option: string) => {
      await page.getByRole('combobox', { name: label, exact: true }).click();
      await page.getByRole('option', { name: option, exact: true }).click();
    };
    await choose('Override: sign-in to applications', 'Off');
    await expectText(enabled, /Off\s+from this employee's own setting/, 'SSO off, from the override');
    await choose('Override: sign-in method', 'Password and a second factor');
    await expectText(method, /Password and a second factor\s+from this employee's own setting/, 'method from the override');
    const stored = await t.services.employees.findById(imported.id);
    assert.equal(stored?.ssoEnabled, false);
    assert.equal(stored?.ssoMethod, 'password_2fa');
    assert.equal((await t.services.appAccess.decideAppAccess(stored!, { protocol: 'oidc', id: 'any' })).allowed, false);

    // After a reload too: the page reads what the server keeps.
    await page.reload();
    await expectText(enabled, /Off\s+from this employee's own setting/, 'still off after a reload');
    await choose('Override: sign-in to applications', 'Follow the domain default');
    await choose('Override: sign-in method', 'Follow the domain default');
    await expectText(enabled, /On\s+from the importing domain's default/, 'back to the domain default');
    await expectText(method, /Passwordless.*\s+from the importing domain's default/, 'method back to the domain default');
    const cleared = await t.services.employees.findById(imported.id);
    assert.equal(cleared?.ssoEnabled, null);
    assert.equal(cleared?.ssoMethod, null);
    const audit = await t.services.audit.find({ action: 'employee.updated', targetId: imported.id } as never, { offset: 0, limit: 10 });
    assert.ok(audit.items.length >= 4, 'each change is audited');
  });
});
