import type { Clock } from '../lib/clock.js';

/**
 * Per-account lockout that holds under concurrency (admins and employees alike).
 *
 * Rules:
 * - Before a password or code is verified, one attempt is *reserved*: a single conditional UPDATE
 *   counts it, unless the account is locked or `threshold` attempts are already counted (some of
 *   them may still be verifying). So however many guesses arrive at once, at most `threshold` are
 *   ever verified before the account locks. (A row lock held across argon2 would serialise every
 *   sign-in on PGlite's single connection; the reservation holds no lock while verifying.)
 * - A wrong guess keeps its reservation; the one that reaches the threshold locks the account for
 *   `minutes` (and the count starts again from 0 once the lock ends).
 * - A right one is handed back to the caller, who resets the count (sign-in complete) or gives
 *   the one attempt back (first factor right, second factor still owed).
 * - A refused reservation on an account that is not locked (the count reached the threshold while
 *   the lock was not written: guesses still in flight, a crash, a threshold lowered since) locks it
 *   now, so the count can never stay stuck at the threshold.
 * - Refused checks do the caller's decoy work (`decoy`, e.g. an argon2 verify of a dummy hash), so
 *   a locked account takes as long to answer as a wrong password.
 */
export interface LockoutStore {
  /** Counts one attempt unless locked at `now` or `threshold` are counted; the new count, or undefined. */
  reserve(threshold: number, now: Date): Promise<number | undefined>;
  /** Takes one counted attempt back (never below 0). */
  release(): Promise<void>;
  /** Locks until `until` and resets the count, unless already locked at `now`; true when it locked. */
  lock(until: Date, now: Date): Promise<boolean>;
  /** The account's count and lock, or undefined when it has none. */
  state(): Promise<{ failedAttempts: number; lockedUntil: Date | null } | undefined>;
}

export type LockoutResult =
  | { outcome: 'verified'; failures: number }
  /** Refused without verifying: the account is locked (`lockedUntil` set when this call locked it). */
  | { outcome: 'locked'; lockedUntil?: Date; failures: number }
  /** Verified and wrong; `lockedUntil` set when this guess locked the account. */
  | { outcome: 'wrong'; lockedUntil?: Date; failures: number };

export async function checkWithLockout(opts: {
  store: LockoutStore;
  policy: { lockoutThreshold: number; lockoutMinutes: number };
  clock: Clock;
  /** The check itself; true when the password or code is right. */
  verify: () => Promise<boolean>;
  /** The same work as `verify`, done when the account is locked. */
  decoy: () => Promise<unknown>;
}): Promise<LockoutResult> {
  const { store, policy, clock } = opts;
  const now = clock.now();
  const lockUntil = () => new Date(now.getTime() + policy.lockoutMinutes * 60_000);
  const failures = await store.reserve(policy.lockoutThreshold, now);
  if (failures === undefined) {
    const state = await store.state();
    const isLocked = Boolean(state?.lockedUntil && state.lockedUntil > now);
    let lockedUntil: Date | undefined;
    if (state && !isLocked && state.failedAttempts >= policy.lockoutThreshold) {
      const until = lockUntil();
      if (await store.lock(until, now)) lockedUntil = until;
    }
    await opts.decoy();
    return { outcome: 'locked', lockedUntil, failures: state?.failedAttempts ?? 0 };
  }
  let isRight: boolean;
  try {
    isRight = await opts.verify();
  } catch (err) {
    // Not a guess that was checked (a seal that does not open, a database error): give it back.
    await store.release();
    throw err;
  }
  if (isRight) return { outcome: 'verified', failures };
  if (failures >= policy.lockoutThreshold) {
    const until = lockUntil();
    if (await store.lock(until, now)) return { outcome: 'wrong', lockedUntil: until, failures };
  }
  return { outcome: 'wrong', failures };
}
