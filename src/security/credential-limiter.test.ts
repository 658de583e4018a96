import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AppError } from '../lib/errors.js';
import { manualClock } from '../lib/clock.js';
import { addressKey, createCredentialLimiter, type CredentialLimiter } from './credential-limiter.js';
import { randomToken } from './tokens.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('addressKey', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('2001:db8:1:2::1'), addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    assert.equal(addressKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('2001:db8::'), '2001:db8:0:0::/64');
  });
});

for (const engine of ['memory', 'redis'] as const) {
  describe(`credential limiter (${engine})`, () => {
    const clock = manualClock(new Date('2026-03-02T09:00:00Z'));
    const limiters: CredentialLimiter[] = [];
    const make = (limit: number) => {
      const l = createCredentialLimiter({
        clock,
        limitPerMinute: limit,
        ...(engine === 'redis' ? { redisUrl: REDIS_URL, redisPrefix: `test-${randomToken(6)}:` } : {}),
      });
      limiters.push(l);
      return l;
    };
    after(async () => {
      for (const l of limiters) await l.close();
    });
    const isRefused = (err: unknown) => err instanceof AppError && err.code === 'rate_limit.exceeded' && /try again in \d+ s/.test(err.message);

    it('grants at most the limit of simultaneous reservations, and gives back what succeeded', async () => {
      const l = make(5);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => l.reserve('198.51.100.1')));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
      assert.ok(results.filter((r) => r.status === 'rejected').every((r) => isRefused((r as PromiseRejectedResult).reason)));
      const granted = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ release(): Promise<void> }>).value);
      await granted[0].release();
      await granted[0].release();
      await l.reserve('198.51.100.1');
      await assert.rejects(l.reserve('198.51.100.1'), isRefused, 'a double release gives back one unit only');
      await l.reserve('198.51.100.2');
    });

    it('keeps the unit of a check that throws, returns the unit of one that succeeds, and sets Retry-After when refused', async () => {
      const l = make(2);
      const headers: Record<string, string> = {};
      const reply = {
        header: (k: string, v: string) => {
          headers[k] = v;
        },
      };
      const request = { ip: '198.51.100.3' };
      for (let i = 0; i < 5; i++) assert.equal(await l.guard(request, reply, async () => 'ok'), 'ok');
      await assert.rejects(
        l.guard(request, reply, async () => {
          throw new Error('wrong');
        }),
        /wrong/,
      );
      await assert.rejects(
        l.guard(request, reply, async () => {
          throw new Error('wrong');
        }),
        /wrong/,
      );
      await assert.rejects(
        l.guard(request, reply, async () => 'never run'),
        isRefused,
      );
      assert.ok(Number(headers['retry-after']) >= 1 && Number(headers['retry-after']) <= 60);
      clock.advance(60_000);
      assert.equal(await l.guard(request, reply, async () => 'ok'), 'ok', 'a new window');
    });

    if (engine === 'memory') {
      it('holds at most memoryMaxEntries addresses, dropping past windows first', async () => {
        const l = createCredentialLimiter({ clock, limitPerMinute: 1, memoryMaxEntries: 3 });
        await l.reserve('192.0.2.1');
        clock.advance(60_000);
        await l.reserve('192.0.2.2');
        await l.reserve('192.0.2.3');
        await l.reserve('192.0.2.4'); // full: the past window of .1 goes
        await assert.rejects(l.reserve('192.0.2.2'), isRefused, 'the current window is kept');
        await l.reserve('192.0.2.5'); // full with current entries: the oldest (.2) goes
        await assert.rejects(l.reserve('192.0.2.4'), isRefused);
      });
    }

    if (engine === 'redis') {
      it('shares the budget between nodes through Redis', async () => {
        const prefix = `test-${randomToken(6)}:`;
        const nodes = [0, 1].map(() => createCredentialLimiter({ clock, limitPerMinute: 3, redisUrl: REDIS_URL, redisPrefix: prefix }));
        limiters.push(...nodes);
        await nodes[0].reserve('198.51.100.4');
        await nodes[1].reserve('198.51.100.4');
        await nodes[0].reserve('198.51.100.4');
        await assert.rejects(nodes[1].reserve('198.51.100.4'), isRefused);
      });

      it('counts in memory while Redis cannot be reached, rather than not at all', async () => {
        const l = createCredentialLimiter({ clock, limitPerMinute: 2, redisUrl: 'redis://127.0.0.1:1', redisPrefix: 'unreachable:' });
        limiters.push(l);
        await l.reserve('198.51.100.5');
        await l.reserve('198.51.100.5');
        await assert.rejects(l.reserve('198.51.100.5'), isRefused);
      });
    }
  });
}
