import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { manualClock } from '../lib/clock.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
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
  });
}
