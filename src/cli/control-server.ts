import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import { ensureRunDir, EX_TEMPFAIL } from '../db/data-dir-lock.js';
import type { Runtime } from '../app/server.js';
import { parseOptions, type DataCommand } from './data-command.js';
import {
  controlSocketPath,
  DATA_FRAME_BYTES,
  drained,
  MAX_REQUEST_BYTES,
  readLines,
  requestSchema,
  socketAddress,
  uploadSchema,
  type ControlMessage,
} from './control-protocol.js';
import { CliError, describeError, type CommandOutput } from './io.js';

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

  /**
   * The file sent after an upload request, whole (a command reads it only once it is complete and
   * within its limit); a message for the client when a frame is not one or the file is too large;
   * undefined when the client went away first.
   */
  function receiveFile(socket: net.Socket, maxBytes: number, listen: (onLine: (line: string) => void) => void): Promise<Buffer[] | string | undefined> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      waiting.add(socket);
      // Idle, not a deadline: a large file takes its time, but a client that stops sending is cut.
      socket.setTimeout(requestTimeoutMs, () => socket.destroy());
      const done = (result: Buffer[] | string | undefined) => {
        waiting.delete(socket);
        socket.setTimeout(0);
        listen(() => {});
        resolve(result);
      };
      socket.once('close', () => done(undefined));
      listen((line) => {
        let frame: ReturnType<typeof uploadSchema.parse>;
        try {
          frame = uploadSchema.parse(JSON.parse(line));
        } catch {
          return done('not a data frame ({"data":"<base64>"} or {"end":true}) after an upload request');
        }
        if ('end' in frame) return done(chunks);
        const chunk = Buffer.from(frame.data, 'base64');
        size += chunk.length;
        if (size > maxBytes) return done(`the file is larger than the ${maxBytes} bytes this command accepts`);
        chunks.push(chunk);
      });
    });
  }

  async function serve(socket: net.Socket, line: string, listen: (onLine: (line: string) => void) => void): Promise<void> {
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
    if (request.upload && !cmd.input) return refuse(`\`${cmd.name}\` reads no file`);
    if (!request.upload && cmd.input) return refuse(`\`${cmd.name}\` reads a file: send it after the request ("upload":true)`);
    let input: Buffer[] | undefined;
    if (cmd.input) {
      const file = await receiveFile(socket, cmd.input.maxBytes(runtime.config), listen);
      if (file === undefined) return;
      if (typeof file === 'string') return refuse(file);
      input = file;
    }

    const id = nextId++;
    running.set(id, cmd.name);
    // The command name only: options may hold a password read from the administrator's stdin.
    logger.info({ command: cmd.name }, 'control command started');
    const io: CommandOutput = { out: (l = '') => send({ stdout: l }), err: (l = '') => send({ stderr: l }) };
    if (input) io.input = input;
    if (cmd.writesFile)
      io.write = async (chunk) => {
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (let at = 0; at < bytes.length; at += DATA_FRAME_BYTES) {
          if (socket.destroyed) throw new CliError('the CLI closed the control connection before the file was written');
          if (!socket.write(`${JSON.stringify({ data: bytes.subarray(at, at + DATA_FRAME_BYTES).toString('base64') })}\n`)) await drained(socket);
        }
      };
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
    // After the request line, the lines of a file it uploads, if any, go to their reader.
    let onMoreLines: (line: string) => void = () => {};
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
        if (hasRequest) return onMoreLines(line);
        hasRequest = true;
        waiting.delete(socket);
        clearTimeout(deadline);
        serve(socket, line, (onLine) => {
          onMoreLines = onLine;
        }).catch((err) => {
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
