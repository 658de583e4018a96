// Workstation agents connected to one server process (docs/agent-protocol.md, src/workstations/):
// - memory: the server's RSS before and with AGENTS channels open → RSS per connected agent;
// - CPU per heartbeat: every agent sends {"type":"heartbeat"} at a fixed rate for a measured
//   window, minus an idle window's CPU;
// - the emergency block: from the start of POST /api/emergency-block until the last agent
//   received the `emergency_block` command; then Lock now for a sample of single workstations.
// The agents run in a child process of their own (bench/lib/agent-swarm.ts), so the server's RSS
// and CPU are its own. Run: npm run bench -- agents
// Settings (environment): AGENTS=10000  BENCH_ENGINE=pglite|postgres (or DATABASE_URL=… of an empty,
// throwaway database)  BENCH_AGENT_PROCESSES=1  BENCH_ENROL_CONCURRENCY=8  BENCH_CONNECT_CONCURRENCY=32
// BENCH_SETTLE=10  BENCH_IDLE=10  BENCH_HEARTBEAT_RATE=1  BENCH_HEARTBEAT_SECONDS=20  BENCH_LOCKS=100
// BENCH_SOURCE_ADDRESSES=auto  BENCH_LOG_LEVEL=warn  BENCH_BUILT=1  BENCH_PROFILE=1
// BENCH_HEAP=1 (server under --inspect: V8 heap after a forced GC, before and after connecting;
// with BENCH_HEAP_SNAPSHOT=1 also a heap snapshot with every agent connected, in bench/results/profiles/)
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createCleanup, type Cleanup } from './lib/cleanup.js';
import { machineLoadBetween, readCpuMs, readMachineCpu } from './lib/cpu.js';
import { describeMachine, printTable, writeResults } from './lib/report.js';
import { createScratchPostgres } from './lib/scratch-postgres.js';
import { repoRoot, startServerProcess, type ServerProcess } from './lib/server-process.js';
import type { SwarmReply, SwarmRequest } from './lib/agent-swarm.js';

const env = process.env;
const agentCount = Number(env.AGENTS ?? 10_000);
const settings = {
  agents: agentCount,
  engine: env.DATABASE_URL ? 'postgres (DATABASE_URL)' : env.BENCH_ENGINE === 'postgres' ? 'postgres (scratch database)' : 'pglite',
  agentProcesses: Number(env.BENCH_AGENT_PROCESSES ?? 1),
  enrolConcurrency: Number(env.BENCH_ENROL_CONCURRENCY ?? 8),
  connectConcurrency: Number(env.BENCH_CONNECT_CONCURRENCY ?? 32),
  warmupAgents: Math.min(200, agentCount),
  settleSeconds: Number(env.BENCH_SETTLE ?? 10),
  idleSeconds: Number(env.BENCH_IDLE ?? 10),
  heartbeatRate: Number(env.BENCH_HEARTBEAT_RATE ?? 1),
  heartbeatSeconds: Number(env.BENCH_HEARTBEAT_SECONDS ?? 20),
  locks: Math.min(Number(env.BENCH_LOCKS ?? 100), agentCount),
  // One source address holds ~28,000 ephemeral ports (32768–60999) towards the server's one port.
  sourceAddresses:
    env.BENCH_SOURCE_ADDRESSES && env.BENCH_SOURCE_ADDRESSES !== 'auto' ? Number(env.BENCH_SOURCE_ADDRESSES) : Math.max(1, Math.ceil(agentCount / 20_000)),
  logLevel: env.BENCH_LOG_LEVEL ?? 'warn',
  heapProbe: env.BENCH_HEAP === '1',
  server: env.BENCH_BUILT === '1' ? 'dist (bin/tessera.js)' : 'src (node --import tsx)',
  // The protocol's heartbeat (30 s), kept during setup: the server lets an agent go after 90 s of silence.
  protocolHeartbeatRate: 1 / 30,
};
/** Raised for the setup phase only (printed in the setting): enrolment counts against both per-IP limits. */
const raisedLimits = { TESSERA_API_RATE_LIMIT: '100000000', TESSERA_CREDENTIAL_LIMIT_PER_MINUTE: '1000000' };
const GOALS = { rssPerAgentKiB: 20, emergencyAllMs: 2000 };

