import { ConfigError } from '../config/config.js';
import { DeclarativeConfigError } from '../app/declarative-config.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { AppError } from '../lib/errors.js';

/** Reads all of standard input (for --password-stdin), without the trailing newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Where a command prints: this process's stdout and stderr, or, for a command the server carries
 * out over the control channel, the connection back to the CLI that asked for it.
 */
export interface CommandOutput {
  out(line?: string): void;
  err(line?: string): void;
  /**
   * The file a command reads (`vault restore FILE`), opened in the administrator's shell: given
   * only to a command that declares `input`, and there always.
   */
  input?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** The file a command writes (`vault backup --out`), written in the administrator's shell; resolves when passed on. */
  write?(chunk: Uint8Array): Promise<void>;
}

export const processOutput: CommandOutput = {
  out: (line = '') => {
    process.stdout.write(`${line}\n`);
  },
  err: (line = '') => {
    process.stderr.write(`${line}\n`);
  },
};

export const out = processOutput.out;

/** An error the person at the shell can act on: printed as one line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Errors a person can act on, as the one line the CLI prints, and the exit code. */
export function describeError(err: unknown): { line: string; exitCode: number } | undefined {
  if (err instanceof DataDirLockedError) return { line: `tessera: ${err.message}`, exitCode: err.exitCode };
  if (err instanceof CliError) return { line: `tessera: ${err.message}`, exitCode: err.exitCode };
  if (err instanceof ConfigError || err instanceof DeclarativeConfigError || err instanceof AppError) return { line: `tessera: ${err.message}`, exitCode: 1 };
  return undefined;
}
