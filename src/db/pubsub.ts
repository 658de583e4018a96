import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Messages between the nodes of one Tessera installation: Redis pub/sub when REDIS_URL is set,
 * else PostgreSQL LISTEN/NOTIFY, else (the embedded database, one process) in-process. A message
 * reaches every node, the sender too. Delivery is best effort: what must not be lost is stored
 * first, and a message only says "look now".
 */
export interface PubSub {
  readonly engine: 'redis' | 'postgres' | 'memory';
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_MESSAGE_BYTES = 7900;

/**
 * Connects on first use, not when created: every process builds the service graph, and a CLI
 * command that never publishes must not hold a connection that keeps it from exiting.
 */
export function createPubSub(opts: { redisUrl?: string; databaseUrl?: string; prefix: string; onError?: (err: Error) => void }): PubSub {
  const onError = (err: Error) => opts.onError?.(err);
  const open = (): PubSub =>
    opts.redisUrl
      ? redisPubSub(opts.redisUrl, opts.prefix, onError)
      : opts.databaseUrl
        ? postgresPubSub(opts.databaseUrl, opts.prefix, onError)
        : memoryPubSub();
  const engine = opts.redisUrl ? 'redis' : opts.databaseUrl ? 'postgres' : 'memory';
  let inner: PubSub | undefined;
  let isClosed = false;
  const use = () => {
    if (isClosed) throw new Error('pub/sub is closed');
    inner ??= open();
    return inner;
  };
  return {
    engine,
    publish: (channel, message) => use().publish(channel, message),
    subscribe: (channel, handler) => use().subscribe(channel, handler),
    async close() {
      isClosed = true;
      await inner?.close();
    },
  };
}

function memoryPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    engine: 'memory',
    async publish(channel, message) {
      // Asynchronous like the others: a handler never runs inside the publisher's call.
      setImmediate(() => emitter.emit(channel, message));
    },
    async subscribe(channel, handler) {
      emitter.on(channel, handler);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

function redisPubSub(url: string, prefix: string, onError: (err: Error) => void): PubSub {
  const publisher = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  publisher.on('error', onError);
  subscriber.on('error', onError);
  const handlers = new Map<string, ((m: string) => void)[]>();
  subscriber.on('message', (channel: string, message: string) => {
    for (const h of handlers.get(channel) ?? []) h(message);
  });
  return {
    engine: 'redis',
    async publish(channel, message) {
      await publisher.publish(prefix + channel, message);
    },
    async subscribe(channel, handler) {
      const name = prefix + channel;
      handlers.set(name, [...(handlers.get(name) ?? []), handler]);
      await subscriber.subscribe(name);
    },
    async close() {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * One dedicated connection LISTENs (a pooled one would lose its subscriptions); NOTIFY goes
 * through a second client. A lost listening connection is opened again, and its channels are
 * listened to again: messages sent meanwhile are lost, which the stored state makes up for.
 */
function postgresPubSub(url: string, prefix: string, onError: (err: Error) => void): PubSub {
  const handlers = new Map<string, ((m: string) => void)[]>();
  const channelName = (c: string) => `${prefix}${c}`.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 63);
  let listener: pg.Client | undefined;
  let isClosed = false;
  const notifier = new pg.Pool({ connectionString: url, max: 2 });
  notifier.on('error', onError);

  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('error', (err) => {
      onError(err);
      if (listener === client) listener = undefined;
      if (!isClosed) setTimeout(() => void connect().catch(onError), 1000).unref();
    });
    client.on('notification', (n) => {
      for (const h of handlers.get(n.channel) ?? []) h(n.payload ?? '');
    });
    await client.connect();
    for (const name of handlers.keys()) await client.query(`LISTEN "${name}"`);
    listener = client;
  }
  const ready = connect();
  ready.catch(onError);

  return {
    engine: 'postgres',
    async publish(channel, message) {
      await notifier.query('SELECT pg_notify($1, $2)', [channelName(channel), message]);
    },
    async subscribe(channel, handler) {
      const name = channelName(channel);
      const isNew = !handlers.has(name);
      handlers.set(name, [...(handlers.get(name) ?? []), handler]);
      await ready;
      if (isNew && listener) await listener.query(`LISTEN "${name}"`);
    },
    async close() {
      isClosed = true;
      await ready.catch(() => undefined);
      await listener?.end().catch(() => undefined);
      await notifier.end().catch(() => undefined);
    },
  };
}