const now = () => performance.timeOrigin + performance.now();
/**
 * Phase boundaries on the monotonic clock in µs, the clock of V8's CPU profiles: with
 * BENCH_PROFILE=1 they say which part of the server's profile is which phase.
 */
const marks: Record<string, number> = {};
const mark = (name: string) => {
  marks[name] = Number(process.hrtime.bigint() / 1000n);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(1));
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

/** VmRSS and its anonymous part (heaps, buffers) of a process, KiB, from /proc/<pid>/status. */
function readRss(pid: number): { rssKiB: number; anonKiB: number; hwmKiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), anonKiB: field('RssAnon'), hwmKiB: field('VmHWM') };
}

/** The median of a few readings over a second or two: RSS moves a little as V8 collects. */
async function settledRss(pid: number) {
  const readings: ReturnType<typeof readRss>[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(readRss(pid));
    await sleep(400);
  }
  const median = (key: 'rssKiB' | 'anonKiB') => readings.map((r) => r[key]).sort((a, b) => a - b)[2];
  return { rssKiB: median('rssKiB'), anonKiB: median('anonKiB') };
}

type WithoutRid<T> = T extends unknown ? Omit<T, 'rid'> : never;

/** One agent process, driven over IPC. */
class Swarm {
  private nextRid = 1;
  private waiting = new Map<number, { resolve: (m: SwarmReply) => void; reject: (e: Error) => void }>();
  readonly child: ChildProcess;
  onLock: (m: Extract<SwarmReply, { op: 'lock' }>) => void = () => {};
  ids: string[] = [];
  constructor(cleanup: Cleanup) {
    this.child = fork(path.join(repoRoot, 'bench', 'lib', 'agent-swarm.ts'), [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: SwarmReply) => {
      if (m.op === 'lock') return this.onLock(m);
      const rid = 'rid' in m ? m.rid : undefined;
      const w = rid === undefined ? undefined : this.waiting.get(rid);
      if (!w) {
        if (m.op === 'error') process.stderr.write(`agent process: ${m.message}\n`);
        return;
      }
      this.waiting.delete(rid!);
      if (m.op === 'error') w.reject(new Error(`agent process: ${m.message}`));
      else w.resolve(m);
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`the agent process exited (${code})`));
      this.waiting.clear();
    });
    cleanup.defer(`agent process ${this.child.pid}`, () => {
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    });
  }
  request<Op extends SwarmReply['op']>(m: WithoutRid<SwarmRequest>): Promise<Extract<SwarmReply, { op: Op }>> {
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      this.waiting.set(rid, { resolve: resolve as (m: SwarmReply) => void, reject });
      this.child.send({ ...m, rid });
    });
  }
}

/** Just enough of the Chrome DevTools protocol to force a GC in the server and read its heap (BENCH_HEAP=1). */
async function heapProbe(server: ServerProcess) {
  const m = /Debugger listening on (ws:\/\/\S+)/.exec(server.output());
  if (!m) throw new Error('BENCH_HEAP=1: the server printed no inspector address');
  const ws = new WebSocket(m[1], { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<any>((resolve) => {
      const my = ++id;
      const onMessage = (d: WebSocket.RawData) => {
        const r = JSON.parse(String(d));
        if (r.id === my) {
          ws.off('message', onMessage);
          resolve(r.result);
        }
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: my, method, params }));
    });
  return {
    /** process.memoryUsage() of the server after a full GC, in KiB. */
    async afterGc(): Promise<Record<string, number>> {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      const r = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      const usage = JSON.parse(r.result.value) as Record<string, number>;
      return Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, Math.round(v / 1024)]));
    },
    /** A heap snapshot of the server (for Chrome DevTools' Memory tab), written to `file`. */
    async snapshot(file: string) {
      const out = fs.createWriteStream(file);
      const onChunk = (d: WebSocket.RawData) => {
        const r = JSON.parse(String(d));
        if (r.method === 'HeapProfiler.addHeapSnapshotChunk') out.write(r.params.chunk);
      };
      ws.on('message', onChunk);
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      ws.off('message', onChunk);
      await new Promise((resolve) => out.end(resolve));
    },
    close: () => ws.close(),
  };
}

