import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { startSamba, type SambaDc } from '../../test/helpers/samba.js';
import { ORIGIN, passkeySignIn, registerKey } from '../../test/helpers/signin.js';
import { softKeys } from '../../test/helpers/soft-authenticator.js';

/**
 * Domain passwords against Samba AD: rotation (new binds, old refused), admin set and generate,
 * the employee's own change with AD's policy errors in plain words, and "Test connection"
 * outcomes for bad settings. Also: no answer ever carries a password.
 */
const SYNC = 'Tessera Users Sync';
const ROTATION = 'Tessera Key Auto Password Change';
const ALICE_PW = 'Al1ce-Pass!x';
const BOB_PW = 'B0b-Pass!xyz';

describe('domain passwords against Samba AD', () => {
  let dc: SambaDc;
  let t: TestApp;
  let c: Client;
  let domainId: string;
  const answers: string[] = [];
  const settings = () => ({ urls: [dc.ldapsUrl], bindUser: dc.adminUpn, caCertificate: dc.caPem, tlsServerName: dc.tlsServerName, timeoutMs: 3000 });
  const employeeByEmail = async (email: string) => (await c.get(`/api/employees?q=${encodeURIComponent(email)}`)).body.items[0];
  const accountOf = async (employeeId: string) => (await c.get(`/api/employees/${employeeId}/directory-accounts`)).body.items[0];

  before(async () => {
    dc = await startSamba({ ip: '127.0.0.22' });
    await dc.addGroup(SYNC);
    await dc.addGroup(ROTATION);
    await dc.addUser({ username: 'alice', password: ALICE_PW, givenName: 'Alice', surname: 'Archer', mail: 'alice@corp.example.test' });
    await dc.addUser({ username: 'bob', password: BOB_PW, givenName: 'Bob', surname: 'Baker', mail: 'bob@corp.example.test' });
    await dc.addMembers(SYNC, ['alice', 'bob']);
    await dc.addMembers(ROTATION, ['alice', 'bob']);
    t = await createTestApp();
    c = await signedInAdmin(t);
    const res = await c.post('/api/directory/domains', {
      kind: 'ad',
      name: 'corp.example.test',
      secret: dc.adminPassword,
      passwordChangeDays: 30,
      settings: settings(),
    });
    domainId = res.body.id;
    const run = await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
    assert.equal(run.body.status, 'succeeded', run.body.error);
  });
  after(async () => {
    await t?.close();
    await dc?.stop();
  });

  it('rotates the password of a rotation-group member holding an active key: the new one binds, the old one is refused', async () => {
    const alice = await employeeByEmail('alice@corp.example.test');
    const bob = await employeeByEmail('bob@corp.example.test');
    let res = await c.post('/api/directory/rotation/run');
    assert.equal(res.body.rotated, 0, 'no hardware key yet: nobody is rotated');
    res = await c.post(`/api/employees/${alice.id}/hardware-keys`, { serial: 'HK-0001' });
    assert.equal(res.status, 201);
    assert.equal((await c.post(`/api/employees/${bob.id}/hardware-keys`, { serial: 'HK-0001' })).body.error.code, 'hardware_keys.serial_in_use');
    res = await c.post('/api/directory/rotation/run');
    answers.push(res.raw);
    assert.equal(res.body.rotated, 1);
    assert.equal(await dc.canBind('alice', ALICE_PW), false, 'the old password is refused');
    const account = await accountOf(alice.id);
    answers.push(JSON.stringify(account));
    assert.equal(account.hasManagedPassword, true);
    assert.equal(account.hasPendingPassword, false);
    assert.ok(account.passwordChangedAt);
    // The new password is only in the database, sealed: open it as the key provisioning would.
    const [row] = await t.db.database.query<{ id: string; password: string }>(`SELECT id, password FROM domain_passwords WHERE state = 'current'`);
    const clear = t.services.sealer.open(row.password, `domain_passwords.password:${row.id}`);
    assert.equal(await dc.canBind('alice', clear), true, 'the new password binds');
    assert.equal(row.password.includes(clear), false);
    const dump =
      JSON.stringify(await t.db.database.query('SELECT * FROM domain_passwords')) + JSON.stringify(await t.db.database.query('SELECT * FROM audit_events'));
    assert.equal(dump.includes(clear), false, 'the password is nowhere in clear in the database');
    for (const a of answers) assert.equal(a.includes(clear), false);
    res = await c.post('/api/directory/rotation/run');
    assert.equal(res.body.rotated, 0, 'not due again before 30 days');
    // Removing the key stops rotation for the employee.
    const keys = await c.get(`/api/employees/${alice.id}/hardware-keys`);
    assert.equal((await c.delete(`/api/employees/${alice.id}/hardware-keys/${keys.body.items[0].id}`)).status, 204);
  });

  it('lets an admin set a password (a weak one is refused in plain words) or generate one nobody sees', async () => {
    const bob = await employeeByEmail('bob@corp.example.test');
    const account = await accountOf(bob.id);
    const url = `/api/employees/${bob.id}/directory-accounts/${account.id}/password`;
    let res = await c.post(url, { password: 'abc' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'directory.password_policy');
    assert.match(res.body.error.message, /too short|too simple/);
    assert.equal(await dc.canBind('bob', BOB_PW), true, 'a refused password changes nothing');
    res = await c.post(url, { password: 'Adm1n-Chosen!pw' });
    assert.equal(res.status, 204, res.raw);
    assert.equal(await dc.canBind('bob', 'Adm1n-Chosen!pw'), true);
    assert.equal(await dc.canBind('bob', BOB_PW), false);
    res = await c.post(url, { generate: true });
    assert.equal(res.status, 204);
    assert.equal(res.raw, '', 'a generated password is never answered');
    assert.equal(await dc.canBind('bob', 'Adm1n-Chosen!pw'), false);
    const audit = await c.get('/api/audit?action=directory.password_set');
    assert.ok(audit.body.items.length >= 2, JSON.stringify(audit.body).slice(0, 300));
    assert.equal(JSON.stringify(audit.body).includes('Adm1n-Chosen!pw'), false, 'no password in the audit log');
    assert.equal((await c.post(url, { generate: false })).status, 400, 'strict bodies');
  });

  it('refuses a second change of a domain password while another is in flight, and AD keeps what it had', async () => {
    // Two writes verified in turn (admin set racing a rotation, or two nodes) would let the later
    // makeCurrent keep a password AD no longer holds: the second change must not start.
    const bob = await employeeByEmail('bob@corp.example.test');
    const account = await accountOf(bob.id);
    const inFlight = crypto.randomUUID();
    await t.db.database.query(`INSERT INTO domain_passwords (id, account_id, state, reason, password) VALUES ($1, $2, 'pending', 'rotation', $3)`, [
      inFlight,
      account.id,
      t.services.sealer.seal('Inflight-Pass!1', `domain_passwords.password:${inFlight}`),
    ]);
    try {
      const res = await c.post(`/api/employees/${bob.id}/directory-accounts/${account.id}/password`, { password: 'Another-Pass!2' });
      assert.equal(res.status, 409, res.raw);
      assert.equal(res.body.error.code, 'directory.password_change_in_progress');
      assert.equal(await dc.canBind('bob', 'Another-Pass!2'), false, 'nothing was written to AD');
      const pending = await t.db.database.query<{ id: string }>(`SELECT id FROM domain_passwords WHERE account_id = $1 AND state = 'pending'`, [account.id]);
      assert.deepEqual(
        pending.map((r) => r.id),
        [inFlight],
        'the refused change left no pending row of its own',
      );
    } finally {
      await t.db.database.query('DELETE FROM domain_passwords WHERE id = $1', [inFlight]);
    }
  });

  it('keeps a password AD took even when the verifying bind is refused (account disabled in AD since the last sync)', async () => {
    const bob = await employeeByEmail('bob@corp.example.test');
    const account = await accountOf(bob.id);
    await dc.setEnabled('bob', false);
    try {
      const res = await c.post(`/api/employees/${bob.id}/directory-accounts/${account.id}/password`, { generate: true });
      assert.notEqual(res.status, 204, 'a disabled account does not bind');
      const rows = await t.db.database.query<{ id: string; password: string | null }>(
        `SELECT id, password FROM domain_passwords WHERE account_id = $1 AND state = 'pending'`,
        [account.id],
      );
      assert.equal(rows.length, 1, `${res.raw}: AD holds the written password, so it stays pending, sealed`);
      assert.ok(rows[0].password);
    } finally {
      await dc.setEnabled('bob', true);
    }
    const run = await c.post('/api/directory/rotation/run');
    assert.equal(run.body.reconciled.current, 1, run.raw);
    const [row] = await t.db.database.query<{ id: string; password: string }>(
      `SELECT id, password FROM domain_passwords WHERE account_id = $1 AND state = 'current'`,
      [account.id],
    );
    assert.equal(await dc.canBind('bob', t.services.sealer.open(row.password, `domain_passwords.password:${row.id}`)), true, 'Tessera holds what AD has');
  });

  it("lets an employee change their own domain password from the portal, with AD's errors explained", async () => {
    const carolPw = 'Car0l-Pass!x';
    await dc.addUser({ username: 'carol', password: carolPw, givenName: 'Carol', surname: 'Cole', mail: 'carol@corp.example.test' });
    await dc.addMembers(SYNC, ['carol']);
    await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
    const carol = await employeeByEmail('carol@corp.example.test');
    const key = softKeys.yubikey();
    await registerKey(t, carol, key);
    const portal = new Client(t.app);
    assert.equal((await passkeySignIn(portal, key)).status, 200);
    const list = await portal.get('/api/portal/directory-accounts');
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].canChangePassword, true);
    const url = `/api/portal/directory-accounts/${list.body.items[0].id}/password`;
    let res = await portal.post(url, { oldPassword: 'not-the-password', newPassword: 'N3w-Carol-Pass!' });
    assert.equal(res.body.error.code, 'directory.wrong_password');
    res = await portal.post(url, { oldPassword: carolPw, newPassword: 'short' });
    assert.equal(res.body.error.code, 'directory.password_policy');
    assert.match(res.body.error.message, /password policy/);
    res = await portal.post(url, { oldPassword: carolPw, newPassword: 'N3w-Carol-Pass!' });
    assert.equal(res.status, 204, res.raw);
    assert.equal(await dc.canBind('carol', 'N3w-Carol-Pass!'), true);
    assert.equal(await dc.canBind('carol', carolPw), false);
    // Another employee's account is out of reach.
    const bobAccount = await accountOf((await employeeByEmail('bob@corp.example.test')).id);
    res = await portal.post(`/api/portal/directory-accounts/${bobAccount.id}/password`, { oldPassword: 'x', newPassword: 'N3w-Carol-Pass!2' });
    assert.equal(res.body.error.code, 'directory.account_not_found');
    assert.equal((await new Client(t.app).get('/api/portal/directory-accounts')).status, 401);
  });

  it("rotates the password in AD at once when the employee's key is reported compromised, and again when a returned key is deactivated", async () => {
    const davePw = 'D4ve-Pass!xyz';
    await dc.addUser({ username: 'dave', password: davePw, givenName: 'Dave', surname: 'Dunn', mail: 'dave@corp.example.test' });
    await dc.addMembers(SYNC, ['dave']);
    await dc.addMembers(ROTATION, ['dave']);
    await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
    const dave = await employeeByEmail('dave@corp.example.test');
    const account = await accountOf(dave.id);
    const current = async () => {
      const [row] = await t.db.database.query<{ id: string; password: string }>(
        `SELECT id, password FROM domain_passwords WHERE state = 'current' AND account_id = $1`,
        [account.id],
      );
      return row ? t.services.sealer.open(row.password, `domain_passwords.password:${row.id}`) : undefined;
    };
    const stolen = await c.post(`/api/employees/${dave.id}/hardware-keys`, { serial: 'HK-DAVE-1' });
    assert.equal(stolen.status, 201, stolen.raw);
    const run = await c.post('/api/directory/rotation/run');
    assert.equal(run.body.rotated, 1, `dave holds an Active key: rotated (${run.raw})`);
    const rotated = await current();
    assert.ok(rotated && (await dc.canBind('dave', rotated)), 'the rotated password binds');

    let res = await c.post(`/api/hardware-keys/${stolen.body.id}/transitions`, { to: 'compromised', reason: 'stolen on the train' });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.compromise.passwordsRotated, 1);
    const afterCompromise = await current();
    assert.ok(afterCompromise && afterCompromise !== rotated);
    assert.equal(await dc.canBind('dave', rotated), false, 'what the stolen key could have typed no longer works');
    assert.equal(await dc.canBind('dave', afterCompromise), true, 'AD has the new password');
    assert.equal(res.raw.includes(afterCompromise), false);

    const returned = await c.post(`/api/employees/${dave.id}/hardware-keys`, { serial: 'HK-DAVE-2' });
    assert.equal(returned.status, 201, returned.raw);
    res = await c.post(`/api/hardware-keys/${returned.body.id}/transitions`, { to: 'deactivated', reason: 'left the company' });
    assert.equal(res.status, 200, res.raw);
    const afterReturn = await current();
    assert.ok(afterReturn && afterReturn !== afterCompromise);
    assert.equal(await dc.canBind('dave', afterCompromise), false);
    assert.equal(await dc.canBind('dave', afterReturn), true);
    const audit = (await c.get(`/api/audit?action=directory.password_rotated&targetId=${dave.id}`)).body.items.map(
      (e: { details: { reason: string } }) => e.details.reason,
    );
    assert.deepEqual(audit.slice(0, 2).sort(), ['key_compromised', 'key_deactivated']);
    assert.equal((await c.get(`/api/employees/${dave.id}/password-rotation`)).body.code, 'no_active_key', 'no Active key left: no more rotation');
  });

  it('rotates an employee who has only a passkey when the domain lets the portal deliver, and the portal reveals that password after a passkey check', async () => {
    const erinPw = 'Er1n-Pass!xyz';
    await dc.addUser({ username: 'erin', password: erinPw, givenName: 'Erin', surname: 'Eve', mail: 'erin@corp.example.test' });
    await dc.addMembers(SYNC, ['erin']);
    await dc.addMembers(ROTATION, ['erin']);
    await c.post(`/api/directory/domains/${domainId}/sync`, { wait: true });
    const erin = await employeeByEmail('erin@corp.example.test');
    const passkey = softKeys.yubikey();
    await registerKey(t, erin, passkey);

    await c.post('/api/directory/rotation/run');
    assert.equal(await dc.canBind('erin', erinPw), true, 'a passkey alone: not rotated while the domain delivers to keys only');
    let status = (await c.get(`/api/employees/${erin.id}/password-rotation`)).body;
    assert.equal(status.code, 'no_active_key');

    let res = await c.patch(`/api/directory/domains/${domainId}`, { rotationDelivery: 'key_or_portal' });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.rotationDelivery, 'key_or_portal');
    status = (await c.get(`/api/employees/${erin.id}/password-rotation`)).body;
    assert.deepEqual([status.eligible, status.code], [true, 'eligible']);
    await c.post('/api/directory/rotation/run');
    assert.equal(await dc.canBind('erin', erinPw), false, 'rotated: the portal can deliver it');

    // The employee reads the new password in "My accounts" after a fresh passkey check.
    const portal = new Client(t.app);
    assert.equal((await passkeySignIn(portal, passkey)).status, 200);
    const accounts = (await portal.get('/api/portal/vault/accounts')).body.items;
    const directoryAccount = accounts.find((a: { kind: string }) => a.kind === 'directory');
    assert.ok(directoryAccount, JSON.stringify(accounts));
    assert.equal(directoryAccount.isReadOnly, true);
    const start = await portal.post(`/api/portal/vault/accounts/${directoryAccount.id}/reveal/options`, { field: 'password' });
    assert.equal(start.status, 200, start.raw);
    const response = passkey.authenticate(start.body.options, { origin: ORIGIN });
    res = await portal.post(`/api/portal/vault/accounts/${directoryAccount.id}/reveal`, { ceremonyId: start.body.ceremonyId, response, field: 'password' });
    assert.equal(res.status, 200, res.raw);
    assert.equal(await dc.canBind('erin', res.body.value), true, 'what the portal reveals is what AD has');

    // Back to keys only: the passkey alone no longer makes her eligible.
    await c.patch(`/api/directory/domains/${domainId}`, { rotationDelivery: 'key' });
    status = (await c.get(`/api/employees/${erin.id}/password-rotation`)).body;
    assert.equal(status.code, 'no_active_key');
  });

  it('answers Test connection precisely for bad settings, and refuses password changes over plain LDAP', async () => {
    const make = async (name: string, over: Record<string, unknown>, secret = dc.adminPassword, extra: Record<string, unknown> = {}) => {
      const res = await c.post('/api/directory/domains', { kind: 'ad', name, secret, ...extra, settings: { ...settings(), ...over } });
      assert.equal(res.status, 201, res.raw);
      return (await c.post(`/api/directory/domains/${res.body.id}/test`)).body;
    };
    assert.equal((await make('unreachable.test', { urls: ['ldaps://127.0.0.23:636'] })).outcome, 'unreachable');
    assert.equal(
      (await make('no-ca.test', { caCertificate: null, tlsServerName: null })).outcome,
      'tls_failure',
      'a self-signed certificate is not trusted without its CA',
    );
    assert.equal((await make('wrong-name.test', { tlsServerName: 'other.corp.example.test' })).outcome, 'tls_failure');
    const noVerify = await make('no-verify.test', { caCertificate: null, tlsServerName: null, skipTlsVerify: true });
    assert.equal(noVerify.outcome, 'ok', 'the explicit "don\'t verify" switch connects');
    assert.equal((await make('bad-password.test', {}, 'Wrong-Pass!word1')).outcome, 'bad_credentials');
    const missing = await make('missing-group.test', {}, dc.adminPassword, { syncGroup: 'No Such Group' });
    assert.equal(missing.outcome, 'group_not_found');
    assert.match(missing.message, /No Such Group/);
    // Group names go into LDAP filters escaped (RFC 4515): parentheses are literal, and "*" is not a wildcard.
    await dc.addGroup('Tessera Sync (EU)');
    assert.equal((await make('paren-group.test', {}, dc.adminPassword, { syncGroup: 'Tessera Sync (EU)' })).outcome, 'ok');
    assert.equal((await make('star-group.test', {}, dc.adminPassword, { syncGroup: '*' })).outcome, 'group_not_found', 'a "*" group name matches no group');
    assert.equal((await make('inject-group.test', {}, dc.adminPassword, { syncGroup: 'x)(cn=*' })).outcome, 'group_not_found');
    const plain = await make('plain.test', { urls: [`ldap://${dc.ip}:389`], transport: 'none' });
    assert.equal(plain.outcome, 'insecure_transport', 'the controller refuses a simple bind without TLS');
    const viaStartTls = await make('starttls.test', { urls: [`ldap://${dc.ip}:389`], transport: 'starttls' });
    assert.equal(viaStartTls.outcome, 'ok', JSON.stringify(viaStartTls));
    // Rotation and admin changes over plain ldap:// are refused before anything is sent.
    const bob = await employeeByEmail('bob@corp.example.test');
    const account = await accountOf(bob.id);
    const list = (await c.get('/api/directory/domains')).body.items;
    const plainDomain = list.find((d: { name: string }) => d.name === 'plain.test');
    // A move of servers or transport carries the password again (the saved one stays with its servers).
    const moved = await c.patch(`/api/directory/domains/${domainId}`, {
      settings: { urls: [`ldap://${dc.ip}:389`], transport: 'none' },
      secret: dc.adminPassword,
    });
    assert.equal(moved.status, 200, moved.raw);
    const res = await c.post(`/api/employees/${bob.id}/directory-accounts/${account.id}/password`, { generate: true });
    assert.equal(res.body.error.code, 'directory.insecure_transport');
    assert.equal((await c.patch(`/api/directory/domains/${domainId}`, { settings: settings(), secret: dc.adminPassword })).status, 200);
    assert.ok(plainDomain);
    const bad = await c.post('/api/directory/domains', { kind: 'ad', name: 'x.test', settings: { ...settings(), urls: ['http://dc1'] } });
    assert.equal(bad.status, 400);
  });
});
