import { Command } from 'commander';
import type { SyncRunDto } from '../directory/directory.schemas.js';
import { cliContext } from '../lib/context.js';
import { withRuntime } from './admin.command.js';
import { CliError, out } from './io.js';

const SIGN: Record<string, string> = { create: '+', link: '=', update: '~', deactivate: '-', reactivate: '+', delete: 'x', unlink: '/', keep: '.' };

function report(name: string, run: SyncRunDto) {
  const counts = Object.entries(run.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'no changes';
  const took = run.durationMs !== null ? ` in ${(run.durationMs / 1000).toFixed(1)} s` : '';
  out(`${name}: ${run.isDryRun ? 'dry run ' : ''}${run.status} (${run.mode})${took}: ${counts}`);
  if (run.error) out(`  ${run.error}`);
  for (const c of run.changes) out(`  ${SIGN[c.action] ?? '?'} ${c.action} ${c.label}${c.fields ? ` (${c.fields.join(', ')})` : ''}`);
}

/**
 * `tessera directory sync`: for cron and scripts. Prints what changed (or would, with --dry-run);
 * exits 1 when a sync fails, 3 when the removal threshold holds it for an admin's confirmation.
 */
export function directoryCommands(): Command {
  const cmd = new Command('directory').description('directory domains (Active Directory, Entra ID)');
  cmd.command('sync')
    .description('sync every domain with saved credentials, or one')
    .option('--domain <name>', 'only this domain')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--full', 'full listing even when an incremental one is possible')
    .action(async (opts: { domain?: string; dryRun?: boolean; full?: boolean }) => {
      await withRuntime(async ({ services }) => {
        const domains = opts.domain ? [await services.domains.byName(opts.domain)] : (await services.domains.list()).filter((d) => d.isSyncEnabled);
        if (domains.length === 0) throw new CliError(opts.domain ? `no domain named ${opts.domain}` : 'no domain with saved credentials to sync');
        let exit = 0;
        for (const d of domains) {
          const run = await services.directorySync.syncDomain(cliContext(), d.id, { trigger: 'cli', dryRun: opts.dryRun, full: opts.full });
          report(d.name, run);
          if (run.status === 'failed') exit = 1;
          else if (run.status === 'awaiting_confirmation' && exit === 0) exit = 3;
        }
        process.exitCode = exit;
      });
    });
  return cmd;
}
