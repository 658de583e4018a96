import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { packageRoot } from '../../src/lib/package-root.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface ServerProcess {
  url: string;
  port: number;
  output(): string;
  setupToken(): string | undefined;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  child: ChildProcess;
}

/** Runs the `tessera` CLI from source (tsx) and returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(packageRoot(), 'src/cli/index.ts'), ...args], {
      cwd: packageRoot(),
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(input ?? '');
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts `tessera serve` as a separate process, as an administrator would, on localhost.
 * Resolves once /readyz answers.
 */
export async function startServerProcess(env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<ServerProcess> {
  const port = Number(env.PORT) || (await freePort());
  const url = env.PUBLIC_URL ?? `http://localhost:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(packageRoot(), 'src/cli/index.ts'), 'serve'], {
    cwd: packageRoot(),
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Generous: a loaded 2-core machine can take 30 s and more to migrate a fresh embedded database.
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      // The banner (with any setup link) is printed before requests are served, but a pipe can
      // deliver it after the HTTP answer: wait for it too.
      if (res.ok && (out.includes('Sign in to the console at') || out.includes('/setup?token='))) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output: () => out,
    setupToken: () => /setup\?token=([A-Za-z0-9_-]+)/.exec(out)?.[1],
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Stops a server started by startServerProcess, and kills it if it has not exited within
 * `graceMs`, so that a shutdown that hangs cannot hold up the test run. Does nothing without one.
 */
export async function stopServerProcess(server: ServerProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!server) return;
  const killer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  try {
    await server.stop();
  } finally {
    clearTimeout(killer);
  }
}
