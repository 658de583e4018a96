/**
 * An Entra ID tenant declared in the configuration file (`directory.domains` with `kind: entra`, the
 * client secret or the certificate bundle by reference) is applied at start, idempotently, and
 * works against the Graph emulator.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyDeclarativeConfig, type DeclarativeConfigError } from '../../app/declarative-config.js';
import { cliContext } from '../../lib/context.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { createClientCertificate, emulatorConnectorFactory, startEntraEmulator, type EntraEmulator } from '../../../test/entra-emulator/index.js';

describe('Entra tenant in the configuration file', () => {
  let emu: EntraEmulator;
  let t: TestApp;
  let dir: string;
  let file: string;
  let env: Record<string, string>;

  before(async () => {
    emu = await startEntraEmulator();
    const cert = await createClientCertificate();
    const app = emu.state.addApp({ roles: ['User.Read.All', 'Group.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'] });
    emu.state.addCertificate(app, cert.certPem);
    emu.state.addGroup('Tessera Users Sync', [emu.state.addUser({ userPrincipalName: 'alice@contoso.onmicrosoft.com' })]);
    t = await createTestApp({ connectorFactory: emulatorConnectorFactory(emu) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-entra-config-'));
    fs.writeFileSync(path.join(dir, 'entra.pem'), cert.certPem + cert.keyPem, { mode: 0o600 });
    file = path.join(dir, 'tessera.yaml');
    fs.writeFileSync(
      file,
      [
        'directory:',
        '  domains:',
        '    - kind: entra',
        '      name: contoso.onmicrosoft.com',
        '      secret: {file: entra.pem}',
        '      passwordChangeDays: 0',
        '      removalBehaviour: keep',
        '      settings:',
        `        tenantId: ${emu.tenantId}`,
        `        clientId: ${app.clientId}`,
        '        credentialType: certificate',
        `        loginBaseUrl: ${emu.loginUrl}`,
        `        graphBaseUrl: ${emu.graphUrl}`,
        '        passkeys: {enabled: true, allowedEmailDomains: [contoso.example]}',
        '',
      ].join('\n'),
    );
    env = {};
  });
  after(async () => {
    await t?.close();
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the tenant from the file, then finds it unchanged; the certificate key stays sealed', async () => {
    assert.deepEqual(await applyDeclarativeConfig(t.services, file, env), ['directory domain contoso.onmicrosoft.com created']);
    assert.deepEqual(await applyDeclarativeConfig(t.services, file, env), []);
    const [domain] = await t.services.domains.list();
    assert.equal(domain!.kind, 'entra');
    assert.deepEqual(domain!.secret, { set: true });
    assert.equal(domain!.source, 'config');
    assert.equal(JSON.stringify(domain).includes('PRIVATE KEY'), false);
    const test = await t.services.domains.testConnection(cliContext(), domain!.id);
    assert.equal(test.outcome, 'ok', test.message);
  });

  it('names the place of a bad Entra setting', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, fs.readFileSync(file, 'utf8').replace(/clientId: .*/, 'clientId: not-a-guid'));
    await assert.rejects(applyDeclarativeConfig(t.services, bad, env), (e: DeclarativeConfigError) =>
      /directory\.domains\[0\]\.settings\.clientId/.test(e.message),
    );
  });
});
