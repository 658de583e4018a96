import { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { readDeclarativeConfig } from '../config/declarative.js';
import { openDatabase, pgliteTemplatePath } from '../db/connection.js';
import { runMigrations } from '../db/migrate.js';
import { startServer } from '../server.js';
import { out } from './io.js';

export function serveCommand(): Command {
  return new Command('serve').description('start the server (configuration from the environment)').action(async () => {
    const server = await startServer();
    const logger = server.runtime.logger;
    // Graceful shutdown: stop accepting, finish requests in flight, close the database.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        server.stop().then(() => process.exit(0), (err) => { logger.error({ err }, 'shutdown failed'); process.exit(1); });
      });
    }
  });
}

export function migrateCommand(): Command {
  return new Command('migrate').description('apply database migrations and exit').action(async () => {
    const config = loadConfig();
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, template: pgliteTemplatePath() });
    try {
      const { applied } = await runMigrations(database);
      out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database schema is up to date.');
    } finally {
      await database.close();
    }
  });
}

export function configCommands(): Command {
  const cmd = new Command('config').description('declarative configuration file');
  cmd.command('check').argument('[file]', 'the YAML file (default: $TESSERA_CONFIG)')
    .description('validate a configuration file without applying it')
    .action((file?: string) => {
      const target = file ?? process.env.TESSERA_CONFIG;
      if (!target) throw new Error('name a file, or set TESSERA_CONFIG');
      const cfg = readDeclarativeConfig(target);
      out(`${target}: valid (${cfg.admins?.length ?? 0} admin(s), ${cfg.apiKeys?.length ?? 0} API key(s), ${cfg.settings ? Object.keys(cfg.settings).length : 0} setting(s))`);
    });
  return cmd;
}
