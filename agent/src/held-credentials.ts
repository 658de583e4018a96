/**
 * The credentials of a key logon, held in this process's memory for the session they were
 * delivered to (docs/agent-protocol.md §8.4): the access profile's re-authentication interval, as
 * Tessera states it in the delivery (`unlockUntil`), is how long the agent may unlock that session
 * with them. At `unlockUntil`, at logoff, under the emergency block, when the workstation stops
 * being approved and when the agent stops, they are dropped, and an unlock needs a fresh assertion
 * of the key, that is a new delivery. Nothing of them is written to disk or to the log.
 *
 * Dropping overwrites the passwords in the object this store holds and forgets it. JavaScript
 * strings cannot be zeroed in place: what the garbage collector has not reclaimed yet stays in the
 * process's memory until it does (the delivery's decrypted bytes themselves are zeroed in
 * delivery.ts).
 */
import type { DeliveredCredentials } from './delivery.js';
import type { Logger } from './log.js';

export type DropReason = 'expired' | 'logoff' | 'replaced' | 'emergency_block' | 'not_approved' | 'agent_stopping';

/** setTimeout takes at most 2^31-1 ms (24.8 days); a longer interval (up to 30 days) re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface HeldSession {
  sessionId: string;
  account: string;
  unlockUntil: string;
}

export interface HeldCredentials {
  /** Keeps a delivery for the session it logged on (or unlocked); false when its interval is already over. */
  hold(sessionId: string, account: string, credentials: DeliveredCredentials): boolean;
  /** The session's credentials while its interval lasts and the account is the one they were delivered for; drops them once it is over. */
  forUnlock(sessionId: string, account: string): DeliveredCredentials | undefined;
  drop(sessionId: string, reason: DropReason): void;
  dropAll(reason: DropReason): void;
  /** What is held, without a secret (tests, the log). */
  list(): HeldSession[];
}

interface Entry {
  account: string;
  credentials: DeliveredCredentials;
  until: number;
  timer?: NodeJS.Timeout;
}

function wipe(c: DeliveredCredentials): void {
  for (const d of c.directory) d.password = '';
  for (const a of c.accounts) a.password = null;
  c.directory = [];
  c.accounts = [];
}

export function createHeldCredentials({ clock, log }: { clock: () => number; log: Logger }): HeldCredentials {
  const held = new Map<string, Entry>();

  function drop(sessionId: string, reason: DropReason): void {
    const e = held.get(sessionId);
    if (!e) return;
    clearTimeout(e.timer);
    held.delete(sessionId);
    wipe(e.credentials);
    log.info('credentials.dropped', { sessionId, account: e.account, reason });
  }

  function arm(sessionId: string, e: Entry): void {
    const wait = Math.min(Math.max(e.until - clock(), 0), MAX_TIMER_MS);
    e.timer = setTimeout(() => {
      if (held.get(sessionId) !== e) return;
      if (clock() >= e.until) drop(sessionId, 'expired');
      else arm(sessionId, e);
    }, wait);
    // The timer wipes; it does not keep a stopping agent alive.
    e.timer.unref();
  }

  return {
    hold(sessionId, account, credentials) {
      drop(sessionId, 'replaced');
      // No or a bad unlockUntil (an older Tessera): nothing is held, every unlock asks the key.
      const until = Date.parse(credentials.unlockUntil ?? '');
      if (!(until > clock())) return false;
      const e: Entry = { account, credentials, until };
      held.set(sessionId, e);
      arm(sessionId, e);
      log.info('credentials.held', { sessionId, account, unlockUntil: new Date(until).toISOString() });
      return true;
    },
    forUnlock(sessionId, account) {
      const e = held.get(sessionId);
      if (!e || e.account.toLowerCase() !== account.toLowerCase()) return undefined;
      if (clock() >= e.until) {
        drop(sessionId, 'expired');
        return undefined;
      }
      return e.credentials;
    },
    drop,
    dropAll(reason) {
      for (const id of [...held.keys()]) drop(id, reason);
    },
    list: () => [...held.entries()].map(([sessionId, e]) => ({ sessionId, account: e.account, unlockUntil: new Date(e.until).toISOString() })),
  };
}
