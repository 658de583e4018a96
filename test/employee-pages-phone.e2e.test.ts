// The employee pages on a phone, in Debian's Chromium at 390×844 and 360×740: /signin, /enroll
// (an invitation and key activation), and /portal with seeded data (a security key and a device
// passkey with long names, recent sign-ins, vault accounts, applications). Nothing scrolls
// sideways — the page, and every table or list container — type badges are whole, and each
// key's Rename and Remove are inside the screen. Then the words the pages use: "security key"
// when the policy allows hardware keys only, one enrolment choice that is not offered as a
// choice, the name field that agrees with the saved name, a disabled account without a key button
// to try again, "Sign in to <application>" for an OIDC client and a SAML SP, and "You are signed
// out" after signing out.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser as Chromium, Page } from 'playwright-core';
import { cliContext } from '../src/lib/context.js';
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
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from './helpers/oidc.js';
import { idpCertFromMetadata, nodeSamlSp, randomEntity } from './helpers/saml.js';
import { softKeys, type SoftAuthenticator } from './helpers/soft-authenticator.js';

const PHONES = [
  { width: 390, height: 844 },
  { width: 360, height: 740 },
];

/**
 * What overflows sideways on the page, as a list of sentences (empty: nothing). A string, run in
 * the page: the test tsconfig has no DOM types. Checks the page, every visible table, list and
 * table scroll container, every badge (its label too: Mantine cuts a label with an ellipsis) and
 * every button label ("Sign in with a security key" was cut to "…security ke" at 390 px).
 */
const OVERFLOWS = `(() => {
  const out = [];
  const page = document.scrollingElement;
  if (page.scrollWidth > page.clientWidth) out.push('page ' + page.scrollWidth + ' > ' + page.clientWidth);
  const name = (el) => el.tagName.toLowerCase() + '[' + (el.getAttribute('aria-label') || el.className.toString().slice(0, 40)) + ']';
  for (const el of document.querySelectorAll('table, ul, ol, .mantine-Table-scrollContainer, .mantine-ScrollArea-viewport')) {
    if (!el.checkVisibility()) continue;
    if (el.scrollWidth > el.clientWidth) out.push(name(el) + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  for (const el of document.querySelectorAll('.mantine-Badge-root, .mantine-Badge-label')) {
    if (!el.checkVisibility()) continue;
    if (el.scrollWidth > el.clientWidth) out.push('badge "' + el.textContent + '" ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  for (const el of document.querySelectorAll('.mantine-Button-label')) {
    if (!el.checkVisibility()) continue;
    if (el.scrollWidth > el.clientWidth) out.push('button "' + el.textContent + '" ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  return out;
})()`;

