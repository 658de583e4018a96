// An SP that keeps Tessera's IdP metadata as a file (mod_auth_mellon's MellonIdPMetadataFile, as
// SimpleSAMLphp and many appliances do) must keep working long after the file was saved. The
// metadata is fetched today and written to disk once; then Tessera and Apache both move 30 days
// ahead (Tessera by its injected clock, Apache by libfaketime), so assertions are fresh for the SP
// and the only thing that is 30 days old is the metadata file. mod_auth_mellon 0.18 (lasso 2.8)
// does not itself check validUntil; pysaml2, the SP library that does (it refuses metadata past
// validUntil as "TooOld"), reads the same file under the same shifted clock, and refuses the
// week-long metadata Tessera used to publish.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../src/lib/context.js';
import { type Apache, isApacheAvailable, isFaketimeAvailable, startApache } from './helpers/apache.js';
import { Client, createTestApp, manualClock, type TestApp } from './helpers/app.js';
import { parsePostForm } from './helpers/saml.js';
import { freePort } from './helpers/server.js';
import { createEmployee, passkeySignIn, registerKey } from './helpers/signin.js';
import { softKeys } from './helpers/soft-authenticator.js';

const DAY = 86_400_000;
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const hasPysaml2 = fs.existsSync('/usr/lib/python3/dist-packages/saml2/mdstore.py');
const SHIFT_DAYS = 30;

/** Cookies of one site, kept by name, as a browser would for Apache on 127.0.0.1. */
class Jar {
  cookies = new Map<string, string>();
  take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

describe('mod_auth_mellon with the IdP metadata as a file, 30 days later', {
  skip: !isApacheAvailable() ? 'apache2 is not installed' : !isFaketimeAvailable() ? 'faketime is not installed' : undefined,
  timeout: 120_000,
}, () => {
  const clock = manualClock(new Date());
  const key = softKeys.yubikey();
  let t: TestApp;
  let mellonDir: string;
  let metadataFile: string;
  let apache: Apache | undefined;

  before(async () => {
    t = await createTestApp({ clock });
    const employee = await createEmployee(t, { email: 'ada.lovelace@corp.example', firstName: 'Ada', lastName: 'Lovelace' });
    await registerKey(t, employee, key, 'security_key');

    // Today: the administrator saves Tessera's metadata next to mellon's config.
    mellonDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-mellon-file-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    execFileSync('mellon_create_metadata', [`${base}/mellon/metadata`, `${base}/mellon`], { cwd: mellonDir, stdio: 'ignore' });
    const file = (ext: string) => path.join(mellonDir, fs.readdirSync(mellonDir).find((f) => f.endsWith(ext))!);
    const spMetadata = fs.readFileSync(file('.xml'), 'utf8');
    const metadata = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    assert.equal(metadata.statusCode, 200);
    metadataFile = path.join(mellonDir, 'idp.xml');
    fs.writeFileSync(metadataFile, metadata.body);
    for (const f of fs.readdirSync(mellonDir)) fs.chmodSync(path.join(mellonDir, f), 0o644);
    fs.chmodSync(mellonDir, 0o755);
    await t.services.serviceProviders.importMetadata(cliContext(), spMetadata, { name: 'Intranet (mellon)' });

    // 30 days on, for both sides. The file is not fetched again.
    clock.advance(SHIFT_DAYS * DAY);
    t.services.samlKeys.refresh();
    apache = await startApache({
      port,
      clockOffset: `+${SHIFT_DAYS}d`,
      modules: ['auth_mellon'],
      files: { 'htdocs/secret/index.html': '<html><body><h1>Mellon protected page</h1></body></html>' },
      config: [
        '<Location />',
        '  MellonEnable info',
        '  MellonEndpointPath /mellon',
        '  MellonUser NAME_ID',
        `  MellonSPPrivateKeyFile ${file('.key')}`,
        `  MellonSPCertFile ${file('.cert')}`,
        `  MellonSPMetadataFile ${file('.xml')}`,
        `  MellonIdPMetadataFile ${metadataFile}`,
        '</Location>',
        '<Location /secret>',
        '  MellonEnable auth',
        '  AuthType Mellon',
        '  Require valid-user',
        '</Location>',
      ].join('\n'),
    });
  });

  after(async () => {
    await apache?.stop().catch(() => undefined);
    await t?.close();
    if (mellonDir) fs.rmSync(mellonDir, { recursive: true, force: true });
  });

  it('the saved metadata has no validUntil that ends before the signing certificate, and tells fetching SPs to refresh daily', () => {
    const xml = fs.readFileSync(metadataFile, 'utf8');
    const root = /<md:EntityDescriptor [^>]*>/.exec(xml)![0];
    assert.match(root, /cacheDuration="PT24H"/);
    const validUntil = /validUntil="([^"]+)"/.exec(root)?.[1];
    if (validUntil) {
      const cert = new crypto.X509Certificate(`-----BEGIN CERTIFICATE-----\n${/<ds:X509Certificate>([^<]+)</.exec(xml)![1]}\n-----END CERTIFICATE-----`);
      assert.ok(Date.parse(validUntil) >= Date.parse(cert.validTo), `validUntil ${validUntil} is not before the certificate's notAfter ${cert.validTo}`);
    }
  });

