/**
 * What the agent keeps on disk, all in one directory (default /var/lib/tessera-agent, which the
 * systemd unit's StateDirectory= creates):
 * - `agent.json`: server, workstationId, audience, domain (not secret, but 0600 like the rest);
 * - `key.pem`: the workstation's private key (PKCS#8), 0600: whoever reads it is the workstation;
 * - `cache.json`: the last status, profile, emergency state and successful authorizations, so a
 *   computer restarted without network still applies its policy and offline logon (§7);
 * - `machine-id`: a generated id, only where /etc/machine-id does not exist.
 * The directory is 0700. Files are written to a temporary name with their final mode and renamed,
 * so a crash never leaves a half-written key or a key that was briefly world-readable.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Emergency, Profile, WorkstationStatus } from './protocol.js';

export const DEFAULT_STATE_DIR = '/var/lib/tessera-agent';
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export function resolveStateDir(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(option ?? env.TESSERA_AGENT_STATE_DIR ?? DEFAULT_STATE_DIR);
}

export interface AgentState {
  server: string;
  workstationId: string;
  audience: string;
  domain: string | null;
  enrolledAt: string;
}

export interface CachedPolicy {
  status: WorkstationStatus | null;
  profile: Profile | null;
  emergency: Emergency;
  /** Last successful authorize per account (lower-cased), ms since the epoch. */
  authorizations: Record<string, number>;
}

export const EMPTY_POLICY: CachedPolicy = { status: null, profile: null, emergency: { active: false, version: 0, reason: null }, authorizations: {} };

/** Creates the directory if needed and (re)sets it to 0700: mkdir's mode is filtered by the umask, and an existing directory keeps its own. */
export function ensureStateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  fs.chmodSync(dir, DIR_MODE);
}

export function writeFileAtomic(file: string, data: string, mode = FILE_MODE): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  // `wx`: never follow or reuse something already at the temporary name.
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.fchmodSync(fd, mode);
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}

export const agentFile = (dir: string) => path.join(dir, 'agent.json');
export const keyFile = (dir: string) => path.join(dir, 'key.pem');
export const cacheFile = (dir: string) => path.join(dir, 'cache.json');

export function readAgentState(dir: string): AgentState | null {
  return readJson<AgentState>(agentFile(dir));
}

export function writeAgentState(dir: string, state: AgentState): void {
  writeFileAtomic(agentFile(dir), `${JSON.stringify(state, null, 2)}\n`);
}

/** The key as PEM, and whether its file is readable by anyone but its owner (a warning, not a refusal: the key still works). */
export function readPrivateKeyPem(dir: string): { pem: string; isExposed: boolean } {
  const file = keyFile(dir);
  const isExposed = (fs.statSync(file).mode & 0o077) !== 0;
  return { pem: fs.readFileSync(file, 'utf8'), isExposed };
}

export function writePrivateKeyPem(dir: string, pem: string): void {
  writeFileAtomic(keyFile(dir), pem);
}

export function readCachedPolicy(dir: string): CachedPolicy {
  const cached = readJson<Partial<CachedPolicy>>(cacheFile(dir));
  return { ...EMPTY_POLICY, ...cached, emergency: { ...EMPTY_POLICY.emergency, ...cached?.emergency }, authorizations: { ...cached?.authorizations } };
}

export function writeCachedPolicy(dir: string, policy: CachedPolicy): void {
  writeFileAtomic(cacheFile(dir), `${JSON.stringify(policy)}\n`);
}

/**
 * §2's stable machine id: the OS's own (/etc/machine-id, systemd's) when there is one, so a
 * reinstalled agent keeps the workstation's record; else one generated once and kept here.
 */
export function machineId(dir: string, systemFile = '/etc/machine-id'): string {
  try {
    const id = fs.readFileSync(systemFile, 'utf8').trim();
    if (id) return id;
  } catch {
    /* not systemd: fall back to our own */
  }
  const own = path.join(dir, 'machine-id');
  try {
    const id = fs.readFileSync(own, 'utf8').trim();
    if (id) return id;
  } catch {
    /* first enrolment */
  }
  const id = crypto.randomUUID().replaceAll('-', '');
  writeFileAtomic(own, `${id}\n`);
  return id;
}
