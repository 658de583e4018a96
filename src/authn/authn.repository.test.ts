import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { isUniqueViolation } from '../lib/errors.js';
import { insertEmployee } from '../employees/employee.repository.js';
import * as authRepo from './employee-auth.repository.js';
import * as repo from './webauthn.repository.js';

const credential = (subjectType: string, subjectId: string, name = 'Key'): repo.NewCredentialRow => ({
  subjectType,
  subjectId,
  credentialId: crypto.randomBytes(32).toString('base64url'),
  publicKey: 'pQECAyYgASFYIA',
  signCount: 0,
  transports: ['usb'],
  aaguid: '00000000-0000-0000-0000-000000000000',
  attachment: 'cross-platform',
  name,
});

for (const engine of ENGINES) {
  describe(`WebAuthn and employee factor storage (${engine})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(engine);
    });
    after(() => t.close());
    const db = () => t.database.db;

    it('hands a challenge to exactly one of many simultaneous claims, and never again', async () => {
      const now = new Date();
      await repo.insertChallenge(db(), {
        id: 'c1',
        purpose: 'sign_in',
        subjectType: 'employee',
        subjectId: null,
        challenge: 'abc',
        expiresAt: new Date(now.getTime() + 300_000),
      });
      const claims = await Promise.all(Array.from({ length: 10 }, () => repo.claimChallenge(db(), 'c1', now)));
      assert.equal(claims.filter(Boolean).length, 1);
      assert.equal(claims.find(Boolean)!.challenge, 'abc');
      assert.equal(await repo.claimChallenge(db(), 'c1', now), undefined);
      assert.equal(await repo.claimChallenge(db(), 'unknown', now), undefined);
    });

    it('claims a challenge and reads the credential an answer names in one statement, once', async () => {
      const now = new Date();
      const owner = crypto.randomUUID();
      const key = await repo.insertCredential(db(), credential('employee', owner, 'Joined'));
      const challenge = (id: string) =>
        repo.insertChallenge(db(), { id, purpose: 'sign_in', subjectType: 'employee', challenge: `ch-${id}`, expiresAt: new Date(now.getTime() + 300_000) });
      await challenge('j1');
      await challenge('j2');
      const claims = await Promise.all(Array.from({ length: 6 }, () => repo.claimChallengeWithCredential(db(), 'j1', now, key.credentialId)));
      const won = claims.filter((c) => c.challenge);
      assert.equal(won.length, 1, 'exactly one claim gets the challenge');
      assert.equal(won[0].challenge?.challenge, 'ch-j1');
      assert.ok(won[0].challenge?.usedAt instanceof Date, 'the claim marks it used');
      assert.equal(won[0].credential?.id, key.id);
      assert.equal(won[0].credential?.subjectId, owner);
      assert.ok(won[0].credential?.createdAt instanceof Date, 'dates are mapped as in a plain select');
      assert.ok(
        claims.filter((c) => !c.challenge).every((c) => c.credential === undefined),
        'no claim, no credential',
      );
      const unknownKey = await repo.claimChallengeWithCredential(db(), 'j2', now, 'not-a-registered-id');
      assert.equal(unknownKey.challenge?.challenge, 'ch-j2');
      assert.equal(unknownKey.credential, undefined);
    });

    it('removes challenges that expired before a cut-off, and only those', async () => {
      const now = Date.now();
      await repo.insertChallenge(db(), { id: 'old', purpose: 'register', challenge: 'x', expiresAt: new Date(now - 7200_000) });
      await repo.insertChallenge(db(), { id: 'recent', purpose: 'register', challenge: 'y', expiresAt: new Date(now - 60_000) });
      assert.ok((await repo.deleteExpiredChallenges(db(), new Date(now - 3600_000))) >= 1);
      assert.equal(await repo.claimChallenge(db(), 'old', new Date()), undefined);
      assert.ok(await repo.claimChallenge(db(), 'recent', new Date()), 'kept so that a late answer hears "expired"');
    });

    it("keeps each subject's credentials to itself, and a credential id unique across subjects", async () => {
      const alice = crypto.randomUUID();
      const bob = crypto.randomUUID();
      const a1 = await repo.insertCredential(db(), credential('employee', alice, 'A1'));
      await repo.insertCredential(db(), credential('employee', alice, 'A2'));
      const b1 = await repo.insertCredential(db(), credential('employee', bob, 'B1'));
      await repo.insertCredential(db(), credential('admin', alice, 'admin key with the same id'));
      assert.deepEqual(
        (await repo.findCredentialsBySubject(db(), 'employee', alice)).map((c) => c.name),
        ['A1', 'A2'],
      );
      assert.equal(await repo.countCredentialsBySubject(db(), 'employee', alice), 2);
      assert.equal(await repo.findCredentialOfSubject(db(), 'employee', alice, b1.id), undefined, "Alice cannot reach Bob's key by its id");
      assert.equal((await repo.findCredentialOfSubject(db(), 'employee', alice, a1.id))?.name, 'A1');
      assert.equal((await repo.findCredentialByCredentialId(db(), b1.credentialId))?.subjectId, bob);
      await assert.rejects(repo.insertCredential(db(), { ...credential('employee', bob), credentialId: a1.credentialId }), (err) =>
        isUniqueViolation(err, 'webauthn_credentials_credential_id_key'),
      );
      const updated = await repo.updateCredentialById(db(), a1.id, { signCount: 7, name: 'Renamed', lastUsedAt: new Date() });
      assert.equal(updated?.signCount, 7);
      assert.equal(await repo.deleteCredentialsBySubject(db(), 'employee', alice), 2);
      assert.equal(await repo.countCredentialsBySubject(db(), 'admin', alice), 1, 'the admin of the same id keeps theirs');
      assert.equal(await repo.deleteCredentialById(db(), b1.id), true);
      assert.equal(await repo.deleteCredentialById(db(), b1.id), false);
    });

    it('serialises registrations of one subject, so that a limit checked in the transaction holds', async () => {
      const subject = crypto.randomUUID();
      const limit = 2;
      const attempts = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          t.database.db.transaction(async (tx) => {
            await repo.lockSubjectCredentials(tx, 'employee', subject);
            if ((await repo.countCredentialsBySubject(tx, 'employee', subject)) >= limit) throw new Error('too many');
            await repo.insertCredential(tx, credential('employee', subject));
          }),
        ),
      );
      assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, limit);
      assert.equal(await repo.countCredentialsBySubject(db(), 'employee', subject), limit);
    });

    it("stores an employee's factors, and reserves at most the threshold of simultaneous attempts", async () => {
      const employee = await insertEmployee(db(), { email: `factor.${engine}@corp.example`, firstName: 'F', lastName: 'Actor' });
      assert.equal(await authRepo.findEmployeeAuth(db(), employee.id), undefined);
      const store = authRepo.employeeLockoutStore(db(), employee.id);
      const now = new Date();
      assert.equal(await store.reserve(5, now), undefined, 'no row: nothing to guess, nothing reserved');
      const row = await authRepo.upsertEmployeeAuth(db(), employee.id, { passwordHash: 'hash', failedAttempts: 0 });
      assert.equal(row.passwordHash, 'hash');
      const counts = await Promise.all(Array.from({ length: 12 }, () => store.reserve(5, now)));
      assert.deepEqual(counts.filter((n) => n !== undefined).sort(), [1, 2, 3, 4, 5], 'five reserved, seven refused');
      await store.release();
      assert.equal((await store.state())?.failedAttempts, 4);
      const until = new Date(now.getTime() + 60_000);
      const locks = await Promise.all([store.lock(until, now), store.lock(until, now)]);
      assert.deepEqual(locks.sort(), [false, true], 'one lock wins');
      assert.deepEqual(await store.state(), { failedAttempts: 0, lockedUntil: until });
      assert.equal(await store.reserve(5, now), undefined, 'locked: refused');
      assert.equal(await store.reserve(5, until), 1, 'the lock has ended: counting starts again');
      await store.release();
      await store.release();
      assert.equal((await store.state())?.failedAttempts, 0, 'never below 0');
      assert.equal(
        (await authRepo.upsertEmployeeAuth(db(), employee.id, { totpSecret: 'sealed' })).passwordHash,
        'hash',
        'an upsert keeps the fields it does not name',
      );
    });

    it('lets one of many simultaneous uses of a TOTP step through, and no earlier step after it', async () => {
      const employee = await insertEmployee(db(), { email: `step.${engine}@corp.example`, firstName: 'S', lastName: 'Tep' });
      await authRepo.upsertEmployeeAuth(db(), employee.id, { totpSecret: 'sealed' });
      const claims = await Promise.all(Array.from({ length: 8 }, () => authRepo.claimEmployeeTotpStep(db(), employee.id, 1000)));
      assert.equal(claims.filter(Boolean).length, 1);
      assert.equal(await authRepo.claimEmployeeTotpStep(db(), employee.id, 999), false);
      assert.equal(await authRepo.claimEmployeeTotpStep(db(), employee.id, 1001), true);
    });
  });
}
