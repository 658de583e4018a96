/**
 * Reconnect delays (docs/agent-protocol.md §5): exponential from the first delay (1 s) doubling to
 * a ceiling (60 s), each scaled by a random factor in [0.5, 1.5) — ±50 % jitter, so that a thousand
 * agents that lost the server at the same moment do not all come back at the same moment.
 */

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** A number in [0, 1), like Math.random; injected so tests can pin the jitter. */
  random?: () => number;
}

export const DEFAULT_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 60_000;

/** The delay before reconnect attempt `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, { initialMs = DEFAULT_BACKOFF_MS, maxMs = MAX_BACKOFF_MS, random = Math.random }: BackoffOptions = {}): number {
  // The exponent is capped before it is used: 2 ** 1000 is Infinity.
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.5 + random()));
}
