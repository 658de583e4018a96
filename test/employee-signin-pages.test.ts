// What the employee sign-in pages ask of the server, over HTTP against a listening app: the
// application a sign-in is for (GET /api/signin/context, from what Tessera stored, never from the
// request), the branded page for an application Tessera does not know (SAML, WS-Fed, OIDC), and
// "Lost your key?" (POST /api/signin/lost-key): mail to every admin through a real SMTP server,
// an audit row, the same answer for an unknown address, 429 after the per-IP limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../src/lib/context.js';
import { freePort } from './helpers/server.js';
import { idpCertFromMetadata, nodeSamlSp, randomEntity } from './helpers/saml.js';
import { Browser, employeeWithKey, pkce, registerClient, startOidcApp, type OidcTestApp } from './helpers/oidc.js';
import { smtpSink } from './helpers/smtp-sink.js';
import { LOST_KEY_REPORTS_PER_HOUR } from '../src/portal/lost-key.service.js';

const ORG = 'Contoso Pharma';

describe('the employee sign-in pages over HTTP', { timeout: 120_000 }, () => {
  let t: OidcTestApp;
  const sink = smtpSink();

  const contextOf = async (returnTo: string) => {
    const res = await new Browser(t.url).api('GET', `/api/signin/context?return_to=${encodeURIComponent(returnTo)}`);
    assert.equal(res.status, 200, res.text);
    return res.json.application as { name: string; protocol: string } | null;
  };
  const returnToOf = (location: string) => {
    const url = new URL(location, t.url);
    assert.equal(url.pathname, '/signin', `sent to the sign-in page: ${location}`);
    return url.searchParams.get('return_to')!;
  };

  before(async () => {
    const port = await freePort();
    [t] = await Promise.all([startOidcApp(), sink.start(port)]);
    await t.services.settings.update(cliContext(), { organisationName: ORG, smtp: { host: '127.0.0.1', port, tls: 'none', from: 'identity@corp.example' } });
    await t.services.admins.create(cliContext(), { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' });
    await t.services.admins.create(cliContext(), { email: 'bob.admin@corp.example', name: 'Bob Admin', password: 'Amber-thistle-58-harbour' });
  });
  after(async () => {
    await t?.close().catch(() => undefined);
    await sink.stop().catch(() => undefined);
  });

  describe('GET /api/signin/context', () => {
    it('names the OIDC client an interaction belongs to, by its registered name', async () => {
      const client = await registerClient(t, { name: 'HR Portal', redirectUris: ['http://127.0.0.1:9/cb'] });
      const { challenge } = pkce();
      const query = new URLSearchParams({
        client_id: client.client.clientId,
        redirect_uri: 'http://127.0.0.1:9/cb',
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const browser = new Browser(t.url);
      const { location } = await browser.follow(`/oidc/auth?${query}`);
      const returnTo = returnToOf(location);
      assert.match(returnTo, /^\/oidc\/interaction\/[A-Za-z0-9_-]+$/);
      assert.deepEqual(await contextOf(returnTo), { name: 'HR Portal', protocol: 'oidc' });
    });

    it('names the SAML service provider of a pending AuthnRequest', async () => {
      const entityId = randomEntity('payroll');
      await t.services.serviceProviders.create(cliContext(), 'saml', {
        name: 'Payroll',
        entityId,
        acsEndpoints: [{ url: 'https://payroll.example/acs', binding: 'post', index: 0, isDefault: true }],
        nameIdFormat: 'email',
        nameIdField: 'email',
        attributes: [],
      });
      const metadata = await (await new Browser(t.url).fetch('/saml/metadata')).text();
      const sp = nodeSamlSp({
        idpCert: idpCertFromMetadata(metadata),
        entryPoint: `${t.url}/saml/sso`,
        issuer: entityId,
        callbackUrl: 'https://payroll.example/acs',
      });
      const res = await new Browser(t.url).fetch(await sp.getAuthorizeUrlAsync('relay', undefined, {}));
      assert.equal(res.status, 303);
      const returnTo = returnToOf(res.headers.get('location')!);
      assert.match(returnTo, /^\/saml\/continue\//);
      assert.deepEqual(await contextOf(returnTo), { name: 'Payroll', protocol: 'saml' });
    });

    it('answers null for anything that is not a pending request Tessera holds', async () => {
      for (const value of [
        '/portal',
        '/saml/continue/AAAAAAAAAAAAAAAAAAAAAAAA',
        '/oidc/interaction/nope',
        '/wsfed/continue/AAAAAAAAAAAAAAAAAAAAAAAA',
        'https://evil.example/saml/continue/x',
        '/saml/continue/<script>',
      ])
        assert.equal(await contextOf(value), null, value);
      assert.equal((await new Browser(t.url).api('GET', '/api/signin/context')).json.application, null);
    });
  });

  describe('the page for an application Tessera does not know', () => {
    const assertBranded = (status: number, html: string, code: string) => {
      assert.equal(status, 400, html.slice(0, 300));
      assert.match(html, new RegExp(`This application isn\u2019t set up for sign-in with ${ORG}`), html.slice(0, 600));
      assert.match(html, /Contact your IT team/);
      assert.match(html, /application\u2019s address/);
      assert.match(html, new RegExp(`Error code: <code>${code}</code>`));
      assert.match(html, /<meta name="viewport"/);
    };

    it('SAML: an AuthnRequest from an unregistered entity ID', async () => {
      const metadata = await (await new Browser(t.url).fetch('/saml/metadata')).text();
      const sp = nodeSamlSp({
        idpCert: idpCertFromMetadata(metadata),
        entryPoint: `${t.url}/saml/sso`,
        issuer: 'https://unknown.example/metadata',
        callbackUrl: 'https://unknown.example/acs',
      });
      const res = await new Browser(t.url).fetch(await sp.getAuthorizeUrlAsync('relay', undefined, {}));
      const html = await res.text();
      assertBranded(res.status, html, 'saml.sp_unknown');
      assert.match(html, /Details for IT/);
    });

    it('WS-Fed: a sign-in for an unregistered realm', async () => {
      const res = await new Browser(t.url).fetch('/wsfed?wa=wsignin1.0&wtrealm=urn%3Aunknown');
      assertBranded(res.status, await res.text(), 'wsfed.rp_unknown');
    });

    it('OIDC: an unknown client and a redirect_uri that is not registered, where oidc-provider renders errors', async () => {
      const { challenge } = pkce();
      const base = { redirect_uri: 'http://127.0.0.1:9/cb', response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' };
      const unknown = await new Browser(t.url).fetch(`/oidc/auth?${new URLSearchParams({ ...base, client_id: 'no-such-client' })}`);
      assertBranded(unknown.status, await unknown.text(), 'invalid_client');
      const client = await registerClient(t, { name: 'Wiki', redirectUris: ['http://127.0.0.1:9/cb'] });
      const wrong = await new Browser(t.url).fetch(
        `/oidc/auth?${new URLSearchParams({ ...base, client_id: client.client.clientId, redirect_uri: 'https://evil.example/cb' })}`,
      );
      assertBranded(wrong.status, await wrong.text(), 'invalid_redirect_uri');
    });
  });

  describe('POST /api/signin/lost-key', () => {
    let sent = 0;
    const report = async (email: string) => {
      sent++;
      return new Browser(t.url).api('POST', '/api/signin/lost-key', { email });
    };

    it('mails every admin about the employee and audits the report on the employee; nothing is suspended', async () => {
      const { employee } = await employeeWithKey(t, { email: 'grace.hopper@corp.example' });
      const res = await report(employee.email);
      assert.equal(res.status, 202, res.text);
      assert.deepEqual(res.json, { status: 'received' });
      await t.services.mail.processDue();
      for (const admin of ['ada.admin@corp.example', 'bob.admin@corp.example']) {
        const { body } = await sink.waitForMail((m) => m.to.includes(admin), `the lost-key mail reaches ${admin}`);
        assert.match(body, /reported a lost key/);
        assert.match(body, /grace\.hopper@corp\.example/);
        assert.ok(body.includes(`${t.url}/employees/${employee.id}`), 'the mail links to the employee in the console');
      }
      const { items } = await t.services.audit.find({ action: 'employee.key_lost_reported' }, { offset: 0, limit: 10 });
      const row = items.find((e) => e.targetId === employee.id);
      assert.ok(row, 'an audit row on the employee');
      assert.equal(row.outcome, 'success');
      assert.equal(row.details.adminsNotified, 2);
      const credentials = await t.services.webauthn.list('employee', employee.id);
      assert.equal(credentials.length, 1, 'the key is still there: an anonymous report changes nothing');
      assert.equal((await t.services.employees.findById(employee.id))?.status, 'active');
    });

    it('answers an unknown address the same, mails nobody, and audits it as a failure', async () => {
      const before = sink.received.length;
      const res = await report('nobody.here@corp.example');
      assert.equal(res.status, 202, res.text);
      assert.deepEqual(res.json, { status: 'received' });
      await t.services.mail.processDue();
      assert.equal(sink.received.length, before, 'no mail for an address that is no employee');
      const { items } = await t.services.audit.find({ action: 'employee.key_lost_reported' }, { offset: 0, limit: 10 });
      assert.ok(
        items.some((e) => e.outcome === 'failure' && e.targetLabel === 'nobody.here@corp.example'),
        'the unknown address is in the audit log, as a failure',
      );
    });

    it('refuses a malformed address with 400 and a stable code', async () => {
      const res = await new Browser(t.url).api('POST', '/api/signin/lost-key', { email: 'not an address' });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.error.code, 'request.validation_failed');
    });

    it(`answers 429 once one IP has sent ${LOST_KEY_REPORTS_PER_HOUR} reports in an hour`, async () => {
      // The malformed one above did not count: the limit spends only requests that could report.
      while (sent < LOST_KEY_REPORTS_PER_HOUR) assert.equal((await report('nobody.here@corp.example')).status, 202);
      const refused = await report('grace.hopper@corp.example');
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.json.error.code, 'rate_limit.exceeded');
    });
  });
});
