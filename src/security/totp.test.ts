import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { totpCode, verifyTotp } from './totp.js';

// RFC 6238 Appendix B, SHA-1, secret "12345678901234567890" (base32 below); the RFC lists 8 digits,
// a 6-digit code is the last six of them (RFC 4226 §5.3 truncation, modulo 10^6).
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const VECTORS: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238)', () => {
  for (const [t, code] of VECTORS) {
    it(`produces and accepts the RFC test vector at T=${t}`, () => {
      assert.equal(totpCode(SECRET, t * 1000), code);
      assert.deepEqual(verifyTotp({ secret: SECRET, code, nowMs: t * 1000 }), { ok: true, step: Math.floor(t / 30) });
    });
  }

  it('accepts one step of clock skew either way, and not two', () => {
    const now = 1234567890 * 1000;
    assert.equal(verifyTotp({ secret: SECRET, code: totpCode(SECRET, now - 30_000), nowMs: now }).ok, true);
    assert.equal(verifyTotp({ secret: SECRET, code: totpCode(SECRET, now + 30_000), nowMs: now }).ok, true);
    assert.equal(verifyTotp({ secret: SECRET, code: totpCode(SECRET, now - 90_000), nowMs: now }).ok, false);
    assert.equal(verifyTotp({ secret: SECRET, code: totpCode(SECRET, now + 90_000), nowMs: now }).ok, false);
  });

  it('refuses a code whose step was already used', () => {
    const now = 1234567890 * 1000;
    const first = verifyTotp({ secret: SECRET, code: totpCode(SECRET, now), nowMs: now });
    assert.equal(first.ok, true);
    const step = (first as { step: number }).step;
    assert.equal(verifyTotp({ secret: SECRET, code: totpCode(SECRET, now), nowMs: now + 5000, lastStep: step }).ok, false);
  });

  it('refuses malformed codes', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 456']) assert.equal(verifyTotp({ secret: SECRET, code, nowMs: 0 }).ok, false);
  });
});
