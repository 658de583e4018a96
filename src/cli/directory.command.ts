import { Command } from 'commander';
import { z } from 'zod';
import type { SyncRunDto } from '../directory/directory.schemas.js';
import { cliContext } from '../lib/context.js';
import { runDataCommand, type DataCommand } from './data-command.js';
import { CliError, type CommandOutput } from './io.js';

const SIGN: Record<string, string> = { create: '+', link: '=', update: '~', deactivate: '-', reactivate: '+', delete: 'x', unlink: '/', keep: '.' };

function report(io: CommandOutput, name: string, run: SyncRunDto) {
  const counts =
    Object.entries(run.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'no changes';
  const took = run.durationMs !== null ? ` in ${(run.durationMs / 1000).toFixed(1)} s` : '';
  io.out(`${name}: ${run.isDryRun ? 'dry run ' : ''}${run.status} (${run.mode})${took}: ${counts}`);
  if (run.error) io.out(`  ${run.error}`);
  for (const c of run.changes) io.out(`  ${SIGN[c.action] ?? '?'} ${c.action} ${c.label}${c.fields ? ` (${c.fields.join(', ')})` : ''}`);
}

/**
 * `tessera directory sync`: for cron and scripts. Prints what changed (or would, with --dry-run);
 * exits 1 when a sync fails, 3 when the removal threshold holds it for an admin's confirmation.
 * Each domain's sync applies in one transaction (sync.service.ts): all of it or nothing.
 */
export const directorySync: DataCommand<{ domain?: string; dryRun?: boolean; full?: boolean }> = {
  name: 'directory sync',
  options: z.strictObject({ domain: z.string().max(300).optional(), dryRun: z.boolean().optional(), full: z.boolean().optional() }),
  async run({ services }, opts, io) {
    const domains = opts.domain ? [await services.domains.byName(opts.domain)] : (await services.domains.list()).filter((d) => d.isSyncEnabled);
    if (domains.length === 0) throw new CliError(opts.domain ? `no domain named ${opts.domain}` : 'no domain with saved credentials to sync');
    let exit = 0;
    for (const d of domains) {
      const run = await services.directorySync.syncDomain(cliContext(), d.id, { trigger: 'cli', dryRun: opts.dryRun, full: opts.full });
      report(io, d.name, run);
      if (run.status === 'failed') exit = 1;
      else if (run.status === 'awaiting_confirmation' && exit === 0) exit = 3;
    }
    return exit;
  },
};

export function directoryCommands(): Command {
  const cmd = new Command('directory').description('directory domains (Active Directory, Entra ID)');
  cmd
    .command('sync')
    .description('sync every domain with saved credentials, or one')
    .option('--domain <name>', 'only this domain')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--full', 'full listing even when an incremental one is possible')
    .action(async (opts: { domain?: string; dryRun?: boolean; full?: boolean }) => {
      await runDataCommand(directorySync, {
        ...(opts.domain !== undefined ? { domain: opts.domain } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.full ? { full: true } : {}),
      });
    });
  return cmd;
}
