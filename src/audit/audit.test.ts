import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAuditService, type AuditEntry, type AuditService } from './audit.service.js';
import { manualClock, systemClock } from '../lib/clock.js';
import { systemContext } from '../lib/context.js';
import { openDatabase } from '../db/connection.js';
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
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          audit.record(ctx, {
            action: 'employee.created',
            target: { type: 'employee', id: String(i), label: `e${i}@corp.example` },
            details: { nested: { b: 2, a: [1, 'x'] }, i },
          }),
        ),
      );
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

    it('keeps reporting the removed newest records after later appends', async () => {
      // The next record chains onto the head, not onto the newest record left in the table, so
      // removing the tail cannot be healed by waiting for the next append.
      await audit.record(ctx, { action: 'settings.updated' });
      const result = await audit.verifyChain();
      assert.equal(result.ok, false);
      assert.match(result.brokenAt!.reason, /removed/);
      await q(`TRUNCATE audit_events`);
      await q(`DELETE FROM system_state WHERE key = 'audit.head'`);
    });

    it('chains every record of many concurrent appends from two connection pools', async () => {
      // Two pools on PostgreSQL (two nodes); on PGlite the one connection serialises them anyway.
      const other = tdb.url ? await openDatabase({ databaseUrl: tdb.url, dataDir: '' }) : undefined;
      const second = createAuditService({ db: other?.db ?? tdb.database.db, clock: systemClock });
      try {
        const before = (await audit.verifyChain()).checked;
        const n = 120;
        await Promise.all(
          Array.from({ length: n }, (_, i) =>
            (i % 2 ? second : audit).record(ctx, { action: 'employee.updated', target: { type: 'employee', id: String(i), label: null }, details: { i } }),
          ),
        );
        // Some inside a caller's transaction, as services do, interleaved with plain appends.
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            i % 2
              ? tdb.database.db.transaction((tx) => audit.record(ctx, { action: 'group.updated', details: { i } }, tx))
              : (other?.db ?? tdb.database.db).transaction((tx) => second.record(ctx, { action: 'group.updated', details: { i } }, tx)),
          ),
        );
        assert.deepEqual(await audit.verifyChain(), { ok: true, checked: before + n + 20 });
        const [{ forks }] = (await q(`SELECT count(*) - count(DISTINCT prev_hash) AS forks FROM audit_events`)) as { forks: number | string }[];
        assert.equal(Number(forks), 0, 'no two records chain onto the same previous record');
      } finally {
        await other?.close();
      }
    });

    it('chains bulk appends (a sync run) and single appends racing from two pools, without forks or gaps', async () => {
      const other = tdb.url ? await openDatabase({ databaseUrl: tdb.url, dataDir: '' }) : undefined;
      const second = createAuditService({ db: other?.db ?? tdb.database.db, clock: systemClock });
      try {
        const before = (await audit.verifyChain()).checked;
        const bulk = (k: number) =>
          Array.from(
            { length: 1500 },
            (_, i): AuditEntry => ({
              action: 'employee.created',
              target: { type: 'employee', id: `${k}-${i}`, label: null },
              details: { k, i },
            }),
          );
        await Promise.all([
          tdb.database.db.transaction((tx) => audit.recordMany(ctx, bulk(1), tx)),
          second.recordMany(ctx, bulk(2)),
          ...Array.from({ length: 40 }, (_, i) => (i % 2 ? second : audit).record(ctx, { action: 'employee.updated', details: { i } })),
        ]);
        assert.deepEqual(await audit.verifyChain(), { ok: true, checked: before + 3000 + 40 });
        const [row] = (await q(`SELECT count(*) - count(DISTINCT prev_hash) AS forks, max(id) - min(id) + 1 - count(*) AS gaps FROM audit_events`)) as {
          forks: number | string;
          gaps: number | string;
        }[];
        assert.equal(Number(row.forks), 0, 'no two records chain onto the same previous record');
        assert.equal(Number(row.gaps), 0, 'ids have no gaps: a bulk append numbers its records from the head it locked');
      } finally {
        await other?.close();
      }
    });

    it('hashes what the engine stores: NUL, lone surrogates, cut surrogate pairs, odd JSON values and keys', async () => {
      const hostile = 'a\u0000b\ud800c\udc00d';
      // A pair cut by a length limit leaves a lone high surrogate at the end.
      const cutPair = `${'x'.repeat(511)}😀`;
      await audit.record(
        { actor: { type: 'anonymous', id: null, label: `${hostile}@corp.example` }, ip: '10.0.0.1\u0000', userAgent: cutPair },
        {
          action: 'employee.sign_in',
          outcome: 'failure',
          target: { type: 'employee', id: null, label: `${'é'.repeat(999)}😀` },
          details: {
            [hostile]: hostile,
            nested: { z: 1, a: [hostile, { '\udfff': '\ud83d' }], when: new Date('2026-01-02T03:04:05.678Z') },
            numbers: [0.1, 1e21, -0, 1e-7, Number.MAX_SAFE_INTEGER, NaN, Infinity],
            missing: undefined,
            list: [undefined, null],
            empty: {},
            emoji: '😀',
          },
        },
      );
      assert.equal((await audit.verifyChain()).ok, true);
      const [row] = (await q(`SELECT actor_label, ip, user_agent, details FROM audit_events ORDER BY id DESC LIMIT 1`)) as {
        actor_label: string;
        ip: string;
        user_agent: string;
        details: Record<string, unknown>;
      }[];
      assert.equal(row.actor_label, 'a\ufffdb\ufffdc\ufffdd@corp.example');
      assert.equal(row.ip, '10.0.0.1\ufffd');
      assert.equal(row.user_agent, `${'x'.repeat(511)}\ufffd`);
      assert.equal(row.details['a\ufffdb\ufffdc\ufffdd'], 'a\ufffdb\ufffdc\ufffdd');
      assert.deepEqual((row.details.nested as { a: unknown[] }).a[1], { '\ufffd': '\ufffd' });
    });

    it('folds 200 anonymous failures from one source into one summary, written on flush', async () => {
      const clock = manualClock(new Date('2026-03-01T10:00:05Z'));
      const local = createAuditService({ db: tdb.database.db, clock });
      const before = (await local.find({}, { offset: 0, limit: 1 })).total;
      const stranger = { actor: { type: 'anonymous' as const, id: null, label: null }, ip: '192.0.2.7', userAgent: 'curl/8' };
      for (let i = 0; i < 200; i++) {
        local.recordAnonymousFailure(stranger, { action: 'api_key.auth_failed', details: { path: `/api/p${i % 7}` } });
        clock.advance(100);
      }
      assert.equal((await local.find({}, { offset: 0, limit: 1 })).total, before, 'nothing is written while the minute is open');
      await local.flush();
      const { items } = await local.find({ action: 'api_key.auth_failed' }, { offset: 0, limit: 10 });
      assert.equal(items.length, 1);
      const d = items[0].details as { count: number; firstAt: string; lastAt: string; samples: unknown[]; moreSamples?: boolean };
      assert.equal(d.count, 200);
      assert.equal(d.firstAt, '2026-03-01T10:00:05.000Z');
      assert.equal(d.lastAt, '2026-03-01T10:00:24.900Z');
      assert.equal(d.samples.length, 5);
      assert.equal(d.moreSamples, true);
      assert.equal(items[0].ip, '192.0.2.7');
      assert.equal(items[0].outcome, 'failure');
      assert.equal((await local.verifyChain()).ok, true);
      await local.close();
    });

    it('keeps counting apart per source and minute, and folds sources past the cap into one summary', async () => {
      const clock = manualClock(new Date('2026-03-01T11:00:00Z'));
      const local = createAuditService({ db: tdb.database.db, clock, anonymousFailures: { maxKeys: 3 } });
      const from = (ip: string) => ({ actor: { type: 'anonymous' as const, id: null, label: null }, ip, userAgent: null });
      for (let i = 0; i < 10; i++) local.recordAnonymousFailure(from(`198.51.100.${i}`), { action: 'oidc.client_auth_failed' });
      clock.advance(60_000);
      local.recordAnonymousFailure(from('198.51.100.0'), { action: 'oidc.client_auth_failed' });
      await local.close();
      const { items } = await local.find({ action: 'oidc.client_auth_failed' }, { offset: 0, limit: 20 });
      const rows = items.map((r) => ({
        ip: r.ip,
        count: (r.details as { count: number }).count,
        other: (r.details as { otherSources?: boolean }).otherSources ?? false,
      }));
      assert.deepEqual(
        rows.sort((a, b) => `${a.ip}${a.count}`.localeCompare(`${b.ip}${b.count}`)),
        [
          { ip: '198.51.100.0', count: 1, other: false },
          { ip: '198.51.100.0', count: 1, other: false },
          { ip: '198.51.100.1', count: 1, other: false },
          { ip: '198.51.100.2', count: 1, other: false },
          { ip: null, count: 7, other: true },
        ],
        'a new minute writes the closed one, so its sources are counted apart again',
      );
      assert.equal((await local.verifyChain()).ok, true);
    });

    it('filters by action, outcome, actor, time and free text', async () => {
      await audit.record(
        { ...ctx, ip: '10.1.2.3', actor: { type: 'admin', id: 'a1', label: 'boss@corp.example' } },
        { action: 'admin.sign_in', outcome: 'failure', details: { reason: 'wrong password' } },
      );
      assert.equal((await audit.find({ action: 'admin.sign_in', outcome: 'failure' }, { offset: 0, limit: 10 })).total, 1);
      assert.equal((await audit.find({ actor: 'BOSS@' }, { offset: 0, limit: 10 })).total, 1);
      assert.equal((await audit.find({ q: '10.1.2' }, { offset: 0, limit: 10 })).total, 1);
      assert.equal((await audit.find({ from: new Date(Date.now() + 60_000) }, { offset: 0, limit: 10 })).total, 0);
      assert.ok((await audit.actions()).includes('admin.sign_in'));
    });
  });
}
