import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyDeclarativeConfig, DeclarativeConfigError } from '../src/config/declarative.js';
import { createTestApp, type TestApp } from './helpers/app.js';

/** `directory.domains` in the configuration file: created once, idempotent, secret by reference only. */
describe('directory domains in the configuration file', () => {
  let t: TestApp;
  let dir: string;
  const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
  before(async () => {
    t = await createTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-dirconf-'));
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a declared AD domain once, then changes nothing', async () => {
    const file = write('tessera.yaml', [
      'directory:',
      '  domains:',
      '    - kind: ad',
      '      name: corp.example.com',
      '      removalBehaviour: keep',
      '      secret: { env: AD_BIND_PASSWORD }',
      '      settings:',
      '        urls: [ldaps://dc1.corp.example.com, ldaps://dc2.corp.example.com]',
      '        bindUser: svc-tessera@corp.example.com',
    ].join('\n'));
    const env = { AD_BIND_PASSWORD: 'Bind-Secret!42' };
    assert.deepEqual(await applyDeclarativeConfig(t.services, file, env), ['directory domain corp.example.com created']);
    assert.deepEqual(await applyDeclarativeConfig(t.services, file, env), [], 'a second start changes nothing');
    const [d] = await t.services.domains.list();
    assert.equal(d.source, 'config');
    assert.equal(d.removalBehaviour, 'keep');
    assert.deepEqual(d.secret, { set: true });
    assert.deepEqual(await applyDeclarativeConfig(t.services, file, { AD_BIND_PASSWORD: 'Rotated-Secret!43' }), ['directory domain corp.example.com updated']);
    const rows = JSON.stringify(await t.db.database.query('SELECT * FROM directory_domains'));
    assert.equal(rows.includes('Rotated-Secret!43'), false, 'sealed at rest');
  });

  it('refuses an inline secret and a bad URL, naming the place', async () => {
    const inline = write('inline.yaml', 'directory:\n  domains:\n    - kind: ad\n      name: x.example.com\n      secret: hunter2\n      settings: { bindUser: svc }\n');
    await assert.rejects(applyDeclarativeConfig(t.services, inline, {}), DeclarativeConfigError);
    const badUrl = write('bad.yaml', 'directory:\n  domains:\n    - kind: ad\n      name: y.example.com\n      settings: { bindUser: svc, urls: [http://dc1] }\n');
    await assert.rejects(applyDeclarativeConfig(t.services, badUrl, {}), /directory\.domains/);
  });
});
