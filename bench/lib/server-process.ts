import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from './cleanup.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServerProcess {
  url: string;
  pid: number;
  /** The last 8,000 characters the server printed (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `tessera serve` in its own process, so the server and the load generator do not share an
 * event loop. From src/ through tsx by default (the code in the tree, built or not); with
 * BENCH_BUILT=1 the compiled bin/tessera.js (run `npm run build:server` first). BENCH_PROFILE=1
 * writes a V8 CPU profile of the server to bench/results/profiles/ when it stops (open it in
 * Chrome DevTools or speedscope).
 */
export async function startServerProcess(opts: {
  env: Record<string, string>;
  cleanup: Cleanup;
  startTimeoutMs?: number;
  /** More options for node, before the script (e.g. `--inspect=127.0.0.1:0`). */
  nodeArgs?: string[];
}): Promise<ServerProcess> {
  const profile = [
    ...(process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(repoRoot, 'bench', 'results', 'profiles')}`] : []),
    ...(opts.nodeArgs ?? []),
  ];
  const args = process.env.BENCH_BUILT === '1' ? [...profile, 'bin/tessera.js', 'serve'] : [...profile, '--import', 'tsx', 'src/cli/index.ts', 'serve'];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the bench itself dies abruptly, the server must not outlive it.
  const killOnExit = () => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  opts.cleanup.defer(`server process ${child.pid}`, stop);

  const url = await waitForListening(child, () => output, exited, opts.startTimeoutMs ?? 60_000);
  return { url, pid: child.pid!, output: () => output, stop };
}

/** The serve command prints `listening on HOST:PORT` once the port is bound (PORT=0 picks a free one). */
function waitForListening(child: ChildProcess, output: () => string, exited: Promise<number | null>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`the server did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const onData = () => {
      const m = /listening on (127\.0\.0\.1):(\d+)/.exec(output());
      if (m) finish(undefined, `http://${m[1]}:${m[2]}`);
    };
    const finish = (err?: Error, url?: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      if (err) reject(err);
      else resolve(url!);
    };
    child.stdout!.on('data', onData);
    exited.then((code) => finish(new Error(`the server exited (code ${code}) before listening:\n${output()}`)));
  });
}
