import type { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { DataDirLockedError, type AcquireOptions } from '../db/data-dir-lock.js';
import { openRuntime, type Runtime } from '../app/server.js';
import { runThroughServer } from './control-client.js';
import { controlSocketPath } from './control-protocol.js';
import { CliError, processOutput, type CommandOutput } from './io.js';
import { findInvalidText } from '../http/text-guard.js';

/**
 * A command that acts on the data (`directory sync`, `admin create`, …). The same `run` serves
 * both paths: the CLI's own runtime when it opens the database itself, and the server's runtime
 * when the server carries the command out for it over the control channel.
 */
export interface DataCommand<O extends Record<string, unknown> = Record<string, unknown>> {
  /** The words after `tessera`: the name the control channel accepts. */
  name: string;
  /** The options as sent over the control channel, checked strictly by the server. */
  options: z.ZodType<O>;
  /**
   * The command reads a file the CLI opens (`io.input`), of at most this many bytes: over the
   * control channel the CLI sends it after its request (control-protocol.ts).
   */
  input?: { maxBytes(config: Runtime['config']): number };
  /** The command writes a file the CLI saves (`io.write`): over the control channel, in data frames. */
  writesFile?: boolean;
  /** Prints through `io`, returns the exit code; throws CliError/AppError for a one-line refusal. */
  run(rt: Runtime, opts: O, io: CommandOutput): Promise<number>;
}

/**
 * The options of a data command checked as the server checks them, on both paths (so that a
 * refusal reads the same with a server running or not): no NUL or lone surrogate in any string
 * (PostgreSQL cannot store them as they are, as the HTTP API's text guard refuses them), then the
 * command's own strict schema. A refusal is a usage error, exit code 2.
 */
export function parseOptions<O extends Record<string, unknown>>(cmd: DataCommand<O>, options: unknown): O {
  const text = findInvalidText(options, 'options');
  if (text) throw new CliError(`invalid options for \`${cmd.name}\`: ${text.message}`, 2);
  const parsed = cmd.options.safeParse(options);
  if (!parsed.success)
    throw new CliError(
      `invalid options for \`${cmd.name}\`: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`,
      2,
    );
  return parsed.data;
}

/** How long the CLI waits for a server that holds the folder to open its control socket (starting up). */
const SERVER_START_WAIT_MS = 120_000;

/** The lock a CLI command takes when it opens an embedded database itself: it never waits. */
export const cliLock = (name: string): AcquireOptions => ({
  command: `\`tessera ${name}\``,
  advice: (o) =>
    o.command === 'serve'
      ? `It does not answer on its control socket (${controlSocketPath(loadConfig().dataDir)}): wait until it has started, or stop it and run the command again.`
      : 'Wait for it to finish, then run the command again.',
});

/** Opens the runtime for one CLI command (taking the data folder's lock on PGlite) and closes it after. */
export async function withRuntime<T>(name: string, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ lock: cliLock(name) });
  try {
    return await fn(rt);
  } finally {
    await rt.services.agentPubSub.close();
    await rt.database.close();
  }
}

/**
 * Runs a data command where the data is. PostgreSQL (DATABASE_URL): in this process, since
 * PostgreSQL serialises its clients. PGlite: through the running server's control channel when a
 * server owns the folder, else in this process after taking the folder's lock. A server that holds
 * the lock but has no socket yet is starting: the CLI waits for it rather than fail.
 */
export async function runDataCommand<O extends Record<string, unknown>>(
  cmd: DataCommand<O>,
  opts: O,
  direct?: (opts: O) => Promise<number>,
  io: CommandOutput = processOutput,
): Promise<void> {
  const runHere = direct ?? ((o: O) => withRuntime(cmd.name, (rt) => cmd.run(rt, o, io)));
  parseOptions(cmd, opts);
  const config = loadConfig();
  if (config.databaseUrl) {
    process.exitCode = await runHere(opts);
    return;
  }
  const deadline = Date.now() + SERVER_START_WAIT_MS;
  let hasSaidWaiting = false;
  for (;;) {
    const remote = await runThroughServer(config.dataDir, cmd.name, opts, io);
    if (remote !== undefined) {
      process.exitCode = remote;
      return;
    }
    try {
      process.exitCode = await runHere(opts);
      return;
    } catch (err) {
      if (!(err instanceof DataDirLockedError) || err.owner.command !== 'serve' || Date.now() > deadline) throw err;
      if (!hasSaidWaiting) processOutput.err(`tessera: the server (pid ${err.owner.pid}) is starting; waiting for it to take the command…`);
      hasSaidWaiting = true;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
