import { Redis } from 'ioredis';
import type { Db } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import { insertSeenRequest } from '../saml/saml-state.repository.js';

export type ReplayStore = ReturnType<typeof createReplayStore>;

/**
 * Request IDs already answered (AuthnRequest, LogoutRequest), kept until the request would have
 * expired: a second use within that time is a replay. In Redis (`SET NX PX`, shared by every node
 * and expiring by itself) when REDIS_URL is set, else in PostgreSQL. If Redis fails, PostgreSQL
 * answers instead: a replay check never fails open.
 */
export function createReplayStore(deps: { db: Db; clock: Clock; redisUrl?: string; redisPrefix: string }) {
  const { db, clock } = deps;
  const redis = deps.redisUrl ? new Redis(deps.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 }) : undefined;
  redis?.on('error', () => {
    /* reported by the failing command; PostgreSQL takes over */
  });
  return {
    engine: redis ? ('redis' as const) : ('postgres' as const),
    /** True the first time `key` is seen before `expiresAt`; false for a replay. */
    async markSeen(key: string, expiresAt: Date): Promise<boolean> {
      const now = clock.now();
      if (redis) {
        try {
          const ttl = Math.max(1000, expiresAt.getTime() - now.getTime());
          return (await redis.set(`${deps.redisPrefix}saml:seen:${key}`, '1', 'PX', ttl, 'NX')) === 'OK';
        } catch {
          // Fall through to PostgreSQL.
        }
      }
      return insertSeenRequest(db, key, expiresAt, now);
    },
    async close(): Promise<void> {
      redis?.disconnect();
    },
  };
}
