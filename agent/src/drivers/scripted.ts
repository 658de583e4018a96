/**
 * A driver that plays a person at the computer, for tests and demonstrations: it reads one line a
 * command from its input (stdin) and acts as the operating system would, going through the agent's
 * authorize hook before a logon, an unlock or an RDP connection, as a credential provider does.
 *
 *   logon <ACCOUNT> <method> [sessionId]      rdp-connect <ACCOUNT> <method> [sessionId]
 *   logoff [sessionId]                        rdp-disconnect [sessionId]
 *   lock [sessionId]                          switch <ACCOUNT>
 *   unlock <method> [sessionId]               idle <minutes>
 *   keylogon <ACCOUNT> [sessionId]           keyunlock [sessionId]
 *
 * `keylogon` is a logon with the employee's security key (docs/agent-protocol.md §8): the agent
 * relays the WebAuthn ceremony to its authenticator, Tessera delivers the credentials, and the
 * driver "logs on" with them (driver.credentials: which accounts, never a password). Only a test
 * that asks for it (`revealTo`, TESSERA_AGENT_SCRIPTED_SECRETS_FD) gets the passwords, as one
 * JSON line a delivery on that file descriptor; the log never has them. `keyunlock` unlocks a
 * locked session with the key: with the credentials the agent still holds for it (the key's
 * re-authentication interval, §8.4) when it has them, else after a fresh delivery as at logon.
 *
 * A missing sessionId means the active session (the last one logged on or switched to; for
 * rdp-disconnect the last remote one). Blank lines and lines starting with # are ignored. What it
 * does is logged as stable lines (agent/README.md): driver.lock, driver.logoff, driver.refused,
 * script.done, script.invalid.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { describeDelivery, type DeliveredCredentials } from '../delivery.js';
import type { Logger } from '../log.js';
import { EVENT_METHODS, type AuthorizeAction, type EventMethod } from '../protocol.js';
import type { Driver, DriverHooks, Session, SessionEvent } from './driver.js';

export type ScriptCommand =
  | { kind: 'logon' | 'rdp-connect'; account: string; method: EventMethod; sessionId?: string }
  | { kind: 'logoff' | 'lock' | 'rdp-disconnect'; sessionId?: string }
  | { kind: 'unlock'; method: EventMethod; sessionId?: string }
  | { kind: 'switch'; account: string }
  | { kind: 'keylogon'; account: string; sessionId?: string }
  | { kind: 'keyunlock'; sessionId?: string }
  | { kind: 'idle'; minutes: number };

function method(word: string | undefined): EventMethod {
  if (!word || !(EVENT_METHODS as readonly string[]).includes(word))
    throw new Error(`method must be one of ${EVENT_METHODS.join(', ')}, got ${word ?? 'nothing'}`);
  return word as EventMethod;
}

function arity(words: string[], min: number, max: number, usage: string): void {
  if (words.length - 1 < min || words.length - 1 > max) throw new Error(`usage: ${usage}`);
}

/** One script line as a command, null for a blank line or a comment; throws with the usage for anything else. */
export function parseScriptLine(line: string): ScriptCommand | null {
  const words = line.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0 || words[0].startsWith('#')) return null;
  const [verb, a, b, c] = words;
  switch (verb) {
    case 'logon':
    case 'rdp-connect':
      arity(words, 2, 3, `${verb} <ACCOUNT> <method> [sessionId]`);
      return { kind: verb, account: a, method: method(b), sessionId: c };
    case 'logoff':
    case 'lock':
    case 'rdp-disconnect':
      arity(words, 0, 1, `${verb} [sessionId]`);
      return { kind: verb, sessionId: a };
    case 'unlock':
      arity(words, 1, 2, 'unlock <method> [sessionId]');
      return { kind: 'unlock', method: method(a), sessionId: b };
    case 'keylogon':
      arity(words, 1, 2, 'keylogon <ACCOUNT> [sessionId]');
      return { kind: 'keylogon', account: a, sessionId: b };
    case 'keyunlock':
      arity(words, 0, 1, 'keyunlock [sessionId]');
      return { kind: 'keyunlock', sessionId: a };
    case 'switch':
      arity(words, 1, 1, 'switch <ACCOUNT>');
      return { kind: 'switch', account: a };
    case 'idle': {
      arity(words, 1, 1, 'idle <minutes>');
      const minutes = Number(a);
      if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`idle minutes must be a number ≥ 0, got ${a}`);
      return { kind: 'idle', minutes };
    }
    default:
      throw new Error(`unknown command ${verb}: logon, keylogon, logoff, lock, unlock, keyunlock, rdp-connect, rdp-disconnect, switch, idle`);
  }
}

