// Application assignment seen from real relying parties over HTTP: openid-client gets
// access_denied for an employee the client is not assigned to, and node-saml (the SP) gets a
// Response with Responder / RequestDenied; once the employee joins the assigned group, both sign
// them in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { cliContext } from '../lib/context.js';
import { domainCreate } from '../directory/directory.schemas.js';
import { replaceDirectoryMemberships, syncDirectoryGroups } from '../groups/group.repository.js';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../test/helpers/oidc.js';
import { ENGINES } from '../../test/helpers/db.js';
import { idpCertFromMetadata, nodeSamlSp, parsePostForm, randomEntity } from '../../test/helpers/saml.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

for (const engine of ENGINES) {
  describe(`application assignment with openid-client and node-saml (${engine})`, { timeout: 120_000 }, () => {
    let t: OidcTestApp;
    let config: oidc.Configuration;
    let saml: ReturnType<typeof nodeSamlSp>;
    let domainId = '';
    let groupId = '';

    before(async () => {
      t = await startOidcApp({ engine });
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
      domainId = domain.id;
      groupId = (await syncDirectoryGroups(t.services.db, domainId, [{ externalId: 'guid-hr', name: 'HR' }], { prune: false })).get('guid-hr')!;

      const created = await registerClient(t, { name: 'HR portal', redirectUris: [REDIRECT] });
      await t.services.applicationAccess.set(
        cliContext(),
        { protocol: 'oidc', id: created.client.id, name: 'HR portal' },
        { mode: 'assigned', groups: [groupId], departments: [], employees: [] },
      );
      config = await oidc.discovery(new URL(t.issuer), created.client.clientId, created.clientSecret!, oidc.ClientSecretBasic(), {
        execute: [oidc.allowInsecureRequests],
      });

      const entityId = randomEntity('hr');
      const acs = 'https://hr.sp.example/acs';
      const sp = await t.services.serviceProviders.create(cliContext(), 'saml', {
        name: 'HR SAML',
        entityId,
        acsEndpoints: [{ url: acs, binding: 'post', index: 0, isDefault: true }],
        nameIdFormat: 'email',
        nameIdField: 'email',
        attributes: [{ name: 'email', field: 'email' }],
      } as never);
      await t.services.applicationAccess.set(
        cliContext(),
        { protocol: 'saml', id: sp.id, name: 'HR SAML' },
        { mode: 'assigned', groups: [groupId], departments: [], employees: [] },
      );
      const metadata = await (await fetch(`${t.url}/saml/metadata`)).text();
      saml = nodeSamlSp({ idpCert: idpCertFromMetadata(metadata), entryPoint: `${t.url}/saml/sso`, issuer: entityId, callbackUrl: acs, audience: entityId });
    });
    after(async () => {
      await t?.close();
    });

    async function openIdSignIn(browser: Browser) {
      const verifier = pkce();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid email',
        code_challenge: verifier.challenge,
        code_challenge_method: 'S256',
        state,
      });
      const { location } = await browser.follow(url.href);
      return oidc.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier.verifier, expectedState: state });
    }
    async function samlSignIn(browser: Browser) {
      const { res } = await browser.follow(await saml.getAuthorizeUrlAsync('', undefined, {}));
      assert.equal(res.status, 200);
      return saml.validatePostResponseAsync(parsePostForm(await res.text()).fields);
    }

    it('refuses an unassigned employee in each protocol as the peer understands it, and lets them in once in the group', async () => {
      const { employee, key } = await employeeWithKey(t);
      const browser = new Browser(t.url);
      await signIn(t, browser, key);

      await assert.rejects(openIdSignIn(browser), (err: Error & { error?: string }) => {
        assert.ok(err instanceof oidc.AuthorizationResponseError, String(err));
        assert.equal(err.error, 'access_denied');
        return true;
      });
      await assert.rejects(samlSignIn(browser), (err: Error & { xmlStatus?: string }) => {
        assert.match(err.message, /SAML provider returned Responder error/);
        assert.match(String(err.xmlStatus), /urn:oasis:names:tc:SAML:2\.0:status:RequestDenied/);
        return true;
      });

      await replaceDirectoryMemberships(t.services.db, domainId, employee.id, [groupId]);
      const tokens = await openIdSignIn(browser);
      assert.equal(tokens.claims()?.email, employee.email);
      const { profile } = await samlSignIn(browser);
      assert.equal(profile?.nameID, employee.email);
    });
  });
}
