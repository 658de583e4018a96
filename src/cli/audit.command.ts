import { Command } from 'commander';
import { z } from 'zod';
import { runDataCommand, type DataCommand } from './data-command.js';

export const auditVerify: DataCommand<Record<string, never>> = {
  name: 'audit verify',
  options: z.strictObject({}),
  async run({ services }, _opts, io) {
    const result = await services.audit.verifyChain();
    if (result.ok) {
      io.out(`Audit log intact: ${result.checked} record(s) verified.`);
      return 0;
    }
    io.out(`AUDIT LOG TAMPERED: record ${result.brokenAt!.id}: ${result.brokenAt!.reason} (${result.checked} record(s) verified before it).`);
    return 1;
  },
};

export function auditCommands(): Command {
  const cmd = new Command('audit').description('the audit log');
  cmd
    .command('verify')
    .description('recompute the hash chain; exits 1 if any record was changed or removed')
    .action(async () => {
      await runDataCommand(auditVerify, {});
    });
  return cmd;
}
