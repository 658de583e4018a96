// SAML end to end in Debian's Chromium with a virtual passkey, against real service providers:
// a node-saml web application (SP-initiated over HTTP-Redirect and HTTP-POST, IdP-initiated from
// the portal, single logout) and Apache mod_auth_mellon protecting a page on 127.0.0.1. The
// employee is invited by mail, enrolls a security key, and signs in on Tessera's sign-in page.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import http from 'node:http';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { isApacheAvailable, startApache, type Apache } from './helpers/apache.js';
import { addVirtualAuthenticator, assertChromiumInstalled, browserSkipReason, launchBrowser, newSession, type BrowserSession } from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { HttpClient } from './helpers/http.js';
import { pkce } from './helpers/oidc.js';
import { idpCertFromMetadata, spKeyPair } from './helpers/saml.js';
import { startSpServer, type SpServer } from './helpers/saml-sp-server.js';
import { freePort, startServerProcess, type ServerProcess, stopServerProcess } from './helpers/server.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const EMPLOYEE = { email: 'grace.hopper@corp.example', firstName: 'Grace', lastName: 'Hopper' };

/** A local SMTP sink that keeps the mails it receives. */
async function smtpSink(port: number) {
  const received: string[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => {
        raw += c.toString('utf8');
      });
      stream.on('end', () => {
        received.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('SAML in Chromium with a passkey: node-saml SP and mod_auth_mellon', {
  skip: browserSkipReason() ?? (isApacheAvailable() ? undefined : 'apache2 is not installed'),
  timeout: 240_000,
}, () => {
  let dataDir: string;
  let mellonDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let sink: Awaited<ReturnType<typeof smtpSink>> | undefined;
  let sp: SpServer | undefined;
  let apache: Apache | undefined;
  let admin: HttpClient;
  let session: BrowserSession;
  let portalAppName = '';

  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name, level: 1 });
  /** On the sign-in page: the passkey button signs in with the virtual authenticator. */
  const signInWithPasskey = async (page: Page) => {
    await page.waitForURL((u) => u.pathname === '/signin', { timeout: 20_000 });
    await page.getByRole('button', { name: /^Sign in with a (passkey|security key)$/ }).click();
  };

  before(async () => {
    assertChromiumInstalled();
    assert.ok(fs.existsSync(path.join(process.cwd(), 'dist/web/portal.html')), 'dist/web is built (npm run build:web)');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-saml-e2e-'));
    mellonDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-mellon-'));
    const smtpPort = await freePort();
    [server, browser, sink] = await Promise.all([startServerProcess({ DATA_DIR: dataDir }), launchBrowser(), smtpSink(smtpPort)]);
    admin = new HttpClient(server.url);
    assert.equal((await admin.post('/api/setup', { token: server.setupToken(), ...ADMIN })).status, 200);
    assert.equal((await admin.patch('/api/settings', { smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'idp@corp.example' } })).status, 200);
    const created = await admin.post('/api/employees', EMPLOYEE);
    assert.equal(created.status, 201, created.text);
    assert.ok([200, 201].includes((await admin.post(`/api/employees/${created.json.id}/invitations`, {})).status));

    // The node-saml SP, registered by hand (entity ID, ACS, SLO, its certificate), shown in the portal.
    const metadata = await (await fetch(`${server.url}/saml/metadata`)).text();
    const spKey = await spKeyPair();
    sp = await startSpServer({ idpUrl: server.url, idpCert: idpCertFromMetadata(metadata), ...spKey });
    portalAppName = 'Expense reports';
    const registered = await admin.post('/api/saml/service-providers', {
      name: portalAppName,
      entityId: sp.entityId,
      acsEndpoints: [{ url: sp.acs }],
      sloUrl: sp.slo,
      sloBinding: 'redirect',
      certificates: [spKey.certificate],
      nameIdFormat: 'email',
      idpInitiated: true,
      startUrl: '/from-portal',
    });
    assert.equal(registered.status, 201, registered.text);

    // mod_auth_mellon: its own key and metadata, imported into Tessera from the XML.
    const apachePort = await freePort();
    const mellonBase = `http://127.0.0.1:${apachePort}`;
    execFileSync('mellon_create_metadata', [`${mellonBase}/mellon/metadata`, `${mellonBase}/mellon`], { cwd: mellonDir, stdio: 'ignore' });
    const file = (ext: string) => path.join(mellonDir, fs.readdirSync(mellonDir).find((f) => f.endsWith(ext))!);
    fs.writeFileSync(path.join(mellonDir, 'idp.xml'), metadata);
    for (const f of fs.readdirSync(mellonDir)) fs.chmodSync(path.join(mellonDir, f), 0o644);
    fs.chmodSync(mellonDir, 0o755);
    const imported = await admin.post('/api/saml/service-providers/import', { name: 'Intranet (mellon)', metadata: fs.readFileSync(file('.xml'), 'utf8') });
    assert.equal(imported.status, 201, imported.text);
    assert.equal(imported.json.requireSignedRequests, true, 'Mellon signs its AuthnRequests (AuthnRequestsSigned in its metadata), so Tessera checks them');
    assert.ok(imported.json.certificates.length >= 1);
    apache = await startApache({
      port: apachePort,
      modules: ['auth_mellon'],
      files: { 'htdocs/secret/index.html': '<html><head><title>Intranet</title></head><body><h1>Mellon protected page</h1></body></html>' },
      config: [
        '<Location />',
        '  MellonEnable info',
        '  MellonEndpointPath /mellon',
        '  MellonUser NAME_ID',
        // Mellon's cookie must come back with the cross-site POST from Tessera (localhost) to
        // 127.0.0.1: SameSite=None, which browsers accept only with Secure — and Chromium treats
        // http://127.0.0.1 as a secure context, so this works here as it does over HTTPS.
        '  MellonSecureCookie On',
        '  MellonCookieSameSite None',
        `  MellonSPPrivateKeyFile ${file('.key')}`,
        `  MellonSPCertFile ${file('.cert')}`,
        `  MellonSPMetadataFile ${file('.xml')}`,
        `  MellonIdPMetadataFile ${path.join(mellonDir, 'idp.xml')}`,
        '</Location>',
        '<Location /secret>',
        '  MellonEnable auth',
        '  AuthType Mellon',
        '  Require valid-user',
        '</Location>',
      ].join('\n'),
    });

    session = await newSession(browser, { baseURL: server.url });
    await addVirtualAuthenticator(session.context, session.page, 'usb');
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await apache?.stop().catch(() => undefined);
    await sp?.stop().catch(() => undefined);
    await sink?.stop().catch(() => undefined);
    await stopServerProcess(server).catch(() => undefined);
    for (const d of [dataDir, mellonDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
    if (session?.errors.length) console.log(`browser errors seen:\n${session.errors.join('\n')}`);
    if (sp?.errors.length) console.log(`SP errors:\n${sp.errors.join('\n')}`);
  });

  it("enrolls the employee's security key from the invitation mail", async () => {
    const raw = await eventually(
      async () => {
        const m = sink!.received.find((r) => r.includes(EMPLOYEE.email));
        assert.ok(m, 'no invitation mail yet');
        return m;
      },
      'the invitation mail',
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const body = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    const link = new RegExp(`${server!.url.replace(/[.:/]/g, '\\$&')}/enroll\\?token=[A-Za-z0-9_-]+`).exec(body)?.[0];
    assert.ok(link, 'the mail holds the enrolment link');
    const { page } = session;
    await page.goto(link);
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await heading(page, "You're all set").waitFor({ timeout: 20_000 });
    // Start signed out, so that the first SAML request goes through the sign-in page.
    await page.goto('/portal');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
  });

  it('SP-initiated over HTTP-Redirect: the SP sends the employee to sign in with the passkey and gets them back with RelayState', async () => {
    const { page } = session;
    await page.goto(`${sp!.url}/login?relay=/reports/42`);
    await signInWithPasskey(page);
    await heading(page, `Hello ${EMPLOYEE.email}`).waitFor({ timeout: 20_000 });
    assert.equal(new URL(page.url()).origin, sp!.url);
    assert.equal(await page.locator('#relay').textContent(), 'RelayState: /reports/42');
    assert.equal(await page.locator('#context').textContent(), 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI', 'the SP learns a security key was used');
  });

  it('SP-initiated over HTTP-POST: the cross-site form post waits server-side while the employee signs in', async () => {
    const { page } = session;
    await page.goto('/portal');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    await page.goto(`${sp!.url}/login-post?relay=post-relay`);
    await signInWithPasskey(page);
    await heading(page, `Hello ${EMPLOYEE.email}`).waitFor({ timeout: 20_000 });
    // Signed in now: the next POST request is answered at once, without the sign-in page.
    await page.goto(`${sp!.url}/login-post?relay=again`);
    await heading(page, `Hello ${EMPLOYEE.email}`).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#relay').textContent(), 'RelayState: again');
    await page.goto(`${sp!.url}/login-post?relay=post-relay`);
    await heading(page, `Hello ${EMPLOYEE.email}`).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#relay').textContent(), 'RelayState: post-relay');
  });

  it('IdP-initiated: the application in the portal opens the SP signed in', async () => {
    const { page } = session;
    await page.goto('/portal');
    await page.getByRole('list', { name: 'My applications' }).getByRole('link', { name: portalAppName }).click();
    await heading(page, `Hello ${EMPLOYEE.email}`).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#relay').textContent(), 'RelayState: /from-portal');
  });

  it('mod_auth_mellon lets the employee into its protected page through Tessera', async () => {
    const { page } = session;
    const res = await page.goto(`${apache!.url}/secret/`);
    await heading(page, 'Mellon protected page')
      .waitFor({ timeout: 20_000 })
      .catch(async (err) => {
        throw new Error(`${(err as Error).message}\nat ${page.url()}: ${(await page.content()).slice(0, 1500)}\n${apache!.errorLog()}`);
      });
    assert.equal(new URL(page.url()).origin, apache!.url, apache!.errorLog());
    assert.ok(res, 'navigated');
    // Without the Tessera session Mellon sends a new browser to sign in.
    const other = await browser!.newContext();
    const stranger = await other.newPage();
    await stranger.goto(`${apache!.url}/secret/`);
    await stranger.waitForURL((u) => u.pathname === '/signin', { timeout: 20_000 });
    await other.close();
  });

  it("the portal's Sign out signs the employee out of the SAML applications (IdP-initiated SLO), then shows the sign-in page", async () => {
    const { page } = session;
    await page.goto(`${sp!.url}/login?relay=/before-portal-sign-out`);
    await heading(page, `Hello ${EMPLOYEE.email}`).waitFor({ timeout: 20_000 });
    await page.goto(`${sp!.url}/whoami`);
    await heading(page, `Signed in as ${EMPLOYEE.email}`).waitFor();
    await page.goto('/portal');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin', { timeout: 30_000 });
    await heading(page, 'Sign in').waitFor();
    assert.deepEqual(sp!.errors, [], 'the SP accepted the LogoutRequest');
    await page.goto(`${sp!.url}/whoami`);
    await heading(page, 'Nobody signed in').waitFor();
    await page.goto('/portal');
    await page.waitForURL((u) => u.pathname === '/signin', { timeout: 20_000 });
    const events = await admin.get('/api/audit?action=saml.logout');
    assert.equal(events.status, 200, events.text);
    assert.ok(JSON.stringify(events.json).includes('"initiator":"idp"'), 'the IdP-initiated logout is audited');
    // Mellon's session ended too: it sends the employee to sign in again. Then both are signed in
    // again for the SP-initiated logout below.
    await page.goto(`${apache!.url}/secret/`);
    await signInWithPasskey(page);
    await heading(page, 'Mellon protected page').waitFor({ timeout: 20_000 });
    await page.goto(`${sp!.url}/login?relay=/again`);
    await heading(page, `Hello ${EMPLOYEE.email}`).waitFor({ timeout: 20_000 });
  });

  it("single logout from the SP ends the Tessera session and Mellon's, then returns to the SP", async () => {
    const { page } = session;
    await page.goto(`${sp!.url}/logout`);
    await heading(page, 'Signed out of the SP')
      .waitFor({ timeout: 30_000 })
      .catch(async (err) => {
        throw new Error(
          `${(err as Error).message}\nat ${page.url()}: ${(await page.content()).slice(0, 1500)}\n${apache!.errorLog()}\n${sp!.errors.join('\n')}`,
        );
      });
    assert.equal(await page.locator('#relay').textContent(), 'RelayState: sp-logout');
    await page.goto('/portal');
    await page.waitForURL((u) => u.pathname === '/signin', { timeout: 20_000 });
    await page.goto(`${apache!.url}/secret/`);
    await page.waitForURL((u) => u.pathname === '/signin' || u.pathname.startsWith('/saml/'), { timeout: 20_000 });
    assert.notEqual(new URL(page.url()).origin, apache!.url, "Mellon's session ended too");
    const events = await admin.get('/api/audit?action=saml.logout');
    assert.equal(events.status, 200, events.text);
  });

  it("an OIDC application's logout (openid-client, RP-initiated) signs the browser out of mod_auth_mellon too, back-channels the other OIDC client, and lands on its post_logout_redirect_uri", async () => {
    const { page } = session;
    // The relying parties' own endpoints: callbacks, the post-logout page, a back-channel logout receiver.
    const port = await freePort();
    const rp = `http://127.0.0.1:${port}`;
    const backchannel: string[] = [];
    const rpServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/backchannel') {
          backchannel.push(new URLSearchParams(body).get('logout_token') ?? '');
          res.writeHead(200).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>RP page ${new URL(req.url!, rp).pathname}</h1>`);
      });
    });
    await new Promise<void>((resolve) => rpServer.listen(port, '127.0.0.1', resolve));
    try {
      const register = async (name: string, extra: Record<string, unknown>) => {
        const res = await admin.post('/api/oidc/clients', { name, redirectUris: [`${rp}/cb`], ...extra });
        assert.equal(res.status, 201, res.text);
        return oidc.discovery(new URL(`${server!.url}/oidc`), res.json.client.clientId, res.json.clientSecret, oidc.ClientSecretBasic(), {
          execute: [oidc.allowInsecureRequests],
        });
      };
      const timesheets = await register('Timesheets', { postLogoutRedirectUris: [`${rp}/signed-out`] });
      const wiki = await register('Wiki', { backchannelLogoutUri: `${rp}/backchannel` });
      const signInTo = async (config: oidc.Configuration) => {
        const verifier = pkce();
        const state = oidc.randomState();
        await page.goto(
          oidc.buildAuthorizationUrl(config, {
            redirect_uri: `${rp}/cb`,
            scope: 'openid email',
            code_challenge: verifier.challenge,
            code_challenge_method: 'S256',
            state,
          }).href,
        );
        await page.waitForURL((u) => u.href.startsWith(`${rp}/cb`), { timeout: 20_000 });
        return oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier.verifier, expectedState: state });
      };

      // One Tessera session: Mellon first (the employee signs in with the passkey), then both OIDC applications by SSO.
      await page.goto(`${apache!.url}/secret/`);
      await signInWithPasskey(page);
      await heading(page, 'Mellon protected page').waitFor({ timeout: 20_000 });
      const tokens = await signInTo(timesheets);
      const wikiTokens = await signInTo(wiki);

      const endUrl = oidc.buildEndSessionUrl(timesheets, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${rp}/signed-out`, state: 'bye' });
      await page.goto(endUrl.href);
      await heading(page, 'Sign out?').waitFor();
      const listed = await page.getByRole('list', { name: 'Applications to sign out of' }).getByRole('listitem').allTextContents();
      assert.deepEqual(listed.sort(), ['Intranet (mellon)', 'Timesheets', 'Wiki'], 'the applications of this session, by name');
      await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      await page
        .waitForURL((u) => u.href.startsWith(`${rp}/signed-out`), { timeout: 30_000 })
        .catch(async (err) => {
          throw new Error(`${(err as Error).message}\nat ${page.url()}: ${(await page.content()).slice(0, 1500)}\n${apache!.errorLog()}`);
        });
      assert.equal(new URL(page.url()).searchParams.get('state'), 'bye');

      // Mellon's session ended: its protected page sends the browser to sign in again.
      await page.goto(`${apache!.url}/secret/`);
      await page.waitForURL((u) => u.pathname === '/signin', { timeout: 20_000 });
      // The Tessera session ended, and Wiki heard of it over the back channel with its session's sid.
      await page.goto('/portal');
      await page.waitForURL((u) => u.pathname === '/signin', { timeout: 20_000 });
      assert.equal(backchannel.length, 1, 'one back-channel logout, to Wiki');
      const claims = JSON.parse(Buffer.from(backchannel[0].split('.')[1], 'base64url').toString('utf8'));
      assert.equal(claims.sid, wikiTokens.claims()?.sid);
      assert.equal(claims.aud, wiki.clientMetadata().client_id);
      const events = await admin.get('/api/audit?action=saml.logout');
      assert.ok(JSON.stringify(events.json).includes('"otherSps":1'), 'the walk told Mellon (audited)');
    } finally {
      await new Promise<void>((resolve) => rpServer.close(() => resolve()));
    }
  });
});
