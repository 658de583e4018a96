import { Command } from 'commander';
import { withRuntime } from './admin.command.js';
import { out } from './io.js';

export function auditCommands(): Command {
  const cmd = new Command('audit').description('the audit log');
  cmd.command('verify')
    .description('recompute the hash chain; exits 1 if any record was changed or removed')
    .action(async () => {
      await withRuntime(async ({ services }) => {
        const result = await services.audit.verifyChain();
        if (result.ok) {
          out(`Audit log intact: ${result.checked} record(s) verified.`);
        } else {
          out(`AUDIT LOG TAMPERED: record ${result.brokenAt!.id}: ${result.brokenAt!.reason} (${result.checked} record(s) verified before it).`);
          process.exitCode = 1;
        }
      });
    });
  return cmd;
}
