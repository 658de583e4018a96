// What mod_auth_mellon (Apache) receives from Tessera's attribute mapping: the employee's groups as
// one multi-valued attribute (one AttributeValue per group: mellon's MELLON_groups_0, _1, ...), the
// directory UPN and the AD objectSid from the synced account, and no attribute at all for a value
// the employee lacks. Apache echoes mellon's environment in response headers (mod_headers).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../src/lib/context.js';
import { type Apache, isApacheAvailable, startApache } from './helpers/apache.js';
import { Client, createTestApp, type TestApp } from './helpers/app.js';
import { AD_SID, giveDirectoryGroups, giveLocalGroup, insertAccount, insertDomain } from './helpers/directory-identity.js';
import { parsePostForm } from './helpers/saml.js';
import { freePort } from './helpers/server.js';
import { createEmployee, passkeySignIn, registerKey } from './helpers/signin.js';
import { softKeys } from './helpers/soft-authenticator.js';

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

describe('mod_auth_mellon receives groups, upn and objectSid from the attribute mapping', {
  skip: isApacheAvailable() ? undefined : 'apache2 is not installed',
  timeout: 120_000,
}, () => {
  const key = softKeys.yubikey();
  let t: TestApp;
  let mellonDir: string;
  let apache: Apache | undefined;

  before(async () => {
    t = await createTestApp();
    const employee = await createEmployee(t, { email: 'ada.lovelace@corp.example', firstName: 'Ada', lastName: 'Lovelace' });
    await registerKey(t, employee, key, 'security_key');
    const corp = await insertDomain(t, 'ad', 'corp.example');
    await insertAccount(t, employee.id, corp, { username: 'alovelace', upn: 'alovelace@corp.local', importing: true, attributes: { objectSid: AD_SID } });
    await giveDirectoryGroups(t, corp, employee.id, ['Analytical Engine', 'VPN Users']);
    await giveLocalGroup(t, employee.id, 'Babbage Fans');

    mellonDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-mellon-attrs-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    execFileSync('mellon_create_metadata', [`${base}/mellon/metadata`, `${base}/mellon`], { cwd: mellonDir, stdio: 'ignore' });
    const file = (ext: string) => path.join(mellonDir, fs.readdirSync(mellonDir).find((f) => f.endsWith(ext))!);
    const metadata = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    fs.writeFileSync(path.join(mellonDir, 'idp.xml'), metadata.body);
    for (const f of fs.readdirSync(mellonDir)) fs.chmodSync(path.join(mellonDir, f), 0o644);
    fs.chmodSync(mellonDir, 0o755);
    const sp = await t.services.serviceProviders.importMetadata(cliContext(), fs.readFileSync(file('.xml'), 'utf8'), { name: 'Intranet (mellon)' });
    await t.services.serviceProviders.update(cliContext(), 'saml', sp.id, {
      attributes: [
        { name: 'groups', field: 'groups' },
        { name: 'upn', field: 'upn' },
        { name: 'objectSid', field: 'objectSid' },
        { name: 'phone', field: 'phone' },
      ],
    });
    const env = (name: string) => `%{MELLON_${name}}e`;
    apache = await startApache({
      port,
      modules: ['auth_mellon', 'headers'],
      files: { 'htdocs/secret/index.html': '<html><body><h1>Mellon protected page</h1></body></html>' },
      config: [
        '<Location />',
        '  MellonEnable info',
        '  MellonEndpointPath /mellon',
        '  MellonUser NAME_ID',
        `  MellonSPPrivateKeyFile ${file('.key')}`,
        `  MellonSPCertFile ${file('.cert')}`,
        `  MellonSPMetadataFile ${file('.xml')}`,
        `  MellonIdPMetadataFile ${path.join(mellonDir, 'idp.xml')}`,
        '</Location>',
        '<Location /secret>',
        '  MellonEnable auth',
        '  AuthType Mellon',
        '  Require valid-user',
        `  Header always set X-Groups "${env('groups_0')}|${env('groups_1')}|${env('groups_2')}|${env('groups_3')}"`,
        `  Header always set X-Upn "${env('upn')}"`,
        `  Header always set X-Sid "${env('objectSid')}"`,
        `  Header always set X-Phone "${env('phone')}"`,
        '</Location>',
      ].join('\n'),
    });
  });

  after(async () => {
    await apache?.stop().catch(() => undefined);
    await t?.close();
    if (mellonDir) fs.rmSync(mellonDir, { recursive: true, force: true });
  });

  it('signs the employee in; mellon sees every group as a value of one attribute, the directory UPN and objectSid, and no phone', async () => {
    const jar = new Jar();
    let next = new URL(`${apache!.url}/secret/`);
    while (next.origin === apache!.url) {
      const res = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.take(res);
      assert.ok([302, 303].includes(res.status), `mellon sends the browser on (status ${res.status})\n${apache!.errorLog()}`);
      next = new URL(res.headers.get('location')!, next);
    }
    const browser = new Client(t.app);
    const first = await browser.get(next.pathname + next.search);
    assert.equal(first.status, 303, first.raw);
    const signin = first.headers.location as string;
    assert.equal((await passkeySignIn(browser, key)).status, 200);
    const resumed = await browser.get(decodeURIComponent(signin.split('return_to=')[1]));
    const form = parsePostForm(resumed.raw);
    const xml = Buffer.from(form.fields.SAMLResponse, 'base64').toString();
    assert.match(
      xml,
      /<saml:Attribute Name="groups"[^>]*>(<saml:AttributeValue[^>]*>[^<]+<\/saml:AttributeValue>){3}<\/saml:Attribute>/,
      'one AttributeValue per group',
    );
    assert.doesNotMatch(xml, /Name="phone"/, 'no phone number: no attribute');

    const posted = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams(form.fields).toString(),
    });
    jar.take(posted);
    assert.equal(posted.status, 303, `mellon accepts the response (status ${posted.status})\n${apache!.errorLog()}`);
    const page = await fetch(new URL(posted.headers.get('location')!, apache!.url), { headers: { cookie: jar.header() }, redirect: 'manual' });
    assert.equal(page.status, 200, apache!.errorLog());
    assert.match(await page.text(), /Mellon protected page/);
    assert.equal(page.headers.get('x-groups'), 'Analytical Engine|Babbage Fans|VPN Users|(null)', 'three values, no fourth');
    assert.equal(page.headers.get('x-upn'), 'alovelace@corp.local');
    assert.equal(page.headers.get('x-sid'), AD_SID);
    assert.equal(page.headers.get('x-phone'), '(null)', 'mellon got no phone attribute');
  });
});
