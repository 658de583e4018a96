/**
 * The agent's side of credential delivery (docs/agent-protocol.md §8), without a server: opening
 * the JWE on node:crypto (and refusing a wrong key, a tampered token, another workstation's kid, an
 * expired one), relaying the ceremony through `fido2-assert -G` (a stand-in with its input and
 * output, test/helpers/fake-fido2-assert.mjs), holding the credentials in memory for the key's
 * re-authentication interval, and the scripted driver's key logon and unlock.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { CompactEncrypt, importJWK } from 'jose';
import {
  createFido2AssertAuthenticator,
  parseFido2AssertOutput,
  relayAssertion,
  unwrapCborBytes,
  type AssertionRequest,
} from '../../agent/src/authenticator.js';
import { DELIVERY_JWE_TYPE, openDelivery, type DeliveredCredentials } from '../../agent/src/delivery.js';
import type { DriverHooks, SessionEvent } from '../../agent/src/drivers/driver.js';
import { createScriptedDriver } from '../../agent/src/drivers/scripted.js';
import { createHeldCredentials } from '../../agent/src/held-credentials.js';
import { createLogger } from '../../agent/src/log.js';

function memoryLog() {
  const lines: ({ msg: string } & Record<string, unknown>)[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(JSON.parse(l)) }) };
}

const WS = '5f0c6d3e-8a54-4c4e-9d1b-2f6a7e9c1b20';
const NOW = Date.parse('2026-03-02T09:00:00Z');
const FAKE = path.join(import.meta.dirname, '..', 'helpers', 'fake-fido2-assert.mjs');

function credentials(over: Partial<DeliveredCredentials> = {}): DeliveredCredentials {
  return {
    v: 1,
    requestId: 'req-1',
    workstationId: WS,
    employee: { id: 'e1', name: 'Dana Dunn', email: 'dana@corp.example' },
    issuedAt: new Date(NOW).toISOString(),
    expiresAt: new Date(NOW + 120_000).toISOString(),
    unlockUntil: new Date(NOW + 15 * 60_000).toISOString(),
    directory: [{ domain: 'corp.example', username: 'dana', upn: 'dana@corp.example', password: 'Directory-secret-1', changedAt: null }],
    accounts: [{ id: 'a1', name: 'Intranet', urls: [], login: 'dana', password: 'Vault-secret-1' }],
    ...over,
  };
}

/** A JWE as Tessera makes it (src/workstations/credential-delivery.service.ts), with jose. */
async function seal(publicKey: crypto.KeyObject, content: object, header: Record<string, unknown> = {}): Promise<string> {
  const jwk = publicKey.export({ format: 'jwk' });
  const key = await importJWK({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, 'ECDH-ES');
  return new CompactEncrypt(Buffer.from(JSON.stringify(content)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', typ: DELIVERY_JWE_TYPE, cty: 'json', kid: WS, ...header })
    .encrypt(key);
}

const p256 = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('opening a delivery (delivery.ts, §8.3)', () => {
  const mine = p256();
  const expect = { workstationId: WS, now: NOW };

  it('opens the JWE Tessera made for this workstation', async () => {
    const jwe = await seal(mine.publicKey, credentials());
    const opened = openDelivery(jwe, mine.privateKey, expect);
    assert.deepEqual(opened, credentials());
  });

  it("refuses one made for another workstation's key, and a tampered ciphertext, tag, IV or header", async () => {
    const jwe = await seal(p256().publicKey, credentials());
    assert.throws(() => openDelivery(jwe, mine.privateKey, expect), /does not open with this workstation’s key/);
    const good = await seal(mine.publicKey, credentials());
    const parts = good.split('.');
    const flip = (b64: string) => {
      const b = Buffer.from(b64, 'base64url');
      b[Math.floor(b.length / 2)] ^= 0x01;
      return b.toString('base64url');
    };
    for (const i of [2, 3, 4]) {
      const tampered = parts.map((p, j) => (j === i ? flip(p) : p)).join('.');
      assert.throws(() => openDelivery(tampered, mine.privateKey, expect), /does not open/, `part ${i} changed`);
    }
    // A header changed but still well-formed (another apu): it is the GCM additional data, so the tag fails.
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    const forged = [Buffer.from(JSON.stringify({ ...header, apu: 'bWFsbG9yeQ' })).toString('base64url'), ...parts.slice(1)].join('.');
    assert.throws(() => openDelivery(forged, mine.privateKey, expect), /does not open/);
  });

  it('refuses another kid, another workstation inside, an expired one, another algorithm or typ, and what is not a compact JWE', async () => {
    await assert.rejects(
      async () => openDelivery(await seal(mine.publicKey, credentials(), { kid: 'other-ws' }), mine.privateKey, expect),
      /another workstation/,
    );
    await assert.rejects(
      async () => openDelivery(await seal(mine.publicKey, credentials({ workstationId: 'other-ws' })), mine.privateKey, expect),
      /another workstation/,
    );
    const jwe = await seal(mine.publicKey, credentials());
    assert.throws(() => openDelivery(jwe, mine.privateKey, { ...expect, now: NOW + 120_000 }), /expired/);
    await assert.rejects(async () => openDelivery(await seal(mine.publicKey, credentials(), { typ: 'JWT' }), mine.privateKey, expect), /typ/);
    const dir = new CompactEncrypt(Buffer.from('{}')).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: DELIVERY_JWE_TYPE, kid: WS });
    const direct = await dir.encrypt(crypto.randomBytes(32));
    assert.throws(() => openDelivery(direct, mine.privateKey, expect), /not ECDH-ES\/A256GCM/);
    assert.throws(() => openDelivery('a.b.c', mine.privateKey, expect), /not a compact JWE/);
    assert.throws(() => openDelivery('!!.x.y.z.w', mine.privateKey, expect), /not JSON/);
  });
});

/** A "device" for the fido2-assert stand-in: one credential of Tessera's RP, and how it was called. */
function fakeDevice(opts: { pin?: string | null; builtInUv?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-fake-fido2-'));
  const file = path.join(dir, 'device.json');
  const key = p256();
  const credentialId = crypto.randomBytes(32);
  fs.writeFileSync(
    file,
    JSON.stringify({
      device: '/dev/hidraw-test0',
      pin: opts.pin ?? null,
      builtInUv: opts.builtInUv ?? true,
      credentials: [
        {
          credentialId: credentialId.toString('base64'),
          rpId: 'tessera.corp.example',
          privateKey: key.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
          signCount: 7,
        },
      ],
    }),
  );
  return {
    file,
    dir,
    credentialId,
    publicKey: key.publicKey,
    state: () => JSON.parse(fs.readFileSync(file, 'utf8')) as { calls: { args: string[]; input: string }[]; credentials: { signCount: number }[] },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

const request = (over: Partial<AssertionRequest> = {}): AssertionRequest => ({
  rpId: 'tessera.corp.example',
  clientDataHash: crypto.createHash('sha256').update('client data').digest(),
  credentialIds: [],
  userVerification: 'required',
  ...over,
});

describe('the security key through fido2-assert (authenticator.ts, §8.2)', () => {
  it('reads fido2-assert -G output: hash and RP id checked, the CBOR byte string unwrapped, the user id when printed', () => {
    const hash = crypto.randomBytes(32);
    const authData = crypto.randomBytes(37);
    const out = [hash.toString('base64'), 'rp.example', Buffer.concat([Buffer.from([0x58, 37]), authData]).toString('base64'), 'c2ln', 'dXNlcg=='].join('\n');
    const parsed = parseFido2AssertOutput(`${out}\n`, { rpId: 'rp.example', clientDataHash: hash });
    assert.deepEqual(parsed.authenticatorData, authData);
    assert.deepEqual(parsed.signature, Buffer.from('sig'));
    assert.deepEqual(parsed.userHandle, Buffer.from('user'));
    assert.throws(() => parseFido2AssertOutput(out, { rpId: 'rp.example', clientDataHash: crypto.randomBytes(32) }), /another client data hash/);
    assert.throws(() => parseFido2AssertOutput(out, { rpId: 'evil.example', clientDataHash: hash }), /relying party rp\.example, not evil\.example/);
    assert.throws(
      () => parseFido2AssertOutput(`${hash.toString('base64')}\nrp.example\n`, { rpId: 'rp.example', clientDataHash: hash }),
      /less than an assertion/,
    );
    assert.throws(() => unwrapCborBytes(Buffer.from([0x60, 1])), /CBOR byte string/);
    assert.throws(() => unwrapCborBytes(Buffer.from([0x58, 40, 1, 2])), /malformed/);
    assert.deepEqual(unwrapCborBytes(Buffer.from([0x43, 1, 2, 3])), Buffer.from([1, 2, 3]));
  });

  it('signs with the key: the input on fd 3 (never a file), UV asked with -t uv=true, an assertion that verifies, nothing written to disk', async (t) => {
    const device = fakeDevice();
    t.after(device.cleanup);
    process.env.FAKE_FIDO2_DEVICE_FILE = device.file;
    const tmpBefore = fs.readdirSync(os.tmpdir()).sort();
    const key = createFido2AssertAuthenticator({ device: '/dev/hidraw-test0', command: FAKE });
    const other = crypto.randomBytes(32);
    const req = request({ credentialIds: [other, device.credentialId] });
    const got = await key.getAssertion(req);
    assert.deepEqual(got.credentialId, device.credentialId, 'the credential that is on the key, after trying the other one');
    assert.equal(got.authenticatorData[32], 0x05, 'user present and verified');
    assert.equal(got.authenticatorData.readUInt32BE(33), 8, 'the key counted one signature');
    assert.ok(
      crypto.verify('sha256', Buffer.concat([got.authenticatorData, req.clientDataHash]), device.publicKey, got.signature),
      'a signature over authenticatorData ‖ clientDataHash',
    );
    const calls = device.state().calls;
    assert.equal(calls.length, 2);
    for (const c of calls) {
      assert.deepEqual(c.args, ['-G', '-p', '-i', '/dev/fd/3', '-t', 'uv=true', '/dev/hidraw-test0']);
      assert.equal(c.input, '/dev/fd/3');
    }
    const tmpAfter = fs.readdirSync(os.tmpdir()).sort();
    assert.deepEqual(
      tmpAfter.filter((f) => !tmpBefore.includes(f)),
      [],
      'no file was left in the temporary directory',
    );
  });

  it('relays the ceremony: clientDataJSON of type webauthn.get with the challenge and origin, base64url fields', async (t) => {
    const device = fakeDevice();
    t.after(device.cleanup);
    process.env.FAKE_FIDO2_DEVICE_FILE = device.file;
    const key = createFido2AssertAuthenticator({ device: '/dev/hidraw-test0', command: FAKE });
    const challenge = crypto.randomBytes(32).toString('base64url');
    const json = await relayAssertion(key, {
      requestId: 'r',
      origin: 'https://tessera.corp.example',
      options: { challenge, rpId: 'tessera.corp.example', allowCredentials: [{ id: device.credentialId.toString('base64url') }], userVerification: 'required' },
    });
    assert.equal(json.id, device.credentialId.toString('base64url'));
    const clientData = JSON.parse(Buffer.from(json.response.clientDataJSON, 'base64url').toString());
    assert.deepEqual(clientData, { type: 'webauthn.get', challenge, origin: 'https://tessera.corp.example', crossOrigin: false });
    const hash = crypto.createHash('sha256').update(Buffer.from(json.response.clientDataJSON, 'base64url')).digest();
    const authData = Buffer.from(json.response.authenticatorData, 'base64url');
    assert.ok(crypto.verify('sha256', Buffer.concat([authData, hash]), device.publicKey, Buffer.from(json.response.signature, 'base64url')));
  });

  it('takes the PIN on standard input with -v; surfaces a wrong PIN, an unknown credential, a key without UV and a missing program clearly', async (t) => {
    const withPin = fakeDevice({ pin: '482916', builtInUv: false });
    t.after(withPin.cleanup);
    process.env.FAKE_FIDO2_DEVICE_FILE = withPin.file;
    const key = createFido2AssertAuthenticator({ device: '/dev/hidraw-test0', command: FAKE });
    const ok = await key.getAssertion(request({ credentialIds: [withPin.credentialId], pin: '482916' }));
    assert.equal(ok.authenticatorData[32] & 0x04, 0x04, 'verified by the PIN');
    assert.deepEqual(withPin.state().calls.at(-1)!.args, ['-G', '-p', '-i', '/dev/fd/3', '-v', '/dev/hidraw-test0']);
    await assert.rejects(key.getAssertion(request({ credentialIds: [withPin.credentialId], pin: '000000' })), {
      message: /^\S*fake-fido2-assert\.mjs exited 1: fido2-assert: fido_dev_get_assert: FIDO_ERR_PIN_INVALID$/,
    });
    await assert.rejects(key.getAssertion(request({ credentialIds: [crypto.randomBytes(32)], pin: '482916' })), /FIDO_ERR_NO_CREDENTIALS/);
    await assert.rejects(
      key.getAssertion(request({ credentialIds: [withPin.credentialId] })),
      /FIDO_ERR_UNSUPPORTED_OPTION/,
      'UV asked of a key that has none built in',
    );
    await assert.rejects(key.getAssertion(request()), /allows no credential/);
    const missing = createFido2AssertAuthenticator({ device: '/dev/hidraw-test0', command: path.join(withPin.dir, 'no-such-fido2-assert') });
    await assert.rejects(missing.getAssertion(request({ credentialIds: [withPin.credentialId] })), /cannot run .*no-such-fido2-assert/);
    const wrongDevice = createFido2AssertAuthenticator({ device: '/dev/hidraw-other', command: FAKE });
    await assert.rejects(wrongDevice.getAssertion(request({ credentialIds: [withPin.credentialId] })), /fido_dev_open \/dev\/hidraw-other/);
  });
});

describe('credentials held for the re-authentication interval (held-credentials.ts, §8.4)', () => {
  it('unlocks from memory until unlockUntil, for the account it was delivered for only; then drops and wipes them', () => {
    const now = { t: NOW };
    const { log, lines } = memoryLog();
    const held = createHeldCredentials({ clock: () => now.t, log });
    const c = credentials();
    assert.equal(held.hold('1', 'CORP\\dana', c), true);
    assert.equal(held.forUnlock('1', 'corp\\DANA'), c, 'account names compare without case');
    assert.equal(held.forUnlock('1', 'CORP\\erin'), undefined, 'another account gets nothing');
    assert.equal(held.forUnlock('2', 'CORP\\dana'), undefined, 'another session gets nothing');
    now.t = NOW + 15 * 60_000 - 1;
    assert.equal(held.forUnlock('1', 'CORP\\dana'), c);
    now.t = NOW + 15 * 60_000;
    assert.equal(held.forUnlock('1', 'CORP\\dana'), undefined, 'at unlockUntil a fresh assertion is needed');
    assert.deepEqual(held.list(), []);
    assert.deepEqual(c.directory, [], 'the held object no longer carries the password');
    assert.deepEqual(c.accounts, []);
    const dropped = lines.find((l) => l.msg === 'credentials.dropped')!;
    assert.deepEqual([dropped.sessionId, dropped.reason], ['1', 'expired']);
    assert.ok(!JSON.stringify(lines).includes('secret-1'), 'the log never has a password');
  });

  it('drops at logoff and on dropAll (emergency block, not approved, stopping); holds nothing past or without unlockUntil', () => {
    const { log, lines } = memoryLog();
    const held = createHeldCredentials({ clock: () => NOW, log });
    held.hold('1', 'CORP\\dana', credentials());
    held.hold('2', 'CORP\\erin', credentials());
    held.hold('3', 'CORP\\frank', credentials());
    held.drop('1', 'logoff');
    assert.equal(held.forUnlock('1', 'CORP\\dana'), undefined);
    held.dropAll('emergency_block');
    assert.deepEqual(held.list(), []);
    assert.deepEqual(
      lines.filter((l) => l.msg === 'credentials.dropped').map((l) => [l.sessionId, l.reason]),
      [
        ['1', 'logoff'],
        ['2', 'emergency_block'],
        ['3', 'emergency_block'],
      ],
    );
    assert.equal(held.hold('4', 'CORP\\dana', credentials({ unlockUntil: new Date(NOW).toISOString() })), false);
    assert.equal(
      held.hold('5', 'CORP\\dana', { ...credentials(), unlockUntil: undefined as unknown as string }),
      false,
      'an older Tessera: every unlock asks the key',
    );
    assert.deepEqual(held.list(), []);
    const first = credentials();
    held.hold('6', 'CORP\\dana', first);
    held.hold('6', 'CORP\\dana', credentials());
    assert.deepEqual(first.directory, [], 'a new delivery for the session replaces (and wipes) the old one');
    assert.equal(held.list().length, 1);
    held.dropAll('agent_stopping');
  });
});

describe('key logon and unlock in the scripted driver', () => {
  it('keylogon asks for credentials for its session; keyunlock takes the held ones, else a fresh delivery; a refusal leaves the session locked', async () => {
    const input = new PassThrough();
    const { log, lines } = memoryLog();
    const events: SessionEvent[] = [];
    const requests: { account: string; sessionId?: string }[] = [];
    let isHeld = true;
    let isRefused = false;
    const revealed: string[] = [];
    const driver = createScriptedDriver({ log, input, revealTo: (l) => revealed.push(l) });
    const hooks: DriverHooks = {
      onEvent: (e) => events.push(e),
      authorize: async () => ({ allowed: true, code: null, reason: null }),
      onIdleChanged: () => {},
      requestCredentials: async (r) => {
        requests.push({ account: r.account, sessionId: r.sessionId });
        if (isRefused) throw Object.assign(new Error('Security key K-1 is suspended'), { code: 'workstations.key_not_active' });
        return credentials();
      },
      heldCredentials: () => (isHeld ? credentials() : undefined),
    };
    await driver.start(hooks);
    const run = async (line: string) => {
      const before = lines.length;
      input.write(`${line}\n`);
      const deadline = Date.now() + 5000;
      while (!lines.slice(before).some((l) => l.msg === 'script.done' || l.msg === 'script.invalid') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      return lines.slice(before);
    };
    await run('keylogon CORP\\dana');
    assert.deepEqual(requests, [{ account: 'CORP\\dana', sessionId: '1' }], 'the session id is known before the delivery, so the agent can hold it');
    assert.equal(revealed.length, 1);
    assert.equal(JSON.parse(revealed[0]).directory[0].password, 'Directory-secret-1');
    await run('lock');
    const fromMemory = await run('keyunlock');
    assert.ok(fromMemory.some((l) => l.msg === 'driver.unlock_held' && l.sessionId === '1'));
    assert.equal(requests.length, 1, 'within the interval: no new assertion');
    await run('lock');
    isHeld = false;
    await run('keyunlock');
    assert.deepEqual(requests.at(-1), { account: 'CORP\\dana', sessionId: '1' }, 'after the interval: a fresh delivery');
    await run('lock');
    isRefused = true;
    const refused = await run('keyunlock');
    assert.ok(refused.some((l) => l.msg === 'driver.refused' && l.action === 'unlock' && l.code === 'workstations.key_not_active'));
    assert.ok((await driver.listSessions())[0].isLocked, 'a refused key unlock leaves the session locked');
    assert.deepEqual(
      events.map((e) => [e.type, e.sessionId, e.method ?? null]),
      [
        ['logon', '1', 'security_key'],
        ['lock', '1', null],
        ['unlock', '1', 'security_key'],
        ['lock', '1', null],
        ['unlock', '1', 'security_key'],
        ['lock', '1', null],
      ],
    );
    assert.ok(!JSON.stringify(lines).includes('secret-1'), 'the log never has a password');
    input.end();
    await driver.stop();
  });
});
