import type { WebSocket } from 'ws';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import { toStorableText } from '../lib/text.js';
import type { AgentBus, AgentBusMessage } from './agent-bus.js';
import type { ProfileService } from './profile.service.js';
import { emergencyCommandId, HEARTBEAT_SECONDS } from './workstation.constants.js';
import * as repo from './workstation.repository.js';
import { agentFrame, type AgentProfileDto } from './workstation.schemas.js';

export type AgentHub = ReturnType<typeof createAgentHub>;
type HubLogger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

interface Connection {
  socket: WebSocket;
  workstation: HeldWorkstation;
  lastHeardMs: number;
  /** The newest emergency version sent on this channel: the only ones its acks may count for. */
  emergencySent: number;
}

/** What the hub keeps of a workstation while its channel is open (a whole row, facts and dates, is about 1 KB more an agent). */
type HeldWorkstation = Pick<repo.WorkstationRow, 'id' | 'name' | 'status' | 'emergencyVersion' | 'publicKey'>;
const held = (w: repo.WorkstationRow): HeldWorkstation => ({
  id: w.id,
  name: w.name,
  status: w.status,
  emergencyVersion: w.emergencyVersion,
  publicKey: { x: w.publicKey.x, y: w.publicKey.y },
});

/** Close codes of the channel (docs/agent-protocol.md §5). */
export const CLOSE = { replaced: 4000, revoked: 4401, denied: 4403, stopping: 1001, unhealthy: 4008 } as const;

const SWEEP_MS = 2000;
const FLUSH_MS = 15_000;
const MAINTENANCE_MS = 60_000;
/** Frames of one channel waiting to be handled before the hub stops reading it. */
const MAX_WAITING_FRAMES = 16;

/**
 * The agents connected to this node, and the delivery of what they are owed: commands (stored
 * first, sent on connect and on every wake-up, until acknowledged), profile changes, approval
 * changes and the emergency block. Nodes wake each other through the bus; a sweep every two
 * seconds delivers what a missed wake-up would have.
 */
