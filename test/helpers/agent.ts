/**
 * Runs the workstation agent (agent/src/cli.ts, from source through tsx) as a customer's computer
 * would: `enrollAgent` enrols a state directory with a token, `startAgent` runs `tessera-agent run`
 * (by default with the scripted driver, which plays a person at the computer from stdin) and lets
 * a test wait for the agent's JSON log lines (agent/README.md lists them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/lib/package-root.js';

const CLI = () => path.join(packageRoot(), 'agent/src/cli.ts');

export interface AgentLine {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

export type AgentMatch = string | ((line: AgentLine) => boolean);

export interface AgentProcess {
  child: ChildProcess;
  /** Sends one script line to the scripted driver (a newline is added). */
  write(line: string): void;
  /**
   * Resolves with the first log line at index ≥ `from` (default 0: the whole output so far) that
   * has `msg` equal to the string or satisfies the predicate; rejects after `timeoutMs` (10 s) with
   * the output so far. To wait for something that happens again, pass `from = agent.lines().length`
   * taken before the action.
   */
  waitFor(match: AgentMatch, timeoutMs?: number, from?: number): Promise<AgentLine>;
  /** Every JSON log line so far, parsed. */
  lines(): AgentLine[];
  /** With `secrets`: each delivery's passwords as the scripted driver reveals them on fd 3 (never the log), parsed. */
  secrets(): Record<string, any>[];
  /**
   * Resolves with the delivery at index `index` once it has come on fd 3. fd 3 and stdout are two
   * pipes, so the log line of a delivery can arrive before its passwords do: wait, don't read.
   */
  waitForSecret(index: number, timeoutMs?: number): Promise<Record<string, any>>;
  /** Raw stdout and stderr so far. */
  output(): string;
  /** SIGTERM (or `signal`), then the exit code; SIGKILL if it has not exited within 15 s. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The exit code, once the agent exits on its own (e.g. 3 after close code 4401). */
  exited: Promise<number | null>;
}

export interface StartAgentOptions {
  /** When given, must be the server the state directory was enrolled with (catches a test mixing state directories). */
  server?: string;
  stateDir: string;
  driver?: 'scripted' | 'linux';
  /** Extra environment; TESSERA_AGENT_BACKOFF_MS defaults to 100 so that reconnects are quick in tests. */
  env?: Record<string, string>;
  /** Opens fd 3 for the scripted driver's deliveries (TESSERA_AGENT_SCRIPTED_SECRETS_FD=3), read by secrets(). */
  secrets?: boolean;
}

function matches(match: AgentMatch, line: AgentLine): boolean {
  return typeof match === 'string' ? line.msg === match : match(line);
}

export function startAgent({ server, stateDir, driver = 'scripted', env = {}, secrets = false }: StartAgentOptions): AgentProcess {
  if (server !== undefined) {
    const enrolled = JSON.parse(fs.readFileSync(path.join(stateDir, 'agent.json'), 'utf8')).server;
    if (enrolled !== server.replace(/\/+$/, '')) throw new Error(`${stateDir} is enrolled with ${enrolled}, not ${server}`);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', CLI(), 'run', '--driver', driver, '--state-dir', stateDir], {
    cwd: packageRoot(),
    env: { ...process.env, TESSERA_AGENT_BACKOFF_MS: '100', ...(secrets ? { TESSERA_AGENT_SCRIPTED_SECRETS_FD: '3' } : {}), ...env },
    stdio: secrets ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
  });
  const revealed: Record<string, any>[] = [];
  let revealedPartial = '';
  if (secrets)
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      revealedPartial += chunk;
      const complete = revealedPartial.split('\n');
      revealedPartial = complete.pop()!;
      for (const text of complete) revealed.push(JSON.parse(text));
      for (const wake of waiters) wake();
    });
  const parsed: AgentLine[] = [];
  const waiters = new Set<() => void>();
  let raw = '';
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    raw += chunk;
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const text of complete) {
      try {
        parsed.push(JSON.parse(text));
      } catch {
        /* not a log line (tsx's own output): kept in output() only */
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    raw += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      for (const wake of waiters) wake();
      resolve(code);
    }),
  );

  return {
    child,
    exited,
    write(line) {
      child.stdin!.write(`${line}\n`);
    },
    lines: () => [...parsed],
    secrets: () => [...revealed],
    waitForSecret(index, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (revealed.length > index) {
            done();
            resolve(revealed[index]);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`the agent exited (${child.exitCode ?? child.signalCode}) before delivery ${index} came on fd 3:\n${raw}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`delivery ${index} did not come on fd 3 within ${timeoutMs} ms:\n${raw}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    output: () => raw,
    waitFor(match, timeoutMs = 10_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = parsed.slice(from).find((l) => matches(match, l));
          if (found) {
            done();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`the agent exited (${child.exitCode ?? child.signalCode}) before logging ${String(match)}:\n${raw}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no agent log line ${String(match)} within ${timeoutMs} ms:\n${raw}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs one `tessera-agent` command to its end. */
export function runAgentCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI(), ...args], {
      cwd: packageRoot(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface EnrollAgentOptions {
  server: string;
  token: string;
  stateDir: string;
  hostname?: string;
  domain?: string;
  /**
   * The machine id to report. Default: one derived from the state directory, so that every state
   * directory is its own computer (this machine's /etc/machine-id would make them all one) and
   * enrolling the same directory again is the same computer reinstalled.
   */
  machineId?: string;
  env?: Record<string, string>;
}

export interface EnrollAgentResult {
  code: number | null;
  /** Set when enrolment succeeded. */
  workstationId?: string;
  status?: 'pending' | 'approved';
  stdout: string;
  stderr: string;
}

export async function enrollAgent({ server, token, stateDir, hostname, domain, machineId, env }: EnrollAgentOptions): Promise<EnrollAgentResult> {
  const id = machineId ?? crypto.createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 32);
  const args = ['enroll', '--server', server, '--token', token, '--state-dir', stateDir, '--machine-id', id];
  if (hostname) args.push('--hostname', hostname);
  if (domain) args.push('--domain', domain);
  const r = await runAgentCli(args, env);
  const answer = r.code === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()!) : {};
  return { ...r, workstationId: answer.workstationId, status: answer.status };
}
