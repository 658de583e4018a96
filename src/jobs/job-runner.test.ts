import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { manualClock } from '../lib/clock.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { findLease } from './job-lease.repository.js';
import { startJobRunner, type Job } from './job-runner.js';

for (const engine of ENGINES) {
  describe(`job runner (${engine})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await openTestDatabase(engine);
    });
    after(async () => {
      await db.close();
    });

    it('runs a due job once across several nodes, and again only after its interval', async () => {
      const clock = manualClock();
      let runs = 0;
      const job: Job = {
        name: 'test.once',
        intervalMs: 60_000,
        run: async () => {
          runs++;
          await new Promise((r) => setTimeout(r, 50));
        },
      };
      const logger = pino({ level: 'silent' });
      const nodes = ['node-a', 'node-b', 'node-c'].map((nodeId) =>
        startJobRunner({ db: db.database.db, clock, logger, jobs: [job], nodeId, tickMs: 3_600_000 }),
      );
      await Promise.all(nodes.map((n) => n.tick()));
      assert.equal(runs, 1, 'one node took the lease');
      await Promise.all(nodes.map((n) => n.tick()));
      assert.equal(runs, 1, 'not due yet');
      clock.advance(61_000);
      await Promise.all(nodes.map((n) => n.tick()));
      assert.equal(runs, 2);
      await Promise.all(nodes.map((n) => n.stop()));
    });

    it('hands the lease of a job still running at shutdown back, so another node runs it at once', async () => {
      const clock = manualClock();
      const logger = pino({ level: 'silent' });
      const runs: string[] = [];
      let finishFirst!: () => void;
      const jobFor = (nodeId: string): Job => ({
        name: 'test.handback',
        intervalMs: 60_000,
        leaseMs: 3_600_000,
        run: async () => {
          runs.push(nodeId);
          // The first run (node A's) only finishes when the test says so: it is cut off by the stop.
          if (runs.length === 1) await new Promise<void>((r) => (finishFirst = r));
        },
      });
      const a = startJobRunner({ db: db.database.db, clock, logger, jobs: [jobFor('node-a')], nodeId: 'node-a', tickMs: 3_600_000 });
      const b = startJobRunner({ db: db.database.db, clock, logger, jobs: [jobFor('node-b')], nodeId: 'node-b', tickMs: 3_600_000 });
      const aTick = a.tick();
      while (runs.length === 0) await new Promise((r) => setTimeout(r, 5));
      assert.match((await findLease(db.database.db, 'test.handback'))?.holder ?? '', /^node-a:/, 'node A holds the lease while it runs');
      await b.tick();
      assert.deepEqual(runs, ['node-a'], 'node B waits while node A holds the lease');

      await a.stop({ graceMs: 20 });
      const handedBack = await findLease(db.database.db, 'test.handback');
      assert.equal(handedBack?.holder, null, 'the stopped node handed the lease back');
      assert.equal(handedBack?.lastFinishedAt, null, 'the cut-off run does not count as finished');
      assert.equal(handedBack?.lastError, 'the node stopped before the run finished');
      // Same instant on the clock: node B does not wait for the hour-long lease to expire.
      await b.tick();
      assert.deepEqual(runs, ['node-a', 'node-b'], 'node B ran the job at once');
      // Node A's cut-off run ending late does not touch node B's record of its run.
      const afterB = await findLease(db.database.db, 'test.handback');
      finishFirst();
      await aTick;
      assert.deepEqual(await findLease(db.database.db, 'test.handback'), afterB);
      await b.stop();
    });

    it("keeps a running job's lease short and renewed, so a node that dies frees it within the lease time", async () => {
      const clock = manualClock();
      const logger = pino({ level: 'silent' });
      const runs: string[] = [];
      let finish!: () => void;
      const jobFor = (nodeId: string): Job => ({
        name: 'test.renewed',
        intervalMs: 60_000,
        leaseMs: 3_600_000,
        run: async () => {
          runs.push(nodeId);
          if (runs.length === 1) await new Promise<void>((r) => (finish = r));
        },
      });
      const opts = { db: db.database.db, clock, logger, tickMs: 3_600_000, leaseTtlMs: 1_000, renewEveryMs: 10 };
      const a = startJobRunner({ ...opts, jobs: [jobFor('node-a')], nodeId: 'node-a' });
      const b = startJobRunner({ ...opts, jobs: [jobFor('node-b')], nodeId: 'node-b' });
      const aTick = a.tick();
      while (runs.length === 0) await new Promise((r) => setTimeout(r, 5));
      const taken = await findLease(db.database.db, 'test.renewed');
      assert.equal(taken!.leaseUntil!.getTime() - taken!.lastStartedAt!.getTime(), 1_000, 'the lease lasts the short lease time, not leaseMs');
      // Past the first lease time: node A, alive, has renewed it, so node B still waits.
      clock.advance(5_000);
      const renewedBy = clock.now().getTime() + 1_000;
      for (let i = 0; i < 400 && ((await findLease(db.database.db, 'test.renewed'))?.leaseUntil?.getTime() ?? 0) < renewedBy; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal((await findLease(db.database.db, 'test.renewed'))?.leaseUntil?.getTime(), renewedBy, 'node A renewed its lease');
      await b.tick();
      assert.deepEqual(runs, ['node-a'], 'node B does not take a lease that is being renewed');
      finish();
      await aTick;
      await Promise.all([a.stop(), b.stop()]);
    });

    it('lets a job that finishes within the grace time end normally at shutdown', async () => {
      const clock = manualClock();
      const logger = pino({ level: 'silent' });
      let runs = 0;
      let started = false;
      const job: Job = {
        name: 'test.graceful',
        intervalMs: 60_000,
        run: async () => {
          runs++;
          started = true;
          await new Promise((r) => setTimeout(r, 100));
        },
      };
      const a = startJobRunner({ db: db.database.db, clock, logger, jobs: [job], nodeId: 'node-a', tickMs: 3_600_000 });
      const b = startJobRunner({ db: db.database.db, clock, logger, jobs: [job], nodeId: 'node-b', tickMs: 3_600_000 });
      void a.tick();
      while (!started) await new Promise((r) => setTimeout(r, 5));
      await a.stop({ graceMs: 30_000 });
      const lease = await findLease(db.database.db, 'test.graceful');
      assert.equal(lease?.holder, null);
      assert.ok(lease?.lastFinishedAt, 'the run finished and was recorded as finished');
      assert.equal(lease?.lastError, null);
      await b.tick();
      assert.equal(runs, 1, 'the finished job is not due again on the other node');
      await b.stop();
    });
  });
}
