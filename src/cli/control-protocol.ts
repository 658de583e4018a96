import path from 'node:path';
import type { Socket } from 'node:net';
import { z } from 'zod';
import { runDir } from '../db/data-dir-lock.js';

/**
 * The control channel between `tessera <command>` and the server that owns an embedded data
 * folder: a Unix domain socket, DATA_DIR/run/control.sock, in a folder of mode 0700 and itself of
 * mode 0600, so only the server's user (and root) can connect.
 *
 * Newline-delimited JSON, one command per connection:
 *   client → server  {"v":1,"command":"directory sync","options":{"dryRun":true}}
 *   server → client  {"stdout":"…"} and {"stderr":"…"} lines as the command prints them, then
 *                    {"exit":0}, after which the server closes the connection.
 * The server carries out only the commands it lists (default deny) and checks their options
 * strictly (no NUL or lone surrogate in any string, then the command's schema); anything else is
 * answered {"stderr":"tessera: …"} {"exit":2}. A client must send its line within 10 s of
 * connecting; beyond 8 connections at once the answer is "busy", {"exit":75}. A command that fails
 * unexpectedly is answered without the error's text (a failed query's holds its parameters).
 */
export const PROTOCOL_VERSION = 1;
/** A request is one line of at most this many bytes (a password read from stdin fits easily). */
export const MAX_REQUEST_BYTES = 64 * 1024;

export const requestSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  command: z.string().max(100),
  options: z.record(z.string(), z.unknown()),
});
export type ControlRequest = z.infer<typeof requestSchema>;

export type ControlMessage = { stdout: string } | { stderr: string } | { exit: number };

export function controlSocketPath(dataDir: string): string {
  return path.join(runDir(dataDir), 'control.sock');
}

/**
 * What to pass to listen() or connect(): a Unix socket path is limited to 107 bytes, so a deep
 * DATA_DIR is reached by its path relative to the working directory when that one is shorter.
 * Undefined when neither fits.
 */
export function socketAddress(socketPath: string): string | undefined {
  const relative = path.relative(process.cwd(), socketPath);
  const shortest = [socketPath, relative.startsWith('.') ? relative : `./${relative}`].sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b))[0];
  return Buffer.byteLength(shortest) <= 107 ? shortest : undefined;
}

/** Calls onLine for each complete line; onOverflow when a line grows past maxBytes. */
export function readLines(socket: Socket, onLine: (line: string) => void, opts: { maxBytes: number; onOverflow: () => void }): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onLine(line);
    }
    if (Buffer.byteLength(buffered) > opts.maxBytes) {
      buffered = '';
      opts.onOverflow();
    }
  });
}
