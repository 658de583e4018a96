import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAuditService, type AuditService } from './audit.service.js';
import { systemClock } from '../lib/clock.js';
import { systemContext } from '../lib/context.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';

for (const engine of ENGINES) {
  describe(`audit hash chain (${engine})`, () => {
    let tdb: TestDatabase;
    let audit: AuditService;
    const ctx = systemContext('test');
    const q = (sql: string) => tdb.database.query(sql);

    before(async () => {
      tdb = await openTestDatabase(engine);
      audit = createAuditService({ db: tdb.database.db, clock: systemClock });
    });
    after(() => tdb.close());

    it('keeps an intact chain when many records are written at once', async () => {
      await Promise.all(Array.from({ length: 30 }, (_, i) =>
        audit.record(ctx, { action: 'employee.created', target: { type: 'employee', id: String(i), label: `e${i}@corp.example` }, details: { nested: { b: 2, a: [1, 'x'] }, i } })));
      assert.deepEqual(await audit.verifyChain(), { ok: true, checked: 30 });
    });

    it('detects a record changed in the database', async () => {
      await q(`UPDATE audit_events SET target_label = 'someone-else' WHERE id = 7`);
      const result = await audit.verifyChain();
      assert.equal(result.ok, false);
      assert.equal(result.brokenAt?.id, 7);
      assert.match(result.brokenAt!.reason, /changed/);
    });

    it('detects a record removed from the middle', async () => {
      await q(`DELETE FROM audit_events WHERE id <= 7`);
      // The chain now starts at 8, whose prev_hash points at the deleted 7.
      assert.equal((await audit.verifyChain()).brokenAt?.id, 8);
    });

    it('detects the newest records removed', async () => {
      await q(`TRUNCATE audit_events`);
      await q(`DELETE FROM system_state WHERE key = 'audit.head'`);
      for (let i = 0; i < 3; i++) await audit.record(ctx, { action: 'settings.updated' });
      assert.equal((await audit.verifyChain()).ok, true);
      await q(`DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)`);
      const result = await audit.verifyChain();
      assert.equal(result.ok, false);
      assert.match(result.brokenAt!.reason, /removed/);
    });

    it('filters by action, outcome, actor, time and free text', async () => {
      await audit.record({ ...ctx, ip: '10.1.2.3', actor: { type: 'admin', id: 'a1', label: 'boss@corp.example' } }, { action: 'admin.sign_in', outcome: 'failure', details: { reason: 'wrong password' } });
      assert.equal((await audit.find({ action: 'admin.sign_in', outcome: 'failure' }, { offset: 0, limit: 10 })).total, 1);
      assert.equal((await audit.find({ actor: 'BOSS@' }, { offset: 0, limit: 10 })).total, 1);
      assert.equal((await audit.find({ q: '10.1.2' }, { offset: 0, limit: 10 })).total, 1);
      assert.equal((await audit.find({ from: new Date(Date.now() + 60_000) }, { offset: 0, limit: 10 })).total, 0);
      assert.ok((await audit.actions()).includes('admin.sign_in'));
    });
  });
}
