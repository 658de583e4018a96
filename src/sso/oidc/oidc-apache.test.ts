// Apache httpd with Debian's mod_auth_openidc protects a page on 127.0.0.1; Tessera is its
// OpenID provider (discovery over http on localhost, code + PKCE S256, client_secret_basic). An
// enrolled employee gets in after signing in with a security key; the page shows the claims that
// mod_auth_openidc took from Tessera's ID token. Without a Tessera session, Apache sends the
// browser to Tessera's sign-in page; a disabled employee does not get in.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../../lib/context.js';
import { isApacheAvailable, startApache, type Apache } from '../../../test/helpers/apache.js';
import { Browser, employeeWithKey, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';
import { freePort } from '../../../test/helpers/server.js';

describe('Apache mod_auth_openidc as relying party', {
  timeout: 90_000,
  skip: isApacheAvailable() ? undefined : 'apache2 is not installed (scripts/test-setup.sh)',
}, () => {
  let t: OidcTestApp;
  let apache: Apache | undefined;

  before(async () => {
    t = await startOidcApp();
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/app/redirect_uri`;
    const { client, clientSecret } = await registerClient(t, { name: 'Apache app', redirectUris: [redirectUri], claims: ['email', 'name'] });
    apache = await startApache({
      port,
      modules: ['auth_openidc', 'include'],
      files: {
        'htdocs/app/index.shtml': 'user=<!--#echo var="REMOTE_USER" --> email=<!--#echo var="OIDC_CLAIM_email" --> amr=<!--#echo var="OIDC_CLAIM_amr" -->\n',
      },
      config: `
OIDCProviderMetadataURL ${t.issuer}/.well-known/openid-configuration
OIDCClientID ${client.clientId}
OIDCClientSecret ${clientSecret}
OIDCRedirectURI ${redirectUri}
OIDCCryptoPassphrase ${crypto.randomBytes(24).toString('hex')}
OIDCScope "openid email profile"
OIDCPKCEMethod S256
OIDCRemoteUserClaim email
<Location /app>
  AuthType openid-connect
  Require valid-user
  Options +Includes
  AddOutputFilter INCLUDES .shtml
  DirectoryIndex index.shtml
</Location>`,
    });
  });
  after(async () => {
    await apache?.stop().catch(() => undefined);
    await t?.close();
  });

  it('sends a visitor without a Tessera session to the sign-in page', async () => {
    const browser = new Browser(t.url);
    const { location } = await browser.follow(`${apache!.url}/app/`, { stayOn: [apache!.url, t.url] });
    const url = new URL(location);
    assert.equal(url.origin + url.pathname, `${t.url}/signin`, `${location}\n${apache!.errorLog()}`);
  });

  it('lets an enrolled employee in and shows the claims from Tessera', async () => {
    const { employee, key } = await employeeWithKey(t);
    const browser = new Browser(t.url);
    await signIn(t, browser, key);
    const { res, location, visited } = await browser.follow(`${apache!.url}/app/`, { stayOn: [apache!.url, t.url] });
    const body = await res.text();
    assert.equal(res.status, 200, `${visited.join('\n')}\n${body}\n${apache!.errorLog()}`);
    assert.equal(new URL(location).origin, apache!.url);
    assert.match(body, new RegExp(`user=${employee.email.replace(/[.+]/g, '\\$&')} `));
    assert.match(body, /amr=fido,hwk,mfa/);
    // The Apache session now stands on its own: the page opens again without Tessera.
    const again = await browser.fetch(`${apache!.url}/app/`);
    assert.equal(again.status, 200);
  });

  it('does not let a disabled employee in', async () => {
    const { employee, key } = await employeeWithKey(t);
    const browser = new Browser(t.url);
    await signIn(t, browser, key);
    await t.services.employees.update(cliContext(), employee.id, { status: 'disabled' });
    const { res, location } = await browser.follow(`${apache!.url}/app/`, { stayOn: [apache!.url, t.url] });
    await res.arrayBuffer();
    assert.equal(new URL(location).pathname, '/signin', location);
  });
});