  it('pysaml2, which drops metadata past its validUntil, still trusts the 30-day-old file under the shifted clock', {
    skip: hasPysaml2 ? undefined : 'python3-pysaml2 is not installed',
  }, () => {
    const out = execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, 'helpers/pysaml2-metadata.py'), metadataFile], {
      env: { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME: `+${SHIFT_DAYS}d` },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.deepEqual(JSON.parse(out), ['http://localhost:8080/saml/metadata'], 'pysaml2 keeps the IdP entity from the saved file');
  });

  it('signs the employee in through mellon, whose clock is 30 days past the day it saved the metadata', async () => {
    const jar = new Jar();
    // Follow mellon's own redirects (/secret/ → /mellon/login) until it sends the browser away.
    let next = new URL(`${apache!.url}/secret/`);
    while (next.origin === apache!.url) {
      const res = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.take(res);
      const apacheNow = Date.parse(res.headers.get('date')!);
      assert.ok(apacheNow > Date.now() + (SHIFT_DAYS - 1) * DAY, `Apache runs ${SHIFT_DAYS} days ahead (its Date: ${res.headers.get('date')})`);
      assert.ok([302, 303].includes(res.status), `mellon sends the browser on (status ${res.status}: ${await res.text()})\n${apache!.errorLog()}`);
      next = new URL(res.headers.get('location')!, next);
    }
    const toIdp = next;
    assert.equal(`${toIdp.origin}${toIdp.pathname}`, 'http://localhost:8080/saml/sso', 'the SSO location comes from the metadata file');

    const browser = new Client(t.app);
    const first = await browser.get(toIdp.pathname + toIdp.search);
    assert.equal(first.status, 303, first.raw);
    const signin = first.headers.location as string;
    assert.match(signin, /^\/signin\?return_to=/);
    assert.equal((await passkeySignIn(browser, key)).status, 200);
    const resumed = await browser.get(decodeURIComponent(signin.split('return_to=')[1]));
    assert.equal(resumed.status, 200, resumed.raw);
    const form = parsePostForm(resumed.raw);
    assert.equal(form.action, `${apache!.url}/mellon/postResponse`);

    const posted = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams(form.fields).toString(),
    });
    jar.take(posted);
    assert.equal(posted.status, 303, `mellon accepts Tessera's response (status ${posted.status}: ${await posted.text()})\n${apache!.errorLog()}`);
    const page = await fetch(new URL(posted.headers.get('location')!, apache!.url), { headers: { cookie: jar.header() }, redirect: 'manual' });
    assert.equal(page.status, 200, apache!.errorLog());
    assert.match(await page.text(), /Mellon protected page/);
  });
});
