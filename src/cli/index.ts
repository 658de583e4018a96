import { Command, CommanderError } from 'commander';
import { adminCommands } from './admin.command.js';
import { describeError } from './io.js';
import { auditCommands } from './audit.command.js';
import { backupCommands } from './backup.command.js';
import { keyCommands } from './keys.command.js';
import { directoryCommands } from './directory.command.js';
import { entraCommands } from './entra.command.js';
import { migrateCommand } from './migrate.command.js';
import { serveCommand, configCommands } from './server.command.js';
import { vaultCommands } from './vault.command.js';

/** Errors a person can act on are printed as one line; anything else with its stack. */
function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  const known = describeError(err);
  if (known) {
    process.stderr.write(`${known.line}\n`);
    return known.exitCode;
  }
  process.stderr.write(`tessera: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}

export function buildCli(): Command {
  const program = new Command('tessera').description('Tessera: enterprise passwordless identity server').showHelpAfterError().exitOverride();
  program.addCommand(serveCommand());
  program.addCommand(migrateCommand());
  program.addCommand(adminCommands());
  program.addCommand(auditCommands());
  program.addCommand(keyCommands());
  program.addCommand(configCommands());
  program.addCommand(directoryCommands());
  program.addCommand(entraCommands());
  program.addCommand(vaultCommands());
  for (const c of backupCommands()) program.addCommand(c);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
  } catch (err) {
    process.exitCode = report(err);
  }
}

// Run when executed directly (tsx src/cli/index.ts, or bin/tessera.js importing the built file).
if (process.argv[1] && /cli[\\/]index\.(ts|js)$/.test(process.argv[1])) {
  await runCli(process.argv.slice(2));
}
