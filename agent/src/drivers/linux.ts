/**
 * Linux through systemd-logind, by running `loginctl` (man loginctl(1)). logind knows the sessions,
 * whether each is locked, idle or remote, and can lock or end one; it cannot stand in the way of a
 * logon or an unlock (that is a PAM module's place), so this driver reports what happened and the
 * agent reacts: it locks again a session unlocked during the emergency block, and locks idle ones.
 * It never learns how someone signed in: its logons and unlocks carry method `unknown`.
 *
 * Sessions are polled every 2 s and diffed: logind's D-Bus signals would be immediate, but polling
 * needs nothing beyond loginctl and sees the same changes a moment later.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Logger } from '../log.js';
import type { Driver, DriverHooks, Session, SessionEvent } from './driver.js';

const run = promisify(execFile);

export const POLL_MS = 2_000;
const SESSION_ID = /^[A-Za-z0-9]+$/;
const PROPERTIES = ['Name', 'Type', 'Class', 'Remote', 'RemoteHost', 'LockedHint', 'IdleHint', 'IdleSinceHint', 'State'];

export interface LinuxSession extends Session {
  remoteHost: string | null;
}

/** `list-sessions --output=json` (systemd ≥ 250) or the `--no-legend` table: `SESSION UID USER SEAT TTY …`. */
export function parseSessionList(stdout: string, isJson: boolean): { id: string; user: string }[] {
  if (isJson) {
    const rows = JSON.parse(stdout) as { session?: unknown; user?: unknown }[];
    if (!Array.isArray(rows)) throw new Error('loginctl list-sessions --output=json did not print an array');
    return rows.filter((r) => typeof r.session === 'string' && r.session).map((r) => ({ id: String(r.session), user: String(r.user ?? '') }));
  }
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 3 && cols[0])
    .map((cols) => ({ id: cols[0], user: cols[2] }));
}

/** `show-session ID -p A -p B` prints `A=value` lines. */
export function parseProperties(stdout: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return props;
}

/** `DOMAIN\user` when the computer has a domain, unless the name already says which (sssd/winbind may print `user@realm` or `DOM\user`). */
export function accountName(user: string, domain: string | null | undefined): string {
  if (!domain || user.includes('\\') || user.includes('@')) return user;
  return `${domain}\\${user}`;
}

/**
 * One logind session as the agent sees it, or null for what is not a person's session: greeters,
 * lock screens and (systemd ≥ 256) the user manager's own `manager` sessions; a `closing` session
 * is one whose user logged out.
 */
export function toSession(id: string, props: Record<string, string>, domain: string | null | undefined, now: number): LinuxSession | null {
  if (props.Class && !props.Class.startsWith('user')) return null;
  if (props.State === 'closing') return null;
  const since = Number(props.IdleSinceHint ?? 0);
  let idleMinutes: number | null = null;
  if (props.IdleHint === 'yes' && since > 0) idleMinutes = Math.max(0, (now - since / 1000) / 60_000);
  else if (props.IdleHint === 'no') idleMinutes = 0;
  return {
    id,
    account: accountName(props.Name ?? '', domain),
    isRemote: props.Remote === 'yes',
    isLocked: props.LockedHint === 'yes',
    idleMinutes,
    remoteHost: props.RemoteHost || null,
  };
}

/**
 * The events between two snapshots. Start and end events get an id made of the boot id and the
 * session id (unique per boot in logind): an agent restarted during a session reports its logon
 * again with the same id, and Tessera stores it once.
 */
export function diffSessions(before: Map<string, LinuxSession>, after: Map<string, LinuxSession>, bootId: string | null): SessionEvent[] {
  const events: SessionEvent[] = [];
  const stableId = (sessionId: string, type: string) => (bootId ? `${bootId}:${sessionId}:${type}` : undefined);
  for (const [id, s] of after) {
    const old = before.get(id);
    if (!old) {
      const type = s.isRemote ? 'remote_connect' : 'logon';
      events.push({ type, account: s.account, sessionId: id, method: 'unknown', remoteAddress: s.remoteHost, id: stableId(id, type) });
      if (s.isLocked) events.push({ type: 'lock', account: s.account, sessionId: id, remoteAddress: s.remoteHost });
    } else if (old.isLocked !== s.isLocked) {
      events.push(
        s.isLocked
          ? { type: 'lock', account: s.account, sessionId: id, remoteAddress: s.remoteHost }
          : { type: 'unlock', account: s.account, sessionId: id, method: 'unknown', remoteAddress: s.remoteHost },
      );
    }
  }
  for (const [id, s] of before) {
    if (after.has(id)) continue;
    const type = s.isRemote ? 'remote_disconnect' : 'logoff';
    events.push({ type, account: s.account, sessionId: id, remoteAddress: s.remoteHost, id: stableId(id, type) });
  }
  return events;
}

