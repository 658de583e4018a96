/**
 * What the agent needs from an operating system, behind one interface so that the agent's logic
 * (commands, emergency block, idle lock, authorization) is the same on every platform. A driver
 * reports session events and carries out lock and logoff; where the platform lets it stand in the
 * way of a logon or unlock (a credential provider, a PAM module, the scripted driver), it asks
 * `authorize` first and lets the person in only if the answer allows it.
 */
import type { DeliveredCredentials } from '../delivery.js';
import type { AuthorizeAction, EventMethod, SessionEventType } from '../protocol.js';

export interface Session {
  id: string;
  account: string;
  isRemote: boolean;
  isLocked: boolean;
  /** Minutes without input, where the platform reports it; null when it does not. */
  idleMinutes: number | null;
}

export interface SessionEvent {
  type: SessionEventType;
  account: string;
  sessionId: string;
  method?: EventMethod;
  remoteAddress?: string | null;
  /** A stable idempotency key, where the driver can make one that survives an agent restart. */
  id?: string;
}

export interface Decision {
  allowed: boolean;
  code: string | null;
  reason: string | null;
}

export interface DriverHooks {
  onEvent(event: SessionEvent): void;
  /** The agent's decision on a logon, unlock or RDP connection (server, else offline rules). */
  authorize(request: { account: string; action: AuthorizeAction; method: EventMethod }): Promise<Decision>;
  /**
   * §8: the employee logging on as `account` presents their key: the agent relays the ceremony,
   * Tessera delivers the employee's credentials, and this resolves with them (in memory only: the
   * driver hands them to the OS logon and drops them). With a sessionId the agent holds them for
   * that session until the delivery's unlockUntil (heldCredentials). Rejects with the reason when refused.
   */
  requestCredentials?(request: { account: string; sessionId?: string; pin?: string }): Promise<DeliveredCredentials>;
  /**
   * §8.4: the credentials delivered for this session, while the key's re-authentication interval
   * lasts (an unlock with the key needs no fresh assertion until then); undefined once it is over,
   * after logoff, or when none were delivered for it: the unlock then asks requestCredentials.
   */
  heldCredentials?(request: { sessionId: string; account: string }): DeliveredCredentials | undefined;
  /** Idle times changed (the scripted `idle` line): the agent checks its idle lock at once instead of at its next tick. */
  onIdleChanged(): void;
}

export interface Driver {
  readonly name: string;
  start(hooks: DriverHooks): Promise<void>;
  stop(): Promise<void>;
  listSessions(): Promise<Session[]>;
  /** Locks one session, or every session. */
  lock(sessionId?: string): Promise<void>;
  /** Ends one session, or every session. */
  logoff(sessionId?: string): Promise<void>;
}
