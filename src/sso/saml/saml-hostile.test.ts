// A corpus of hostile SAML requests, each refused without a 500 and without an assertion:
// signature wrapping (XSW) variants over both bindings, XXE and billion laughs, a comment inside
// NameID, unknown ACS URLs, replayed request IDs, malformed base64 and DEFLATE, deflate bombs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../../lib/context.js';
import { signElement } from '../saml-core/signature.js';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { idpCertFromMetadata, nodeSamlSp, parsePostForm, randomEntity, spKeyPair } from '../../../test/helpers/saml.js';
import { createEmployee, passkeySignIn, registerKey } from '../../../test/helpers/signin.js';
import { softKeys } from '../../../test/helpers/soft-authenticator.js';

const ORIGIN = 'http://localhost:8080';
const ACS = 'https://hostile.sp.example/acs';
const ACS2 = 'https://hostile.sp.example/acs2';
const instant = () => new Date().toISOString();
const newId = () => `_${crypto.randomBytes(10).toString('hex')}`;
const deflate = (xml: string) => zlib.deflateRawSync(Buffer.from(xml)).toString('base64');
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('hostile SAML requests are refused without a 500', () => {
  let t: TestApp;
  let client: Client;
  let plainSp: string;
  let signedSp: ReturnType<typeof nodeSamlSp>;
  let signedEntity: string;
  const key = softKeys.yubikey();

  const authnRequest = (issuer: string, o: { id?: string; acs?: string; inner?: string } = {}) =>
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.id ?? newId()}" Version="2.0" IssueInstant="${instant()}" AssertionConsumerServiceURL="${o.acs ?? ACS}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>${issuer}</saml:Issuer>${o.inner ?? ''}</samlp:AuthnRequest>`;

  /** Sends a request and checks the answer is no 5xx and carries no assertion; returns it. */
  const send = async (method: 'GET' | 'POST', url: string, body?: string) => {
    const res = body === undefined ? await client.get(url) : await client.request(method, url, body, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.ok(res.status < 500, `${url}: ${res.status} ${res.raw.slice(0, 300)}`);
    let res2 = res;
    if (res.status === 303 && String(res.headers.location).startsWith('/saml/continue/')) res2 = await client.get(res.headers.location as string);
    if (res2.raw.includes('SAMLResponse')) {
      const xml = Buffer.from(parsePostForm(res2.raw).fields.SAMLResponse, 'base64').toString();
      assert.doesNotMatch(xml, /status:Success/, 'no successful answer');
      assert.doesNotMatch(xml, /<saml:Assertion/, 'no assertion');
      assert.equal(parsePostForm(res2.raw).action.startsWith('https://hostile.sp.example/'), true, 'answers only to a registered ACS');
    }
    return res2;
  };
  const refusedPage = async (method: 'GET' | 'POST', url: string, body: string | undefined, code: RegExp) => {
    const res = await send(method, url, body);
    assert.equal(res.status, 400, res.raw.slice(0, 300));
    assert.match(res.raw, code);
    assert.doesNotMatch(res.raw, /SAMLResponse/);
  };
  const refusedStatus = async (method: 'GET' | 'POST', url: string, body?: string) => {
    const res = await send(method, url, body);
    assert.equal(res.status, 200, res.raw.slice(0, 300));
    assert.match(Buffer.from(parsePostForm(res.raw).fields.SAMLResponse, 'base64').toString(), /status:Requester/);
  };
  /** A validly signed POST AuthnRequest from the strict SP, decoded. */
  const signedPostXml = async () => {
    const m = (await signedSp.getAuthorizeMessageAsync('')) as { SAMLRequest: string };
    return zlib
      .inflateRawSync(Buffer.from(m.SAMLRequest, 'base64'))
      .toString()
      .replace(/^<\?xml[^>]*>/, '');
  };
  const post = (xml: string) => form({ SAMLRequest: Buffer.from(xml).toString('base64') });

  before(async () => {
    t = await createTestApp({ env: { TESSERA_API_RATE_LIMIT: '400' } });
    const employee = await createEmployee(t, { email: 'ada@corp.example' });
    await registerKey(t, employee, key, 'security_key');
    client = new Client(t.app);
    assert.equal((await passkeySignIn(client, key)).status, 200);
    plainSp = randomEntity('plain');
    await t.services.serviceProviders.create(cliContext(), 'saml', { name: 'Plain', entityId: plainSp, acsEndpoints: [{ url: ACS }, { url: ACS2, index: 1 }] });
    const spKey = await spKeyPair();
    signedEntity = randomEntity('signed');
    await t.services.serviceProviders.create(cliContext(), 'saml', {
      name: 'Signed',
      entityId: signedEntity,
      acsEndpoints: [{ url: ACS }, { url: ACS2, index: 1 }],
      certificates: [spKey.certificate],
      requireSignedRequests: true,
    });
    const md = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    signedSp = nodeSamlSp({
      idpCert: idpCertFromMetadata(md.body),
      entryPoint: `${ORIGIN}/saml/sso`,
      issuer: signedEntity,
      callbackUrl: ACS,
      authnRequestBinding: 'HTTP-POST',
      privateKey: spKey.privateKey,
    });
  });
  after(async () => {
    await t?.close();
  });

  it('refuses XXE (external entity) and billion-laughs payloads over both bindings', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${authnRequest(plainSp).replace('</saml:Issuer>', '&xxe;</saml:Issuer>')}`;
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>${authnRequest(plainSp).replace('</saml:Issuer>', '&lol4;</saml:Issuer>')}`;
    for (const xml of [xxe, laughs]) {
      await refusedPage('GET', `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(xml))}`, undefined, /saml\.request_malformed/);
      await refusedPage('POST', '/saml/sso', post(xml), /document type declaration/);
    }
  });

  it('refuses malformed base64, malformed DEFLATE, a deflate bomb and non-SAML XML', async () => {
    await refusedPage('GET', '/saml/sso?SAMLRequest=%%%not-base64', undefined, /saml\.request_malformed|validation/);
    await refusedPage(
      'GET',
      `/saml/sso?SAMLRequest=${encodeURIComponent(Buffer.from('definitely not deflate data').toString('base64'))}`,
      undefined,
      /DEFLATE/,
    );
    const bomb = zlib.deflateRawSync(Buffer.alloc(20 * 1024 * 1024, 0x20)).toString('base64');
    await refusedPage('GET', `/saml/sso?SAMLRequest=${encodeURIComponent(bomb)}`, undefined, /too large/);
    await refusedPage('POST', '/saml/sso', form({ SAMLRequest: '@@@@' }), /base64/);
    await refusedPage('POST', '/saml/sso', post('<html><body>hi</body></html>'), /saml\.request_malformed/);
    await refusedPage('POST', '/saml/sso', post('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'), /malformed XML/);
    const badIndex = authnRequest(plainSp).replace(/AssertionConsumerServiceURL="[^"]*"/, 'AssertionConsumerServiceIndex="1e3"');
    await refusedPage('GET', `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(badIndex))}`, undefined, /AssertionConsumerServiceIndex is not a number/);
  });

  it('never answers to an ACS URL the SP did not register (no open redirect)', async () => {
    await refusedPage(
      'GET',
      `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(authnRequest(plainSp, { acs: 'https://evil.example/acs' })))}`,
      undefined,
      /saml\.acs_unknown/,
    );
    await refusedPage(
      'GET',
      `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(authnRequest(plainSp, { acs: `${ACS}/../../evil` })))}`,
      undefined,
      /saml\.acs_unknown/,
    );
    await refusedPage('GET', `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(authnRequest('https://unknown.example/sp')))}`, undefined, /saml\.sp_unknown/);
  });

  it('answers a request ID once; a replay gets RequestDenied', async () => {
    const xml = authnRequest(plainSp);
    const first = await client.get(`/saml/sso?SAMLRequest=${encodeURIComponent(deflate(xml))}`);
    assert.match(Buffer.from(parsePostForm(first.raw).fields.SAMLResponse, 'base64').toString(), /status:Success/);
    await refusedStatus('GET', `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(xml))}`);
    await refusedStatus('POST', '/saml/sso', post(xml));
  });

  it('reads the whole NameID and Issuer: a comment inside does not truncate them', async () => {
    await refusedPage('GET', `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(authnRequest(`${plainSp}<!-- x -->.evil`)))}`, undefined, /saml\.sp_unknown/);
    // Sign in to the plain SP, then a LogoutRequest naming ada@corp.example<!---->.evil ends nothing.
    const xml = authnRequest(plainSp);
    const signedIn = await client.get(`/saml/sso?SAMLRequest=${encodeURIComponent(deflate(xml))}`);
    const response = Buffer.from(parsePostForm(signedIn.raw).fields.SAMLResponse, 'base64').toString();
    const sessionIndex = /SessionIndex="([^"]+)"/.exec(response)![1];
    const logout = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${instant()}"><saml:Issuer>${plainSp}</saml:Issuer><saml:NameID>ada@corp.example<!---->.evil</saml:NameID><samlp:SessionIndex>${sessionIndex}</samlp:SessionIndex></samlp:LogoutRequest>`;
    const stranger = new Client(t.app);
    const res = await stranger.get(`/saml/slo?SAMLRequest=${encodeURIComponent(deflate(logout))}`);
    assert.ok(res.status < 500);
    assert.equal((await client.get('/api/signin/session')).status, 200, 'the employee is still signed in');
    // Unsigned and without a SessionIndex, the right NameID alone signs nobody out.
    const byName = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${instant()}"><saml:Issuer>${plainSp}</saml:Issuer><saml:NameID>ada@corp.example</saml:NameID></samlp:LogoutRequest>`;
    assert.ok((await stranger.get(`/saml/slo?SAMLRequest=${encodeURIComponent(deflate(byName))}`)).status < 500);
    assert.equal((await client.get('/api/signin/session')).status, 200, 'still signed in');
  });

  it('signature wrapping over HTTP-POST: only the signed root element is accepted', async () => {
    const valid = await signedPostXml();
    const id = /ID="([^"]+)"/.exec(valid)![1];
    const signature = /<(ds:)?Signature[\s\S]*<\/(ds:)?Signature>/.exec(valid)![0];
    const unsigned = valid.replace(signature, '');
    // XSW1: a new root (new ID, other ACS) carrying the original signature and the signed original.
    await refusedStatus(
      'POST',
      '/saml/sso',
      post(
        unsigned
          .replace(`ID="${id}"`, `ID="${newId()}"`)
          .replace(`AssertionConsumerServiceURL="${ACS}"`, `AssertionConsumerServiceURL="${ACS2}"`)
          .replace('</samlp:AuthnRequest>', `${signature}<samlp:Extensions>${valid}</samlp:Extensions></samlp:AuthnRequest>`),
      ),
    );
    // XSW2: same ID on a changed root, the signed original hidden inside: the ID is no longer unique.
    await refusedStatus(
      'POST',
      '/saml/sso',
      post(
        valid
          .replace(`AssertionConsumerServiceURL="${ACS}"`, `AssertionConsumerServiceURL="${ACS2}"`)
          .replace('</samlp:AuthnRequest>', `<samlp:Extensions>${valid}</samlp:Extensions></samlp:AuthnRequest>`),
      ),
    );
    // XSW3: the signature removed from the root, the signed original as a child.
    await refusedStatus(
      'POST',
      '/saml/sso',
      post(
        unsigned
          .replace(`ID="${id}"`, `ID="${newId()}"`)
          .replace('</samlp:AuthnRequest>', `<samlp:Extensions>${valid}</samlp:Extensions></samlp:AuthnRequest>`),
      ),
    );
    // Changed content under the original signature (other registered ACS; ForceAuthn dropped).
    await refusedStatus('POST', '/saml/sso', post(valid.replace(`AssertionConsumerServiceURL="${ACS}"`, `AssertionConsumerServiceURL="${ACS2}"`)));
    // Two signatures on the root.
    await refusedStatus('POST', '/saml/sso', post(valid.replace('</samlp:AuthnRequest>', `${signature}</samlp:AuthnRequest>`)));
    // Unsigned.
    await refusedStatus('POST', '/saml/sso', post(unsigned));
    // The untouched request still works (the corpus is not refusing everything).
    const ok = await send('POST', '/saml/sso', post(await signedPostXml())).catch((e) => e);
    assert.ok(ok instanceof assert.AssertionError, 'the valid request is answered with an assertion');
  });

  it('signature over HTTP-Redirect: tampered message, RSA-SHA1 and a missing signature are refused', async () => {
    const spKey = await spKeyPair();
    const redirectSp = nodeSamlSp({ ...signedSp.options, authnRequestBinding: undefined, privateKey: spKey.privateKey } as never);
    const url = new URL(await redirectSp.getAuthorizeUrlAsync('', undefined, {}));
    const tampered = new URL(url);
    tampered.searchParams.set('SAMLRequest', deflate(authnRequest(signedEntity, { acs: ACS2 })));
    await refusedStatus('GET', tampered.pathname + tampered.search);
    const sha1Sp = nodeSamlSp({ ...signedSp.options, authnRequestBinding: undefined, privateKey: spKey.privateKey, signatureAlgorithm: 'sha1' } as never);
    const sha1 = new URL(await sha1Sp.getAuthorizeUrlAsync('', undefined, {}));
    await refusedStatus('GET', sha1.pathname + sha1.search);
    await refusedStatus('GET', `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(authnRequest(signedEntity)))}`);
    // A RelayState the signature does not cover, its name percent-encoded (the query parser decodes it).
    await refusedStatus('GET', `${url.pathname}${url.search}&Relay%53tate=${encodeURIComponent('https://evil.example/')}`);
    const good = await client.get(url.pathname + url.search);
    assert.match(Buffer.from(parsePostForm(good.raw).fields.SAMLResponse, 'base64').toString(), /status:Success/);
  });

  it('refuses a SHA-1 reference digest under an RSA-SHA256 signature over HTTP-POST', async () => {
    const spKey = await spKeyPair();
    const sha1Digest = nodeSamlSp({ ...signedSp.options, privateKey: spKey.privateKey, digestAlgorithm: 'sha1' } as never);
    const m = (await sha1Digest.getAuthorizeMessageAsync('')) as { SAMLRequest: string };
    const xml = zlib.inflateRawSync(Buffer.from(m.SAMLRequest, 'base64')).toString();
    assert.match(xml, /xmldsig#sha1/, 'the request carries a SHA-1 digest');
    await refusedStatus('POST', '/saml/sso', post(xml));
  });

  it('a LogoutRequest past its time or for another endpoint ends nothing, so a captured one cannot be replayed later', async () => {
    const signedIn = await client.get(`/saml/sso?SAMLRequest=${encodeURIComponent(deflate(authnRequest(plainSp)))}`);
    const response = Buffer.from(parsePostForm(signedIn.raw).fields.SAMLResponse, 'base64').toString();
    const sessionIndex = /SessionIndex="([^"]+)"/.exec(response)![1];
    const nameId = /<saml:NameID[^>]*>([^<]+)</.exec(response)![1];
    const logout = (attrs: string) =>
      `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" ${attrs}><saml:Issuer>${plainSp}</saml:Issuer><saml:NameID>${nameId}</saml:NameID><samlp:SessionIndex>${sessionIndex}</samlp:SessionIndex></samlp:LogoutRequest>`;
    const stranger = new Client(t.app);
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    for (const [attrs, code] of [
      [`IssueInstant="${hourAgo}"`, /saml\.request_expired/],
      [`IssueInstant="${new Date(Date.now() + 3600_000).toISOString()}"`, /saml\.request_expired/],
      [`IssueInstant="${instant()}" NotOnOrAfter="${hourAgo}"`, /saml\.request_expired/],
      [`IssueInstant="${instant()}" Destination="https://other-idp.example/slo"`, /saml\.destination_mismatch/],
    ] as const) {
      const res = await stranger.get(`/saml/slo?SAMLRequest=${encodeURIComponent(deflate(logout(attrs)))}`);
      assert.equal(res.status, 400, res.raw.slice(0, 300));
      assert.match(res.raw, code);
      assert.equal((await client.get('/api/signin/session')).status, 200, 'the employee is still signed in');
    }
  });

  it('refuses a request addressed to another IdP endpoint (Destination) with a status to the SP', async () => {
    const xml = authnRequest(plainSp).replace('Version="2.0"', 'Version="2.0" Destination="https://other-idp.example/sso"');
    await refusedStatus('GET', `/saml/sso?SAMLRequest=${encodeURIComponent(deflate(xml))}`);
  });

  it('a LogoutRequest from an SP with a certificate must be signed over the message itself: unsigned or wrapped, it ends nothing', async () => {
    const spKey = await spKeyPair();
    const logout = (id: string) =>
      `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${instant()}"><saml:Issuer>${signedEntity}</saml:Issuer><saml:NameID>ada@corp.example</saml:NameID></samlp:LogoutRequest>`;
    const stranger = new Client(t.app);
    // Unsigned.
    const unsigned = await stranger.get(`/saml/slo?SAMLRequest=${encodeURIComponent(deflate(logout(newId())))}`);
    assert.equal(unsigned.status, 400);
    assert.match(unsigned.raw, /saml\.signature_invalid/);
    // A validly signed request of another ID, wrapped inside an unsigned one.
    const innerId = newId();
    const signed = signElement(logout(innerId), { privateKey: spKey.privateKey, certificate: spKey.certificate }, { localName: 'LogoutRequest', id: innerId });
    const wrapped = logout(newId()).replace('</samlp:LogoutRequest>', `<samlp:Extensions>${signed}</samlp:Extensions></samlp:LogoutRequest>`);
    const res = await stranger.request('POST', '/saml/slo', post(wrapped), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 400, res.raw.slice(0, 300));
    assert.equal((await client.get('/api/signin/session')).status, 200, 'the employee is still signed in');
  });

  it('caps each IP at TESSERA_API_RATE_LIMIT protocol requests a minute (429), so a flood cannot fill the replay and pending tables', async () => {
    let limited = 0;
    for (let i = 0; i < 420 && !limited; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/saml/continue/bogus', remoteAddress: '203.0.113.9' });
      assert.ok(res.statusCode < 500);
      if (res.statusCode === 429) limited = i;
    }
    assert.equal(limited, 400, 'the 401st request of the minute is refused');
    const other = await t.app.inject({ method: 'GET', url: '/saml/continue/bogus', remoteAddress: '203.0.113.10' });
    assert.equal(other.statusCode, 400, 'another address is not affected');
  });
});