export function createAgentHub(deps: { db: Db; clock: Clock; audit: AuditService; bus: AgentBus; profiles: ProfileService; nodeId: string }) {
  const { db, clock, audit, bus, profiles, nodeId } = deps;
  let log: HubLogger = { info: () => {}, warn: () => {} };
  const connections = new Map<string, Connection>();
  const heard = new Set<string>();
  const emergencyAcks = new Map<string, number>();
  const delivering = new Map<string, Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let isStarted = false;
  let isClosing = false;

  const send = (c: Connection, frame: object | string) => {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  };

  const emergencyFrame = (e: repo.EmergencyRow) =>
    JSON.stringify({
      type: 'command',
      id: emergencyCommandId(e.version),
      kind: e.active ? 'emergency_block' : 'emergency_lift',
      payload: { reason: e.reason },
      issuedAt: e.changedAt?.toISOString() ?? null,
    });

  /** Starts listening to the other nodes and the periodic sweeps (the HTTP app calls it when ready). */
  async function start(logger?: HubLogger) {
    if (isStarted) return;
    isStarted = true;
    if (logger) log = logger;
    await repo.clearNodeConnections(db, nodeId);
    await bus.subscribe((m) => void onBus(m).catch((err) => log.warn({ err }, 'agent bus message failed')));
    const every = (ms: number, fn: () => Promise<void>) => {
      let isRunning = false;
      const t = setInterval(() => {
        if (isRunning || isClosing) return;
        isRunning = true;
        fn()
          .catch((err) => log.warn({ err: (err as Error).message }, 'agent hub task failed'))
          .finally(() => {
            isRunning = false;
          });
      }, ms);
      t.unref();
      timers.push(t);
    };
    every(SWEEP_MS, sweep);
    every(500, flushEmergencyAcks);
    every(FLUSH_MS, flushHeard);
    every(MAINTENANCE_MS, maintenance);
  }

  /** A channel whose assertion the guard accepted: say hello, then deliver what is owed. */
  async function attach(socket: WebSocket, workstation: repo.WorkstationRow, address: string | null) {
    const { id } = workstation; // the closures below keep the id, not the row
    const c: Connection = { socket, workstation: held(workstation), lastHeardMs: clock.now().getTime(), emergencySent: 0 };
    connections.get(id)?.socket.close(CLOSE.replaced, 'replaced by a newer connection');
    connections.set(id, c);
    // One frame at a time, in order: an agent that floods acks (each an UPDATE) holds one database
    // statement at a time, not the pool; past a few waiting frames its socket stops being read,
    // so TCP backpressure, not this process's memory, holds the rest.
    let frames = Promise.resolve();
    let waiting = 0;
    socket.on('message', (data, isBinary) => {
      if (++waiting === MAX_WAITING_FRAMES) socket.pause();
      frames = frames
        .then(() => onFrame(c, data, isBinary))
        .catch((err) => log.warn({ err: (err as Error).message }, 'agent frame failed'))
        .finally(() => {
          if (--waiting === 0 && socket.isPaused) socket.resume();
        });
    });
    socket.on('close', () => {
      if (connections.get(id) !== c) return;
      connections.delete(id);
      if (!isClosing) void repo.markDisconnected(db, id, nodeId, clock.now()).catch(() => undefined);
    });
    await repo.markConnected(db, id, nodeId, address, clock.now());
    await bus.publish({ t: 'connected', id, node: nodeId });
    await greet(c);
  }

  async function greet(c: Connection) {
    const w = c.workstation;
    const isApproved = w.status === 'approved';
    const [emergency, profile] = await Promise.all([repo.findEmergency(db), isApproved ? profileOf(w.id) : Promise.resolve(null)]);
    send(c, {
      type: 'hello',
      workstation: { id: w.id, name: w.name, status: w.status },
      profile,
      emergency: { active: emergency.active, version: emergency.version, reason: emergency.reason },
      heartbeatSeconds: HEARTBEAT_SECONDS,
      serverTime: clock.now().toISOString(),
    });
    // An agent that comes back during a block gets it before anything else; a computer still
    // waiting for approval is locked too: the block is for every computer with the agent.
    if (emergency.active || (emergency.version > 0 && w.emergencyVersion < emergency.version)) sendEmergency(c, emergency);
    if (isApproved) await deliver(w.id);
  }

  const profileOf = async (id: string): Promise<AgentProfileDto | null> => (await profiles.effectiveFor([id])).get(id) ?? null;

  /** Sends the commands still owed to one connected workstation; one delivery at a time each. */
  function deliver(id: string): Promise<void> {
    const previous = delivering.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      const c = connections.get(id);
      if (c?.workstation.status !== 'approved') return;
      const open = await repo.findOpenCommands(db, id, clock.now());
      if (open.length === 0) return;
      await repo.markCommandsSent(
        db,
        open.map((o) => o.id),
        clock.now(),
      );
      for (const o of open) send(c, { type: 'command', id: o.id, kind: o.kind, payload: o.payload, issuedAt: o.createdAt.toISOString() });
    });
    const settled = next.catch((err) => log.warn({ err: (err as Error).message, workstationId: id }, 'command delivery failed'));
    delivering.set(id, settled);
    void settled.then(() => {
      if (delivering.get(id) === settled) delivering.delete(id);
    });
    return settled;
  }

  async function onFrame(c: Connection, data: unknown, isBinary: boolean) {
    c.lastHeardMs = clock.now().getTime();
    heard.add(c.workstation.id);
    if (isBinary) return c.socket.close(1003, 'text frames only');
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      return c.socket.close(1007, 'frames are JSON');
    }
    const frame = agentFrame.safeParse(parsed);
    if (!frame.success) return; // an unknown frame type of a newer agent: ignored
    if (frame.data.type === 'heartbeat') return;
    const { id, status } = frame.data;
    // Frames do not pass the HTTP text guard: a NUL or a lone surrogate would fail the UPDATE (text)
    // or, after it, the audit record (jsonb), leaving a completed command unaudited.
    const detail = frame.data.detail === undefined ? undefined : toStorableText(frame.data.detail);
    const emergency = /^emergency:(\d+)$/.exec(id);
    if (emergency) {
      // Counted only for a version this channel was sent: an ack of a version still to come would
      // count the computer as blocked before it ever was, and one PostgreSQL's integer cannot hold
      // would fail the flush of everyone's acks.
      const version = Number(emergency[1]);
      if (version < 1 || version > c.emergencySent) return;
      emergencyAcks.set(c.workstation.id, Math.max(version, emergencyAcks.get(c.workstation.id) ?? 0));
      return;
    }
    if (c.workstation.status !== 'approved') return;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return; // else PostgreSQL's uuid cast fails
    const row = await repo.acknowledgeCommand(db, id, c.workstation.id, status, detail ?? null, clock.now());
    if (!row) return; // acknowledged before, or not this workstation's
    await audit.record(
      { actor: { type: 'workstation', id: c.workstation.id, label: c.workstation.name }, ip: null, userAgent: null },
      {
        action: 'workstation.command_completed',
        outcome: status === 'done' ? 'success' : 'failure',
        target: { type: 'workstation', id: c.workstation.id, label: c.workstation.name },
        details: { commandId: id, kind: row.kind, status, detail: detail ?? null },
      },
    );
  }

  async function onBus(m: AgentBusMessage) {
    switch (m.t) {
      case 'wake':
        for (const id of m.ids) if (connections.has(id)) void deliver(id);
        return;
      case 'connected': {
        const c = connections.get(m.id);
        if (c && m.node !== nodeId) c.socket.close(CLOSE.replaced, 'replaced by a newer connection');
        return;
      }
      case 'emergency':
        return broadcastEmergency(await repo.findEmergency(db));
      case 'profile': {
        const ids = m.ids === 'all' ? [...connections.keys()] : m.ids.filter((id) => connections.has(id));
        const approved = ids.filter((id) => connections.get(id)?.workstation.status === 'approved');
        const effective = await profiles.effectiveFor(approved);
        for (const id of approved) {
          const c = connections.get(id);
          if (c) send(c, { type: 'profile', profile: effective.get(id) });
        }
        return;
      }
      case 'status': {
        const local = m.ids.filter((id) => connections.has(id));
        const rows = new Map((await repo.findWorkstationsByIds(db, local)).map((r) => [r.id, r]));
        for (const id of local) {
          const c = connections.get(id);
          if (!c) continue;
          const row = rows.get(id);
          const before = c.workstation;
          if (!row || row.publicKey.x !== before.publicKey.x || row.publicKey.y !== before.publicKey.y) {
            c.socket.close(CLOSE.revoked, 'the workstation was removed or its key replaced');
            continue;
          }
          if (row.status === 'denied') {
            c.socket.close(CLOSE.denied, 'the workstation was denied');
            continue;
          }
          c.workstation = held(row);
          if (row.status !== before.status) {
            send(c, { type: 'status', status: row.status });
            if (row.status === 'approved') await greet(c);
          }
        }
        return;
      }
    }
  }

  /** The emergency block, or its lift, to every approved agent here (once a version). */
  let broadcastVersion = -1;
  function broadcastEmergency(e: repo.EmergencyRow) {
    if (e.version === broadcastVersion) return;
    broadcastVersion = e.version;
    const frame = emergencyFrame(e);
    for (const c of connections.values()) sendEmergency(c, e, frame);
  }

  function sendEmergency(c: Connection, e: repo.EmergencyRow, frame = emergencyFrame(e)) {
    c.emergencySent = Math.max(c.emergencySent, e.version);
    send(c, frame);
  }

  /** What a missed wake-up would have delivered; agents silent for three heartbeats are let go. */
  async function sweep() {
    if (connections.size === 0) return;
    const emergency = await repo.findEmergency(db);
    if (broadcastVersion === -1) broadcastVersion = emergency.version;
    else broadcastEmergency(emergency);
    const now = clock.now().getTime();
    for (const c of connections.values())
      if (now - c.lastHeardMs > 3 * HEARTBEAT_SECONDS * 1000) c.socket.close(CLOSE.unhealthy, 'no heartbeat for three intervals');
    for (const id of await repo.findWorkstationsWithQueuedCommands(db, clock.now())) if (connections.has(id)) void deliver(id);
  }

  async function flushHeard() {
    const ids = [...heard];
    heard.clear();
    for (let i = 0; i < ids.length; i += 5000) await repo.touchWorkstations(db, ids.slice(i, i + 5000), clock.now());
  }

  async function flushEmergencyAcks() {
    if (emergencyAcks.size === 0) return;
    const byVersion = new Map<number, string[]>();
    for (const [id, v] of emergencyAcks) byVersion.set(v, [...(byVersion.get(v) ?? []), id]);
    emergencyAcks.clear();
    for (const [version, ids] of byVersion) for (let i = 0; i < ids.length; i += 5000) await repo.setEmergencyVersion(db, ids.slice(i, i + 5000), version);
  }

  async function maintenance() {
    const now = clock.now();
    await repo.purgeAssertionIds(db, now);
    for (const c of await repo.expireCommands(db, now))
      await audit.record(
        { actor: { type: 'system', id: null, label: 'command expiry' }, ip: null, userAgent: null },
        {
          action: 'workstation.command_expired',
          outcome: 'failure',
          target: { type: 'workstation', id: c.workstationId, label: null },
          details: { commandId: c.id, kind: c.kind, attempts: c.attempts },
        },
      );
  }

  return {
    start,
    attach,
    /** How many agents this node holds. */
    size: () => connections.size,
    isConnectedHere: (id: string) => connections.has(id),
    /** Closes every channel (agents reconnect to another node) and forgets this node's connections. */
    async close() {
      isClosing = true;
      for (const t of timers) clearInterval(t);
      for (const c of connections.values()) c.socket.close(CLOSE.stopping, 'server stopping');
      await Promise.allSettled([...delivering.values()]);
      await flushHeard().catch(() => undefined);
      await flushEmergencyAcks().catch(() => undefined);
      await repo.clearNodeConnections(db, nodeId).catch(() => undefined);
      connections.clear();
    },
  };
}
