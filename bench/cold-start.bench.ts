// Cold start: from spawning what `npm start` runs (`node --enable-source-maps bin/tessera.js serve`)
// to the first log line, to "listening", and to the first 200 from /readyz, on an empty DATA_DIR
// (embedded PGlite, so the template is unpacked) and again on the folder it left (a restart).
// Needs the build: `npm run build:server` first. See bench/README.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCleanup } from './lib/cleanup.js';
import { describeMachine, printTable, writeResults } from './lib/report.js';
import { repoRoot } from './lib/server-process.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const cleanup = createCleanup();

interface Timing {
  firstOutputMs: number;
  listeningMs: number;
  readyMs: number;
}

/** One start: spawn, wait for /readyz to answer 200, stop. Times are from the spawn. */
async function startOnce(dataDir: string, root: string): Promise<Timing> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--enable-source-maps', 'bin/tessera.js', 'serve'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  let firstOutputMs: number | undefined;
  let listeningMs: number | undefined;
  let url: string | undefined;
  const onData = (chunk: Buffer) => {
    firstOutputMs ??= performance.now() - started;
    output += chunk.toString();
    const m = /listening on (127\.0\.0\.1):(\d+)/.exec(output);
    if (m && !url) {
      listeningMs = performance.now() - started;
      url = `http://${m[1]}:${m[2]}`;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = started + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited before it was ready:\n${output}`);
      if (performance.now() > deadline) throw new Error(`not ready within 60 s:\n${output}`);
      if (url) {
        const res = await fetch(`${url}/readyz`).catch(() => undefined);
        if (res?.status === 200) {
          await res.body?.cancel();
          return { firstOutputMs: firstOutputMs!, listeningMs: listeningMs!, readyMs: performance.now() - started };
        }
        await res?.body?.cancel();
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    await exited;
  }
}

function stats(values: number[]): { min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

async function main() {
  for (const root of [repoRoot, process.env.BENCH_VS].filter((r): r is string => Boolean(r))) {
    if (!fs.existsSync(path.join(root, 'dist', 'server', 'cli', 'index.js'))) throw new Error(`${root} is not built: run \`npm run build:server\` there first`);
  }
  // BENCH_VS=<another built checkout>: the same runs of that one, in turn with this tree's (A B A B…),
  // so a machine whose speed drifts slows both alike.
  const roots: [string, string][] = [
    ['this tree', repoRoot],
    ...(process.env.BENCH_VS ? [['BENCH_VS', path.resolve(process.env.BENCH_VS)] as [string, string]] : []),
  ];
  const runs = new Map(roots.map(([label]) => [label, { cold: [] as Timing[], restart: [] as Timing[] }]));
  // One warm-up start each (disk cache) that is not counted.
  for (let i = -1; i < RUNS; i++) {
    for (const [label, root] of roots) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-cold-start-'));
      cleanup.defer(`data folder ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
      const first = await startOnce(dir, root);
      const again = await startOnce(dir, root);
      if (i >= 0) {
        runs.get(label)!.cold.push(first);
        runs.get(label)!.restart.push(again);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const rows = (label: string, folder: string, list: Timing[]) =>
    (['firstOutputMs', 'listeningMs', 'readyMs'] as const).map((k) => {
      const s = stats(list.map((r) => r[k]));
      return [label, folder, k.replace(/Ms$/, ''), Math.round(s.min), Math.round(s.median), Math.round(s.max)];
    });
  console.log(`cold start, ${RUNS} runs each (after one warm-up), ms from spawn${roots.length > 1 ? `; BENCH_VS = ${roots[1][1]}` : ''}`);
  printTable(
    ['server', 'data folder', 'until', 'min', 'median', 'max'],
    [...runs].flatMap(([label, r]) => [...rows(label, 'empty', r.cold), ...rows(label, 'restart', r.restart)]),
  );
  const file = writeResults('cold-start', { machine: describeMachine(), runs: RUNS, roots: Object.fromEntries(roots), results: Object.fromEntries(runs) });
  console.log(`results: ${file}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanup.run());
