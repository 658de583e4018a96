// The values an administrator gives an application, as the console shows them: the SAML signing
// certificate as a file (PEM and DER, for SPs such as GitHub and Google Workspace that ask for one
// rather than metadata), and the OIDC endpoints, which must be the ones discovery publishes.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, signedInAdmin } from './helpers/app.js';
import { startOidcApp, type OidcTestApp } from './helpers/oidc.js';

const metadataCertificates = (xml: string) => [...xml.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map((m) => Buffer.from(m[1], 'base64'));

describe('integration details', () => {
  let t: OidcTestApp;
  before(async () => {
    t = await startOidcApp();
  });
  after(async () => {
    await t?.close();
  });

  it('serves the signing certificate as PEM to anyone, the same certificate the metadata publishes', async () => {
    const res = await fetch(`${t.url}/saml/certificate.pem`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-pem-file/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename=".+\.pem"/);
    const pem = await res.text();
    assert.match(pem, /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/);
    const cert = new crypto.X509Certificate(pem);
    const metadata = await (await fetch(`${t.url}/saml/metadata`)).text();
    const published = metadataCertificates(metadata);
    assert.ok(published.length >= 1, 'metadata publishes a certificate');
    assert.ok(
      published.some((der) => der.equals(cert.raw)),
      'the PEM is a certificate the metadata publishes',
    );
  });

  it('serves the same certificate as DER, application/pkix-cert', async () => {
    const res = await fetch(`${t.url}/saml/certificate.cer`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pkix-cert');
    const der = Buffer.from(await res.arrayBuffer());
    const fromDer = new crypto.X509Certificate(der);
    const fromPem = new crypto.X509Certificate(await (await fetch(`${t.url}/saml/certificate.pem`)).text());
    assert.ok(der.equals(fromPem.raw), 'DER and PEM carry the same certificate');
    assert.equal(fromDer.fingerprint256, fromPem.fingerprint256);
  });

  it('after a rollover, the download is still the certificate that signs now', async () => {
    const before_ = await (await fetch(`${t.url}/saml/certificate.pem`)).text();
    await t.services.samlKeys.rollover({ leadDays: 14, overlapDays: 7 });
    t.services.samlKeys.refresh();
    const after_ = await (await fetch(`${t.url}/saml/certificate.pem`)).text();
    assert.equal(after_, before_, 'the next key is published in metadata but does not sign yet');
  });

  it('lists the certificate downloads in the IdP details the console shows, to an admin only', async () => {
    const anonymous = await new Client(t.app).get('/api/saml/idp');
    assert.equal(anonymous.status, 401);
    const res = await (await signedInAdmin(t)).get('/api/saml/idp');
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.certificatePemUrl, `${t.url}/saml/certificate.pem`);
    assert.equal(res.body.certificateDerUrl, `${t.url}/saml/certificate.cer`);
  });

  it('gives the console the OIDC endpoints that discovery publishes', async () => {
    const res = await (await signedInAdmin(t)).get('/api/oidc/info');
    assert.equal(res.status, 200, res.raw);
    const discovery = (await (await fetch(res.body.discoveryUrl)).json()) as Record<string, string>;
    assert.equal(res.body.issuer, discovery.issuer);
    assert.deepEqual(res.body.endpoints, {
      authorization: discovery.authorization_endpoint,
      token: discovery.token_endpoint,
      userinfo: discovery.userinfo_endpoint,
      jwks: discovery.jwks_uri,
      endSession: discovery.end_session_endpoint,
    });
  });
});
