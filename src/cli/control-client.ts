import net from 'node:net';
import { CliError, type CommandOutput } from './io.js';
import {
  controlSocketPath,
  DATA_FRAME_BYTES,
  drained,
  MAX_REQUEST_BYTES,
  PROTOCOL_VERSION,
  readLines,
  socketAddress,
  type ControlMessage,
  type UploadMessage,
} from './control-protocol.js';

/**
 * Asks the server that owns DATA_DIR to carry out a command, printing what it prints. Resolves to
 * the command's exit code, or undefined when no server listens (no socket, or one left by a server
 * that was killed): the caller then opens the database itself.
 */
export async function runThroughServer(dataDir: string, command: string, options: Record<string, unknown>, io: CommandOutput): Promise<number | undefined> {
  const socketPath = controlSocketPath(dataDir);
  const address = socketAddress(socketPath);
  if (!address) return undefined;
  const socket = await new Promise<net.Socket | undefined>((resolve, reject) => {
    const s = net.connect(address);
    s.once('connect', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTDIR') resolve(undefined);
      else if (err.code === 'EACCES' || err.code === 'EPERM') {
        reject(
          new CliError(
            `the running server's control socket ${socketPath} is not open to this user: run the command as the user that runs the server (or root)`,
          ),
        );
      } else reject(new CliError(`cannot reach the running server on ${socketPath}: ${err.message}`));
    });
  });
  if (!socket) return undefined;

  return new Promise<number>((resolve, reject) => {
    let exit: number | undefined;
    /** Saving the file failed here: an error whatever the command's exit code. */
    let failure: Error | undefined;
    /** Sending the file failed: the server's own answer, when it gave one, says why. */
    let uploadFailure: Error | undefined;
    // The file's frames are written in the order they arrive, one after the other.
    let writing = Promise.resolve();
    readLines(
      socket,
      (line) => {
        let msg: ControlMessage;
        try {
          msg = JSON.parse(line) as ControlMessage;
        } catch {
          return;
        }
        if ('stdout' in msg) io.out(msg.stdout);
        else if ('stderr' in msg) io.err(msg.stderr);
        else if ('data' in msg && typeof msg.data === 'string') {
          const write = io.write;
          if (!write) {
            failure ??= new CliError(`the server sent a file for \`${command}\`, which writes none`);
            socket.destroy();
            return;
          }
          const chunk = Buffer.from(msg.data, 'base64');
          writing = writing
            .then(() => write(chunk))
            .catch((err: Error) => {
              failure ??= err;
              socket.destroy();
            });
        } else if ('exit' in msg && Number.isInteger(msg.exit)) exit = msg.exit;
      },
      { maxBytes: 16 * 1024 * 1024, onOverflow: () => socket.destroy(new Error('answer line too long')) },
    );
    socket.on('error', () => {
      /* reported by close, below */
    });
    socket.on('close', () => {
      void writing.then(() => {
        if (failure) reject(failure);
        else if (exit !== undefined) resolve(exit);
        else if (uploadFailure) reject(uploadFailure);
        else
          reject(
            new CliError(
              `the server closed the control connection before \`${command}\` finished (was it stopped?): check the result before running the command again`,
            ),
          );
      });
    });
    const request = `${JSON.stringify({ v: PROTOCOL_VERSION, command, options, ...(io.input ? { upload: true } : {}) })}\n`;
    if (Buffer.byteLength(request) > MAX_REQUEST_BYTES) {
      socket.destroy();
      reject(new CliError(`the request for \`${command}\` is too long for the control channel (${MAX_REQUEST_BYTES} bytes)`));
      return;
    }
    socket.write(request);
    if (io.input)
      upload(socket, io.input).catch((err: Error) => {
        uploadFailure ??= err;
        socket.end();
      });
  });
}

/** Sends a file after the request: data frames of at most DATA_FRAME_BYTES, then the end frame. */
async function upload(socket: net.Socket, input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  const send = async (msg: UploadMessage) => {
    if (socket.destroyed) throw new CliError('the server closed the control connection while the file was being sent');
    if (!socket.write(`${JSON.stringify(msg)}\n`)) await drained(socket);
  };
  for await (const chunk of input) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < bytes.length; at += DATA_FRAME_BYTES) await send({ data: bytes.subarray(at, at + DATA_FRAME_BYTES).toString('base64') });
  }
  await send({ end: true });
}
