/**
 * `tessera entra enroll-key` end to end, with processes as an administrator runs them: a Tessera
 * server process that trusts the Graph emulator's CA (NODE_EXTRA_CA_CERTS), the CLI as the
 * enrolling authenticator, and a stand-in `fido2-cred` on PATH (no USB key here) that takes
 * libfido2's arguments, input and output format (test/entra-emulator/bin/fido2-cred).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../../lib/package-root.js';
import { HttpClient } from '../../../test/helpers/http.js';
import { runCli, startServerProcess, type ServerProcess } from '../../../test/helpers/server.js';
import { startEntraEmulator, type EntraEmulator } from '../../../test/entra-emulator/index.js';
import type { EmulatedUser } from '../../../test/entra-emulator/state.js';

const API_KEY = 'tessera-test-admin-key-0123456789abcdefghij';

describe('tessera entra enroll-key', () => {
  let emu: EntraEmulator;
  let server: ServerProcess;
  let api: HttpClient;
  let dir: string;
  let alice: EmulatedUser;
  let env: Record<string, string>;
  const fakeBin = path.join(packageRoot(), 'test/entra-emulator/bin');

  before(async () => {
    emu = await startEntraEmulator();
    const app = emu.state.addApp({ secrets: ['enroll-secret'], roles: ['User.Read.All', 'Group.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'] });
    alice = emu.state.addUser({ userPrincipalName: 'alice@contoso.onmicrosoft.com', mail: 'alice@contoso.example', givenName: 'Alice', surname: 'Archer' });
    emu.state.addGroup('Tessera Users Sync', [alice]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-enroll-'));
    const cfg = path.join(dir, 'tessera.yaml');
    fs.writeFileSync(cfg, 'apiKeys:\n  - name: enrolment\n    scope: admin\n    secret: {env: TEST_API_KEY}\n');
    server = await startServerProcess({ DATA_DIR: dir, TESSERA_CONFIG: cfg, TEST_API_KEY: API_KEY, NODE_EXTRA_CA_CERTS: emu.caFile });
    api = new HttpClient(server.url, { authorization: `Bearer ${API_KEY}` });
    const res = await api.post('/api/directory/domains', {
      kind: 'entra',
      name: 'contoso.onmicrosoft.com',
      secret: 'enroll-secret',
      passwordChangeDays: 0,
      settings: { tenantId: emu.tenantId, clientId: app.clientId, loginBaseUrl: emu.loginUrl, graphBaseUrl: emu.graphUrl, passkeys: { enabled: true } },
    });
    assert.equal(res.status, 201, res.text);
    const run = await api.post(`/api/directory/domains/${res.json.id}/sync`, { wait: true });
    assert.equal(run.json?.status, 'succeeded', run.text);
    env = { TESSERA_URL: server.url, TESSERA_API_KEY: API_KEY, PATH: `${fakeBin}:${process.env.PATH}`, FAKE_FIDO2_LOG: path.join(dir, 'fido2.log') };
  });
  after(async () => {
    await server?.stop();
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes the credential with fido2-cred and registers it in Entra', async () => {
    const r = await runCli(
      [
        'entra',
        'enroll-key',
        '--domain',
        'contoso.onmicrosoft.com',
        '--employee',
        'alice@contoso.example',
        '--device',
        '/dev/hidraw-test',
        '--name',
        'Alice YubiKey',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Registered "Alice YubiKey" in Entra ID \(model YubiKey 5 Series/);
    const args = JSON.parse(fs.readFileSync(env.FAKE_FIDO2_LOG!, 'utf8').trim().split('\n').pop()!) as string[];
    assert.equal(args[0], '-M');
    for (const flag of ['-r', '-v', '-h']) assert.ok(args.includes(flag), `${flag} (resident key, user verification, hmac-secret as Entra asks)`);
    assert.deepEqual(args.slice(-2), ['/dev/hidraw-test', 'es256']);
    assert.equal(emu.state.fido2.get(alice.id)?.[0]?.displayName, 'Alice YubiKey');
    const pairings = await api.get('/api/entra/contoso.onmicrosoft.com/pairings');
    assert.equal(pairings.json.items[0].state, 'paired_entra');
    assert.ok(emu.state.groupByName('Tessera Passkey Paired with Entra')!.members.has(alice.id));
  });

  it('registers nothing when fido2-cred fails, and says why', async () => {
    const before = emu.state.fido2.get(alice.id)!.length;
    const r = await runCli(
      ['entra', 'enroll-key', '--domain', 'contoso.onmicrosoft.com', '--employee', 'alice@contoso.example', '--device', '/dev/hidraw-test'],
      { ...env, FAKE_FIDO2_FAIL: '1' },
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /FIDO_ERR_PIN_INVALID/);
    assert.match(r.stderr, /no passkey was registered/);
    assert.equal(emu.state.fido2.get(alice.id)!.length, before);
  });

  it('needs an API key and names the problem when Tessera refuses', async () => {
    const noKey = await runCli(['entra', 'enroll-key', '--domain', 'x', '--employee', 'y', '--device', 'z'], { ...env, TESSERA_API_KEY: '' });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /TESSERA_API_KEY/);
    const unknown = await runCli(['entra', 'enroll-key', '--domain', 'contoso.onmicrosoft.com', '--employee', 'nobody@contoso.example', '--device', 'z'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /employees\.not_found/);
    const missing = await runCli(
      [
        'entra',
        'enroll-key',
        '--domain',
        'contoso.onmicrosoft.com',
        '--employee',
        'alice@contoso.example',
        '--device',
        'z',
        '--fido2-cred',
        '/nonexistent/fido2-cred',
      ],
      env,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not installed \(apt install fido2-tools\)/);
  });
});
