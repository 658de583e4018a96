// A reserved hardware key activated by its employee on /enroll, end to end: an admin imports and
// reserves a key over the API of a real server process, the employee types the e-mail address and
// the activation code in Debian's Chromium with a CDP virtual security key (transport usb), and the
// key becomes Active; the activation mail (caught by a local SMTP sink) links to that page. A wrong code and a key of another model get the page's own sentences.
//
// CDP's WebAuthn.addVirtualAuthenticator cannot choose the AAGUID; Chromium's virtual CTAP2 device
// always has 01020304-0506-0708-0102-030405060708 (device/fido/virtual_ctap2_device.cc), which it
// reports under `attestation: "direct"`. So the inventory row says that AAGUID, and the server's
// model check runs against it rather than being skipped.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addVirtualAuthenticator, assertChromiumInstalled, browserSkipReason, launchBrowser, newSession, type BrowserSession } from './helpers/browser.js';
import { HttpClient } from './helpers/http.js';
import { CHROMIUM_VIRTUAL_AAGUID, submitKeyActivation } from './helpers/key-activation.js';
import { freePort, startServerProcess, type ServerProcess } from './helpers/server.js';
import { smtpSink } from './helpers/smtp-sink.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const EMPLOYEE = { email: 'dana.dunn@corp.example', firstName: 'Dana', lastName: 'Dunn' };
const YUBIKEY_AAGUID = 'ee882879-721c-4913-9775-3dfcce97072a';

