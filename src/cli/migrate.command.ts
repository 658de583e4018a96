import { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { openDatabase, pgliteTemplatePath } from '../db/connection.js';
import { runMigrations, type MigrationRun } from '../db/migrate.js';
import { cliLock, runDataCommand, type DataCommand } from './data-command.js';
import { processOutput, type CommandOutput } from './io.js';

/** Migrations through a running server find the schema current (it migrated at start). */
export const migrate: DataCommand<Record<string, never>> = {
  name: 'migrate',
  options: z.strictObject({}),
  async run({ database }, _opts, io) {
    return printMigrations(io, await runMigrations(database));
  },
};

function printMigrations(io: CommandOutput, { applied, changed, unknown }: MigrationRun): number {
  io.out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database schema is up to date.');
  if (changed.length) io.out(`Warning: applied with other SQL than this version's files have: ${changed.join(', ')}`);
  if (unknown.length) io.out(`Warning: applied by a newer version of Tessera, unknown to this one: ${unknown.join(', ')}`);
  return 0;
}

export function migrateCommand(): Command {
  return new Command('migrate').description('apply database migrations and exit').action(async () => {
    // In this process: the database alone (no services, no master key), migrated and closed.
    await runDataCommand(migrate, {}, async () => {
      const config = loadConfig();
      const database = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        template: pgliteTemplatePath(),
        lock: cliLock('migrate'),
      });
      try {
        return printMigrations(processOutput, await runMigrations(database));
      } finally {
        await database.close();
      }
    });
  });
}
