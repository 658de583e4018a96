import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import { ensureRunDir, EX_TEMPFAIL } from '../db/data-dir-lock.js';
import type { Runtime } from '../app/server.js';
import { parseOptions, type DataCommand } from './data-command.js';
import { controlSocketPath, MAX_REQUEST_BYTES, readLines, requestSchema, socketAddress, type ControlMessage } from './control-protocol.js';
import { describeError, type CommandOutput } from './io.js';

export interface ControlServer {
  socketPath: string;
  /** Commands being carried out now. */
  running(): string[];
  /**
   * Stops accepting connections (the socket file goes), then waits for the commands being carried
   * out to finish, so that the database closes after their transactions, never in the middle.
   */
  close(): Promise<void>;
}

/** A client that has not sent its whole request line this long after connecting is disconnected. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Connections at once: a few administrators' shells, not a service. */
const MAX_CONNECTIONS = 8;

/**
 * The server end of the control channel (protocol: control-protocol.ts). Listens only while the
 * server owns the data folder, which it does from before the database opened (the lock), so the
 * socket file left by a killed server is ours to replace.
 */
export async function startControlServer(deps: {
  runtime: Runtime;
  commands: DataCommand[];
  logger: Logger;
  requestTimeoutMs?: number;
}): Promise<ControlServer | undefined> {
  const { runtime, logger, requestTimeoutMs = REQUEST_TIMEOUT_MS } = deps;
  const byName = new Map(deps.commands.map((c) => [c.name, c]));
  // The folder is 0700 before the socket exists: no other user can reach the socket, even in the
  // moment between bind() and the chmod below, whatever the umask.
  ensureRunDir(runtime.config.dataDir);
  const socketPath = controlSocketPath(runtime.config.dataDir);
  const address = socketAddress(socketPath);
  if (!address) {
    logger.warn({ socketPath }, 'DATA_DIR is too deep for a Unix socket path: the CLI cannot reach this server while it runs');
    return undefined;
  }
  fs.rmSync(socketPath, { force: true });
  const running = new Map<number, string>();
  let nextId = 0;
  let idle: (() => void) | undefined;

  async function serve(socket: net.Socket, line: string): Promise<void> {
    const send = (msg: ControlMessage) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(msg)}\n`);
    };
    const refuse = (message: string) => {
      send({ stderr: `tessera: ${message}` });
      send({ exit: 2 });
      socket.end();
    };
    let request;
    try {
      request = requestSchema.parse(JSON.parse(line));
    } catch {
      return refuse(`not a control request (protocol version 1: {"v":1,"command":…,"options":{…}})`);
    }
    const cmd = byName.get(request.command);
    if (!cmd) return refuse(`\`${request.command}\` is not a command the server carries out over its control channel`);
    let options: Record<string, unknown>;
    try {
      options = parseOptions(cmd, request.options);
    } catch (err) {
      return refuse((err as Error).message);
    }

    const id = nextId++;
    running.set(id, cmd.name);
    // The command name only: options may hold a password read from the administrator's stdin.
    logger.info({ command: cmd.name }, 'control command started');
    const io: CommandOutput = { out: (l = '') => send({ stdout: l }), err: (l = '') => send({ stderr: l }) };
    let exit: number;
    try {
      exit = await cmd.run(runtime, options, io);
    } catch (err) {
      const known = describeError(err);
      if (!known) logger.error({ err, command: cmd.name }, 'control command failed');
      // Not the message of an unexpected error: a failed query's carries its SQL and parameters
      // (a password hash, a sealed secret), which the log redacts and the CLI must not print either.
      io.err(known?.line ?? `tessera: \`${cmd.name}\` failed in the server (details in the server log)`);
      exit = known?.exitCode ?? 1;
    } finally {
      running.delete(id);
    }
    logger.info({ command: cmd.name, exit }, 'control command finished');
    send({ exit });
    socket.end();
    if (running.size === 0) idle?.();
  }

  /** Connections that have not sent their request yet: closed at once on shutdown. */
  const waiting = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => {
      /* the CLI went away; the command still runs to its end */
    });
    if (connections >= MAX_CONNECTIONS) {
      // Said, not just hung up on: the CLI would report a connection closed mid-command.
      const busy: ControlMessage[] = [
        { stderr: `tessera: the server is busy with ${connections} control connections: run the command again in a moment` },
        { exit: EX_TEMPFAIL },
      ];
      socket.end(busy.map((m) => `${JSON.stringify(m)}\n`).join(''));
      // Read (and drop) what the client sends: a socket never read never sees its end, and stays open.
      socket.resume();
      return;
    }
    connections++;
    let hasRequest = false;
    waiting.add(socket);
    // A deadline, not an idle timeout: a client that sends a byte now and then is cut all the same.
    const deadline = setTimeout(() => socket.destroy(), requestTimeoutMs);
    socket.on('close', () => {
      connections--;
      waiting.delete(socket);
      clearTimeout(deadline);
    });
    readLines(
      socket,
      (line) => {
        if (hasRequest) return;
        hasRequest = true;
        waiting.delete(socket);
        clearTimeout(deadline);
        serve(socket, line).catch((err) => {
          logger.error({ err }, 'control connection failed');
          socket.destroy();
        });
      },
      { maxBytes: MAX_REQUEST_BYTES, onOverflow: () => socket.destroy() },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  server.on('error', (err) => logger.error({ err }, 'control socket error'));

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    running: () => [...running.values()],
    close() {
      closing ??= (async () => {
        // net.Server.close() removes the socket file at once; it resolves when connections end.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of waiting) socket.destroy();
        if (running.size > 0) {
          logger.info({ commands: [...running.values()] }, 'waiting for control commands to finish');
          await new Promise<void>((resolve) => {
            idle = resolve;
          });
        }
        await closed;
      })();
      return closing;
    },
  };
}
