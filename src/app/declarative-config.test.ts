import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { applyDeclarativeConfig, DeclarativeConfigError } from './declarative-config.js';
import { Client, createTestApp, type TestApp } from '../../test/helpers/app.js';

const KEY = `decl-key-${'k'.repeat(40)}`;

describe('declarative configuration file', () => {
  let t: TestApp;
  let dir: string;
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const env = { OPS_PASSWORD: 'ops password from env', SMTP_PASSWORD: 'smtp-pw-from-env' };
  const full = () =>
    write(
      'tessera.yaml',
      `
settings:
  organisationName: Corp
  lockoutThreshold: 7
  smtp:
    host: smtp.corp.example
    port: 587
    username: tessera
    password: {env: SMTP_PASSWORD}
admins:
  - email: ops@corp.example
    name: Ops Team
    password: {env: OPS_PASSWORD}
apiKeys:
  - name: provisioning
    scope: write
    secret: {file: ./key.txt}
`,
    );

  before(async () => {
    t = await createTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-decl-'));
    write('key.txt', `${KEY}\n`);
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies admins, API keys and settings, with secrets taken by reference', async () => {
    const changes = await applyDeclarativeConfig(t.services, full(), env);
    assert.deepEqual(changes, ['settings updated', 'admin ops@corp.example created', 'API key provisioning created']);
    const s = await t.services.settings.getResponse();
    assert.equal(s.organisationName, 'Corp');
    assert.deepEqual(s.smtp.password, { set: true });
    assert.equal(await t.services.settings.getSecret('smtp.password'), 'smtp-pw-from-env');
    const c = new Client(t.app);
    assert.equal((await c.post('/api/auth/login', { email: 'ops@corp.example', password: env.OPS_PASSWORD })).status, 200);
    assert.equal((await new Client(t.app, { authorization: `Bearer ${KEY}` }).post('/api/companies', { name: 'Made by automation' })).status, 201);
  });

  it('changes nothing when applied again', async () => {
    const before = (await t.services.audit.find({}, { offset: 0, limit: 1 })).total;
    assert.deepEqual(await applyDeclarativeConfig(t.services, full(), env), []);
    assert.equal((await t.services.audit.find({}, { offset: 0, limit: 1 })).total, before, 'not even an audit record');
  });

  it('brings a changed secret back in line with the file', async () => {
    const changes = await applyDeclarativeConfig(t.services, full(), { ...env, OPS_PASSWORD: 'a rotated ops password' });
    assert.deepEqual(changes, ['admin ops@corp.example updated']);
    assert.equal((await new Client(t.app).post('/api/auth/login', { email: 'ops@corp.example', password: 'a rotated ops password' })).status, 200);
  });

  it('declares local groups: created once, the listed employees added, the console keeps what it added', async () => {
    const ann = await t.services.employees.create(cliContext(), { email: 'ann@corp.example', firstName: 'Ann', lastName: 'A' });
    const bo = await t.services.employees.create(cliContext(), { email: 'bo@corp.example', firstName: 'Bo', lastName: 'B' });
    const text = (description: string) =>
      `groups:\n  - name: Night Shift\n    description: ${description}\n    members: [ann@corp.example, later@corp.example]\n`;
    assert.deepEqual(await applyDeclarativeConfig(t.services, write('groups.yaml', text('Late rota')), env), ['group Night Shift created']);
    const [group] = (await t.services.groups.list({ q: 'night shift', source: 'local', page: 1, pageSize: 5 })).items;
    assert.equal(group.description, 'Late rota');
    assert.deepEqual(
      (await t.services.groups.ofEmployee(ann.id)).map((g) => g.name),
      ['Night Shift'],
    );
    await t.services.groups.addMembers(cliContext(), group.id, [bo.id]);
    assert.deepEqual(await applyDeclarativeConfig(t.services, write('groups.yaml', text('Late rota')), env), [], 'applying again changes nothing');
    assert.equal((await t.services.groups.get(group.id)).memberCount, 2, 'a member the console added stays');
    assert.deepEqual(await applyDeclarativeConfig(t.services, write('groups.yaml', text('Night rota')), env), ['group Night Shift updated']);
    assert.equal((await t.services.groups.get(group.id)).description, 'Night rota');
    const bad = await applyDeclarativeConfig(t.services, write('groups.yaml', 'groups:\n  - name: X\n    members: [not-an-email]\n'), env).catch((e) => e);
    assert.match(bad.message, /groups\[0\]\.members\[0\]/);
  });

  it('declares audit forwarding destinations, with the HEC token and the webhook key by reference', async () => {
    const hecToken = 'hec-token-0123456789abcdef';
    write('hook.key', 'webhook-key-from-a-file-0123\n');
    const file = () =>
      write(
        'forwarding.yaml',
        `
auditForwarding:
  destinations:
    - name: Splunk
      kind: splunk
      settings: {url: 'https://splunk.corp.example:8088', index: security}
      secret: {env: HEC_TOKEN}
      filter: {actions: ['admin.', 'directory.*'], outcome: any}
    - name: SOC webhook
      kind: webhook
      settings: {url: 'https://soc.corp.example/hooks/tessera'}
      secret: {file: ./hook.key}
    - name: Central syslog
      kind: syslog
      settings: {host: syslog.corp.example, port: 6514, transport: tls, facility: local3}
`,
      );
    assert.deepEqual(await applyDeclarativeConfig(t.services, file(), { HEC_TOKEN: hecToken }), [
      'audit destination Splunk created',
      'audit destination SOC webhook created',
      'audit destination Central syslog created',
    ]);
    assert.deepEqual(await applyDeclarativeConfig(t.services, file(), { HEC_TOKEN: hecToken }), [], 'a second run changes nothing');
    assert.deepEqual(await applyDeclarativeConfig(t.services, file(), { HEC_TOKEN: 'a-rotated-hec-token-0000' }), ['audit destination Splunk updated']);
    const listed = await t.services.auditForwarding.list();
    const splunk = listed.find((d) => d.name === 'Splunk');
    assert.deepEqual(splunk?.secret, { set: true });
    assert.deepEqual(splunk?.filter, { actions: ['admin.', 'directory.*'], outcome: 'any' });
    assert.equal(listed.find((d) => d.name === 'Central syslog')?.settings.facility, 'local3');
    const audit = JSON.stringify((await t.services.audit.find({ q: 'audit.destination' }, { offset: 0, limit: 50 })).items);
    for (const secret of [hecToken, 'a-rotated-hec-token-0000', 'webhook-key-from-a-file-0123']) {
      assert.ok(!JSON.stringify(listed).includes(secret), 'no secret in the API answer');
      assert.ok(!audit.includes(secret), 'no secret in the audit log');
    }
    const bad = write(
      'bad-forwarding.yaml',
      'auditForwarding:\n  destinations:\n    - {name: S, kind: syslog, settings: {host: h.example, port: 99999, transport: tcp}}\n',
    );
    await assert.rejects(applyDeclarativeConfig(t.services, bad, {}), /auditForwarding\.destinations\[0\]\.settings\.port: must be a port from 1 to 65535/);
    const inline = write(
      'inline.yaml',
      'auditForwarding:\n  destinations:\n    - {name: S, kind: splunk, settings: {url: "https://s.example"}, secret: inline-token-000000}\n',
    );
    await assert.rejects(applyDeclarativeConfig(t.services, inline, {}), /must be a reference/);
  });

  it('names the file, the place in it and the problem, and writes nothing', async () => {
    const cases: [string, RegExp][] = [
      ['admins:\n  - email: x@corp.example\n    name: X\n    password: inline-secret\n', /admins\[0\]\.password: must be a reference/],
      [
        'admins:\n  - email: x@corp.example\n    name: X\n    password: {env: NOT_SET_ANYWHERE}\n',
        /admins\[0\]\.password: environment variable NOT_SET_ANYWHERE is not set/,
      ],
      ['apiKeys:\n  - name: k\n    scope: write\n    secret: {file: ./missing.txt}\n', /apiKeys\[0\]\.secret: cannot read secret file/],
      ['apiKeys:\n  - name: k\n    scope: root\n    secret: {env: OPS_PASSWORD}\n', /apiKeys\[0\]\.scope/],
      ['settings:\n  lockoutTreshold: 3\n', /settings: Unrecognized key/],
      ['settings: [1, 2\n', /line \d/],
    ];
    const before = (await t.services.audit.find({}, { offset: 0, limit: 1 })).total;
    for (const [text, expected] of cases) {
      const file = write('bad.yaml', text);
      const err = await applyDeclarativeConfig(t.services, file, env).then(
        () => undefined,
        (e) => e,
      );
      assert.ok(err instanceof DeclarativeConfigError, `expected an error for ${JSON.stringify(text)}`);
      assert.ok(err.message.startsWith(`${file}: `), err.message);
      assert.match(err.message, expected);
      assert.ok(!err.message.includes('ops password from env'));
    }
    assert.equal((await t.services.audit.find({}, { offset: 0, limit: 1 })).total, before);
  });
});
