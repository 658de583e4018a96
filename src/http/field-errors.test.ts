// A refused input answers in words a person reads: the stable code `request.validation_failed`,
// `details: [{ path, field, message }]` per field with a sentence made from the kind of issue (never
// zod's "Too small: expected string…"), a top-level message naming the fields, and service errors
// about one input (a duplicate name) naming that input too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { fieldLabel } from '../lib/field-errors.js';

const RAW_LIBRARY_TEXT = /Too small|Too big|expected string|Invalid input|Invalid option|>=|<=|Unrecognized key/;

describe('validation answers with readable field details', () => {
  let t: TestApp;
  let admin: Client;
  before(async () => {
    t = await createTestApp();
    admin = await signedInAdmin(t);
  });
  after(() => t.close());

  it('names the fields of a refused Active Directory domain in words, under their paths', async () => {
    const res = await admin.post('/api/directory/domains', {
      kind: 'ad',
      name: 'corp.example',
      settings: { bindUser: '', urls: ['https://dc1.corp.example'], transport: 'sometimes' },
    });
    assert.equal(res.status, 400, res.raw);
    assert.equal(res.body.error.code, 'request.validation_failed');
    const details = res.body.error.details as { path: string; field: string; message: string }[];
    const at = (path: string) => details.find((d) => d.path === path);
    assert.deepEqual(at('body.settings.bindUser'), { path: 'body.settings.bindUser', field: 'Bind user', message: 'Enter the bind user' });
    assert.equal(at('body.settings.urls.0')?.field, 'URLs');
    assert.match(at('body.settings.urls.0')?.message ?? '', /^Must be ldaps:\/\/host/, 'a message written in the schema is kept, capitalised');
    assert.match(at('body.settings.transport')?.message ?? '', /^Choose one of: ldaps, starttls, none$/);
    assert.match(res.body.error.message, /^Check the highlighted fields: (.+, )?Bind user(, .+)?$/);
    assert.match(res.body.error.message, /URLs/);
    assert.doesNotMatch(res.raw, RAW_LIBRARY_TEXT, 'no library text reaches the person');
  });

  it('says how long a value may be and what a URL looks like', async () => {
    const res = await admin.post('/api/oidc/clients', { name: 'x'.repeat(121), redirectUris: ['wiki.corp.example/cb'] });
    assert.equal(res.status, 400, res.raw);
    assert.equal(res.body.error.code, 'request.validation_failed');
    const details = res.body.error.details as { path: string; field: string; message: string }[];
    assert.deepEqual(
      details.find((d) => d.path === 'body.name'),
      { path: 'body.name', field: 'Name', message: 'Must be at most 120 characters' },
    );
    const uri = details.find((d) => d.path === 'body.redirectUris.0');
    assert.equal(uri?.field, 'Redirect URIs');
    assert.match(uri?.message ?? '', /https:\/\/app\.example\.com/);
    assert.doesNotMatch(res.raw, RAW_LIBRARY_TEXT);
  });

  it('answers a missing field and a query parameter with the same shape', async () => {
    const missing = await admin.post('/api/admins', { name: 'No Mail', password: 'correct horse battery staple' });
    assert.equal(missing.status, 400, missing.raw);
    assert.deepEqual(missing.body.error.details, [{ path: 'body.email', field: 'E-mail', message: 'Enter the e-mail' }]);
    assert.equal(missing.body.error.message, 'Check the highlighted field: E-mail');
    const query = await admin.get(`/api/employees?q=${'x'.repeat(201)}&colour=blue`);
    assert.equal(query.status, 400, query.raw);
    assert.equal(query.body.error.code, 'request.validation_failed');
    assert.deepEqual(query.body.error.details, [
      { path: 'query.q', field: 'Q', message: 'Must be at most 200 characters' },
      { path: 'query.colour', field: 'colour', message: 'Is not a setting here' },
    ]);
  });

  it('names the input of a service error about one field (a duplicate), keeping its code', async () => {
    assert.equal((await admin.post('/api/groups', { name: 'Finance' })).status, 201);
    const dup = await admin.post('/api/groups', { name: 'Finance' });
    assert.equal(dup.status, 409, dup.raw);
    assert.equal(dup.body.error.code, 'groups.name_in_use');
    assert.deepEqual(dup.body.error.details, [{ path: 'body.name', field: 'Name', message: dup.body.error.message }]);
  });

  it('keeps the answer short however much was sent, and never echoes a refused secret', async () => {
    const secret = `Secret-${'q'.repeat(2000)}`;
    const junk = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`${'k'.repeat(300)}${i}`, 1]));
    const res = await admin.post('/api/settings/smtp/test', {
      to: 'it@corp.example',
      smtp: { host: 'mail.corp.example', port: 25, tls: 'none', username: 'u', from: 'a@corp.example', password: secret, ...junk },
    });
    assert.equal(res.status, 400, res.raw.slice(0, 500));
    const details = res.body.error.details as { path: string; field: string; message: string }[];
    assert.ok(details.length <= 51, `at most 50 fields and a last line saying how many more (got ${details.length})`);
    assert.ok(
      details.some((d) => d.path === 'body.smtp.password' && d.message === 'Must be at most 1024 characters'),
      'the password field is named, not its value',
    );
    assert.ok(!res.raw.includes('Secret-q'), 'the refused password is not echoed');
    assert.ok(
      details.every((d) => d.path.length <= 200 && d.field.length <= 100),
      'an unknown key is named shortened, not at the length it was sent',
    );
    assert.ok(res.raw.length < 20_000, `the answer stays small (${res.raw.length} characters)`);
  });

  it('makes labels from the last named path segment', () => {
    assert.equal(fieldLabel('body.settings.bindUser'), 'Bind user');
    assert.equal(fieldLabel('body.settings.baseDn'), 'Base DN');
    assert.equal(fieldLabel('body.postLogoutRedirectUris.3'), 'Post logout redirect URIs');
    assert.equal(fieldLabel('body.smtp.tlsServerName'), 'TLS server name');
    assert.equal(fieldLabel('body'), 'Request');
  });
});
