// A second opinion on what Tessera signs and encrypts: xmlsec1 (Debian) verifies the signatures
// of the Response, the Assertion, the IdP metadata, a WS-Fed SAML 1.1 token and federation
// metadata, and decrypts an encrypted assertion with the SP's key; node-saml decrypts it too.
// Also: a signing-key rollover publishes both certificates, and the next key signs when due.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../../lib/context.js';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../../test/helpers/app.js';
import { idpCertFromMetadata, nodeSamlSp, parsePostForm, randomEntity, spKeyPair } from '../../../test/helpers/saml.js';
import { createEmployee, passkeySignIn, registerKey } from '../../../test/helpers/signin.js';
import { softKeys } from '../../../test/helpers/soft-authenticator.js';

const ORIGIN = 'http://localhost:8080';
const hasXmlsec = fs.existsSync('/usr/bin/xmlsec1');

describe('signatures checked by xmlsec1', { skip: hasXmlsec ? undefined : 'xmlsec1 is not installed (scripts/test-setup.sh)' }, () => {
  let t: TestApp;
  let dir: string;
  let certFile: string;
  let client: Client;
  const clock = manualClock(new Date());
  const key = softKeys.yubikey();

  /** xmlsec1 --verify with the IdP certificate; throws with xmlsec1's output when it fails. */
  const verify = (name: string, xml: string, idAttr: string, cert = certFile) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, xml);
    // xmlsec1 reports on stderr; exit status 0 means the signature verified with this certificate.
    const run = spawnSync('xmlsec1', ['--verify', `--id-attr:${idAttr.split('|')[0]}`, idAttr.split('|')[1], '--pubkey-cert-pem', cert, file], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`xmlsec1 refused ${name}: ${run.stderr}`);
    return run.stderr;
  };

  const signIn = async (saml: ReturnType<typeof nodeSamlSp>) => {
    const res = await client.get(
      new URL(await saml.getAuthorizeUrlAsync('', undefined, {})).pathname + new URL(await saml.getAuthorizeUrlAsync('', undefined, {})).search,
    );
    return parsePostForm(res.raw);
  };

  before(async () => {
    t = await createTestApp({ clock });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-xmlsec-'));
    const md = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    certFile = path.join(dir, 'idp.pem');
    fs.writeFileSync(certFile, `-----BEGIN CERTIFICATE-----\n${idpCertFromMetadata(md.body)[0]}\n-----END CERTIFICATE-----\n`);
    const employee = await createEmployee(t, { email: 'ada@corp.example' });
    await registerKey(t, employee, key, 'security_key');
    client = new Client(t.app);
    assert.equal((await passkeySignIn(client, key)).status, 200);
  });
  after(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the signed Response and, separately, the signed Assertion', async () => {
    const entityId = randomEntity('xmlsec');
    await t.services.serviceProviders.create(cliContext(), 'saml', { name: 'x', entityId, acsEndpoints: [{ url: 'https://x.example/acs' }] });
    const md = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    const form = await signIn(
      nodeSamlSp({ idpCert: idpCertFromMetadata(md.body), entryPoint: `${ORIGIN}/saml/sso`, issuer: entityId, callbackUrl: 'https://x.example/acs' }),
    );
    const xml = Buffer.from(form.fields.SAMLResponse, 'base64').toString();
    assert.match(verify('response.xml', xml, 'ID|urn:oasis:names:tc:SAML:2.0:protocol:Response'), /OK/);
    const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
    assert.match(verify('assertion.xml', assertion, 'ID|urn:oasis:names:tc:SAML:2.0:assertion:Assertion'), /OK/);
    assert.match(xml, /SignatureMethod Algorithm="http:\/\/www.w3.org\/2001\/04\/xmldsig-more#rsa-sha256"/);
    assert.match(xml, /DigestMethod Algorithm="http:\/\/www.w3.org\/2001\/04\/xmlenc#sha256"/);
    // A changed byte breaks it, so the check is real.
    assert.throws(() =>
      verify('tampered.xml', assertion.replace('ada@corp.example', 'eve@corp.example'), 'ID|urn:oasis:names:tc:SAML:2.0:assertion:Assertion'),
    );
  });

  it('verifies the IdP metadata and the WS-Fed federation metadata and SAML 1.1 token', async () => {
    const md = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    assert.match(verify('metadata.xml', md.body, 'ID|urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor'), /OK/);
    const fed = await t.app.inject({ method: 'GET', url: '/FederationMetadata/2007-06/FederationMetadata.xml' });
    assert.match(verify('fed.xml', fed.body, 'ID|urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor'), /OK/);
    await t.services.serviceProviders.create(cliContext(), 'wsfed', {
      name: 'OWA',
      entityId: 'urn:owa',
      acsEndpoints: [{ url: 'https://mail.example/owa/' }],
      tokenType: 'saml11',
    });
    const res = await client.get('/wsfed?wa=wsignin1.0&wtrealm=urn:owa');
    const token = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(parsePostForm(res.raw).fields.wresult)![0];
    assert.match(verify('saml11.xml', token, 'AssertionID|urn:oasis:names:tc:SAML:1.0:assertion:Assertion'), /OK/);
  });

  it('encrypts the assertion to the SP certificate: xmlsec1 and node-saml decrypt it', async () => {
    const spKey = await spKeyPair();
    const entityId = randomEntity('enc');
    await t.services.serviceProviders.create(cliContext(), 'saml', {
      name: 'enc',
      entityId,
      acsEndpoints: [{ url: 'https://enc.example/acs' }],
      certificates: [spKey.certificate],
      encryptAssertion: true,
    });
    const md = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    const sp = nodeSamlSp({
      idpCert: idpCertFromMetadata(md.body),
      entryPoint: `${ORIGIN}/saml/sso`,
      issuer: entityId,
      callbackUrl: 'https://enc.example/acs',
      decryptionPvk: spKey.privateKey,
    });
    const form = await signIn(sp);
    const xml = Buffer.from(form.fields.SAMLResponse, 'base64').toString();
    assert.doesNotMatch(xml, /ada@corp\.example/, 'nothing about the employee in clear');
    assert.match(xml, /xmlenc11#aes256-gcm/);
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, 'ada@corp.example');
    const keyFile = path.join(dir, 'sp.key');
    fs.writeFileSync(keyFile, spKey.privateKey);
    const encrypted = /<xenc:EncryptedData[\s\S]*<\/xenc:EncryptedData>/.exec(xml)![0];
    fs.writeFileSync(path.join(dir, 'enc.xml'), encrypted);
    const clear = execFileSync('xmlsec1', ['--decrypt', '--privkey-pem', keyFile, path.join(dir, 'enc.xml')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    assert.match(clear, /ada@corp\.example/);
    assert.match(verify('decrypted.xml', clear.replace(/^<\?xml[^>]*>\s*/, ''), 'ID|urn:oasis:names:tc:SAML:2.0:assertion:Assertion'), /OK/);
  });

  it('rollover: the next certificate is published ahead of use, both during the overlap, and signs when due', async () => {
    const admin = await signedInAdmin(t);
    const rolled = await admin.post('/api/saml/keys/rollover', { leadDays: 7, overlapDays: 3 });
    assert.equal(rolled.status, 200, rolled.raw);
    const again = await admin.post('/api/saml/keys/rollover', { leadDays: 7, overlapDays: 3 });
    assert.equal(again.status, 409, 'one rollover at a time');
    assert.equal(again.body.error.code, 'saml.rollover_pending');
    const before = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    const certs = idpCertFromMetadata(before.body);
    assert.equal(certs.length, 2, 'current and next certificate published');
    assert.match(verify('md-before.xml', before.body, 'ID|urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor'), /OK/, 'still signed by the current key');
    clock.advance(8 * 86_400_000);
    t.services.samlKeys.refresh();
    const during = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    assert.equal(idpCertFromMetadata(during.body).length, 2, 'both during the overlap');
    const nextFile = path.join(dir, 'next.pem');
    const next = certs.find((c) => !fs.readFileSync(certFile, 'utf8').includes(c))!;
    fs.writeFileSync(nextFile, `-----BEGIN CERTIFICATE-----\n${next}\n-----END CERTIFICATE-----\n`);
    assert.match(
      verify('md-during.xml', during.body, 'ID|urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor', nextFile),
      /OK/,
      'now signed by the next key',
    );
    clock.advance(4 * 86_400_000);
    t.services.samlKeys.refresh();
    const afterOverlap = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    assert.deepEqual(idpCertFromMetadata(afterOverlap.body), [next], 'the old certificate is gone after the overlap');
    const events = await t.services.audit.find({ action: 'saml.keys_rolled_over' }, { offset: 0, limit: 5 });
    assert.equal(events.items.length, 1);
  });
});
