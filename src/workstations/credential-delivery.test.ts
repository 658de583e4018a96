import assert from 'node:assert/strict';
import { KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { compactDecrypt, exportJWK, importJWK } from 'jose';
import { openDelivery } from '../../agent/src/delivery.js';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';
import { fakeDirectory } from '../../test/helpers/fake-directory.js';
import { ORIGIN } from '../../test/helpers/signin.js';
import { SoftAuthenticator, softKeys } from '../../test/helpers/soft-authenticator.js';
import { enrollSoftwareAgent, type SoftwareAgent } from '../../test/helpers/software-agent.js';
import * as repo from './workstation.repository.js';

/**
 * Credential delivery to a workstation (issue 14 item 6, docs/agent-protocol.md §8), through the
 * agent API as an agent drives it and as an attacker would: a replayed assertion, another
 * employee's key, a Suspended key, a pending or another workstation, the emergency block, an
 * employee without an Active key, a key that did not verify its user. Both engines.
 */
const YUBIKEY = 'ee882879-721c-4913-9775-3dfcce97072a';
const people = ['dana', 'erin', 'frank'] as const;

/** The workstation's private key as an ECDH key (it was made for ES256 signatures), and as node's KeyObject for the agent's code. */
async function decryptionKeys(agent: SoftwareAgent) {
  const jwk = await exportJWK(agent.privateKey);
  return {
    jose: await importJWK({ ...jwk, alg: undefined }, 'ECDH-ES'),
    node: KeyObject.from(agent.privateKey as unknown as Parameters<typeof KeyObject.from>[0]),
  };
}

for (const engine of ENGINES) {
  describe(`credential delivery to workstations (${engine})`, () => {
    const clock = manualClock(new Date());
    const directory = fakeDirectory(
      people.map((u, i) => ({
        externalId: `6f1c1f8e-0d7c-4a4e-9d50-2f6a9f3f000${i + 1}`,
        username: u,
        email: `${u}@corp.example.test`,
        givenName: u[0].toUpperCase() + u.slice(1),
        surname: 'Delivery',
      })),
    );
    let t: TestApp;
    let admin: Client;
    let approved: SoftwareAgent;
    let other: SoftwareAgent;
    let pending: SoftwareAgent;
    const ids: Record<string, string> = {};
    const vault: Record<string, { id: string; password: string }> = {};
    const keys: Record<string, { id: string; authenticator: SoftAuthenticator }> = {};
    let serial = 0;

    async function activateKey(who: string, authenticator: SoftAuthenticator) {
      serial++;
      const csv = `serial,model,aaguid\nDLV-${engine}-${serial},YubiKey 5 NFC,${YUBIKEY}`;
      assert.equal((await admin.post('/api/hardware-keys/import', { csv })).body.created, 1);
      const id = (await admin.get(`/api/hardware-keys?q=DLV-${engine}-${serial}`)).body.items[0].id;
      const reserved = await admin.post(`/api/hardware-keys/${id}/transitions`, { to: 'reserved', reason: 'issued', employeeId: ids[who] });
      assert.equal(reserved.status, 200, reserved.raw);
      const employee = new Client(t.app);
      const email = `${who}@corp.example.test`;
      const code = reserved.body.activationCode;
      const start = await employee.post('/api/enroll/activation/options', { email, code });
      assert.equal(start.status, 200, start.raw);
      const done = await employee.post('/api/enroll/activation/verify', {
        email,
        code,
        ceremonyId: start.body.ceremonyId,
        response: authenticator.register(start.body.options, { origin: ORIGIN }),
      });
      assert.equal(done.status, 200, done.raw);
      return id;
    }

    const call = async (agent: SoftwareAgent, url: string, payload: unknown) => {
      const r = await t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${await agent.assertion()}` }, payload: payload as never });
      return { status: r.statusCode, body: r.json(), raw: r.body };
    };
    const options = (agent: SoftwareAgent, account: string) => call(agent, '/api/agent/v1/credentials/options', { account });
    const deliver = (agent: SoftwareAgent, requestId: string, assertion: unknown) => call(agent, '/api/agent/v1/credentials', { requestId, assertion });
    const audits = async (action: string) =>
      (await admin.get(`/api/audit?action=${action}&pageSize=100`)).body.items as { details: Record<string, unknown>; outcome: string }[];

    before(async () => {
      t = await createTestApp({ engine, clock, connectorFactory: directory.factory });
      admin = await signedInAdmin(t);
      const domain = await admin.post('/api/directory/domains', {
        kind: 'ad',
        name: 'corp.example.test',
        secret: 'service-account-password',
        passwordChangeDays: 30,
        settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
      });
      assert.equal(domain.status, 201, domain.raw);
      assert.equal((await admin.post(`/api/directory/domains/${domain.body.id}/sync`, { wait: true })).body.status, 'succeeded');
      for (const u of people) ids[u] = (await admin.get(`/api/employees?q=${u}@corp.example.test`)).body.items[0].id;
      for (const u of ['dana', 'erin']) {
        const authenticator = softKeys.yubikey();
        keys[u] = { id: await activateKey(u, authenticator), authenticator };
        const accounts = (await admin.get(`/api/employees/${ids[u]}/directory-accounts`)).body.items;
        const set = await admin.post(`/api/employees/${ids[u]}/directory-accounts/${accounts[0].id}/password`, { generate: true });
        assert.equal(set.status, 204, set.raw);
      }
      // Vault accounts: one for dana's workstation, one of hers not for it, one of erin's for hers.
      const shared = async (name: string, password: string, workstationUse: boolean, holder: string) => {
        const res = await admin.post('/api/vault/shared-accounts', {
          name,
          urls: [`https://${name.toLowerCase()}.corp.example.test`],
          login: `${holder}-login`,
          password,
          workstationUse,
          assignments: { employeeIds: [ids[holder]] },
        });
        assert.equal(res.status, 201, res.raw);
        vault[name] = { id: res.body.id, password };
      };
      await shared('Intranet', 'intranet-secret-9f3a', true, 'dana');
      await shared('Payroll', 'payroll-secret-71c2', false, 'dana');
      await shared('Erins-VPN', 'erin-vpn-secret-4d0b', true, 'erin');
      const auto = (await admin.post('/api/workstation-enrolment-tokens', { name: 'delivery', maxUses: 10, autoApprove: true })).body.secret;
      const manual = (await admin.post('/api/workstation-enrolment-tokens', { name: 'delivery pending', maxUses: 10 })).body.secret;
      approved = await enrollSoftwareAgent(t.app, { token: auto, now: () => clock.now() });
      other = await enrollSoftwareAgent(t.app, { token: auto, now: () => clock.now() });
      pending = await enrollSoftwareAgent(t.app, { token: manual, now: () => clock.now() });
    });
    after(() => t.close());

    it("delivers the rotated directory password after a fresh assertion of the employee's Active key, encrypted to this workstation only", async () => {
      const start = await options(approved, 'CORP\\dana');
      assert.equal(start.status, 200, start.raw);
      assert.equal(start.body.options.userVerification, 'required', 'user verification until an access profile says otherwise');
      assert.equal(start.body.options.rpId, 'localhost');
      assert.equal(start.body.origin, ORIGIN);
      assert.equal(start.body.employee.id, ids.dana);
      const danaCredential = keys.dana.authenticator.credentials[0].id.toString('base64url');
      assert.deepEqual(
        start.body.options.allowCredentials.map((c: { id: string }) => c.id),
        [danaCredential],
        "only the credential of dana's Active key",
      );
      assert.ok(Date.parse(start.body.expiresAt) - clock.now().getTime() <= 120_000);

      const assertion = keys.dana.authenticator.authenticate(start.body.options, { origin: start.body.origin });
      const done = await deliver(approved, start.body.requestId, assertion);
      assert.equal(done.status, 200, done.raw);
      assert.deepEqual(done.body.accounts, [
        { type: 'directory', name: 'corp.example.test\\dana' },
        { type: 'vault', name: 'Intranet' },
      ]);
      assert.ok(!done.raw.includes(directory.passwords.get('dana')!) && !done.raw.includes(vault.Intranet.password), 'the answer holds no password');

      const [command] = (await repo.findOpenCommands(t.db.database.db, approved.workstationId, clock.now())).filter((c) => c.id === done.body.commandId);
      assert.equal(command.kind, 'deliver_credentials');
      assert.ok(command.expiresAt.getTime() - clock.now().getTime() <= 120_000, 'the delivery lives two minutes, not seven days');
      const jwe = command.payload.jwe as string;
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, (await decryptionKeys(approved)).jose);
      assert.equal(protectedHeader.alg, 'ECDH-ES');
      assert.equal(protectedHeader.enc, 'A256GCM');
      assert.equal(protectedHeader.kid, approved.workstationId);
      const content = JSON.parse(new TextDecoder().decode(plaintext));
      assert.equal(content.directory[0].username, 'dana');
      assert.equal(content.directory[0].password, directory.passwords.get('dana'), 'the password the directory holds');
      // The built-in profile's re-authentication interval: 8 hours of unlocking from memory.
      assert.equal(Date.parse(content.unlockUntil) - Date.parse(content.issuedAt), 480 * 60_000);
      // The vault accounts marked for workstation use that dana holds, and only those.
      assert.deepEqual(content.accounts, [
        { id: vault.Intranet.id, name: 'Intranet', urls: ['https://intranet.corp.example.test'], login: 'dana-login', password: vault.Intranet.password },
      ]);
      // The agent's own JWE code (no JOSE library) opens it too, and refuses it for another workstation.
      const mine = await decryptionKeys(approved);
      const theirs = await decryptionKeys(other);
      const opened = openDelivery(jwe, mine.node, { workstationId: approved.workstationId, now: clock.now().getTime() });
      assert.equal(opened.directory[0].password, directory.passwords.get('dana'));
      assert.equal(opened.accounts[0].password, vault.Intranet.password);
      assert.throws(() => openDelivery(jwe, theirs.node, { workstationId: approved.workstationId, now: clock.now().getTime() }), /does not open/);
      await assert.rejects(compactDecrypt(jwe, theirs.jose), 'another workstation cannot decrypt it');
      assert.throws(() => openDelivery(jwe, mine.node, { workstationId: approved.workstationId, now: clock.now().getTime() + 121_000 }), /expired/);

      // The console's command list and the audit log name the delivery, never its bytes.
      const listed = await admin.get(`/api/workstations/${approved.workstationId}/commands`);
      assert.equal(listed.status, 200, listed.raw);
      assert.ok(listed.raw.includes(command.id) && !listed.raw.includes(jwe.slice(0, 40)), 'no payload in the command list');
      const [delivered] = await audits('workstation.credentials_delivered');
      assert.equal(delivered.details.commandId, command.id);
      assert.equal(delivered.details.keyId, keys.dana.id);
      assert.equal(delivered.details.workstationId, approved.workstationId);
      const danaAccount = (await admin.get(`/api/employees/${ids.dana}/directory-accounts`)).body.items[0].id;
      assert.deepEqual(delivered.details.accounts, [
        { type: 'directory', id: danaAccount, name: 'corp.example.test\\dana' },
        { type: 'vault', id: vault.Intranet.id, name: 'Intranet' },
      ]);
      const all = JSON.stringify(await admin.get('/api/audit?pageSize=200'));
      for (const secret of [directory.passwords.get('dana')!, vault.Intranet.password, jwe.slice(-40)])
        assert.ok(!all.includes(secret), 'no secret in the audit log');

      // Acknowledged: the payload is erased.
      assert.ok(await repo.acknowledgeCommand(t.db.database.db, command.id, approved.workstationId, 'done', null, clock.now()));
      const [after] = (await repo.findCommands(t.db.database.db, approved.workstationId, 50)).filter((c) => c.id === command.id);
      assert.deepEqual(after.payload, {});
    });

    it('refuses a replayed assertion, and audits the refusal', async () => {
      const start = await options(approved, 'CORP\\dana');
      const assertion = keys.dana.authenticator.authenticate(start.body.options, { origin: start.body.origin });
      assert.equal((await deliver(approved, start.body.requestId, assertion)).status, 200);
      const replay = await deliver(approved, start.body.requestId, assertion);
      assert.equal(replay.status, 400, replay.raw);
      assert.equal(replay.body.error.code, 'webauthn.challenge_invalid');
      // The same assertion against a new request: its challenge is not the new one.
      const again = await options(approved, 'CORP\\dana');
      const stale = await deliver(approved, again.body.requestId, assertion);
      assert.equal(stale.body.error.code, 'webauthn.verification_failed', stale.raw);
      const refused = await audits('workstation.credentials_refused');
      assert.ok(refused.some((r) => r.details.code === 'webauthn.challenge_invalid' && r.details.workstationId === approved.workstationId));
    });

    it("refuses another employee's key for this employee's request", async () => {
      const start = await options(approved, 'CORP\\dana');
      const erins = keys.erin.authenticator.authenticate(start.body.options, {
        origin: start.body.origin,
        credentialId: keys.erin.authenticator.credentials[0].id.toString('base64url'),
      });
      const res = await deliver(approved, start.body.requestId, erins);
      assert.equal(res.status, 401, res.raw);
      assert.equal(res.body.error.code, 'webauthn.credential_unknown');
    });

    it('refuses a request made by another workstation, and a pending one altogether', async () => {
      const start = await options(approved, 'CORP\\dana');
      const assertion = keys.dana.authenticator.authenticate(start.body.options, { origin: start.body.origin });
      const stolen = await deliver(other, start.body.requestId, assertion);
      assert.equal(stolen.status, 400, stolen.raw);
      assert.equal(stolen.body.error.code, 'workstations.delivery_request_invalid');
      const refused = await options(pending, 'CORP\\dana');
      assert.equal(refused.status, 403, refused.raw);
      assert.equal(refused.body.error.code, 'agent.not_approved');
    });

    it('refuses a key that did not verify its user while the access profile requires it', async () => {
      const start = await options(approved, 'CORP\\dana');
      const lax = new SoftAuthenticator({ ...keys.dana.authenticator.options, userVerified: false });
      lax.credentials.push(...keys.dana.authenticator.credentials);
      const res = await deliver(approved, start.body.requestId, lax.authenticate(start.body.options, { origin: start.body.origin }));
      assert.equal(res.status, 400, res.raw);
      assert.equal(res.body.error.code, 'webauthn.verification_failed');
    });

    it('refuses an employee without an Active key, and a Suspended key (suspended between options and assertion too)', async () => {
      const none = await options(approved, 'CORP\\frank');
      assert.equal(none.status, 403, none.raw);
      assert.equal(none.body.error.code, 'workstations.no_active_key');
      const start = await options(approved, 'CORP\\erin');
      assert.equal(start.status, 200, start.raw);
      assert.equal((await admin.post(`/api/hardware-keys/${keys.erin.id}/transitions`, { to: 'suspended', reason: 'investigation' })).status, 200);
      const late = await deliver(approved, start.body.requestId, keys.erin.authenticator.authenticate(start.body.options, { origin: start.body.origin }));
      assert.equal(late.status, 403, late.raw);
      assert.equal(late.body.error.code, 'workstations.key_not_active');
      const suspended = await options(approved, 'CORP\\erin');
      assert.equal(suspended.body.error.code, 'workstations.no_active_key');
      assert.equal((await admin.post(`/api/hardware-keys/${keys.erin.id}/transitions`, { to: 'active', reason: 'cleared' })).status, 200);
      assert.equal((await options(approved, 'CORP\\erin')).status, 200);
      const unknown = await options(approved, 'CORP\\mallory');
      assert.equal(unknown.body.error.code, 'workstations.unknown_account');
    });

    it("follows the key's access profile: user verification only where it requires it, and only the models it allows", async () => {
      const relaxed = await admin.post('/api/access-profiles', { name: `Kiosk ${engine}`, userVerificationRequired: false, reauthMinutes: 15 });
      assert.equal(relaxed.status, 201, relaxed.raw);
      const assign = (profileId: string | null) => admin.request('PUT', `/api/hardware-keys/${keys.dana.id}/access-profile`, { accessProfileId: profileId });
      assert.equal((await assign(relaxed.body.id)).status, 200);
      try {
        const start = await options(approved, 'CORP\\dana');
        assert.equal(start.body.options.userVerification, 'preferred');
        const lax = new SoftAuthenticator({ ...keys.dana.authenticator.options, userVerified: false });
        lax.credentials.push(...keys.dana.authenticator.credentials);
        const res = await deliver(approved, start.body.requestId, lax.authenticate(start.body.options, { origin: start.body.origin }));
        assert.equal(res.status, 200, res.raw);
        // The profile's re-authentication interval is how long the agent may unlock from memory.
        const [queued] = (await repo.findOpenCommands(t.db.database.db, approved.workstationId, clock.now())).filter((c) => c.id === res.body.commandId);
        const held = openDelivery(queued.payload.jwe as string, (await decryptionKeys(approved)).node, {
          workstationId: approved.workstationId,
          now: clock.now().getTime(),
        });
        assert.equal(Date.parse(held.unlockUntil) - Date.parse(held.issuedAt), 15 * 60_000);

        const strict = await admin.post('/api/access-profiles', { name: `Other model ${engine}`, allowedAaguids: ['2fc0579f-8113-47ea-b116-bb5a8db9202a'] });
        assert.equal(strict.status, 201, strict.raw);
        assert.equal((await assign(strict.body.id)).status, 200);
        const again = await options(approved, 'CORP\\dana');
        assert.equal(again.body.options.userVerification, 'required');
        const refused = await deliver(approved, again.body.requestId, keys.dana.authenticator.authenticate(again.body.options, { origin: again.body.origin }));
        assert.equal(refused.status, 403, refused.raw);
        assert.equal(refused.body.error.code, 'workstations.key_not_allowed');
      } finally {
        assert.equal((await assign(null)).status, 200);
      }
    });

    it('delivers nothing during the emergency block', async () => {
      const start = await options(approved, 'CORP\\dana');
      const on = await admin.post('/api/emergency-block', { confirmation: 'BLOCK ALL WORKSTATIONS', reason: 'delivery test' });
      assert.equal(on.status, 200, on.raw);
      try {
        const blocked = await options(approved, 'CORP\\dana');
        assert.equal(blocked.status, 403, blocked.raw);
        assert.equal(blocked.body.error.code, 'workstations.emergency_block');
        const late = await deliver(approved, start.body.requestId, keys.dana.authenticator.authenticate(start.body.options, { origin: start.body.origin }));
        assert.equal(late.body.error.code, 'workstations.emergency_block');
      } finally {
        assert.equal((await admin.post('/api/emergency-block/lift', { reason: 'delivery test over' })).status, 200);
      }
    });

    it('says why someone is not rotated, and rotates the passwords of a deactivated key at once', async () => {
      const status = async (who: string) => (await admin.get(`/api/employees/${ids[who]}/password-rotation`)).body;
      assert.deepEqual(await status('dana'), { eligible: true, code: 'eligible', reason: null });
      assert.equal((await status('frank')).code, 'no_active_key');
      assert.match((await status('frank')).reason, /no active key/i);
      const domainId = (await admin.get('/api/directory/domains')).body.items[0].id;
      assert.equal((await admin.patch(`/api/directory/domains/${domainId}`, { passwordChangeDays: 0 })).status, 200);
      assert.equal((await status('dana')).code, 'rotation_off');
      assert.equal((await admin.patch(`/api/directory/domains/${domainId}`, { passwordChangeDays: 30 })).status, 200);

      const before = directory.passwords.get('erin');
      const res = await admin.post(`/api/hardware-keys/${keys.erin.id}/transitions`, { to: 'deactivated', reason: 'returned at the desk' });
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(res.body.deactivation, { passwordsRotated: 1, passwordsFailed: 0 });
      assert.notEqual(directory.passwords.get('erin'), before, 'the directory holds a new password');
      assert.equal((await status('erin')).code, 'no_active_key');
      assert.equal((await options(approved, 'CORP\\erin')).body.error.code, 'workstations.no_active_key');
      const audit = await audits('directory.password_rotated');
      assert.ok(audit.some((a) => a.details.account === 'erin' && a.details.reason === 'key_deactivated'));
      assert.equal((await admin.get('/api/employees/00000000-0000-4000-8000-000000000000/password-rotation')).status, 404);
    });

    it('lets a delivery expire: it is not sent after two minutes and its payload is erased', async () => {
      const start = await options(approved, 'CORP\\dana');
      const done = await deliver(approved, start.body.requestId, keys.dana.authenticator.authenticate(start.body.options, { origin: start.body.origin }));
      assert.equal(done.status, 200, done.raw);
      const later = new Date(clock.now().getTime() + 121_000);
      assert.ok(!(await repo.findOpenCommands(t.db.database.db, approved.workstationId, later)).some((c) => c.id === done.body.commandId));
      const expired = await repo.expireCommands(t.db.database.db, later);
      assert.ok(expired.some((c) => c.id === done.body.commandId));
      const [row] = (await repo.findCommands(t.db.database.db, approved.workstationId, 50)).filter((c) => c.id === done.body.commandId);
      assert.equal(row.state, 'expired');
      assert.deepEqual(row.payload, {});
    });

    it("delivers only the password of the account being logged on, not the employee's passwords in other domains", async () => {
      const branch = await admin.post('/api/directory/domains', {
        kind: 'ad',
        name: 'branch.example.test',
        secret: 'service-account-password',
        passwordChangeDays: 30,
        settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@branch.example.test' },
      });
      assert.equal(branch.status, 201, branch.raw);
      assert.equal((await admin.post(`/api/directory/domains/${branch.body.id}/sync`, { wait: true })).body.status, 'succeeded');
      const accounts = (await admin.get(`/api/employees/${ids.dana}/directory-accounts`)).body.items as { id: string; domainName?: string }[];
      assert.equal(accounts.length, 2, JSON.stringify(accounts));
      for (const a of accounts) {
        const set = await admin.post(`/api/employees/${ids.dana}/directory-accounts/${a.id}/password`, { generate: true });
        assert.equal(set.status, 204, set.raw);
      }
      const deliveredDomains = async (logon: string) => {
        const start = await options(approved, logon);
        assert.equal(start.status, 200, start.raw);
        const done = await deliver(approved, start.body.requestId, keys.dana.authenticator.authenticate(start.body.options, { origin: start.body.origin }));
        assert.equal(done.status, 200, done.raw);
        const [command] = (await repo.findOpenCommands(t.db.database.db, approved.workstationId, clock.now())).filter((c) => c.id === done.body.commandId);
        const { plaintext } = await compactDecrypt(command.payload.jwe as string, (await decryptionKeys(approved)).jose);
        return (JSON.parse(new TextDecoder().decode(plaintext)).directory as { domain: string }[]).map((d) => d.domain);
      };
      assert.deepEqual(await deliveredDomains('CORP\\dana'), ['corp.example.test']);
      assert.deepEqual(await deliveredDomains('BRANCH\\dana'), ['branch.example.test']);
    });
  });
}
