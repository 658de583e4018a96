// SAML service providers and WS-Fed relying parties from the declarative config file: SP metadata
// by file path or fields inline, applied idempotently, with errors that name the place.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyDeclarativeConfig, DeclarativeConfigError } from '../../app/declarative-config.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { nodeSamlSp, spKeyPair } from '../../../test/helpers/saml.js';

describe('declarative config: saml.serviceProviders and wsfed.relyingParties', () => {
  let t: TestApp;
  let dir: string;
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  before(async () => {
    t = await createTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-saml-config-'));
    const key = await spKeyPair();
    const sp = nodeSamlSp({
      idpCert: 'unused',
      entryPoint: 'https://idp.example/sso',
      issuer: 'https://wiki.corp.example/saml',
      callbackUrl: 'https://wiki.corp.example/saml/acs',
      logoutCallbackUrl: 'https://wiki.corp.example/saml/slo',
      privateKey: key.privateKey,
      publicCert: key.certificate,
    });
    write('wiki-sp.xml', sp.generateServiceProviderMetadata(null, key.certificate));
    write('owa.pem', key.certificate);
  });
  after(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates SPs from a metadata file and inline fields, and RPs, once; a second run changes nothing', async () => {
    const file = write(
      'tessera.yaml',
      [
        'saml:',
        '  serviceProviders:',
        '    - name: Wiki',
        '      metadataFile: wiki-sp.xml',
        '      idpInitiated: true',
        '    - name: GitHub Enterprise',
        '      preset: github-enterprise',
        '      entityId: https://github.com/enterprises/corp',
        '      acsEndpoints: [{ url: "https://github.com/enterprises/corp/saml/consume" }]',
        'wsfed:',
        '  relyingParties:',
        '    - name: Outlook on the web',
        '      preset: exchange',
        '      entityId: https://mail.corp.example/owa/',
        '      acsEndpoints: [{ url: "https://mail.corp.example/owa/" }]',
        '      startUrl: https://mail.corp.example/owa/',
        '      certificateFiles: [owa.pem]',
      ].join('\n'),
    );
    const changes = await applyDeclarativeConfig(t.services, file, {});
    assert.deepEqual(changes.sort(), [
      'SAML service provider https://github.com/enterprises/corp created',
      'SAML service provider https://wiki.corp.example/saml created',
      'WS-Fed relying party https://mail.corp.example/owa/ created',
    ]);
    const sps = await t.services.serviceProviders.list('saml');
    const wiki = sps.find((s) => s.entityId === 'https://wiki.corp.example/saml')!;
    assert.equal(wiki.acsEndpoints[0].url, 'https://wiki.corp.example/saml/acs');
    assert.equal(wiki.sloUrl, 'https://wiki.corp.example/saml/slo');
    assert.equal(wiki.certificates.length, 1);
    assert.equal(wiki.source, 'config');
    const gh = sps.find((s) => s.preset === 'github-enterprise')!;
    assert.equal(gh.nameIdFormat, 'persistent');
    const [owa] = await t.services.serviceProviders.list('wsfed');
    assert.equal(owa.tokenType, 'saml11');
    assert.equal(owa.certificates.length, 1);
    assert.deepEqual(await applyDeclarativeConfig(t.services, file, {}), [], 'idempotent');
  });

  it('names the entry and field of a mistake, and writes nothing', async () => {
    const before = (await t.services.serviceProviders.list('saml')).length;
    const missing = write('missing.yaml', 'saml:\n  serviceProviders:\n    - name: X\n      metadataFile: nope.xml\n');
    await assert.rejects(
      applyDeclarativeConfig(t.services, missing, {}),
      (err: Error) => err instanceof DeclarativeConfigError && /saml\.serviceProviders\[0\]\.metadataFile: cannot read/.test(err.message),
    );
    const bad = write('bad.yaml', 'saml:\n  serviceProviders:\n    - name: Y\n      entityId: https://y.example\n');
    await assert.rejects(
      applyDeclarativeConfig(t.services, bad, {}),
      (err: Error) => err instanceof DeclarativeConfigError && /saml\.serviceProviders\[0\]\.acsEndpoints/.test(err.message),
    );
    write('xxe.xml', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>');
    const xxe = write('xxe.yaml', 'saml:\n  serviceProviders:\n    - name: Z\n      metadataFile: xxe.xml\n');
    await assert.rejects(applyDeclarativeConfig(t.services, xxe, {}), /document type declaration/);
    assert.equal((await t.services.serviceProviders.list('saml')).length, before);
  });
});
