/**
 * Carrying out channel commands (docs/agent-protocol.md §5). Delivery is at least once: a command
 * whose ack was lost comes again after a reconnect, so the ids already carried out are remembered
 * (the last 1,000, in memory: after a restart a repeated lock or logoff is harmless) and answered
 * "done" without doing it twice. A kind this agent does not know is acknowledged "rejected".
 */
import type { Driver } from './drivers/driver.js';
import type { Logger } from './log.js';
import { emergencyVersionOf, type AckStatus, type Emergency } from './protocol.js';

export const MAX_REMEMBERED_COMMANDS = 1_000;
/** Tessera keeps at most 1,000 characters of an ack's detail. */
const MAX_DETAIL = 1_000;

/** A set that forgets its oldest entries beyond `max` (a Set iterates in insertion order). */
export class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(id: string): boolean {
    return this.items.has(id);
  }
  add(id: string): void {
    this.items.delete(id);
    this.items.add(id);
    while (this.items.size > this.max) this.items.delete(this.items.values().next().value!);
  }
  get size(): number {
    return this.items.size;
  }
}

export interface CommandFrame {
  id: string;
  kind: string;
  payload?: Record<string, unknown> | null;
}

export interface Ack {
  type: 'ack';
  id: string;
  status: AckStatus;
  detail?: string;
}

export interface CommandContext {
  driver: Pick<Driver, 'lock' | 'logoff'>;
  log: Logger;
  /** GET /status again and apply what it says. */
  refresh(): Promise<void>;
  /** Turns the emergency block on or off (locks every session when on). */
  applyEmergency(next: Emergency): Promise<void>;
  emergency(): Emergency;
  /** §8.3: opens a `deliver_credentials` JWE and hands it to the logon waiting for it; throws when it cannot. Without it the kind is rejected. */
  acceptDelivery?(payload: CommandFrame['payload']): Promise<void>;
}

/** The session a command names, or undefined for all of them; a sessionId that is no id fails the command rather than widen it to every session. */
function sessionIdOf(payload: CommandFrame['payload']): string | undefined {
  const id = payload?.sessionId;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string' || !id) throw new Error(`payload.sessionId is not a session id: ${JSON.stringify(id)}`);
  return id;
}

export function createCommandRunner(ctx: CommandContext, maxRemembered = MAX_REMEMBERED_COMMANDS) {
  const done = new BoundedSet(maxRemembered);

  async function execute(cmd: CommandFrame): Promise<Omit<Ack, 'type' | 'id'>> {
    switch (cmd.kind) {
      case 'lock':
        await ctx.driver.lock(sessionIdOf(cmd.payload));
        return { status: 'done' };
      case 'logoff':
        await ctx.driver.logoff(sessionIdOf(cmd.payload));
        return { status: 'done' };
      case 'refresh_profile':
        await ctx.refresh();
        return { status: 'done' };
      case 'emergency_block':
      case 'emergency_lift': {
        // The id carries the block's version; a block or lift older than what hello said is stale.
        const version = emergencyVersionOf(cmd.id) ?? ctx.emergency().version;
        const reason = typeof cmd.payload?.reason === 'string' ? cmd.payload.reason : null;
        await ctx.applyEmergency({ active: cmd.kind === 'emergency_block', version, reason });
        return { status: 'done' };
      }
      case 'deliver_credentials':
        if (!ctx.acceptDelivery) return { status: 'rejected', detail: 'this agent takes no credential deliveries' };
        await ctx.acceptDelivery(cmd.payload);
        return { status: 'done' };
      default:
        return { status: 'rejected', detail: `this agent does not know the command kind ${cmd.kind}` };
    }
  }

  return {
    async run(cmd: CommandFrame): Promise<Ack> {
      ctx.log.info('command.received', { id: cmd.id, kind: cmd.kind });
      let result: Omit<Ack, 'type' | 'id'>;
      if (done.has(cmd.id)) {
        result = { status: 'done', detail: 'already carried out' };
      } else {
        try {
          result = await execute(cmd);
        } catch (err) {
          result = { status: 'failed', detail: String((err as Error).message).slice(0, MAX_DETAIL) };
        }
        if (result.status === 'done') done.add(cmd.id);
      }
      return { type: 'ack', id: cmd.id, ...result };
    },
  };
}
