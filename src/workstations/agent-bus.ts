import { MAX_MESSAGE_BYTES, type PubSub } from '../db/pubsub.js';

/**
 * What the nodes tell each other about agents. Every message only says "look now": commands,
 * approval and profiles are stored first, so a node that misses a message (restarting, Redis
 * blip) still delivers on reconnect or on its next sweep (agent-hub.ts).
 */
export type AgentBusMessage =
  /** Commands were queued for these workstations. */
  | { t: 'wake'; ids: string[] }
  /** The emergency block was turned on or off. */
  | { t: 'emergency' }
  /** The effective profile of these workstations (or of all) may have changed. */
  | { t: 'profile'; ids: string[] | 'all' }
  /** Approval changed, or the workstation was removed: a node holding its channel re-reads it. */
  | { t: 'status'; ids: string[] }
  /** A node took this workstation's channel: any other node closes the one it holds. */
  | { t: 'connected'; id: string; node: string };

export interface AgentBus {
  publish(message: AgentBusMessage): Promise<void>;
  subscribe(handler: (message: AgentBusMessage) => void): Promise<void>;
}

const CHANNEL = 'agent_bus';
/** A UUID and its quotes and comma: how many fit in one message. */
const IDS_PER_MESSAGE = Math.floor((MAX_MESSAGE_BYTES - 100) / 39);

export function createAgentBus(pubsub: PubSub, onError: (err: unknown) => void): AgentBus {
  return {
    async publish(message) {
      // NOTIFY payloads are small: long id lists go in several messages.
      const parts =
        'ids' in message && Array.isArray(message.ids) && message.ids.length > IDS_PER_MESSAGE
          ? Array.from({ length: Math.ceil(message.ids.length / IDS_PER_MESSAGE) }, (_, i) => ({
              ...message,
              ids: (message.ids as string[]).slice(i * IDS_PER_MESSAGE, (i + 1) * IDS_PER_MESSAGE),
            }))
          : [message];
      for (const part of parts) await pubsub.publish(CHANNEL, JSON.stringify(part)).catch(onError);
    },
    async subscribe(handler) {
      await pubsub.subscribe(CHANNEL, (raw) => {
        try {
          handler(JSON.parse(raw) as AgentBusMessage);
        } catch (err) {
          onError(err);
        }
      });
    },
  };
}