export interface LinuxDriverOptions {
  log: Logger;
  /** The loginctl executable; a test points it at a stub. */
  loginctl?: string;
  domain?: string | null;
  pollMs?: number;
  clock?: () => number;
  bootId?: string | null;
}

function readBootId(): string | null {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function createLinuxDriver({
  log,
  loginctl = 'loginctl',
  domain = null,
  pollMs = POLL_MS,
  clock = Date.now,
  bootId = readBootId(),
}: LinuxDriverOptions): Driver {
  let hooks: DriverHooks | undefined;
  let known = new Map<string, LinuxSession>();
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  let isFailing = false;
  // null until the first listing tells whether this loginctl has --output=json.
  let hasJson: boolean | null = null;

  const loginctlRun = async (args: string[]) =>
    (await run(loginctl, ['--no-pager', ...args], { timeout: 10_000, env: { ...process.env, LC_ALL: 'C' } })).stdout;

  async function listIds(): Promise<{ id: string; user: string }[]> {
    if (hasJson !== false) {
      try {
        const rows = parseSessionList(await loginctlRun(['list-sessions', '--output=json']), true);
        hasJson = true;
        return rows;
      } catch (err) {
        // A missing loginctl says nothing about its options; an older one refuses --output.
        if (hasJson === true || (err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
        hasJson = false;
      }
    }
    return parseSessionList(await loginctlRun(['list-sessions', '--no-legend']), false);
  }

  async function snapshot(): Promise<Map<string, LinuxSession>> {
    const sessions = new Map<string, LinuxSession>();
    for (const { id } of await listIds()) {
      let props: Record<string, string>;
      try {
        props = parseProperties(await loginctlRun(['show-session', id, ...PROPERTIES.flatMap((p) => ['-p', p])]));
      } catch {
        continue; // ended between the listing and now: the next poll reports it gone
      }
      const s = toSession(id, props, domain, clock());
      if (s) sessions.set(id, s);
    }
    return sessions;
  }

  async function poll(): Promise<void> {
    try {
      const next = await snapshot();
      const events = diffSessions(known, next, bootId);
      known = next;
      if (isFailing) log.info('driver.poll_recovered');
      isFailing = false;
      for (const e of events) hooks?.onEvent(e);
    } catch (err) {
      // Logged once per outage, not every 2 s.
      if (!isFailing) log.warn('driver.poll_failed', { error: err });
      isFailing = true;
    }
  }

  function schedule(): void {
    if (isStopped) return;
    timer = setTimeout(async () => {
      await poll();
      schedule();
    }, pollMs);
  }

  async function targets(sessionId?: string): Promise<string[]> {
    // A command's payload names the session, and it becomes loginctl's argument: `--host=…` or
    // `-H…` there would make loginctl run ssh to a host of the sender's choosing. logind's own ids
    // are letters and digits only (systemd's session_id_valid), so nothing else is passed on.
    if (sessionId !== undefined && !SESSION_ID.test(sessionId)) throw new Error(`not a logind session id: ${JSON.stringify(sessionId.slice(0, 64))}`);
    return sessionId ? [sessionId] : [...(await snapshot()).keys()];
  }

  return {
    name: 'linux',
    async start(h) {
      hooks = h;
      isStopped = false;
      await poll();
      schedule();
    },
    async stop() {
      isStopped = true;
      clearTimeout(timer);
    },
    async listSessions() {
      return [...(await snapshot()).values()];
    },
    async lock(sessionId) {
      for (const id of await targets(sessionId)) {
        log.info('driver.lock', { sessionId: id });
        await loginctlRun(['lock-session', id]);
      }
    },
    async logoff(sessionId) {
      for (const id of await targets(sessionId)) {
        log.info('driver.logoff', { sessionId: id });
        await loginctlRun(['terminate-session', id]);
      }
    },
  };
}
