/**
 * The running agent: wires the driver, the channel, the event queue and the policy together and
 * holds the rules that are the same on every platform:
 * - `hello`, `profile` and `status` frames update the policy; events are sent only while approved;
 * - every command is carried out (once) and acknowledged;
 * - the emergency block locks every session, and a session unlocked anyway (a platform whose
 *   driver cannot refuse unlocks) is locked again;
 * - a session idle longer than the profile's idleLockMinutes is locked.
 */
import type { KeyObject } from 'node:crypto';
import { createApiClient } from './api.js';
import { signAssertion } from './assertion.js';
import { relayAssertion, type Authenticator } from './authenticator.js';
import type { BackoffOptions } from './backoff.js';
import { channelUrl, createChannel } from './channel.js';
import { createCommandRunner } from './commands.js';
import type { Driver, SessionEvent } from './drivers/driver.js';
import { describeDelivery, openDelivery, type DeliveredCredentials } from './delivery.js';
import { createEventQueue } from './events.js';
import { createHeldCredentials } from './held-credentials.js';
import type { Logger } from './log.js';
import { createPolicy } from './policy.js';
import type { Emergency, Profile, ServerFrame, WorkstationStatus } from './protocol.js';
import { readCachedPolicy, writeCachedPolicy, type AgentState } from './state.js';
import { AGENT_VERSION } from './version.js';

export const IDLE_CHECK_MS = 15_000;
/** How long a stopping agent waits for its last events (agent_stop among them) to be delivered. */
export const STOP_FLUSH_MS = 5_000;

/**
 * Clock difference worth a warning. Tessera refuses assertions issued more than 30 s ahead of its
 * clock or expired (60 s), so an agent past that cannot connect at all; this says so earlier.
 */
export const CLOCK_SKEW_WARNING_S = 10;

/** How long a logon waits for its credentials on the channel after Tessera accepted the assertion (Tessera's command lives 2 minutes). */
export const DELIVERY_WAIT_MS = 30_000;

export const EXIT_OK = 0;
/** The server revoked the key or removed the workstation (close code 4401): enrol again. */
export const EXIT_REVOKED = 3;

export interface AgentOptions {
  state: AgentState;
  privateKey: KeyObject;
  stateDir: string;
  driver: Driver;
  log: Logger;
  clock?: () => number;
  backoff?: BackoffOptions;
  idleCheckMs?: number;
  /** The security key the agent relays delivery ceremonies to (§8); without one, key logons are refused. */
  authenticator?: Authenticator;
  deliveryWaitMs?: number;
}

export interface Agent {
  start(): Promise<void>;
  /** Sends agent_stop, closes the channel; `done` then resolves with 0. */
  stop(): Promise<void>;
  /** The exit code: 0 after stop(), 3 when the workstation was revoked. */
  done: Promise<number>;
}

