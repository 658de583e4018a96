import { Redis } from 'ioredis';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import { addressKey } from './client-address.js';

export { addressKey };

/**
 * One per-IP budget for every credential check: admin password and TOTP, employee password, TOTP
 * and second factor, the portal's password changes (Tessera's and the domain's), the setup token,
 * and client authentication at the OIDC token endpoints. Switching endpoints does not reset it.
 *
 * Rules:
 * - It counts *failed* checks: each check reserves one unit before it verifies anything and gives
 *   it back when it succeeds. Reserving first means parallel guesses cannot overshoot the budget
 *   (each one holds its unit while argon2 runs); giving successes back means a busy office behind
 *   one NAT address is not throttled by the sign-ins that work.
 * - Fixed windows of one minute per address; an IPv6 address counts by its /64 (one subscriber
 *   line usually holds a whole /64), an IPv4-mapped IPv6 address as the IPv4 address.
 * - With REDIS_URL the counter lives in Redis, shared by every node (INCR and PEXPIRE in one Lua
 *   script, so a crash between them cannot leave a counter that never expires). Without it, or
 *   while Redis fails, each node counts in memory: a bounded map that drops past windows first.
 */

/** Addresses tracked in memory at most; beyond that the oldest entries go (past windows first). */
const MEMORY_MAX_ENTRIES = 50_000;

export interface CredentialReservation {
  /** Gives the unit back: the check succeeded. */
  release(): Promise<void>;
}

export type CredentialLimiter = ReturnType<typeof createCredentialLimiter>;

interface Store {
  /** Takes a unit of `key` unless `limit` are taken; the answer says when the window ends. */
  take(key: string, limit: number, windowMs: number, nowMs: number): Promise<{ isAllowed: boolean; resetMs: number }>;
  release(key: string): Promise<void>;
}

export function createCredentialLimiter(deps: { clock: Clock; limitPerMinute: number; redisUrl?: string; redisPrefix?: string; memoryMaxEntries?: number }) {
  const { clock, limitPerMinute } = deps;
  const windowMs = 60_000;
  const memory = createMemoryStore(deps.memoryMaxEntries ?? MEMORY_MAX_ENTRIES);
  const redis = deps.redisUrl ? createRedisStore(deps.redisUrl) : undefined;
  const prefix = `${deps.redisPrefix ?? 'tessera:'}cred:`;

  async function store<T>(run: (s: Store) => Promise<T>): Promise<T> {
    if (redis) {
      try {
        return await run(redis.store);
      } catch {
        // Redis is down: this node counts alone rather than not at all (fail closed per node).
      }
    }
    return run(memory);
  }

  /** Reserves one check for `ip`; throws 429 rate_limit.exceeded when its budget is spent. */
  async function reserve(ip: string): Promise<CredentialReservation> {
    const nowMs = clock.now().getTime();
    const key = `${prefix}${addressKey(ip)}:${Math.floor(nowMs / windowMs)}`;
    const { isAllowed, resetMs } = await store((s) => s.take(key, limitPerMinute, windowMs, nowMs));
    if (!isAllowed) {
      const seconds = Math.max(1, Math.ceil(resetMs / 1000));
      throw new AppError('rate_limit.exceeded', `Too many failed sign-in attempts from your network: try again in ${seconds} s`, {
        details: { retryAfterSeconds: seconds },
      });
    }
    let isReleased = false;
    return {
      async release() {
        if (isReleased) return;
        isReleased = true;
        // Losing a release only costs one unit of the budget; it never fails the request.
        await store((s) => s.release(key)).catch(() => undefined);
      },
    };
  }

  /**
   * Runs one credential check of a request inside its address's budget: a check that throws keeps
   * its unit. A refusal carries Retry-After (RFC 6585 §4).
   */
  async function guard<T>(request: { ip: string }, reply: { header(name: string, value: string): unknown }, check: () => Promise<T>): Promise<T> {
    let reservation: CredentialReservation;
    try {
      reservation = await reserve(request.ip);
    } catch (err) {
      if (err instanceof AppError) reply.header('retry-after', String((err.details as { retryAfterSeconds: number }).retryAfterSeconds));
      throw err;
    }
    const result = await check();
    await reservation.release();
    return result;
  }

  return {
    reserve,
    guard,
    limitPerMinute,
    engine: redis ? ('redis' as const) : ('memory' as const),
    async close() {
      redis?.client.disconnect();
    },
  };
}

function createMemoryStore(maxEntries: number): Store {
  const counts = new Map<string, { count: number; windowEndMs: number }>();
  function evict(nowMs: number) {
    for (const [key, entry] of counts) if (entry.windowEndMs <= nowMs) counts.delete(key);
    // Still full: all entries are in the current window; drop the oldest inserted.
    for (const key of counts.keys()) {
      if (counts.size < maxEntries) break;
      counts.delete(key);
    }
  }
  return {
    async take(key, limit, windowMs, nowMs) {
      const windowEndMs = (Math.floor(nowMs / windowMs) + 1) * windowMs;
      let entry = counts.get(key);
      if (!entry) {
        if (counts.size >= maxEntries) evict(nowMs);
        entry = { count: 0, windowEndMs };
        counts.set(key, entry);
      }
      if (entry.count >= limit) return { isAllowed: false, resetMs: entry.windowEndMs - nowMs };
      entry.count++;
      return { isAllowed: true, resetMs: entry.windowEndMs - nowMs };
    },
    async release(key) {
      const entry = counts.get(key);
      if (entry && entry.count > 0) entry.count--;
    },
  };
}

/** Takes a unit unless the limit is reached; the key lives one window (set with the first unit). */
const TAKE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return {0, redis.call('PTTL', KEYS[1])} end
redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, redis.call('PTTL', KEYS[1])}`;
/** Gives a unit back, only to a counter that still exists (a DECR would create one without expiry). */
const RELEASE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

function createRedisStore(url: string): { client: Redis; store: Store } {
  // No offline queue: while Redis is unreachable a command fails at once and memory takes over.
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, enableOfflineQueue: false });
  client.on('error', () => {
    /* reported by the failing command; the memory store takes over */
  });
  // Connected once, on first use; every call waits for that first connection (after it, ioredis
  // reconnects by itself and a command sent while it is down fails at once).
  let firstConnection: Promise<void> | undefined;
  const connected = () => (firstConnection ??= client.connect().catch(() => undefined));
  return {
    client,
    store: {
      async take(key, limit, windowMs, nowMs) {
        await connected();
        const windowEndMs = (Math.floor(nowMs / windowMs) + 1) * windowMs;
        const [isAllowed, ttl] = (await client.eval(TAKE, 1, key, String(limit), String(windowEndMs - nowMs + 1000))) as [number, number];
        return { isAllowed: isAllowed === 1, resetMs: ttl > 0 ? Math.min(ttl, windowEndMs - nowMs) : windowEndMs - nowMs };
      },
      async release(key) {
        await connected();
        await client.eval(RELEASE, 1, key);
      },
    },
  };
}