export interface ScriptedDriverOptions {
  log: Logger;
  input?: Readable;
  /** Test only: receives each delivery with its passwords, as one JSON line. */
  revealTo?: (line: string) => void;
}

export function createScriptedDriver({ log, input = process.stdin, revealTo }: ScriptedDriverOptions): Driver {
  const sessions = new Map<string, Session>();
  let active: string | undefined;
  let counter = 0;
  let hooks: DriverHooks | undefined;
  let rl: readline.Interface | undefined;
  // Lines are carried out one after another, each after the previous one's authorize answer.
  let pending: Promise<void> = Promise.resolve();

  const emit = (e: SessionEvent) => hooks?.onEvent(e);
  const newId = () => {
    do counter++;
    while (sessions.has(String(counter)));
    return String(counter);
  };

  function session(sessionId: string | undefined, fallback = active): Session {
    const id = sessionId ?? fallback;
    const s = id === undefined ? undefined : sessions.get(id);
    if (!s) throw new Error(id === undefined ? 'there is no session' : `there is no session ${id}`);
    return s;
  }

  async function isAllowed(action: AuthorizeAction, account: string, m: EventMethod, sessionId?: string): Promise<boolean> {
    const decision = await hooks!.authorize({ account, action, method: m });
    if (!decision.allowed) log.info('driver.refused', { action, account, method: m, sessionId, code: decision.code, reason: decision.reason });
    return decision.allowed;
  }

  /** A fresh delivery for a key logon or unlock; false (logged as driver.refused) when Tessera or the agent refuses it. */
  async function deliveredFor(account: string, sessionId: string, action: 'logon' | 'unlock'): Promise<boolean> {
    let credentials: DeliveredCredentials;
    try {
      if (!hooks?.requestCredentials) throw new Error('this agent cannot ask for credentials');
      credentials = await hooks.requestCredentials({ account, sessionId });
    } catch (err) {
      const e = err as Error & { code?: string };
      log.info('driver.refused', { action, account, method: 'security_key', sessionId, code: e.code ?? null, reason: e.message });
      return false;
    }
    log.info('driver.credentials', { account, sessionId, ...describeDelivery(credentials) });
    revealTo?.(`${JSON.stringify({ account, sessionId, directory: credentials.directory, accounts: credentials.accounts })}\n`);
    return true;
  }

  async function apply(cmd: ScriptCommand): Promise<void> {
    switch (cmd.kind) {
      case 'logon':
      case 'rdp-connect': {
        if (cmd.sessionId && sessions.has(cmd.sessionId)) throw new Error(`session ${cmd.sessionId} already exists`);
        const isRemote = cmd.kind === 'rdp-connect';
        if (!(await isAllowed(isRemote ? 'rdp' : 'logon', cmd.account, cmd.method, cmd.sessionId))) return;
        const s: Session = { id: cmd.sessionId ?? newId(), account: cmd.account, isRemote, isLocked: false, idleMinutes: 0 };
        sessions.set(s.id, s);
        active = s.id;
        emit({ type: isRemote ? 'remote_connect' : 'logon', account: s.account, sessionId: s.id, method: cmd.method, remoteAddress: null });
        return;
      }
      case 'keylogon': {
        if (cmd.sessionId && sessions.has(cmd.sessionId)) throw new Error(`session ${cmd.sessionId} already exists`);
        if (!(await isAllowed('logon', cmd.account, 'security_key', cmd.sessionId))) return;
        const id = cmd.sessionId ?? newId();
        if (!(await deliveredFor(cmd.account, id, 'logon'))) return;
        const s: Session = { id, account: cmd.account, isRemote: false, isLocked: false, idleMinutes: 0 };
        sessions.set(s.id, s);
        active = s.id;
        emit({ type: 'logon', account: s.account, sessionId: s.id, method: 'security_key', remoteAddress: null });
        return;
      }
      case 'keyunlock': {
        const s = session(cmd.sessionId);
        if (!s.isLocked) throw new Error(`session ${s.id} is not locked`);
        if (!(await isAllowed('unlock', s.account, 'security_key', s.id))) return;
        // Within the key's re-authentication interval the OS unlock takes the password the agent
        // holds; after it, or with nothing held, the key is asked again (a fresh assertion).
        const kept = hooks?.heldCredentials?.({ sessionId: s.id, account: s.account });
        if (kept) log.info('driver.unlock_held', { sessionId: s.id, account: s.account, unlockUntil: kept.unlockUntil });
        else if (!(await deliveredFor(s.account, s.id, 'unlock'))) return;
        s.isLocked = false;
        s.idleMinutes = 0;
        emit({ type: 'unlock', account: s.account, sessionId: s.id, method: 'security_key', remoteAddress: null });
        return;
      }
      case 'logoff':
      case 'rdp-disconnect': {
        const lastRemote = [...sessions.values()].filter((x) => x.isRemote).pop()?.id;
        const s = session(cmd.sessionId, cmd.kind === 'rdp-disconnect' ? lastRemote : active);
        sessions.delete(s.id);
        if (active === s.id) active = [...sessions.keys()].pop();
        emit({ type: cmd.kind === 'logoff' ? 'logoff' : 'remote_disconnect', account: s.account, sessionId: s.id, remoteAddress: null });
        return;
      }
      case 'lock': {
        const s = session(cmd.sessionId);
        if (s.isLocked) throw new Error(`session ${s.id} is already locked`);
        s.isLocked = true;
        emit({ type: 'lock', account: s.account, sessionId: s.id, remoteAddress: null });
        return;
      }
      case 'unlock': {
        const s = session(cmd.sessionId);
        if (!s.isLocked) throw new Error(`session ${s.id} is not locked`);
        if (!(await isAllowed('unlock', s.account, cmd.method, s.id))) return;
        s.isLocked = false;
        s.idleMinutes = 0;
        emit({ type: 'unlock', account: s.account, sessionId: s.id, method: cmd.method, remoteAddress: null });
        return;
      }
      case 'switch': {
        const wanted = cmd.account.toLowerCase();
        const s = [...sessions.values()].find((x) => x.account.toLowerCase() === wanted);
        if (!s) throw new Error(`${cmd.account} has no session to switch to`);
        active = s.id;
        s.idleMinutes = 0;
        emit({ type: 'session_switch', account: s.account, sessionId: s.id, remoteAddress: null });
        return;
      }
      case 'idle': {
        session(undefined).idleMinutes = cmd.minutes;
        hooks?.onIdleChanged();
        return;
      }
    }
  }

  async function handleLine(line: string): Promise<void> {
    let cmd: ScriptCommand | null;
    try {
      cmd = parseScriptLine(line);
      if (!cmd) return;
      await apply(cmd);
    } catch (err) {
      log.warn('script.invalid', { line, error: err });
      return;
    }
    log.info('script.done', { line: line.trim() });
  }

  function targets(sessionId?: string): Session[] {
    return sessionId ? [session(sessionId)] : [...sessions.values()];
  }

  return {
    name: 'scripted',
    async start(h) {
      hooks = h;
      rl = readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
      rl.on('line', (line) => {
        pending = pending.then(() => handleLine(line));
      });
      rl.on('close', () => {
        pending = pending.then(() => log.info('script.end'));
      });
    },
    async stop() {
      // Not waiting for a line still in flight: its authorize call may be waiting for a server that is gone.
      rl?.close();
    },
    async listSessions() {
      return [...sessions.values()].map((s) => ({ ...s }));
    },
    async lock(sessionId) {
      for (const s of targets(sessionId)) {
        log.info('driver.lock', { sessionId: s.id, account: s.account });
        if (s.isLocked) continue;
        s.isLocked = true;
        emit({ type: 'lock', account: s.account, sessionId: s.id, remoteAddress: null });
      }
    },
    async logoff(sessionId) {
      for (const s of targets(sessionId)) {
        log.info('driver.logoff', { sessionId: s.id, account: s.account });
        sessions.delete(s.id);
        if (active === s.id) active = undefined;
        emit({ type: 'logoff', account: s.account, sessionId: s.id, remoteAddress: null });
      }
      if (active === undefined) active = [...sessions.keys()].pop();
    },
  };
}