export function createAgent({
  state,
  privateKey,
  stateDir,
  driver,
  log,
  clock = Date.now,
  backoff,
  idleCheckMs = IDLE_CHECK_MS,
  authenticator,
  deliveryWaitMs = DELIVERY_WAIT_MS,
}: AgentOptions): Agent {
  const makeAssertion = () => signAssertion({ privateKey, workstationId: state.workstationId, audience: state.audience, now: clock() });
  const api = createApiClient({ server: state.server, makeAssertion });
  const policy = createPolicy({ initial: readCachedPolicy(stateDir), persist: (p) => writeCachedPolicy(stateDir, p), api, log, clock });
  const events = createEventQueue({ send: (batch) => api.postEvents(batch), log, clock });
  /** §8.4: each key logon's credentials, in memory, until the delivery's unlockUntil or the session's end. */
  const held = createHeldCredentials({ clock, log });
  let idleTimer: NodeJS.Timeout | undefined;
  let isCheckingIdle = false;
  let isIdleRecheckWanted = false;
  let isStopping = false;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  function applyStatus(status: WorkstationStatus): void {
    if (policy.setStatus(status)) log.info('status.changed', { status });
    // No longer approved (revoked, back to pending): nothing delivered earlier unlocks anything.
    if (status !== 'approved') held.dropAll('not_approved');
    events.setEnabled(status === 'approved');
    if (status === 'approved') void events.flush();
  }

  function applyProfile(profile: Profile | null): void {
    policy.setProfile(profile);
    log.info('profile.applied', { profile });
    void checkIdle();
  }

  async function applyEmergency(next: Emergency): Promise<void> {
    const wasActive = policy.emergency().active;
    if (!policy.setEmergency(next)) {
      log.info('emergency.stale', { version: next.version, known: policy.emergency().version });
      return;
    }
    if (next.active) {
      if (!wasActive) log.warn('emergency.on', { version: next.version, reason: next.reason });
      held.dropAll('emergency_block');
      await driver.lock();
    } else if (wasActive) {
      log.warn('emergency.off', { version: next.version });
    }
  }

  async function refresh(): Promise<void> {
    const answer = await api.status();
    applyStatus(answer.status);
    applyProfile(answer.profile);
    await applyEmergency(answer.emergency);
  }

  /** Logons waiting for their delivery, by request id (the delivery may come before the POST's answer). */
  const waiting = new Map<string, { resolve(c: DeliveredCredentials): void; reject(e: Error): void; timer: NodeJS.Timeout }>();

  /** §8: options, the key's assertion, then the credentials from the channel. */
  async function requestCredentials({ account, sessionId, pin }: { account: string; sessionId?: string; pin?: string }): Promise<DeliveredCredentials> {
    const credentials = await fetchCredentials(account, pin);
    if (sessionId !== undefined) held.hold(sessionId, account, credentials);
    return credentials;
  }

  async function fetchCredentials(account: string, pin?: string): Promise<DeliveredCredentials> {
    if (!authenticator) throw new Error('this agent has no security key reader configured (TESSERA_AGENT_FIDO2_DEVICE)');
    if (policy.status() !== 'approved') throw new Error('this workstation is not approved: Tessera delivers no credentials to it');
    if (policy.emergency().active) throw new Error('the emergency block is on');
    const options = await api.deliveryOptions({ account });
    const assertion = await relayAssertion(authenticator, options, { pin });
    const arrived = new Promise<DeliveredCredentials>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(options.requestId);
        reject(new Error('the credentials did not arrive on the channel in time'));
      }, deliveryWaitMs);
      waiting.set(options.requestId, { resolve, reject, timer });
    });
    arrived.catch(() => undefined);
    try {
      const answer = await api.deliver({ requestId: options.requestId, assertion });
      log.info('delivery.accepted', { account, commandId: answer.commandId, accounts: answer.accounts.map((a) => a.name) });
    } catch (err) {
      const w = waiting.get(options.requestId);
      if (w) clearTimeout(w.timer);
      waiting.delete(options.requestId);
      throw err;
    }
    return arrived;
  }

  async function acceptDelivery(payload: Record<string, unknown> | null | undefined): Promise<void> {
    const jwe = payload?.jwe;
    if (typeof jwe !== 'string') throw new Error('the delivery carries no JWE');
    const credentials = openDelivery(jwe, privateKey, { workstationId: state.workstationId, now: clock() });
    const w = waiting.get(credentials.requestId);
    // Nobody at this computer asked for it (a logon that gave up): dropped, never kept.
    if (!w) throw new Error('no logon is waiting for this delivery');
    waiting.delete(credentials.requestId);
    clearTimeout(w.timer);
    log.info('delivery.received', describeDelivery(credentials));
    w.resolve(credentials);
  }

  const commands = createCommandRunner({ driver, log, refresh, applyEmergency, emergency: () => policy.emergency(), acceptDelivery });

  async function onFrame(frame: ServerFrame): Promise<void> {
    switch (frame.type) {
      case 'hello': {
        const skewS = frame.serverTime ? Math.round((clock() - Date.parse(frame.serverTime)) / 1000) : 0;
        if (Math.abs(skewS) > CLOCK_SKEW_WARNING_S)
          log.warn('clock.skew', { skewSeconds: skewS, why: 'this computer’s clock is off: Tessera refuses assertions past 30 s' });
        // §5: profile and emergency state before anything else; frames are handed on in order.
        applyStatus(frame.workstation.status);
        applyProfile(frame.profile ?? null);
        // The block holds every computer with the agent, approved or still waiting: Tessera sends
        // both the block and its lift to pending workstations too, and takes their acks.
        if (frame.emergency) await applyEmergency(frame.emergency);
        return;
      }
      case 'command': {
        if (typeof frame.id !== 'string' || typeof frame.kind !== 'string') {
          log.warn('channel.bad_frame', { type: 'command', error: 'a command needs an id and a kind' });
          return;
        }
        const ack = await commands.run(frame);
        const isSent = channel.send(ack);
        log.info('command.acked', { id: ack.id, status: ack.status, detail: ack.detail, sent: isSent });
        return;
      }
      case 'profile':
        applyProfile(frame.profile ?? null);
        return;
      case 'status':
        applyStatus(frame.status);
        return;
      default:
        log.debug('channel.unknown_frame', { type: (frame as { type: string }).type });
    }
  }

  function onEvent(e: SessionEvent): void {
    const queued = events.push({
      id: e.id,
      type: e.type,
      account: e.account,
      method: e.method,
      sessionId: e.sessionId,
      remoteAddress: e.remoteAddress ?? null,
    });
    log.info('event.queued', { type: queued.type, account: queued.account, sessionId: queued.sessionId, method: queued.method });
    // The session is over: what was delivered for it goes with it.
    if (e.type === 'logoff' || e.type === 'remote_disconnect') held.drop(e.sessionId, 'logoff');
    if (e.type === 'unlock' && policy.emergency().active) {
      log.warn('emergency.relock', { sessionId: e.sessionId, account: e.account });
      driver.lock(e.sessionId).catch((err) => log.error('driver.lock_failed', { sessionId: e.sessionId, error: err }));
    }
  }

  async function checkIdle(): Promise<void> {
    // One check at a time; a request during a check runs another right after it, so a change
    // reported mid-check (the scripted `idle`) is not lost until the next tick.
    if (isCheckingIdle) {
      isIdleRecheckWanted = true;
      return;
    }
    isCheckingIdle = true;
    try {
      do {
        isIdleRecheckWanted = false;
        const limit = policy.profile()?.idleLockMinutes ?? 0;
        if (limit <= 0 || isStopping) return;
        for (const s of await driver.listSessions()) {
          if (s.isLocked || s.idleMinutes === null || s.idleMinutes < limit) continue;
          log.info('idle.lock', { sessionId: s.id, account: s.account, idleMinutes: Math.floor(s.idleMinutes), limit });
          await driver.lock(s.id);
        }
      } while (isIdleRecheckWanted);
    } catch (err) {
      log.warn('idle.check_failed', { error: err });
    } finally {
      isCheckingIdle = false;
    }
  }

  const channel = createChannel({
    url: channelUrl(state.server),
    makeAssertion,
    onFrame,
    log,
    backoff,
    clock,
    onRevoked: () => {
      void shutdown(false).then(() => finish(EXIT_REVOKED));
    },
  });

  /** Stops everything; `announce` sends agent_stop first (not after a revocation: Tessera would refuse it). */
  async function shutdown(announce: boolean): Promise<void> {
    if (isStopping) return;
    isStopping = true;
    clearInterval(idleTimer);
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error('the agent is stopping'));
    }
    waiting.clear();
    held.dropAll('agent_stopping');
    await driver.stop();
    if (announce) {
      events.push({ type: 'agent_stop' });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([events.flush(), new Promise((r) => (timer = setTimeout(r, STOP_FLUSH_MS)))]);
      clearTimeout(timer);
    }
    events.stop();
    await channel.stop();
    log.info('agent.stopped', { unsentEvents: events.size() });
  }

  return {
    done,
    async start() {
      log.info('agent.started', { version: AGENT_VERSION, workstationId: state.workstationId, driver: driver.name, server: state.server });
      events.setEnabled(policy.status() === 'approved');
      // Before the driver starts: its first poll reports the sessions already open, after this.
      events.push({ type: 'agent_start' });
      await driver.start({
        onEvent,
        authorize: (request) => policy.decide(request),
        onIdleChanged: () => void checkIdle(),
        requestCredentials,
        heldCredentials: ({ sessionId, account }) => held.forUnlock(sessionId, account),
      });
      // A block Tessera announced before this start holds until Tessera lifts it, even offline.
      if (policy.emergency().active) {
        log.warn('emergency.on', { ...policy.emergency(), cached: true });
        await driver.lock().catch((err) => log.error('driver.lock_failed', { error: err }));
      }
      events.start();
      channel.start();
      idleTimer = setInterval(() => void checkIdle(), idleCheckMs);
    },
    async stop() {
      log.info('agent.stopping');
      await shutdown(true);
      finish(EXIT_OK);
    },
  };
}
