/**
 * Two Tessera nodes on one PostgreSQL database: a command issued on one node reaches an agent
 * connected to the other, a command issued while the agent is away waits for it, and a node that
 * dies with a command sent but not acknowledged loses nothing. Once with Redis pub/sub between the
 * nodes, once with PostgreSQL LISTEN/NOTIFY alone (no REDIS_URL).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createScratchPostgres } from './helpers/db.js';
import { startServerProcess, type ServerProcess } from './helpers/server.js';
import { enrollSoftwareAgent, type SoftwareAgent } from './helpers/software-agent.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PUBLIC_URL = 'http://localhost:8080';

interface Frame {
  type: string;
  id?: string;
  kind?: string;
}

/** One channel of the agent: frames received; commands acknowledged unless told not to. */
async function connect(server: ServerProcess, agent: SoftwareAgent, opts: { ack?: boolean } = {}) {
  const frames: Frame[] = [];
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/agent/v1/channel`, { headers: { authorization: `Bearer ${await agent.assertion()}` } });
  socket.on('message', (d) => {
    const f = JSON.parse(String(d)) as Frame;
    frames.push(f);
    if (f.type === 'command' && opts.ack !== false) socket.send(JSON.stringify({ type: 'ack', id: f.id, status: 'done' }));
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('error', () => {});
  const waitFor = async (pred: (f: Frame) => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const f = frames.find(pred);
      if (f) return f;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`${what}: not received; got ${JSON.stringify(frames)}`);
  };
  await waitFor((f) => f.type === 'hello', 'hello');
  return { frames, socket, closed, waitFor, close: () => socket.close() };
}

for (const bus of ['redis', 'postgres'] as const) {
  describe(`workstation commands across two nodes (${bus === 'redis' ? 'Redis pub/sub' : 'PostgreSQL LISTEN/NOTIFY'})`, () => {
    let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
    const dirs: string[] = [];
    const servers: ServerProcess[] = [];
    let env: Record<string, string>;
    let nodeA: ServerProcess;
    let nodeB: ServerProcess;
    let agent: SoftwareAgent;
    const apiKey = `tsk_${crypto.randomBytes(32).toString('base64url')}`;

    const startNode = async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-node-'));
      dirs.push(dir);
      const s = await startServerProcess({ ...env, DATA_DIR: dir, LOG_LEVEL: 'warn' }, { timeoutMs: 90_000 });
      servers.push(s);
      return s;
    };
    const api = async (s: ServerProcess, method: string, url: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${s.port}${url}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const commandState = async (s: ServerProcess, id: string) =>
      (await api(s, 'GET', `/api/workstations/${agent.workstationId}/commands`)).body.items.find((c: { id: string }) => c.id === id);

    before(async () => {
      scratch = await createScratchPostgres();
      const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-cluster-')), 'tessera.yaml');
      fs.writeFileSync(config, 'apiKeys:\n  - name: cluster test\n    scope: admin\n    secret: { env: CLUSTER_API_KEY }\n');
      env = {
        DATABASE_URL: scratch.url,
        PUBLIC_URL,
        TESSERA_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
        TESSERA_CONFIG: config,
        CLUSTER_API_KEY: apiKey,
        ...(bus === 'redis' ? { REDIS_URL, REDIS_PREFIX: `test-${crypto.randomBytes(4).toString('hex')}:` } : {}),
      };
      // One after the other: the first applies the configuration file, the second finds it applied.
      nodeA = await startNode();
      nodeB = await startNode();
      const token = await api(nodeA, 'POST', '/api/workstation-enrolment-tokens', { name: 'cluster', maxUses: 5, autoApprove: true });
      assert.equal(token.status, 201, JSON.stringify(token.body));
      agent = await enrollSoftwareAgent(`http://127.0.0.1:${nodeA.port}`, { token: token.body.secret });
    });
    after(async () => {
      for (const s of servers) await s.stop('SIGTERM');
      await scratch?.drop();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    it('delivers a command issued on node B to the agent connected to node A, and records its acknowledgement', async () => {
      const channel = await connect(nodeA, agent);
      const issued = await api(nodeB, 'POST', `/api/workstations/${agent.workstationId}/lock`, { reason: 'cross-node' });
      assert.equal(issued.status, 202, JSON.stringify(issued.body));
      await channel.waitFor((f) => f.type === 'command' && f.id === issued.body.id, 'the lock issued on B');
      for (let i = 0; i < 100 && (await commandState(nodeB, issued.body.id)).state !== 'done'; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await commandState(nodeB, issued.body.id)).state, 'done');
      const workstation = await api(nodeB, 'GET', `/api/workstations/${agent.workstationId}`);
      assert.equal(workstation.body.isOnline, true, 'node B sees the agent online on node A');
      channel.close();
      await channel.closed;
    });

    it('keeps a command issued while the agent is offline, and delivers it when the agent comes back to the other node', async () => {
      const issued = await api(nodeA, 'POST', `/api/workstations/${agent.workstationId}/logoff`, { reason: 'while away' });
      assert.equal(issued.status, 202);
      assert.equal((await commandState(nodeA, issued.body.id)).state, 'queued');
      const channel = await connect(nodeB, agent);
      await channel.waitFor((f) => f.id === issued.body.id && f.kind === 'logoff', 'the logoff queued while offline');
      channel.close();
      await channel.closed;
    });

    it('loses no command when the node holding the channel dies before the agent acknowledged it', async () => {
      const channel = await connect(nodeA, agent, { ack: false });
      const issued = await api(nodeB, 'POST', `/api/workstations/${agent.workstationId}/lock`, { reason: 'node dies' });
      await channel.waitFor((f) => f.id === issued.body.id, 'the lock, first time');
      assert.equal((await commandState(nodeB, issued.body.id)).state, 'sent');
      await nodeA.stop('SIGKILL');
      await channel.closed;
      // Sent, never acknowledged: the agent gets it again wherever it reconnects.
      const again = await connect(nodeB, agent);
      await again.waitFor((f) => f.id === issued.body.id, 'the same lock, again after the node died');
      for (let i = 0; i < 100 && (await commandState(nodeB, issued.body.id)).state !== 'done'; i++) await new Promise((r) => setTimeout(r, 50));
      const state = await commandState(nodeB, issued.body.id);
      assert.equal(state.state, 'done');
      assert.ok(state.attempts >= 2, `delivered ${state.attempts} times`);
      again.close();
      await again.closed;
      // A restarted node A serves the agent again.
      nodeA = await startNode();
      const back = await connect(nodeA, agent);
      const emergency = await api(nodeB, 'POST', '/api/emergency-block', { confirmation: 'BLOCK ALL WORKSTATIONS', reason: 'cluster drill' });
      assert.equal(emergency.status, 200, JSON.stringify(emergency.body));
      await back.waitFor((f) => f.kind === 'emergency_block', 'the emergency block issued on the other node');
      assert.equal((await api(nodeA, 'POST', '/api/emergency-block/lift', { reason: 'drill over' })).status, 200);
      await back.waitFor((f) => f.kind === 'emergency_lift', 'the lift');
      back.close();
      await back.closed;
    });
  });
}
