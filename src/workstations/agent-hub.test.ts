import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { systemClock } from '../lib/clock.js';
import { createAgentHub } from './agent-hub.js';
import type { ProfileService } from './profile.service.js';
import type { WorkstationRow } from './workstation.repository.js';

/**
 * A database whose every statement takes `delayMs` and finds nothing: it counts how many of the
 * hub's statements are under way at once. Any query builder chain (select, update … returning) is
 * this proxy until it is awaited.
 */
function slowDb(delayMs: number) {
  const stats = { inFlight: 0, max: 0, total: 0 };
  const builder = (): unknown =>
    new Proxy(() => {}, {
      get(_target, prop) {
        if (prop === 'then')
          return (resolve: (rows: unknown[]) => void) => {
            stats.inFlight++;
            stats.total++;
            stats.max = Math.max(stats.max, stats.inFlight);
            setTimeout(() => {
              stats.inFlight--;
              resolve([]);
            }, delayMs);
          };
        return () => builder();
      },
    });
  return { db: builder() as Db, stats };
}

/** The server side of one channel, as the hub uses it. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  paused = 0;
  resumed = 0;
  get isPaused() {
    return this.paused > this.resumed;
  }
  send() {}
  close() {
    this.readyState = 3;
  }
  pause() {
    this.paused++;
  }
  resume() {
    this.resumed++;
  }
}

const row = (): WorkstationRow =>
  ({
    id: crypto.randomUUID(),
    name: 'WS-1',
    status: 'approved',
    emergencyVersion: 0,
    publicKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
  }) as unknown as WorkstationRow;

describe('agent hub', () => {
  it('handles one frame of a channel at a time, and pauses a channel that floods it', async () => {
    const { db, stats } = slowDb(2);
    const hub = createAgentHub({
      db,
      clock: systemClock,
      audit: { record: async () => {} } as unknown as AuditService,
      bus: { publish: async () => {}, subscribe: async () => {} },
      profiles: { effectiveFor: async () => new Map() } as unknown as ProfileService,
      nodeId: 'test-node',
    });
    const socket = new FakeSocket();
    await hub.attach(socket as unknown as WebSocket, row(), null);
    const before = stats.total;
    // A compromised approved agent acknowledges command ids as fast as it can send them: each one
    // is an UPDATE. Unchecked, they all run at once and wait for the pool together.
    for (let i = 0; i < 300; i++) socket.emit('message', Buffer.from(JSON.stringify({ type: 'ack', id: crypto.randomUUID(), status: 'done' })), false);
    const deadline = Date.now() + 10_000;
    while (stats.total - before < 300 || stats.inFlight > 0) {
      assert.ok(Date.now() < deadline, `frames handled: ${stats.total - before}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(stats.max, 1, 'one statement at a time for the channel');
    assert.ok(socket.paused > 0, 'the socket is paused while frames wait');
    assert.ok(socket.resumed > 0, 'and resumed once they are handled');
  });
});
