// Simulated workstation agents for bench/agents.bench.ts, in a process of their own (forked by the
// bench) so that the server's memory and CPU are measured alone. Each agent has its own P-256 key
// (node:crypto, much faster than jose for thousands), enrols with the shared token, and keeps one
// command channel open (docs/agent-protocol.md §5) with a fresh signed assertion per connection.
// The parent drives it over IPC (messages below); every time it reports is
// performance.timeOrigin + performance.now(), the clock the parent uses too.
import crypto, { type KeyObject } from 'node:crypto';
import WebSocket from 'ws';

export type SwarmRequest =
  | { op: 'enrol'; rid: number; url: string; token: string; count: number; concurrency: number; prefix: string }
  | { op: 'connect'; rid: number; first?: number; concurrency: number; sourceAddresses: string[] }
  | { op: 'close'; rid: number }
  /** Heartbeats per agent per second (0: none; the protocol's cadence is 1/30). */
  | { op: 'rate'; rid: number; perAgentPerSecond: number }
  /** Resolves when every connected agent received a command of this kind (or after timeoutMs). */
  | { op: 'expect'; rid: number; kind: string; timeoutMs: number }
  | { op: 'stats'; rid: number };

export type SwarmReply =
  | { op: 'enrolled'; rid: number; ids: string[]; ms: number }
  | { op: 'connected'; rid: number; connected: number; ms: number; failures: Record<string, number>; retries: number }
  | { op: 'closed'; rid: number }
  | { op: 'rate'; rid: number; sent: number }
  | { op: 'received'; rid: number; times: number[]; missing: number }
  | { op: 'stats'; rid: number; open: number; unexpectedCloses: Record<string, number>; heartbeatsSent: number; rssKiB: number }
  /** A `lock` command reached an agent (sent at once, for the Lock now latency). */
  | { op: 'lock'; workstationId: string; commandId: string; at: number }
  | { op: 'error'; rid?: number; message: string };

const now = () => performance.timeOrigin + performance.now();
const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

interface Agent {
  id: string;
  key: KeyObject;
  header: string;
  ws?: WebSocket;
  isOpen: boolean;
  received: Map<string, number>;
}

const agents: Agent[] = [];
let audience = '';
let baseUrl = '';
let heartbeatsSent = 0;
const unexpectedCloses: Record<string, number> = {};
const waiting = new Map<string, { resolve: () => void; pending: Set<Agent> }>();
const HEARTBEAT = JSON.stringify({ type: 'heartbeat' });

const reply = (m: SwarmReply) => process.send!(m);

/** docs/agent-protocol.md §3: ES256 compact JWS, one per request or connection. */
function assertion(a: Agent): string {
  const iat = Math.floor(Date.now() / 1000);
  const claims = b64url(JSON.stringify({ iss: a.id, aud: audience, iat, exp: iat + 60, jti: crypto.randomBytes(16).toString('base64url') }));
  const input = `${a.header}.${claims}`;
  const sig = crypto.sign('sha256', Buffer.from(input), { key: a.key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** Runs fn over items with at most `concurrency` in flight. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

async function enrol(m: Extract<SwarmRequest, { op: 'enrol' }>) {
  baseUrl = m.url;
  const t0 = now();
  const slots = Array.from({ length: m.count }, (_, i) => i);
  await pool(slots, m.concurrency, async (i) => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const machineId = `${m.prefix}-${String(i).padStart(6, '0')}-${crypto.randomBytes(4).toString('hex')}`;
    const body = {
      token: m.token,
      publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
      facts: { hostname: `BENCH-${m.prefix}-${i}`, domain: 'BENCH', osName: 'Linux', osVersion: 'bench', agentVersion: 'bench', machineId },
    };
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${m.url}/api/agent/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status === 201) {
        const answer = JSON.parse(text) as { workstationId: string; status: string; audience: string };
        if (answer.status !== 'approved') throw new Error(`enrolled as ${answer.status}: the token should approve automatically`);
        audience = answer.audience;
        const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'tessera-agent+jwt', kid: answer.workstationId }));
        agents[i] = { id: answer.workstationId, key: privateKey, header, isOpen: false, received: new Map() };
        return;
      }
      if (attempt >= 3 || res.status < 500) throw new Error(`POST /api/agent/v1/enroll answered ${res.status}: ${text.slice(0, 300)}`);
    }
  });
  reply({ op: 'enrolled', rid: m.rid, ids: agents.map((a) => a.id), ms: now() - t0 });
}

function onFrame(a: Agent, data: WebSocket.RawData) {
  const f = JSON.parse(String(data)) as { type: string; id?: string; kind?: string };
  if (f.type !== 'command' || !f.id || !f.kind) return;
  const at = now();
  if (!a.received.has(f.kind)) a.received.set(f.kind, at);
  if (f.kind === 'lock') reply({ op: 'lock', workstationId: a.id, commandId: f.id, at });
  // As a real agent does: carry it out, then acknowledge it (at-least-once delivery). Here all
  // agents share one process: acknowledging at once would put this process's 10,000 socket
  // writes between the frames still to read, and time the bench instead of the server. So the
  // acks wait until no command arrived for ACK_DELAY_MS (the server sends a broadcast in one
  // synchronous loop, before it reads any ack, so its side is the same either way).
  pendingAcks.push([a, JSON.stringify({ type: 'ack', id: f.id, status: 'done' })]);
  clearTimeout(ackTimer);
  ackTimer = setTimeout(flushAcks, ACK_DELAY_MS);
  const w = waiting.get(f.kind);
  if (w?.pending.delete(a) && w.pending.size === 0) w.resolve();
}