describe('the employee pages on a phone, in Chromium', { skip: browserSkipReason(), timeout: 300_000 }, () => {
  let t: OidcTestApp;
  let chromium: Chromium | undefined;
  const sessions: BrowserSession[] = [];
  let key: SoftAuthenticator;
  let employeeId = '';
  let employeeEmail = '';

  const policy = (authenticators: { allowPlatform?: boolean; allowPasswordSignIn?: boolean }) => t.services.settings.update(cliContext(), { authenticators });
  const open = async (transport: 'usb' | 'internal' = 'usb', viewport = PHONES[0]) => {
    const s = await newSession(chromium!, { baseURL: t.url });
    sessions.push(s);
    await s.page.setViewportSize(viewport);
    const authenticator = await addVirtualAuthenticator(s.context, s.page, transport);
    return { ...s, authenticator };
  };
  const assertNoOverflow = async (page: Page, where: string) => {
    const problems = (await page.evaluate(OVERFLOWS)) as string[];
    assert.deepEqual(problems, [], `${where}: nothing overflows sideways`);
  };
  const heading = (page: Page) => page.getByRole('heading', { level: 1 });
  const invitationLink = async (id: string) => `/enroll?token=${(await t.services.invitations.create(cliContext(), id)).token}`;

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    [t, chromium] = await Promise.all([startOidcApp(), launchBrowser()]);
    await t.services.settings.update(cliContext(), { organisationName: 'Contoso Pharmaceuticals International' });
    await policy({ allowPlatform: true });
    const seeded = await employeeWithKey(t, { email: 'grace.hopper-longname@research.corp.example' });
    key = seeded.key;
    employeeId = seeded.employee.id;
    employeeEmail = seeded.employee.email;
    const subject = { type: 'employee' as const, id: employeeId, name: employeeEmail, displayName: 'Grace Hopper' };
    // A second kind of credential: a device passkey, with a long name.
    const hello = softKeys.windowsHello();
    const started = await t.services.webauthn.startRegistration(subject, 'passkey');
    await t.services.webauthn.finishRegistration(cliContext(), {
      subject,
      ceremonyId: started.ceremonyId,
      response: hello.register(started.options, { origin: t.url }),
      name: 'Windows Hello on the laboratory workstation LAB-0042',
    });
    // Recent sign-ins: several, through the sign-in API.
    for (let i = 0; i < 4; i++) await signIn(t, new Browser(t.url), key);
    // Vault accounts.
    const holder = { id: employeeId, email: employeeEmail, departmentId: null };
    for (const name of ['Supplier portal (procurement.example)', 'Lab instruments']) {
      await t.services.vaultAccounts.createPersonal(cliContext(), holder, {
        name,
        urls: ['https://procurement.example/a/very/long/path/to/the/login/page'],
        login: 'grace.hopper-longname@research.corp.example',
        password: 'Correct-horse-battery-9',
        workstationUse: false,
      });
    }
    // Applications: a SAML SP started from the portal and a first-party OIDC client.
    await t.services.serviceProviders.create(cliContext(), 'saml', {
      name: 'Payroll and expenses for the whole group',
      entityId: randomEntity('payroll'),
      acsEndpoints: [{ url: 'https://payroll.example/acs', binding: 'post', index: 0, isDefault: true }],
      nameIdFormat: 'email',
      nameIdField: 'email',
      attributes: [],
      idpInitiated: true,
    });
    await registerClient(t, { name: 'Intranet', redirectUris: ['http://127.0.0.1:9/cb'], initiateLoginUri: 'http://127.0.0.1:9/start' });
  });
  after(async () => {
    await chromium?.close().catch(() => undefined);
    await t?.close().catch(() => undefined);
    const errors = sessions.flatMap((s) => s.errors);
    if (errors.length) console.log(`browser errors seen:\n${errors.join('\n')}`);
  });

  it('/portal: no sideways overflow, whole type badges, Rename and Remove on screen, at 390 and 360 px', async () => {
    const { page, authenticator } = await open('usb');
    await importCredential(authenticator, key.credentials[0]);
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL((u) => u.pathname === '/portal', { timeout: 20_000 });
    const methods = page.getByRole('list', { name: 'My sign-in methods' });
    await methods.getByRole('listitem').nth(1).waitFor();
    await page.getByRole('list', { name: 'Recent sign-ins' }).getByRole('listitem').first().waitFor();
    await page.getByRole('list', { name: 'My accounts' }).getByRole('listitem').first().waitFor();
    await page.getByRole('list', { name: 'My applications' }).getByRole('listitem').nth(1).waitFor();
    for (const phone of PHONES) {
      await page.setViewportSize(phone);
      await assertNoOverflow(page, `/portal at ${phone.width} px`);
      const badges = methods.getByTestId('credential-type');
      assert.deepEqual((await badges.allInnerTexts()).map((s) => s.toLowerCase()).sort(), ['passkey', 'security key'], 'both kinds, in full');
      for (const button of await methods.getByRole('button', { name: /^(Rename|Remove) / }).all()) {
        assert.ok(await button.isVisible(), 'the action is shown');
        const box = (await button.boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= phone.width, `${await button.getAttribute('aria-label')} lies inside ${phone.width} px`);
      }
      assert.equal(await methods.getByRole('button', { name: /^Rename / }).count(), 2);
    }
    // The sign-in just made says what was used: the security key.
    await expectText(page.getByRole('list', { name: 'Recent sign-ins' }).getByRole('listitem').first(), 'Security key', 'the method of the last sign-in');

    // Signing out ends on the sign-in page, which says so.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin', { timeout: 20_000 });
    await expectText(page.getByRole('status').filter({ hasText: 'You are signed out' }), 'You are signed out', 'the signed-out notice');
  });

  it('/signin, /enroll and key activation: no sideways overflow at 390 and 360 px', async () => {
    const other = await t.services.employees.create(cliContext(), { email: 'ada.lovelace@corp.example', firstName: 'Ada', lastName: 'Lovelace' });
    const link = await invitationLink(other.id);
    const { page } = await open('usb');
    for (const [url, title] of [
      ['/signin', 'Sign in'],
      [link, 'Welcome, Ada'],
      ['/enroll', 'Activate your security key'],
    ] as const) {
      await page.goto(url);
      await expectText(heading(page), title, `the heading of ${url.split('?')[0]}`);
      for (const phone of PHONES) {
        await page.setViewportSize(phone);
        await assertNoOverflow(page, `${url.split('?')[0]} at ${phone.width} px`);
      }
    }
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Lost your key?' }).click();
    await expectText(heading(page), 'Lost your key?', 'the lost-key step');
    await assertNoOverflow(page, 'the lost-key step at 360 px');
    await page.getByLabel('Work e-mail address').fill(employeeEmail);
    await page.getByRole('button', { name: 'Report my lost key' }).click();
    await expectText(page.getByRole('status'), 'your IT team has been told', 'the answer to a report');
    const { items } = await t.services.audit.find({ action: 'employee.key_lost_reported' }, { offset: 0, limit: 5 });
    assert.ok(
      items.some((e) => e.targetId === employeeId),
      'the report is audited on the employee',
    );
  });

  it('says "security key" when the policy allows no device passkeys, and "passkey" when it does', async () => {
    await policy({ allowPlatform: false });
    const { page } = await open('usb');
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Sign in with a security key' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /passkey/i }).count(), 0, 'no passkey wording');
    await policy({ allowPlatform: true });
    await page.reload();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
  });

  it('with security keys only, enrolment does not ask to choose from one way, and names the key it saves', async () => {
    await policy({ allowPlatform: false, allowPasswordSignIn: false });
    const e = await t.services.employees.create(cliContext(), { email: 'katherine.one@corp.example', firstName: 'Katherine', lastName: 'One' });
    const { page } = await open('usb');
    await page.goto(await invitationLink(e.id));
    await expectText(heading(page), 'Welcome, Katherine', 'the enrolment page');
    await expectText(page.getByRole('main'), 'Set up the security key', 'the one way, said as such');
    assert.equal(await page.getByText(/Choose how/).count(), 0, 'no choice of one');
    assert.equal(await page.getByLabel('Name this security key').inputValue(), 'Security key');
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await expectText(heading(page), "You're all set", 'enrolled');
    const [saved] = await t.services.webauthn.list('employee', e.id);
    assert.equal(saved.name, 'Security key');
    await policy({ allowPlatform: true });
  });

  it('with device passkeys allowed, the name field does not say "Security key" and the passkey is saved as one', async () => {
    const e = await t.services.employees.create(cliContext(), { email: 'mary.two@corp.example', firstName: 'Mary', lastName: 'Two' });
    const { page } = await open('internal');
    await page.goto(await invitationLink(e.id));
    await expectText(page.getByRole('main'), 'Choose how you will sign in', 'two ways: a choice');
    const field = page.getByLabel('Name (optional)');
    assert.equal(await field.inputValue(), '', 'no name chosen for the employee before they choose the kind');
    await page.getByRole('button', { name: 'Use a passkey on this device' }).click();
    await expectText(heading(page), "You're all set", 'enrolled');
    const [saved] = await t.services.webauthn.list('employee', e.id);
    assert.equal(saved.name, 'Passkey on this device');
  });

  it('a disabled account is told so and offered no key button to try again', async () => {
    const { page, authenticator } = await open('usb');
    const disabled = await employeeWithKey(t, { email: 'dorothy.disabled@corp.example' });
    await importCredential(authenticator, disabled.key.credentials[0]);
    await t.services.employees.update(cliContext(), disabled.employee.id, { status: 'disabled' });
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectText(page.getByRole('alert').filter({ hasText: 'Account disabled' }), 'This account is disabled', 'the disabled message');
    assert.equal(await page.getByRole('button', { name: /^Sign in with a/ }).count(), 0, 'no key button');
    assert.equal(await page.getByRole('button', { name: 'Continue' }).count(), 0, 'no e-mail path either');
    await page.getByRole('button', { name: 'Use a different account' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
  });

  it('"Sign in to <application>" for an OIDC client and a SAML service provider', async () => {
    const { page } = await open('usb');
    const client = await registerClient(t, { name: 'HR Portal', redirectUris: ['http://127.0.0.1:9/cb'] });
    const query = new URLSearchParams({
      client_id: client.client.clientId,
      redirect_uri: 'http://127.0.0.1:9/cb',
      response_type: 'code',
      scope: 'openid',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    await page.goto(`/oidc/auth?${query}`);
    await page.waitForURL((u) => u.pathname === '/signin');
    await expectText(heading(page), 'Sign in to HR Portal', 'the OIDC client named');

    const entityId = randomEntity('travel');
    await t.services.serviceProviders.create(cliContext(), 'saml', {
      name: 'Travel booking',
      entityId,
      acsEndpoints: [{ url: 'https://travel.example/acs', binding: 'post', index: 0, isDefault: true }],
      nameIdFormat: 'email',
      nameIdField: 'email',
      attributes: [],
    });
    const metadata = await (await new Browser(t.url).fetch('/saml/metadata')).text();
    const sp = nodeSamlSp({
      idpCert: idpCertFromMetadata(metadata),
      entryPoint: `${t.url}/saml/sso`,
      issuer: entityId,
      callbackUrl: 'https://travel.example/acs',
    });
    await page.goto(await sp.getAuthorizeUrlAsync('relay', undefined, {}));
    await page.waitForURL((u) => u.pathname === '/signin');
    await expectText(heading(page), 'Sign in to Travel booking', 'the SAML SP named');
  });
});
