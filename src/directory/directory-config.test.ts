import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyDeclarativeConfig, DeclarativeConfigError } from '../app/declarative-config.js';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';

/** `directory.domains` in the configuration file: created once, idempotent, secret by reference only. */
describe('directory domains in the configuration file', () => {
  let t: TestApp;
  let dir: string;
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  before(async () => {
    t = await createTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-dirconf-'));
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a declared AD domain once, then changes nothing', async () => {
    const file = write(
      'tessera.yaml',
      [
        'directory:',
        '  domains:',
        '    - kind: ad',
        '      name: corp.example.com',
        '      removalBehaviour: keep',
        '      secret: { env: AD_BIND_PASSWORD }',
        '      settings:',
        '        urls: [ldaps://dc1.corp.example.com, ldaps://dc2.corp.example.com]',
        '        bindUser: svc-tessera@corp.example.com',
      ].join('\n'),
    );
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

  it('runs one sync of a domain at a time (the lease is shared by every node)', async () => {
    const d = await t.services.domains.create(
      { actor: { type: 'system', id: null, label: 'test' }, ip: null, userAgent: null },
      {
        kind: 'ad',
        name: 'closed.example.com',
        secret: 'x',
        syncGroup: 'G',
        rotationGroup: 'R',
        passwordChangeDays: 0,
        rotationDelivery: 'key',
        removalBehaviour: 'keep',
        removalThresholdPercent: 10,
        ssoEnabled: false,
        ssoMethod: 'passwordless',
        syncIntervalMinutes: 0,
        fullSyncIntervalHours: 24,
        groupImport: { mode: 'none', ou: null, names: [] },
        settings: {
          urls: ['ldaps://127.0.0.1:1'],
          transport: 'ldaps',
          caCertificate: null,
          skipTlsVerify: false,
          tlsServerName: null,
          bindUser: 'svc',
          baseDn: null,
          pageSize: 500,
          timeoutMs: 2000,
        },
      },
    );
    const ctx = { actor: { type: 'system' as const, id: null, label: 'test' }, ip: null, userAgent: null };
    const results = await Promise.allSettled([1, 2].map(() => t.services.directorySync.syncDomain(ctx, d.id, { trigger: 'manual' })));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(refused.length, 1);
    assert.equal((refused[0] as PromiseRejectedResult).reason.code, 'directory.sync_running');
    const ran = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ status: string; errorCode: string }>;
    assert.equal(ran.value.status, 'failed');
    assert.equal(ran.value.errorCode, 'unreachable');
    const next = await t.services.directorySync.syncDomain(ctx, d.id, { trigger: 'manual' });
    assert.equal(next.errorCode, 'unreachable', 'the lease is given back after a run');
  });

  it('refuses an inline secret and a bad URL, naming the place', async () => {
    const inline = write(
      'inline.yaml',
      'directory:\n  domains:\n    - kind: ad\n      name: x.example.com\n      secret: hunter2\n      settings: { bindUser: svc }\n',
    );
    await assert.rejects(applyDeclarativeConfig(t.services, inline, {}), DeclarativeConfigError);
    const badUrl = write(
      'bad.yaml',
      'directory:\n  domains:\n    - kind: ad\n      name: y.example.com\n      settings: { bindUser: svc, urls: [http://dc1] }\n',
    );
    await assert.rejects(applyDeclarativeConfig(t.services, badUrl, {}), /directory\.domains/);
  });
});
