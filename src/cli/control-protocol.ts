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
 * A command that reads a file (`vault restore`) is asked for with "upload":true; the client then
 * sends the file as {"data":"<base64>"} lines of at most DATA_FRAME_BYTES each and {"end":true},
 * and the server runs the command once it has the whole file (up to the command's own limit). A
 * command that writes a file (`vault backup`) sends it as {"data":"<base64>"} lines before its exit
 * line; the CLI saves it. Either way the file is opened where the administrator runs the CLI, with
 * their permissions, as a password read from their stdin is, never at a path the server opens.
 * The server carries out only the commands it lists (default deny) and checks their options
 * strictly (no NUL or lone surrogate in any string, then the command's schema); anything else is
 * answered {"stderr":"tessera: …"} {"exit":2}. A client must send its line within 10 s of
 * connecting; beyond 8 connections at once the answer is "busy", {"exit":75}. A command that fails
 * unexpectedly is answered without the error's text (a failed query's holds its parameters).
 */
export const PROTOCOL_VERSION = 1;
/** A request is one line of at most this many bytes (a password read from stdin fits easily). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** The bytes of a file carried in one data frame (its base64 line stays well under MAX_REQUEST_BYTES). */
export const DATA_FRAME_BYTES = 32 * 1024;

export const requestSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  command: z.string().max(100),
  options: z.record(z.string(), z.unknown()),
  /** A file follows the request, in data frames. */
  upload: z.literal(true).optional(),
});
export type ControlRequest = z.infer<typeof requestSchema>;

export type ControlMessage = { stdout: string } | { stderr: string } | { data: string } | { exit: number };
export type UploadMessage = { data: string } | { end: true };
export const uploadSchema = z.union([z.strictObject({ data: z.base64().max(Math.ceil(DATA_FRAME_BYTES / 3) * 4) }), z.strictObject({ end: z.literal(true) })]);

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

/** Resolves when the socket can take more (drain), or has closed. */
export function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.on('drain', done).on('close', done);
  });
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
