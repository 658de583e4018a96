import net from 'node:net';
import { CliError, type CommandOutput } from './io.js';
import { controlSocketPath, MAX_REQUEST_BYTES, PROTOCOL_VERSION, readLines, socketAddress, type ControlMessage } from './control-protocol.js';

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
        else if ('exit' in msg && Number.isInteger(msg.exit)) exit = msg.exit;
      },
      { maxBytes: 16 * 1024 * 1024, onOverflow: () => socket.destroy(new Error('answer line too long')) },
    );
    socket.on('error', () => {
      /* reported by close, below */
    });
    socket.on('close', () => {
      if (exit !== undefined) resolve(exit);
      else
        reject(
          new CliError(
            `the server closed the control connection before \`${command}\` finished (was it stopped?): check the result before running the command again`,
          ),
        );
    });
    const request = `${JSON.stringify({ v: PROTOCOL_VERSION, command, options })}\n`;
    if (Buffer.byteLength(request) > MAX_REQUEST_BYTES) {
      socket.destroy();
      reject(new CliError(`the request for \`${command}\` is too long for the control channel (${MAX_REQUEST_BYTES} bytes)`));
      return;
    }
    socket.write(request);
  });
}
