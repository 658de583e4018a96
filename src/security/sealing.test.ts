import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { masterKeyFromBytes, parseMasterKey } from './master-key.js';
import { createSealer, isSealed, SealError } from './sealing.js';

const key = () => masterKeyFromBytes(crypto.randomBytes(32));

describe('sealing', () => {
  it('opens what it sealed, with the same associated data', () => {
    const s = createSealer(key());
    const sealed = s.seal('hunter2-secret', 'admins.totp_secret:1');
    assert.ok(isSealed(sealed));
    assert.ok(!sealed.includes('hunter2'));
    assert.equal(s.open(sealed, 'admins.totp_secret:1'), 'hunter2-secret');
  });

  it('refuses a value moved to another row (associated data differs)', () => {
    const s = createSealer(key());
    const sealed = s.seal('x', 'admins.totp_secret:1');
    assert.throws(() => s.open(sealed, 'admins.totp_secret:2'), SealError);
  });

  it('refuses a tampered value', () => {
    const s = createSealer(key());
    const sealed = s.seal('some secret value', 'a');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[0] ^= 1;
    parts[3] = ct.toString('base64url');
    assert.throws(() => s.open(parts.join('.'), 'a'), /failed authentication/);
  });

  it('names the missing key when sealed under another master key', () => {
    const a = key();
    const sealed = createSealer(a).seal('x', 'a');
    assert.throws(() => createSealer(key()).open(sealed, 'a'), new RegExp(`master key ${a.id}`));
  });

  it('opens values sealed under a previous key during rotation', () => {
    const old = key();
    const sealed = createSealer(old).seal('x', 'a');
    assert.equal(createSealer(key(), [old]).open(sealed, 'a'), 'x');
  });

  it('parses hex and base64 master keys and refuses other lengths', () => {
    const bytes = crypto.randomBytes(32);
    assert.equal(parseMasterKey(bytes.toString('hex')).id, parseMasterKey(bytes.toString('base64')).id);
    assert.throws(() => parseMasterKey(crypto.randomBytes(16).toString('base64')), /32 bytes/);
  });
});