const ACK_DELAY_MS = 100;
let pendingAcks: [Agent, string][] = [];
let ackTimer: NodeJS.Timeout | undefined;
function flushAcks() {
  const acks = pendingAcks;
  pendingAcks = [];
  for (const [a, frame] of acks) if (a.isOpen) a.ws!.send(frame);
}

/** Opens one channel; resolves on `hello`, rejects with a short reason. */
function open(a: Agent, localAddress: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/api/agent/v1/channel`;
    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${assertion(a)}` }, perMessageDeflate: false, localAddress, handshakeTimeout: 60_000 });
    let isGreeted = false;
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      if (!isGreeted) reject(new Error(err.code ?? err.message));
    });
    ws.on('message', (data) => {
      if (!isGreeted) {
        const f = JSON.parse(String(data)) as { type: string };
        if (f.type !== 'hello') return reject(new Error(`first frame ${f.type}`));
        isGreeted = true;
        a.ws = ws;
        a.isOpen = true;
        return resolve();
      }
      onFrame(a, data);
    });
    ws.on('close', (code) => {
      if (!isGreeted) return reject(new Error(`closed ${code}`));
      if (a.ws === ws) {
        a.isOpen = false;
        if (!isClosing) unexpectedCloses[code] = (unexpectedCloses[code] ?? 0) + 1;
      }
    });
  });
}

let isClosing = false;

async function connect(m: Extract<SwarmRequest, { op: 'connect' }>) {
  isClosing = false;
  const t0 = now();
  const failures: Record<string, number> = {};
  let retries = 0;
  const list = agents.slice(0, m.first ?? agents.length);
  await pool(list, m.concurrency, async (a, i) => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await open(a, m.sourceAddresses[i % m.sourceAddresses.length]);
        return;
      } catch (err) {
        const reason = (err as Error).message;
        failures[reason] = (failures[reason] ?? 0) + 1;
        if (attempt < 5) {
          retries++;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    }
  });
  reply({ op: 'connected', rid: m.rid, connected: list.filter((a) => a.isOpen).length, ms: now() - t0, failures, retries });
}

async function closeAll(rid: number) {
  isClosing = true;
  await Promise.all(
    agents
      .filter((a) => a.ws)
      .map(
        (a) =>
          new Promise<void>((resolve) => {
            const ws = a.ws!;
            a.ws = undefined;
            a.isOpen = false;
            a.received.clear();
            if (ws.readyState === ws.CLOSED) return resolve();
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 10_000);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(1000, 'bench done');
          }),
      ),
  );
  reply({ op: 'closed', rid });
}

// Heartbeats: every 10 ms a slice of the open agents, round robin, so that each sends
// `perAgentPerSecond` a second, spread evenly (not all at once).
let rate = 0;
let cursor = 0;
let owed = 0;
let rateSent = 0;
let lastTick = performance.now();
setInterval(() => {
  const t = performance.now();
  const elapsedS = (t - lastTick) / 1000;
  lastTick = t;
  if (rate === 0) return;
  // By the time elapsed, not per tick: a late timer still keeps the rate.
  owed += agents.length * rate * elapsedS;
  let n = Math.floor(owed);
  owed -= n;
  for (let tries = 0; n > 0 && tries < agents.length; tries++) {
    const a = agents[cursor];
    cursor = (cursor + 1) % agents.length;
    if (!a?.isOpen) continue;
    a.ws!.send(HEARTBEAT);
    heartbeatsSent++;
    rateSent++;
    n--;
  }
}, 10);

process.on('message', (m: SwarmRequest) => {
  const run = async () => {
    switch (m.op) {
      case 'enrol':
        return enrol(m);
      case 'connect':
        return connect(m);
      case 'close':
        return closeAll(m.rid);
      case 'rate': {
        reply({ op: 'rate', rid: m.rid, sent: rateSent });
        rate = m.perAgentPerSecond;
        rateSent = 0;
        owed = 0;
        return;
      }
      case 'expect': {
        const open = agents.filter((a) => a.isOpen);
        const pending = new Set(open.filter((a) => !a.received.has(m.kind)));
        if (pending.size > 0)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, m.timeoutMs);
            waiting.set(m.kind, {
              pending,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          });
        waiting.delete(m.kind);
        const times = open.map((a) => a.received.get(m.kind)).filter((t): t is number => t !== undefined);
        for (const a of open) a.received.delete(m.kind);
        return reply({ op: 'received', rid: m.rid, times, missing: open.length - times.length });
      }
      case 'stats':
        return reply({
          op: 'stats',
          rid: m.rid,
          open: agents.filter((a) => a.isOpen).length,
          unexpectedCloses,
          heartbeatsSent,
          rssKiB: Math.round(process.memoryUsage.rss() / 1024),
        });
    }
  };
  run().catch((err) => reply({ op: 'error', rid: 'rid' in m ? m.rid : undefined, message: (err as Error).stack ?? String(err) }));
});
process.on('disconnect', () => process.exit(0));
