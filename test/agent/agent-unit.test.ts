import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem, signAssertion } from '../../agent/src/assertion.js';
import { backoffDelay } from '../../agent/src/backoff.js';
import { channelUrl } from '../../agent/src/channel.js';
import { prettyOsName } from '../../agent/src/facts.js';
import { createLogger } from '../../agent/src/log.js';
import { ensureStateDir, machineId, writeFileAtomic } from '../../agent/src/state.js';

function memoryLog() {
  const lines: ({ msg: string } & Record<string, unknown>)[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(JSON.parse(l)) }) };
}
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-agent-unit-'));

describe('agent assertion (docs/agent-protocol.md §3)', () => {
  it('is an ES256 compact JWS that verifies with the exported public JWK, with typ, kid, aud, a ≤ 60 s life and a fresh jti', async () => {
    const { privateKey, publicJwk } = generateKeyPair();
    assert.deepEqual(Object.keys(publicJwk).sort(), ['crv', 'kty', 'x', 'y']);
    const key = await importJWK(publicJwk, 'ES256');
    const audience = 'https://tessera.corp.example';
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const signedFrom = Math.floor(Date.now() / 1000);
      const assertion = signAssertion({ privateKey, workstationId: 'ws_1', audience });
      const signedBy = Math.ceil(Date.now() / 1000);
      const { payload, protectedHeader } = await jwtVerify(assertion, key, { algorithms: ['ES256'], audience, issuer: 'ws_1', typ: 'tessera-agent+jwt' });
      assert.deepEqual(protectedHeader, { alg: 'ES256', typ: 'tessera-agent+jwt', kid: 'ws_1' });
      assert.ok(payload.exp! - payload.iat! <= 60);
      // iat is the signing time (bounded by clock readings around the call, not by how fast the machine is).
      assert.ok(payload.iat! >= signedFrom && payload.iat! <= signedBy, `iat ${payload.iat} outside [${signedFrom}, ${signedBy}]`);
      assert.ok(payload.jti!.length >= 16 && payload.jti!.length <= 128);
      seen.add(payload.jti!);
    }
    assert.equal(seen.size, 20, 'no two assertions share a jti');
  });

  it('takes its time from the injected clock and is refused by a verifier with another key or audience', async () => {
    const { privateKey, publicJwk } = generateKeyPair();
    const now = Date.parse('2026-12-02T08:00:00Z');
    const assertion = signAssertion({ privateKey, workstationId: 'ws_1', audience: 'https://a.example', now });
    const [, claims] = assertion.split('.');
    const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString());
    assert.equal(parsed.iat, now / 1000);
    assert.equal(parsed.exp, now / 1000 + 60);
    assert.equal(decodeProtectedHeader(assertion).alg, 'ES256');
    await assert.rejects(jwtVerify(assertion, await importJWK(publicJwk, 'ES256'), { audience: 'https://b.example', currentDate: new Date(now) }));
    await assert.rejects(jwtVerify(assertion, await importJWK(generateKeyPair().publicJwk, 'ES256'), { currentDate: new Date(now) }));
  });

  it('round-trips the private key through PEM and refuses a key that is not P-256', async () => {
    const { privateKey, publicJwk } = generateKeyPair();
    const again = privateKeyFromPem(privateKeyToPem(privateKey));
    const assertion = signAssertion({ privateKey: again, workstationId: 'ws_1', audience: 'https://a.example' });
    await jwtVerify(assertion, await importJWK(publicJwk, 'ES256'));
    const { privateKey: rsa } = (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.throws(() => privateKeyFromPem(rsa.export({ format: 'pem', type: 'pkcs8' }).toString()), /EC P-256/);
  });
});

describe('agent state files', () => {
  it('makes the state directory 0700, also when it already existed with a looser mode', () => {
    const dir = path.join(tmp(), 'state');
    fs.mkdirSync(dir, { mode: 0o755 });
    ensureStateDir(dir);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    fs.rmSync(path.dirname(dir), { recursive: true });
  });

  it('writes files atomically with mode 0600 whatever the umask, replacing the old content', () => {
    const dir = tmp();
    const file = path.join(dir, 'key.pem');
    const old = process.umask(0);
    try {
      writeFileAtomic(file, 'first');
      writeFileAtomic(file, 'second');
    } finally {
      process.umask(old);
    }
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(file, 'utf8'), 'second');
    assert.deepEqual(fs.readdirSync(dir), ['key.pem']);
    fs.rmSync(dir, { recursive: true });
  });

  it("uses the system's machine id, else generates one once and keeps it", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'system-id'), 'abc123\n');
    assert.equal(machineId(dir, path.join(dir, 'system-id')), 'abc123');
    const generated = machineId(dir, path.join(dir, 'missing'));
    assert.match(generated, /^[0-9a-f]{32}$/);
    assert.equal(machineId(dir, path.join(dir, 'missing')), generated);
    assert.equal(fs.statSync(path.join(dir, 'machine-id')).mode & 0o777, 0o600);
    fs.rmSync(dir, { recursive: true });
  });

  it('reads PRETTY_NAME from os-release, quoted or not', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a'), 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
    fs.writeFileSync(path.join(dir, 'b'), 'PRETTY_NAME=Alpine\n');
    assert.equal(prettyOsName(path.join(dir, 'a')), 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(prettyOsName(path.join(dir, 'b')), 'Alpine');
    assert.equal(prettyOsName(path.join(dir, 'none')), null);
    fs.rmSync(dir, { recursive: true });
  });

  it('derives the channel address from the server address, http→ws and https→wss, keeping a path prefix', () => {
    assert.equal(channelUrl('https://tessera.corp.example/'), 'wss://tessera.corp.example/api/agent/v1/channel');
    assert.equal(channelUrl('http://127.0.0.1:3000/idp'), 'ws://127.0.0.1:3000/idp/api/agent/v1/channel');
  });
});

describe('reconnect backoff (§5)', () => {
  it('doubles from 1 s to a 60 s ceiling, each delay within ±50 % of its base', () => {
    const bases = [1, 2, 4, 8, 16, 32, 60, 60, 60].map((s) => s * 1000);
    bases.forEach((base, attempt) => {
      assert.equal(backoffDelay(attempt, { random: () => 0 }), base * 0.5);
      assert.equal(backoffDelay(attempt, { random: () => 0.5 }), base);
      assert.ok(backoffDelay(attempt, { random: () => 0.999999 }) <= base * 1.5);
    });
    assert.equal(backoffDelay(5000, { random: () => 0.5 }), 60_000, 'a huge attempt count stays at the ceiling');
    for (let i = 0; i < 1000; i++) {
      const d = backoffDelay(3);
      assert.ok(d >= 4000 && d <= 12_000, String(d));
    }
  });

  it('starts from the configured first delay (TESSERA_AGENT_BACKOFF_MS)', () => {
    assert.equal(backoffDelay(0, { initialMs: 50, random: () => 0.5 }), 50);
    assert.equal(backoffDelay(2, { initialMs: 50, random: () => 0.5 }), 200);
  });
});

describe('agent log', () => {
  it('writes JSON lines with time, level and msg, and redacts credential-looking fields', () => {
    const { log, lines } = memoryLog();
    log.info('x.y', { authorization: 'Bearer abc', token: 'te_x', count: 2, error: new Error('boom') });
    assert.deepEqual(
      { ...lines[0], time: undefined },
      { time: undefined, level: 'info', msg: 'x.y', authorization: '[redacted]', token: '[redacted]', count: 2, error: 'boom' },
    );
    assert.ok(!Number.isNaN(Date.parse(String(lines[0].time))));
  });
});
