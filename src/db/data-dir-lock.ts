import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One process at a time owns an embedded data folder, as PostgreSQL's postmaster.pid guarantees
 * for its own: two PGlite instances on one folder lose each other's writes or corrupt it.
 *
 * Node has no flock(), so the lock is a sequence of files `DATA_DIR/run/owner.<n>.json`; the one
 * with the highest n says who owns the folder. Each file is written in full under a temporary name
 * and published with link(), which fails when the name exists: a reader never sees half a file, and
 * of two processes creating the same n exactly one succeeds. Taking over a stale owner.<n> means
 * creating owner.<n+1>, never deleting and re-creating a name, so two processes that both judged
 * owner.<n> stale cannot both win (the classic race of "unlink the stale lock, create mine"). A
 * process that published owner.<n+1> and then finds a higher number (it looked at a listing that
 * was already old) has lost and withdraws. Numbers never go down: a clean exit marks its file
 * released instead of deleting it, and only files below the current one are removed.
 *
 * A lock is stale when it was released, or its process is gone: kill(pid, 0) answers ESRCH, the
 * machine booted since (boot id), or the pid now belongs to a younger process (its start time in
 * /proc/<pid>/stat differs: pid reuse). A lock taken on another host cannot be checked and is
 * never taken over.
 */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the owner took the folder. */
  since: string;
  /** 'serve' for the server, else what the refusal names (`tessera directory sync`). */
  command: string;
  /** /proc/<pid>/stat start time (clock ticks since boot), when the system has /proc. */
  processStart: string | null;
  bootId: string | null;
  released?: boolean;
}

export interface DataDirLock {
  owner: LockOwner;
  /** Marks the lock released (idempotent). */
  release(): void;
}

export const EX_TEMPFAIL = 75;

/** The folder is owned by a live process: names it and what to do. */
export class DataDirLockedError extends Error {
  readonly exitCode = EX_TEMPFAIL;
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
    advice: string,
  ) {
    super(`${dataDir} is in use by ${describeOwner(owner)}. ${advice}`);
    this.name = 'DataDirLockedError';
  }
}

export function describeOwner(o: LockOwner): string {
  const what = o.command === 'serve' ? 'the Tessera server' : o.command;
  return `${what} (pid ${o.pid}${o.hostname !== os.hostname() ? ` on host ${o.hostname}` : ''}, since ${o.since})`;
}

/** The private folder (mode 0700) that holds the lock files and the control socket. */
export function runDir(dataDir: string): string {
  return path.join(dataDir, 'run');
}

/** Creates DATA_DIR/run as a 0700 directory of ours; refuses a symlink or another user's folder. */
export function ensureRunDir(dataDir: string): string {
  const dir = runDir(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} must be a directory (found a ${st.isSymbolicLink() ? 'symbolic link' : 'file'})`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new Error(`${dir} belongs to user id ${st.uid}: run Tessera as the user that owns ${dataDir}`);
  }
  if ((st.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
  return dir;
}

function readBootId(): string | null {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Is the process that wrote this lock still running? */
export function isOwnerAlive(o: LockOwner): boolean {
  if (o.released) return false;
  if (o.hostname !== os.hostname()) return true;
  const bootId = readBootId();
  if (o.bootId && bootId && o.bootId !== bootId) return false;
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStartTime(o.pid);
  if (o.processStart && start && start !== o.processStart) return false;
  // /proc readable but the pid gone between the two checks.
  if (o.processStart && !start && fs.existsSync('/proc/self/stat')) return false;
  return true;
}

const LOCK_NAME = /^owner\.(\d+)\.json$/;

function listLocks(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((f) => LOCK_NAME.exec(f))
    .filter((m) => m !== null)
    .map((m) => Number(m![1]))
    .sort((a, b) => a - b);
}

const lockFile = (dir: string, n: number) => path.join(dir, `owner.${n}.json`);

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    return typeof o.pid === 'number' && typeof o.hostname === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** Writes a file completely, then publishes it under `target` with link(): EEXIST if taken. */
function publish(dir: string, target: string, content: string, replace = false): boolean {
  const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (replace) {
      fs.renameSync(tmp, target);
      return true;
    }
    fs.linkSync(tmp, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export interface AcquireOptions {
  command: string;
  /** Decides, for a live owner, whether to wait for it (true) or refuse at once (false). */
  shouldWait?: (owner: LockOwner) => boolean;
  /** How long to wait for a live owner that shouldWait accepts. */
  waitMs?: number;
  /** Called once when waiting starts (the caller says so on its terminal or log). */
  onWait?: (owner: LockOwner) => void;
  /** The sentence after "is in use by …" in the refusal. */
  advice?: (owner: LockOwner) => string;
}

const defaultAdvice = (o: LockOwner, dir: string) =>
  o.hostname !== os.hostname()
    ? `It cannot be checked from here: stop it there, or if that host no longer runs Tessera on this folder, delete ${path.join(dir, 'owner.*.json')}.`
    : o.command === 'serve'
      ? 'Stop it first (SIGTERM), or give this process another DATA_DIR or a DATABASE_URL.'
      : 'Wait for it to finish, then try again.';

/** Takes the folder, or throws DataDirLockedError naming the live owner. Changes nothing else. */
export async function acquireDataDirLock(dataDir: string, opts: AcquireOptions): Promise<DataDirLock> {
  const dir = ensureRunDir(dataDir);
  const me: LockOwner = {
    pid: process.pid,
    hostname: os.hostname(),
    since: new Date().toISOString(),
    command: opts.command,
    processStart: processStartTime(process.pid),
    bootId: readBootId(),
  };
  const content = `${JSON.stringify(me)}\n`;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  let hasWaited = false;
  for (;;) {
    const numbers = listLocks(dir);
    const top = numbers.at(-1);
    const owner = top === undefined ? null : readOwner(lockFile(dir, top));
    // An unreadable top file is one that a crash cut short before its link (link publishes whole
    // files, so this is damage, not a writer in progress): treated as stale.
    if (owner && isOwnerAlive(owner)) {
      if (opts.shouldWait?.(owner) && Date.now() < deadline) {
        if (!hasWaited) opts.onWait?.(owner);
        hasWaited = true;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      throw new DataDirLockedError(dataDir, owner, opts.advice ? opts.advice(owner) : defaultAdvice(owner, dir));
    }
    const mine = (top ?? 0) + 1;
    if (!publish(dir, lockFile(dir, mine), content)) continue;
    if (listLocks(dir).some((n) => n > mine)) {
      // Someone took over from a newer listing than ours: theirs stands.
      fs.rmSync(lockFile(dir, mine), { force: true });
      continue;
    }
    for (const n of numbers) if (n < mine) fs.rmSync(lockFile(dir, n), { force: true });
    let isReleased = false;
    return {
      owner: me,
      release() {
        if (isReleased) return;
        isReleased = true;
        // Rename over our own file: the number stays, so nobody can re-create it (see above).
        try {
          publish(dir, lockFile(dir, mine), `${JSON.stringify({ ...me, released: true })}\n`, true);
        } catch {
          /* folder gone: nothing left to release */
        }
      },
    };
  }
}