describe('activating a reserved security key on /enroll in Chromium', { skip: browserSkipReason(), timeout: 120_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let admin: HttpClient;
  let employeeId = '';
  const sessions: BrowserSession[] = [];
  const sink = smtpSink();

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true, level: 1 });
  const open = async () => {
    const s = await newSession(browser!, { baseURL: server!.url });
    sessions.push(s);
    await addVirtualAuthenticator(s.context, s.page, 'usb');
    return s;
  };
  const keyById = async (id: string) => {
    const res = await admin.get(`/api/hardware-keys/${id}`);
    assert.equal(res.status, 200, res.text);
    return res.json as { state: string; activation: { attempts: number } | null; credentialIds: string[] };
  };
  /** Imports one key and reserves it for the employee: its id and the activation code the admin is shown. */
  const reserveKey = async (serial: string, model: string, aaguid: string, mailCode = false) => {
    const imported = await admin.post('/api/hardware-keys/import', { csv: `serial,model,aaguid\n${serial},${model},${aaguid}` });
    assert.equal(imported.status, 200, imported.text);
    assert.equal(imported.json.created, 1, imported.text);
    const listed = await admin.get(`/api/hardware-keys?q=${serial}`);
    const id = (listed.json.items as { id: string; serial: string }[]).find((k) => k.serial === serial)!.id;
    const reserved = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'reserved', reason: 'issued to Dana', employeeId, mailCode });
    assert.equal(reserved.status, 200, reserved.text);
    const code = reserved.json.activationCode as string;
    assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/, 'the answer carries the activation code');
    return { id, code };
  };
  const fillForm = submitKeyActivation;

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-key-activation-e2e-'));
    const smtpPort = await freePort();
    const [started, launched, sunk] = await Promise.allSettled([startServerProcess({ DATA_DIR: dataDir }), launchBrowser(), sink.start(smtpPort)]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched, sunk]) if (result.status === 'rejected') throw result.reason;
    assert.match(server!.url, /^http:\/\/localhost:\d+$/, 'WebAuthn needs a host name, not an IP address');

    admin = new HttpClient(server!.url);
    const token = server!.setupToken();
    assert.ok(token, `no setup link printed:\n${server!.output()}`);
    const setup = await admin.post('/api/setup', { token, ...ADMIN });
    assert.equal(setup.status, 200, setup.text);
    const smtp = await admin.patch('/api/settings', { smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'identity@corp.example' } });
    assert.equal(smtp.status, 200, smtp.text);
    const created = await admin.post('/api/employees', EMPLOYEE);
    assert.equal(created.status, 201, created.text);
    employeeId = created.json.id;
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (server) {
      const killer = setTimeout(() => server!.child.kill('SIGKILL'), 10_000);
      await server.stop().catch(() => undefined);
      clearTimeout(killer);
    }
    await sink.stop().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    const errors = sessions.flatMap((s) => s.errors);
    if (errors.length) console.log(`browser errors seen:\n${errors.join('\n')}`);
  });

  it('tells a wrong code in one sentence for address and code, without an error code, and counts the try', async () => {
    const { id, code } = await reserveKey('E2E-WRONG-1', 'Virtual Key', CHROMIUM_VIRTUAL_AAGUID);
    const wrong = code.startsWith('2222') ? '3333-3333-3333-3333' : '2222-2222-2222-2222';
    const { page } = await open();
    await fillForm(page, EMPLOYEE.email, wrong);
    const alert = page.getByRole('alert');
    await alert.getByText('Wrong e-mail address or activation code').waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /contact IT/, text);
    assert.doesNotMatch(text, /hardware_keys\.|activation_invalid|401/, 'no raw error code on the page');
    assert.ok(!text.includes(wrong), 'the typed code is not echoed');
    const key = await keyById(id);
    assert.equal(key.state, 'reserved');
    assert.equal(key.activation?.attempts, 1, 'the wrong code spent one of the 5 tries');

    // A code of the wrong length is caught on the page and spends no try.
    await page.getByRole('textbox', { name: 'Activation code' }).fill('ABCD-EFGH');
    await page.getByRole('button', { name: 'Activate my key' }).click();
    await page.getByText('The activation code has 16 letters and digits').waitFor();
    assert.equal((await keyById(id)).activation?.attempts, 1);
  });

  it('activates the key from the mailed link with the code typed in lower case with spaces, and the key is Active', async () => {
    const { id, code } = await reserveKey('E2E-GOOD-1', 'Virtual Key', CHROMIUM_VIRTUAL_AAGUID, true);
    const { body } = await sink.waitForMail((m) => m.to.includes(EMPLOYEE.email), 'the activation mail reaches the SMTP sink');
    const escaped = server!.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const link = new RegExp(`${escaped}/enroll(?![?/\\w])`).exec(body);
    assert.ok(link, `the mail links to ${server!.url}/enroll, the activation page:\n${body.slice(0, 3000)}`);
    const { page } = await open();
    await fillForm(page, EMPLOYEE.email.toUpperCase(), code.toLowerCase().replace(/-/g, ' '), link[0]);
    await heading(page, 'Your security key is active').waitFor({ timeout: 15_000 });
    await page.getByText('Your key Virtual Key is active; you can now sign in').waitFor();
    const signIn = page.getByRole('link', { name: 'Go to sign-in' });
    assert.equal(await signIn.getAttribute('href'), '/signin');
    const key = await keyById(id);
    assert.equal(key.state, 'active', JSON.stringify(key));
    assert.equal(key.credentialIds.length, 1, 'the new credential is bound to the key');
    assert.equal(key.activation, null, 'the code is used up');
  });

  it('refuses a security key of another model than the reserved one and says to use the key given', async () => {
    const { id, code } = await reserveKey('E2E-MODEL-1', 'YubiKey 5 NFC', YUBIKEY_AAGUID);
    const { page } = await open();
    await fillForm(page, EMPLOYEE.email, code);
    const alert = page.getByRole('alert');
    await alert.getByText('use the key that was given to you').waitFor({ timeout: 15_000 });
    assert.doesNotMatch((await alert.textContent()) ?? '', /AAGUID|model_mismatch/, 'no AAGUID or error code on the page');
    const key = await keyById(id);
    assert.equal(key.state, 'reserved', 'the key is still waiting for its own authenticator');
    assert.equal(key.credentialIds.length, 0);
  });
});