async function main() {
  const cleanup = createCleanup();
  const machine = describeMachine();
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
    cleanup.defer(`temp folder ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
    const databaseUrl = env.DATABASE_URL ?? (env.BENCH_ENGINE === 'postgres' ? (await createScratchPostgres(cleanup)).url : undefined);

    const apiKey = crypto.randomBytes(32).toString('base64url');
    const configFile = path.join(dir, 'tessera.yaml');
    fs.writeFileSync(configFile, 'apiKeys:\n  - name: bench\n    scope: admin\n    secret: { env: BENCH_KEY }\n');
    const server = await startServerProcess({
      cleanup,
      nodeArgs: settings.heapProbe ? ['--inspect=127.0.0.1:0'] : [],
      env: {
        DATA_DIR: dir,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        PUBLIC_URL: 'http://127.0.0.1',
        TESSERA_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
        TESSERA_CONFIG: configFile,
        BENCH_KEY: apiKey,
        LOG_LEVEL: settings.logLevel,
        ...raisedLimits,
      },
    });
    const probe = settings.heapProbe ? await heapProbe(server) : undefined;
    cleanup.defer('inspector', () => probe?.close());

    const api = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
      const res = await fetch(server.url + url, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    };
    const engine = (await (await fetch(`${server.url}/readyz`)).json()) as { database: string };
    console.log(`server pid ${server.pid} at ${server.url} (database ${engine.database}, ${settings.engine})`);

    // --- Setup: one auto-approving token, N agents enrolled ------------------------------------
    const { secret: token } = await api('POST', '/api/workstation-enrolment-tokens', { name: 'bench', maxUses: agentCount, validHours: 1, autoApprove: true });
    const swarms = Array.from({ length: settings.agentProcesses }, () => new Swarm(cleanup));
    const share = (i: number) => Math.floor(agentCount / swarms.length) + (i < agentCount % swarms.length ? 1 : 0);
    const t0 = now();
    const enrolCpu0 = readCpuMs(server.pid) ?? NaN;
    const enrolled = await Promise.all(
      swarms.map((s, i) =>
        s.request<'enrolled'>({
          op: 'enrol',
          url: server.url,
          token,
          count: share(i),
          concurrency: Math.max(1, Math.round(settings.enrolConcurrency / swarms.length)),
          prefix: `p${i}`,
        }),
      ),
    );
    const enrolMs = now() - t0;
    const enrolCpuMsEach = ((readCpuMs(server.pid) ?? NaN) - enrolCpu0) / agentCount;
    for (const [i, e] of enrolled.entries()) swarms[i].ids = e.ids;
    console.log(
      `enrolled ${n0(agentCount)} agents in ${f1(enrolMs / 1000)} s (${n0(agentCount / (enrolMs / 1000))}/s, ${f1(enrolCpuMsEach)} ms server CPU each)`,
    );

    const sourceAddresses = Array.from({ length: settings.sourceAddresses }, (_, i) => `127.0.0.${i + 1}`);
    const connectAll = async (first?: number) => {
      const started = now();
      const replies = await Promise.all(
        swarms.map((s) =>
          s.request<'connected'>({
            op: 'connect',
            first: first === undefined ? undefined : Math.ceil(first / swarms.length),
            concurrency: Math.max(1, Math.round(settings.connectConcurrency / swarms.length)),
            sourceAddresses,
          }),
        ),
      );
      const connected = replies.reduce((a, r) => a + r.connected, 0);
      const failures: Record<string, number> = {};
      for (const r of replies) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
      return { connected, ms: now() - started, failures, retries: replies.reduce((a, r) => a + r.retries, 0) };
    };
    const setRate = async (perAgentPerSecond: number) =>
      (await Promise.all(swarms.map((s) => s.request<'rate'>({ op: 'rate', perAgentPerSecond })))).reduce((a, r) => a + r.sent, 0);
    const stats = async () => Promise.all(swarms.map((s) => s.request<'stats'>({ op: 'stats' })));
    await setRate(settings.protocolHeartbeatRate);

    // --- Warm-up: a few channels open, heartbeats, closed; then a settle period (no forced GC) ---
    const warm = await connectAll(settings.warmupAgents);
    if (warm.connected < settings.warmupAgents)
      throw new Error(`warm-up: ${warm.connected} of ${settings.warmupAgents} connected: ${JSON.stringify(warm.failures)}`);
    await setRate(2);
    await sleep(3000);
    await setRate(settings.protocolHeartbeatRate);
    await Promise.all(swarms.map((s) => s.request<'closed'>({ op: 'close' })));
    await sleep(settings.settleSeconds * 1000);

    const before = await settledRss(server.pid);
    console.log(`RSS before connecting: ${n0(before.rssKiB / 1024)} MiB`);
    const heapBefore = await probe?.afterGc();
    const heapSnapshot = async (label: string) => {
      if (!probe || env.BENCH_HEAP_SNAPSHOT !== '1') return;
      const file = path.join(repoRoot, 'bench', 'results', 'profiles', `agents-${agentCount}-${label}-${Date.now()}.heapsnapshot`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await probe.snapshot(file);
      console.log(`heap snapshot (${label}): ${path.relative(repoRoot, file)}`);
    };
    await heapSnapshot('before');

    // --- N channels ------------------------------------------------------------------------------
    const cpuConnect0 = readCpuMs(server.pid);
    mark('connect.start');
    const conn = await connectAll();
    mark('connect.end');
    const connectCpuMs = (readCpuMs(server.pid) ?? NaN) - (cpuConnect0 ?? NaN);
    console.log(
      `connected ${n0(conn.connected)} of ${n0(agentCount)} in ${f1(conn.ms / 1000)} s (${n0(conn.connected / (conn.ms / 1000))}/s, ${f1(connectCpuMs / conn.connected)} ms server CPU each)` +
        (conn.retries ? `; ${conn.retries} retries: ${JSON.stringify(conn.failures)}` : ''),
    );
    if (conn.connected < agentCount)
      throw new Error(`only ${conn.connected} of ${agentCount} channels opened after retries; failures by reason: ${JSON.stringify(conn.failures)}`);
    await sleep(settings.settleSeconds * 1000);
    const after = await settledRss(server.pid);
    const heapAfter = await probe?.afterGc();
    await heapSnapshot('connected');
    const rssPerAgentKiB = (after.rssKiB - before.rssKiB) / agentCount;
    const counts = await api('GET', '/api/workstations/counts');
    console.log(
      `RSS with ${n0(agentCount)} connected: ${n0(after.rssKiB / 1024)} MiB → ${f1(rssPerAgentKiB)} KiB per agent; server counts ${counts.online} online`,
    );

    // --- CPU per heartbeat ----------------------------------------------------------------------
    /** CPU of the server, of the agents' and the bench's processes, and of the machine, over `during`. */
    const cpuOver = async <T>(during: () => Promise<T>) => {
      const ours = () => swarms.reduce((a, s) => a + (readCpuMs(s.child.pid!) ?? 0), 0) + (process.cpuUsage().user + process.cpuUsage().system) / 1000;
      const c0 = readCpuMs(server.pid)!;
      const o0 = ours();
      const m0 = readMachineCpu();
      const w0 = now();
      const result = await during();
      const seconds = (now() - w0) / 1000;
      const serverMs = readCpuMs(server.pid)! - c0;
      const agentsMs = ours() - o0;
      return { result, seconds, serverMs, agentsMs, load: machineLoadBetween(m0, readMachineCpu(), serverMs + agentsMs) };
    };
    const cpuWindow = (seconds: number) => cpuOver(() => sleep(seconds * 1000));
    await setRate(0);
    await sleep(1000);
    mark('idle.start');
    const idle = await cpuWindow(settings.idleSeconds);
    mark('idle.end');
    await setRate(settings.heartbeatRate);
    await sleep(1000); // into the steady rate before measuring
    await setRate(settings.heartbeatRate); // resets the count
    mark('heartbeats.start');
    const busy = await cpuWindow(settings.heartbeatSeconds);
    mark('heartbeats.end');
    const heartbeats = await setRate(settings.protocolHeartbeatRate);
    const idleMsPerSecond = idle.serverMs / idle.seconds;
    const heartbeatUs = ((busy.serverMs - idleMsPerSecond * busy.seconds) / heartbeats) * 1000;
    console.log(
      `idle: ${f1(idleMsPerSecond)} ms server CPU/s; ${n0(heartbeats)} heartbeats in ${f1(busy.seconds)} s: ${f1(busy.serverMs / busy.seconds / 10)} % of a core → ${f1(heartbeatUs)} µs each`,
    );

    // --- Emergency block to all, and lifted ------------------------------------------------------
    const broadcast = async (kind: 'emergency_block' | 'emergency_lift', send: () => Promise<unknown>) => {
      const expect = Promise.all(swarms.map((s) => s.request<'received'>({ op: 'expect', kind, timeoutMs: 60_000 })));
      const start = now();
      let answeredMs = 0;
      const {
        result: replies,
        serverMs,
        agentsMs,
        load,
      } = await cpuOver(async () => {
        await send();
        answeredMs = now() - start;
        return expect;
      });
      const times = replies.flatMap((r) => r.times.map((t) => t - start)).sort((a, b) => a - b);
      return {
        answeredMs,
        firstMs: times[0],
        p50Ms: percentile(times, 50),
        p99Ms: percentile(times, 99),
        allMs: times.at(-1) ?? NaN,
        received: times.length,
        missing: replies.reduce((a, r) => a + r.missing, 0),
        /** CPU used until the last agent had it: the server's, and the agents' process(es). */
        serverCpuMs: serverMs,
        agentsCpuMs: agentsMs,
        load,
      };
    };
    await sleep(2000);
    mark('block.start');
    const block = await broadcast('emergency_block', () => api('POST', '/api/emergency-block', { confirmation: 'BLOCK ALL WORKSTATIONS', reason: 'bench' }));
    console.log(`emergency block: answered in ${n0(block.answeredMs)} ms, at every agent (${n0(block.received)}) after ${n0(block.allMs)} ms`);
    await sleep(3000);
    mark('block.end');
    const lift = await broadcast('emergency_lift', () => api('POST', '/api/emergency-block/lift', { reason: 'bench over' }));
    console.log(`lifted: at every agent (${n0(lift.received)}) after ${n0(lift.allMs)} ms`);
    await sleep(3000);

    // --- Lock now, one workstation at a time -------------------------------------------------------
    const allIds = swarms.flatMap((s) => s.ids);
    const sample = Array.from({ length: settings.locks }, (_, i) => allIds[Math.floor(((i + 0.5) * allIds.length) / settings.locks)]);
    const lockLatencies: number[] = [];
    const lockAnswered: number[] = [];
    // Every lock frame any agent gets, first arrival by command id. Delivery is at least once: a
    // command is sent again by any later delivery to that workstation before its ack is stored
    // (a sweep, a wake-up), so a frame may be a repeat of an earlier lock; those are counted.
    const lockArrivals = new Map<string, { workstationId: string; at: number }>();
    let lockRepeats = 0;
    let onLockArrival: (() => void) | undefined;
    for (const s of swarms)
      s.onLock = (m) => {
        if (lockArrivals.has(m.commandId)) lockRepeats++;
        else lockArrivals.set(m.commandId, { workstationId: m.workstationId, at: m.at });
        onLockArrival?.();
      };
    mark('lock.start');
    for (const id of sample) {
      const start = now();
      const issued = (await api('POST', `/api/workstations/${id}/lock`, { reason: 'bench' })) as { id: string };
      lockAnswered.push(now() - start);
      const got = await new Promise<{ workstationId: string; at: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Lock now for ${id} did not arrive within 30 s`)), 30_000);
        const check = () => {
          const a = lockArrivals.get(issued.id);
          if (!a) return;
          clearTimeout(timer);
          onLockArrival = undefined;
          resolve(a);
        };
        onLockArrival = check;
        check();
      });
      if (got.workstationId !== id) throw new Error(`Lock now: command ${issued.id} for ${id} reached ${got.workstationId}`);
      lockLatencies.push(got.at - start);
    }
    mark('lock.end');
    lockLatencies.sort((a, b) => a - b);
    lockAnswered.sort((a, b) => a - b);
    const lockNow = {
      p50Ms: percentile(lockLatencies, 50),
      p95Ms: percentile(lockLatencies, 95),
      maxMs: lockLatencies.at(-1)!,
      answeredP50Ms: percentile(lockAnswered, 50),
      repeats: lockRepeats,
    };
    console.log(
      `Lock now: delivered p50 ${f1(lockNow.p50Ms)} ms, p95 ${f1(lockNow.p95Ms)} ms (${lockLatencies.length} in turn; ${lockRepeats} sent again before their ack was stored)`,
    );

    const end = readRss(server.pid);
    const agentStats = await stats();
    const unexpectedCloses: Record<string, number> = {};
    for (const s of agentStats) for (const [k, v] of Object.entries(s.unexpectedCloses)) unexpectedCloses[k] = (unexpectedCloses[k] ?? 0) + v;
    const stillOpen = agentStats.reduce((a, s) => a + s.open, 0);

    // --- Report ------------------------------------------------------------------------------------
    const meets = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(`\nSetting: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`);
    console.log(
      `  database ${engine.database} (${settings.engine}); server ${settings.server}, LOG_LEVEL=${settings.logLevel}, one process; ${n0(agentCount)} agents in ${settings.agentProcesses} other process(es) over ws:// on 127.0.0.1 (${settings.sourceAddresses} source address(es)), perMessageDeflate off`,
    );
    console.log(
      `  raised for the setup: TESSERA_API_RATE_LIMIT=${raisedLimits.TESSERA_API_RATE_LIMIT} (enrolment is a rate-limited /api route), TESSERA_CREDENTIAL_LIMIT_PER_MINUTE=${raisedLimits.TESSERA_CREDENTIAL_LIMIT_PER_MINUTE} (each enrolment and channel assertion holds a unit while it is checked)`,
    );
    console.log(
      `  enrolment ${settings.enrolConcurrency} and connection ${settings.connectConcurrency} in flight; settle ${settings.settleSeconds} s (no forced GC); idle ${settings.idleSeconds} s; heartbeats ${settings.heartbeatRate}/s per agent for ${settings.heartbeatSeconds} s`,
    );
    if (settings.heapProbe) console.log('  BENCH_HEAP=1: the server ran under --inspect (a forced GC before each heap reading)');
    console.log('');
    printTable(
      ['measure', 'value', 'goal'],
      [
        ['server RSS before connecting', `${f1(before.rssKiB / 1024)} MiB`, ''],
        [`server RSS with ${n0(agentCount)} connected`, `${f1(after.rssKiB / 1024)} MiB`, ''],
        [
          'RSS per connected agent',
          `${f1(rssPerAgentKiB)} KiB`,
          // Below a few thousand agents the RSS's own movement (tens of MB) swamps the delta.
          agentCount < 5000
            ? `≤ ${GOALS.rssPerAgentKiB} KB: not judged below 5,000 agents`
            : `≤ ${GOALS.rssPerAgentKiB} KB: ${meets(rssPerAgentKiB * 1.024 <= GOALS.rssPerAgentKiB)}`,
        ],
        ['  of which anonymous (heap, buffers)', `${f1((after.anonKiB - before.anonKiB) / agentCount)} KiB`, ''],
        ...(heapBefore && heapAfter
          ? (['heapUsed', 'external', 'arrayBuffers'] as const).map((k) => [
              `  V8 ${k} after GC, per agent`,
              `${f1((heapAfter[k] - heapBefore[k]) / agentCount)} KiB`,
              '',
            ])
          : []),
        ['agents enrolled', `${n0(agentCount)} in ${f1(enrolMs / 1000)} s`, `${f1(enrolCpuMsEach)} ms server CPU each`],
        ['channels opened', `${n0(conn.connected)} in ${f1(conn.ms / 1000)} s`, `${f1(connectCpuMs / conn.connected)} ms server CPU each`],
        ['server CPU, agents silent', `${f1(idleMsPerSecond)} ms/s`, ''],
        [
          'server CPU per heartbeat',
          `${f1(heartbeatUs)} µs`,
          `${n0(heartbeats)} in ${f1(busy.seconds)} s, ${f1(busy.serverMs / busy.seconds / 10)} % of a core`,
        ],
        ['  at the protocol cadence (every 30 s)', `${f1(((agentCount / 30) * heartbeatUs) / 10_000 + idleMsPerSecond / 10)} % of a core`, ''],
        ['emergency block: API answered', `${n0(block.answeredMs)} ms`, ''],
        [
          `emergency block: at all ${n0(block.received)} agents`,
          `${n0(block.allMs)} ms`,
          `≤ ${GOALS.emergencyAllMs} ms: ${meets(block.missing === 0 && block.allMs <= GOALS.emergencyAllMs)}`,
        ],
        ['  first / p50 / p99 agent', `${n0(block.firstMs)} / ${n0(block.p50Ms)} / ${n0(block.p99Ms)} ms`, ''],
        [
          '  CPU meanwhile: server / agents',
          `${n0(block.serverCpuMs)} / ${n0(block.agentsCpuMs)} ms`,
          block.load ? `steal ${f1(block.load.stealPercent)} %, others ${f1(block.load.otherPercent)} % of the machine` : '',
        ],
        [`emergency lift: at all ${n0(lift.received)} agents`, `${n0(lift.allMs)} ms`, ''],
        [
          `Lock now (${lockLatencies.length}, one at a time): p50 / p95`,
          `${f1(lockNow.p50Ms)} / ${f1(lockNow.p95Ms)} ms`,
          `API answered p50 ${f1(lockNow.answeredP50Ms)} ms; ${lockRepeats} repeats`,
        ],
        ['server peak RSS (VmHWM)', `${f1(end.hwmKiB / 1024)} MiB`, ''],
        [
          'machine during heartbeats: steal / others',
          busy.load ? `${f1(busy.load.stealPercent)} % / ${f1(busy.load.otherPercent)} %` : '-',
          idle.load ? `idle window: ${f1(idle.load.stealPercent)} % / ${f1(idle.load.otherPercent)} %` : '',
        ],
      ],
    );
    if (block.missing || lift.missing) console.log(`\nWARNING: ${block.missing} agents never got the block, ${lift.missing} never got the lift`);
    if (Object.keys(unexpectedCloses).length)
      console.log(`\nWARNING: channels closed by the server during the run (by close code): ${JSON.stringify(unexpectedCloses)}; ${stillOpen} still open`);
    if (busy.serverMs / busy.seconds > 900) console.log('\nWARNING: the server was saturated during the heartbeat window; lower BENCH_HEARTBEAT_RATE');

    const file = writeResults('agents', {
      machine,
      settings: { ...settings, raisedLimits, database: engine.database },
      enrolment: { ms: enrolMs, serverCpuMsEach: enrolCpuMsEach },
      connect: { ...conn, serverCpuMsEach: connectCpuMs / conn.connected },
      rss: { beforeKiB: before, afterKiB: after, perAgentKiB: rssPerAgentKiB, end },
      heap: heapBefore ? { beforeKiB: heapBefore, afterKiB: heapAfter } : undefined,
      cpu: { idle, busy, heartbeats, idleMsPerSecond, heartbeatUs },
      emergency: { block, lift },
      lockNow,
      unexpectedCloses,
      goals: GOALS,
      marksMonotonicUs: marks,
    });
    console.log(`\nresults: ${file}`);
    await Promise.all(swarms.map((s) => s.request<'closed'>({ op: 'close' })));
  } finally {
    await cleanup.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
