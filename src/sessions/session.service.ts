import type { Db, Executor } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import { randomToken, sha256 } from '../security/tokens.js';
import * as repo from './session.repository.js';

export type SubjectType = 'admin' | 'employee';

export interface Session {
  id: string;
  subjectType: SubjectType;
  subjectId: string;
  stage: string;
  createdAt: Date;
  expiresAt: Date;
  data: Record<string, unknown>;
}

/** Refresh last-seen at most this often, so that a busy session does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

export type SessionService = ReturnType<typeof createSessionService>;

/**
 * Server-side sessions. The cookie holds a 256-bit random token; the table holds its SHA-256,
 * so a copy of the database yields no usable session. A session ends at its absolute expiry or
 * after `idleSeconds` without a request (OWASP Session Management: idle and absolute timeouts).
 */
export function createSessionService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function create(
    input: {
      subjectType: SubjectType;
      subjectId: string;
      stage: string;
      idleSeconds: number;
      absoluteSeconds: number;
      ip: string | null;
      userAgent: string | null;
      data?: Record<string, unknown>;
    },
    tx: Executor = db,
  ): Promise<{ token: string; session: Session }> {
    const token = randomToken();
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + input.absoluteSeconds * 1000);
    const row = {
      id: sha256(token),
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      stage: input.stage,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      idleSeconds: input.idleSeconds,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      data: input.data ?? {},
    };
    await repo.insertSession(tx, row);
    return {
      token,
      session: { id: row.id, subjectType: row.subjectType, subjectId: row.subjectId, stage: row.stage, createdAt: now, expiresAt, data: row.data },
    };
  }

  /** The live session for a cookie value; `expired` tells a timed-out session from no session. */
  async function resolve(token: string): Promise<{ session?: Session; expired: boolean }> {
    if (!token || token.length > 128) return { expired: false };
    const row = await repo.findSessionById(db, sha256(token));
    if (!row) return { expired: false };
    const now = clock.now();
    const idleEnd = row.lastSeenAt.getTime() + row.idleSeconds * 1000;
    if (row.expiresAt <= now || idleEnd <= now.getTime()) {
      await repo.deleteSessionById(db, row.id);
      return { expired: true };
    }
    if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) await repo.touchSession(db, row.id, now);
    return {
      expired: false,
      session: {
        id: row.id,
        subjectType: row.subjectType as SubjectType,
        subjectId: row.subjectId,
        stage: row.stage,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
        data: row.data,
      },
    };
  }

  return {
    create,
    resolve,
    revoke: (sessionId: string) => repo.deleteSessionById(db, sessionId),
    /** Ends every session of a subject (sign-out everywhere, disabling, password change). */
    revokeSubject: (subjectType: SubjectType, subjectId: string, opts: { exceptSessionId?: string; tx?: Executor } = {}) =>
      repo.deleteSessionsBySubject(opts.tx ?? db, subjectType, subjectId, opts.exceptSessionId),
    purgeExpired: () => repo.deleteExpiredSessions(db, clock.now()),
  };
}
