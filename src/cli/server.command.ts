import { Command } from 'commander';
import { readDeclarativeConfig } from '../app/declarative-config.js';
import { describeOwner } from '../db/data-dir-lock.js';
import { startServer } from '../app/server.js';
import { startControlServer } from './control-server.js';
import { dataCommands } from './data-commands.js';
import { CliError, out } from './io.js';

/** A CLI command holding the data folder when the server starts is waited for this long. */
const CLI_HOLDER_WAIT_MS = 120_000;
/** Graceful shutdown: the HTTP side gets this long once the control commands and the drain have finished. */
const STOP_TIMEOUT_MS = 10_000;
/** And a control command running at shutdown this long (a directory sync has its own LDAP timeouts). */
const CONTROL_DRAIN_TIMEOUT_MS = 5 * 60_000;

export function serveCommand(): Command {
  return new Command('serve').description('start the server (configuration from the environment)').action(async () => {
    const server = await startServer({
      lock: {
        command: 'serve',
        // A CLI command that opened the embedded database itself (no server was running) is let
        // finish; another server is refused at once.
        shouldWait: (o) => o.command !== 'serve',
        waitMs: CLI_HOLDER_WAIT_MS,
        onWait: (o) => process.stderr.write(`tessera: waiting for ${describeOwner(o)} to finish with the data folder…\n`),
      },
    });
    const { logger, database } = server.runtime;
    // The CLI reaches the server over DATA_DIR/run/control.sock (embedded database only: on
    // PostgreSQL the CLI opens the database itself).
    const control = database.engine === 'pglite' ? await startControlServer({ runtime: server.runtime, commands: dataCommands, logger }) : undefined;
    // Graceful shutdown: stop taking control commands and let the running ones finish (their
    // transactions commit or roll back whole), then stop accepting, finish requests in flight,
    // close the database (which releases the data folder).
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down');
        const drain = setTimeout(() => {
          logger.error({ commands: control?.running() }, 'control commands did not finish in time');
          process.exit(1);
        }, CONTROL_DRAIN_TIMEOUT_MS);
        drain.unref();
        (async () => {
          await control?.close();
          clearTimeout(drain);
          // The drain (TESSERA_SHUTDOWN_DRAIN_SECONDS, up to 300 s) comes first and is on top:
          // counted in, any drain over 10 s was cut by exit 1 with the database not closed.
          const force = setTimeout(() => process.exit(1), server.runtime.config.shutdownDrainMs + STOP_TIMEOUT_MS);
          force.unref();
          await server.stop();
        })().then(
          () => process.exit(0),
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  });
}

/** Reads only the file, never the database: runs in the CLI process whether a server runs or not. */
export function configCommands(): Command {
  const cmd = new Command('config').description('declarative configuration file');
  cmd
    .command('check')
    .argument('[file]', 'the YAML file (default: $TESSERA_CONFIG)')
    .description('validate a configuration file without applying it')
    .action((file?: string) => {
      const target = file ?? process.env.TESSERA_CONFIG;
      if (!target) throw new CliError('name a file, or set TESSERA_CONFIG');
      const cfg = readDeclarativeConfig(target);
      out(
        `${target}: valid (${cfg.admins?.length ?? 0} admin(s), ${cfg.apiKeys?.length ?? 0} API key(s), ${cfg.settings ? Object.keys(cfg.settings).length : 0} setting(s))`,
      );
    });
  return cmd;
}
