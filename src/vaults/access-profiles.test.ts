import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { ENGINES } from '../../test/helpers/db.js';

/**
 * Access profiles of hardware keys through the API on both engines: create, change, delete,
 * the single default, assignment to one key and in bulk, and the effective profile of a key
 * (its own, else the default, else the built-in default).
 */
const YUBIKEY = 'ee882879-721c-4913-9775-3dfcce97072a';
const FEITIAN = '833b721a-ff5f-4d00-bb2e-bdda3ec01e29';

for (const engine of ENGINES) {
  describe(`access profiles (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let n = 0;

    async function newKey(): Promise<string> {
      n++;
      const serial = `AP-${engine}-${n}`;
      const res = await admin.post('/api/hardware-keys/import', { csv: `${serial},YubiKey 5 NFC,${YUBIKEY}` });
      assert.equal(res.body.created, 1, res.raw);
      return (await admin.get(`/api/hardware-keys?q=${serial}`)).body.items[0].id;
    }
    const put = (url: string, body: unknown) => admin.request('PUT', url, body);
    const effective = async (keyId: string) => (await admin.get(`/api/hardware-keys/${keyId}/access-profile`)).body;

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
    });
    after(() => t.close());

    it('gives a key the built-in default while no profile exists', async () => {
      const key = await newKey();
      assert.deepEqual(await effective(key), {
        id: null,
        name: 'Built-in default',
        userVerificationRequired: true,
        minPinLength: null,
        allowedAaguids: [],
        reauthMinutes: 480,
        source: 'built_in',
      });
      assert.deepEqual(await t.services.accessProfiles.effectiveForKey(key), {
        id: null,
        name: 'Built-in default',
        userVerificationRequired: true,
        minPinLength: null,
        allowedAaguids: [],
        reauthMinutes: 480,
      });
    });

    it('creates a profile with its defaults, normalises AAGUIDs and audits it', async () => {
      const res = await admin.post('/api/access-profiles', { name: 'Office', allowedAaguids: [YUBIKEY.toUpperCase(), YUBIKEY, FEITIAN] });
      assert.equal(res.status, 201, res.raw);
      assert.equal(res.body.userVerificationRequired, true);
      assert.equal(res.body.minPinLength, null);
      assert.equal(res.body.reauthMinutes, 480);
      assert.equal(res.body.isDefault, false);
      assert.deepEqual(res.body.allowedAaguids, [YUBIKEY, FEITIAN]);
      const audit = await admin.get('/api/audit?action=access_profile.created&pageSize=1');
      assert.equal(audit.body.items[0].targetId, res.body.id);
    });

    it('refuses a name in use (any case), a bad AAGUID, a PIN length CTAP does not allow, an unknown field', async () => {
      await admin.post('/api/access-profiles', { name: 'Finance' });
      const dup = await admin.post('/api/access-profiles', { name: 'FINANCE' });
      assert.equal(dup.status, 409, dup.raw);
      assert.equal(dup.body.error.code, 'access_profiles.name_in_use');
      for (const body of [
        { name: 'x1', allowedAaguids: ['not-a-uuid'] },
        { name: 'x2', allowedAaguids: ["'; drop table key_access_profiles; --"] },
        { name: 'x3', minPinLength: 3 },
        { name: 'x4', minPinLength: 64 },
        { name: 'x5', reauthMinutes: 0 },
        { name: 'x6', reauthMinutes: 1.5 },
        { name: '   ' },
        { name: 'x7', isAdmin: true },
        { name: 'x8', userVerificationRequired: 'yes' },
      ]) {
        const res = await admin.post('/api/access-profiles', body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.raw}`);
      }
      const names = (await admin.get('/api/access-profiles')).body.items.map((p: { name: string }) => p.name);
      assert.ok(!names.some((x: string) => /^x\d$/.test(x)));
    });

    it('keeps at most one default, also when two admins set one at once', async () => {
      const a = (await admin.post('/api/access-profiles', { name: `Default A ${engine}`, isDefault: true })).body;
      const [b, c] = await Promise.all([
        admin.post('/api/access-profiles', { name: `Default B ${engine}`, isDefault: true }),
        admin.post('/api/access-profiles', { name: `Default C ${engine}`, isDefault: true }),
      ]);
      assert.equal(b.status, 201, b.raw);
      assert.equal(c.status, 201, c.raw);
      const defaults = (await admin.get('/api/access-profiles')).body.items.filter((p: { isDefault: boolean }) => p.isDefault);
      assert.equal(defaults.length, 1);
      assert.ok([b.body.id, c.body.id].includes(defaults[0].id));
      const made = await admin.patch(`/api/access-profiles/${a.id}`, { isDefault: true });
      assert.equal(made.status, 200, made.raw);
      const after = (await admin.get('/api/access-profiles')).body.items.filter((p: { isDefault: boolean }) => p.isDefault);
      assert.deepEqual(
        after.map((p: { id: string }) => p.id),
        [a.id],
      );
      // A key without a profile of its own gets the default.
      const key = await newKey();
      const e = await effective(key);
      assert.equal(e.id, a.id);
      assert.equal(e.source, 'default');
      // Unmarking the default leaves the built-in one.
      await admin.patch(`/api/access-profiles/${a.id}`, { isDefault: false });
      assert.equal((await effective(key)).source, 'built_in');
    });

    it("assigns a profile to a key: the key's own wins over the default; deleting it falls back", async () => {
      const def = (await admin.post('/api/access-profiles', { name: `Fallback ${engine}`, isDefault: true, reauthMinutes: 60 })).body;
      const own = (await admin.post('/api/access-profiles', { name: `Strict ${engine}`, minPinLength: 8, reauthMinutes: 15, allowedAaguids: [YUBIKEY] })).body;
      const key = await newKey();
      const set = await put(`/api/hardware-keys/${key}/access-profile`, { accessProfileId: own.id });
      assert.equal(set.status, 200, set.raw);
      assert.equal(set.body.source, 'key');
      assert.deepEqual(await t.services.accessProfiles.effectiveForKey(key), {
        id: own.id,
        name: `Strict ${engine}`,
        userVerificationRequired: true,
        minPinLength: 8,
        allowedAaguids: [YUBIKEY],
        reauthMinutes: 15,
      });
      assert.equal((await admin.get(`/api/hardware-keys/${key}`)).body.accessProfileId, own.id);
      assert.equal((await admin.get(`/api/access-profiles/${own.id}`)).body.keyCount, 1);
      const audit = await admin.get('/api/audit?action=access_profile.assigned&pageSize=1');
      assert.equal(audit.body.items[0].targetId, key);
      assert.equal(audit.body.items[0].details.to, own.id);
      const del = await admin.delete(`/api/access-profiles/${own.id}`);
      assert.equal(del.status, 204, del.raw);
      assert.equal((await admin.get(`/api/hardware-keys/${key}`)).body.accessProfileId, null);
      const e = await effective(key);
      assert.equal(e.id, def.id);
      assert.equal(e.reauthMinutes, 60);
      assert.equal((await admin.get(`/api/access-profiles/${own.id}`)).status, 404);
      await admin.patch(`/api/access-profiles/${def.id}`, { isDefault: false });
    });

    it('assigns in bulk in one step, naming the unknown keys, and unassigns with null', async () => {
      const p = (await admin.post('/api/access-profiles', { name: `Bulk ${engine}`, userVerificationRequired: false })).body;
      const keys = [await newKey(), await newKey()];
      const unknown = '00000000-0000-4000-8000-000000000000';
      const res = await admin.post('/api/hardware-keys/bulk/access-profile', { accessProfileId: p.id, keyIds: [...keys, unknown] });
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(res.body, { updated: 2, notFound: [unknown] });
      for (const k of keys) assert.equal((await effective(k)).userVerificationRequired, false);
      const clear = await admin.post('/api/hardware-keys/bulk/access-profile', { accessProfileId: null, keyIds: keys });
      assert.equal(clear.body.updated, 2);
      for (const k of keys) assert.equal((await effective(k)).id === p.id, false);
    });

    it('refuses an unknown profile or key with 404, and changes nothing', async () => {
      const key = await newKey();
      const unknown = '00000000-0000-4000-8000-000000000000';
      const a = await put(`/api/hardware-keys/${key}/access-profile`, { accessProfileId: unknown });
      assert.equal(a.status, 404);
      assert.equal(a.body.error.code, 'access_profiles.not_found');
      const b = await admin.post('/api/hardware-keys/bulk/access-profile', { accessProfileId: unknown, keyIds: [key] });
      assert.equal(b.status, 404);
      assert.equal((await admin.get(`/api/hardware-keys/${key}`)).body.accessProfileId, null);
      const p = (await admin.post('/api/access-profiles', { name: `Some ${engine}` })).body;
      const c = await put(`/api/hardware-keys/${unknown}/access-profile`, { accessProfileId: p.id });
      assert.equal(c.status, 404);
      assert.equal(c.body.error.code, 'hardware_keys.not_found');
      assert.equal((await admin.get(`/api/hardware-keys/${unknown}/access-profile`)).status, 404);
      assert.equal((await admin.patch(`/api/access-profiles/${unknown}`, { name: 'x' })).status, 404);
      assert.equal((await admin.delete(`/api/access-profiles/${unknown}`)).status, 404);
      await assert.rejects(t.services.accessProfiles.effectiveForKey(unknown), /not found/);
    });

    it('records what changed in an update, and refuses a rename onto another name', async () => {
      const p = (await admin.post('/api/access-profiles', { name: `Change ${engine}` })).body;
      await admin.post('/api/access-profiles', { name: `Taken ${engine}` });
      const res = await admin.patch(`/api/access-profiles/${p.id}`, { minPinLength: 6, reauthMinutes: 30 });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.minPinLength, 6);
      const audit = await admin.get('/api/audit?action=access_profile.updated&pageSize=1');
      assert.deepEqual(audit.body.items[0].details.changes.minPinLength, { from: null, to: 6 });
      const clash = await admin.patch(`/api/access-profiles/${p.id}`, { name: `taken ${engine}` });
      assert.equal(clash.status, 409);
      assert.equal(clash.body.error.code, 'access_profiles.name_in_use');
    });

    it('refuses a caller without an admin session', async () => {
      const anon = new (admin.constructor as new (app: unknown) => Client)(t.app);
      assert.equal((await anon.get('/api/access-profiles')).status, 401);
      assert.equal((await anon.post('/api/access-profiles', { name: 'Anon' })).status === 201, false);
    });
  });
}
