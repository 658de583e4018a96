// A confidential client authenticates with the method it was registered with (OIDC Core §9,
// RFC 6749 §2.3.1): the secret of a client_secret_basic client is refused in the form body, and
// that of a client_secret_post client in the Authorization header, with invalid_client (401), at
// the token and the introspection endpoints. The right carrier works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerClient, startOidcApp, type OidcTestApp } from '../../../test/helpers/oidc.js';

describe('OIDC client authentication: the registered method only', { timeout: 60_000 }, () => {
  let t: OidcTestApp;
  let basic: { id: string; secret: string };
  let post: { id: string; secret: string };

  before(async () => {
    t = await startOidcApp();
    const register = async (method: 'client_secret_basic' | 'client_secret_post') => {
      const created = await registerClient(t, {
        name: method,
        grantTypes: ['client_credentials'],
        redirectUris: [],
        scopes: ['openid'],
        tokenEndpointAuthMethod: method,
      });
      return { id: created.client.clientId, secret: created.clientSecret! };
    };
    [basic, post] = await Promise.all([register('client_secret_basic'), register('client_secret_post')]);
  });
  after(async () => {
    await t?.close();
  });

  /** RFC 6749 §2.3.1: client id and secret form-urlencoded, then base64. */
  const basicHeader = (c: { id: string; secret: string }) =>
    `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`;

  async function call(url: string, form: Record<string, string>, carrier: 'header' | 'body', c: { id: string; secret: string }) {
    const body = new URLSearchParams(form);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (carrier === 'header') headers.authorization = basicHeader(c);
    else {
      body.set('client_id', c.id);
      body.set('client_secret', c.secret);
    }
    const res = await t.app.inject({ method: 'POST', url, headers, payload: body.toString() });
    return { status: res.statusCode, body: res.json() as { access_token?: string; error?: string; active?: boolean } };
  }
  const token = (carrier: 'header' | 'body', c: { id: string; secret: string }) => call('/oidc/token', { grant_type: 'client_credentials' }, carrier, c);

  it('refuses the secret of a client_secret_basic client in the form body', async () => {
    const res = await token('body', basic);
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    assert.equal(res.body.access_token, undefined);
  });

  it('refuses the secret of a client_secret_post client in the Authorization header', async () => {
    const res = await token('header', post);
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });

  it('issues tokens to each client on its own method', async () => {
    const viaHeader = await token('header', basic);
    assert.equal(viaHeader.status, 200, JSON.stringify(viaHeader.body));
    assert.ok(viaHeader.body.access_token);
    const viaBody = await token('body', post);
    assert.equal(viaBody.status, 200, JSON.stringify(viaBody.body));
    assert.ok(viaBody.body.access_token);
  });

  it('applies the same rule at the introspection endpoint', async () => {
    const issued = (await token('header', basic)).body.access_token!;
    const wrong = await call('/oidc/token/introspection', { token: issued }, 'body', basic);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    const right = await call('/oidc/token/introspection', { token: issued }, 'header', basic);
    assert.equal(right.status, 200);
    assert.equal(right.body.active, true);
  });
});
