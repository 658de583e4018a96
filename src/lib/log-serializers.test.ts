import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pino from 'pino';
import { logSerializers, redactUrl, serializeRequest } from './log-serializers.js';

/** A pino instance as the server builds it, writing its lines into an array. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ serializers: logSerializers }, stream), text: () => lines.join('') };
}

/** What node-postgres and PGlite throw: an Error with the server's fields. */
function pgError(message: string, fields: Record<string, unknown>) {
  return Object.assign(new Error(message), { severity: 'ERROR', ...fields });
}

describe('redactUrl', () => {
  it('redacts the token of the enrolment pages and API, in any encoding of the path', () => {
    assert.equal(redactUrl('/api/enroll/abcDEF123_-xyz/webauthn/options'), '/api/enroll/[redacted]/webauthn/options');
    assert.equal(redactUrl('/enroll/abcDEF123_-xyz'), '/enroll/[redacted]');
    assert.equal(redactUrl('/api/%65nroll/abcDEF123_-xyz'), '/api/%65nroll/[redacted]');
    assert.equal(redactUrl('/API/ENROLL/abcDEF123_-xyz?x=1'), '/API/ENROLL/[redacted]?x=1');
  });

  it('redacts token-like query values and keeps the rest', () => {
    assert.equal(redactUrl('/enroll?token=abc123'), '/enroll?token=[redacted]');
    assert.equal(redactUrl('/setup?token=abc123&x=1'), '/setup?token=[redacted]&x=1');
    assert.equal(redactUrl('/oidc/session/end?id_token_hint=eyJ.a.b&state=s'), '/oidc/session/end?id_token_hint=[redacted]&state=s');
    assert.equal(redactUrl('/oidc/auth?client_id=c&code_challenge=abc&login_hint=a%40b'), '/oidc/auth?client_id=c&code_challenge=abc&login_hint=[redacted]');
    assert.equal(redactUrl('/x?%74oken=abc'), '/x?%74oken=[redacted]');
    assert.equal(redactUrl('/oidc/interaction/uid123'), '/oidc/interaction/uid123');
  });

  it('redacts a secret route parameter wherever it appears', () => {
    const logged = serializeRequest({ method: 'GET', url: '/api/enroll/../enroll/s3cr3t-token-value', params: { token: 's3cr3t-token-value' } });
    assert.equal(logged.url, '/api/enroll/[redacted]/enroll/[redacted]');
  });
});

describe('serializeError', () => {
  it('logs a failed query with its SQL and without its params, also through a wrapping error', () => {
    const params = ['grace@corp.example', '$argon2id$v=19$m=65536$c2VjcmV0'];
    const cause = pgError('duplicate key value violates unique constraint "employees_email_unique"', {
      code: '23505',
      detail: 'Key (email)=(grace@corp.example) already exists.',
      constraint: 'employees_email_unique',
    });
    const failed = new DrizzleQueryError('insert into "employees" ("email", "hash") values ($1, $2)', params, cause);
    const wrapped = new Error(`could not save: ${failed.message}`, { cause: failed });
    const { logger, text } = capture();
    logger.error({ err: failed }, 'unhandled error');
    logger.warn({ err: wrapped }, 'job failed');
    logger.warn({ error: failed }, 'other key');
    const out = text();
    assert.match(out, /Failed query: insert into \\"employees\\"/);
    assert.match(out, /params: \[redacted\]/);
    assert.match(out, /employees_email_unique/, 'the constraint name stays');
    for (const value of params) assert.ok(!out.includes(value), `${value} in ${out}`);
    assert.ok(!out.includes('grace@corp.example'));
  });

  it('drops the quoted value of a data exception', () => {
    const cause = pgError('invalid input syntax for type uuid: "hunter2-not-a-uuid"', { code: '22P02' });
    const failed = new DrizzleQueryError('select 1 from "employees" where "id" = $1', ['hunter2-not-a-uuid'], cause);
    const { logger, text } = capture();
    logger.error({ err: failed }, 'unhandled error');
    assert.ok(!text().includes('hunter2'), text());
    assert.match(text(), /invalid input syntax for type uuid/);
  });

  it('leaves other errors as pino logs them, and never changes the logged object', () => {
    const err = Object.assign(new Error('bind failed'), { code: 'LDAP_49', details: { where: 'kept in the object', host: 'dc1' } });
    const { logger, text } = capture();
    logger.warn({ err }, 'directory');
    assert.match(text(), /bind failed/);
    assert.match(text(), /"code":"LDAP_49"/);
    assert.equal(err.details.where, 'kept in the object');
  });
});
