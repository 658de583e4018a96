import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { MAX_MESSAGE_BYTES, type PubSub } from '../db/pubsub.js';
import { createAgentBus, type AgentBusMessage } from './agent-bus.js';

describe('agent bus', () => {
  it('splits 10,000 ids into messages PostgreSQL NOTIFY takes, losing none, and drops what no node sent', async () => {
    const sent: string[] = [];
    const handlers: ((m: string) => void)[] = [];
    const pubsub: PubSub = {
      engine: 'postgres',
      publish: async (_channel, message) => {
        sent.push(message);
        for (const h of handlers) h(message);
      },
      subscribe: async (_channel, handler) => {
        handlers.push(handler);
      },
      close: async () => {},
    };
    const errors: unknown[] = [];
    const bus = createAgentBus(pubsub, (err) => errors.push(err));
    const heard: AgentBusMessage[] = [];
    await bus.subscribe((m) => heard.push(m));
    const ids = Array.from({ length: 10_000 }, () => crypto.randomUUID());
    for (const t of ['wake', 'status', 'profile'] as const) await bus.publish({ t, ids } as AgentBusMessage);
    assert.ok(
      sent.every((m) => Buffer.byteLength(m) <= MAX_MESSAGE_BYTES),
      `largest: ${Math.max(...sent.map((m) => Buffer.byteLength(m)))}`,
    );
    for (const t of ['wake', 'status', 'profile'])
      assert.deepEqual(
        heard.filter((m) => m.t === t).flatMap((m) => (m as { ids: string[] }).ids),
        ids,
      );
    // What arrives on the channel but is no message of ours (another program's NOTIFY) is dropped, not thrown.
    for (const h of handlers) h('not json');
    assert.equal(errors.length, 1);
  });
});
