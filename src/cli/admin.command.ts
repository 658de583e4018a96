import { Command } from 'commander';
import { z } from 'zod';
import { cliContext } from '../lib/context.js';
import { randomToken } from '../security/tokens.js';
import { runDataCommand, type DataCommand } from './data-command.js';
import { CliError, readStdin } from './io.js';

/** A strong password for a person to type once and change: 24 URL-safe characters. */
const generatedPassword = () => randomToken(18);

/** The password, when --password-stdin gave one: read by the CLI, sent in the request, never printed or logged. */
const password = z.string().max(1024).optional();

export const adminCreate: DataCommand<{ email: string; name: string; password?: string }> = {
  name: 'admin create',
  options: z.strictObject({ email: z.string().max(320), name: z.string().max(200), password }),
  async run({ services, config }, opts, io) {
    const pw = opts.password ?? generatedPassword();
    const admin = await services.admins.create(cliContext(), { email: opts.email, name: opts.name, password: pw, source: 'cli' });
    io.out(`Created admin ${admin.email}.`);
    if (opts.password === undefined) io.out(`Password (shown once, change it after signing in): ${pw}`);
    io.out(`Sign in at ${config.publicUrl}/login`);
    return 0;
  },
};

export const adminRecover: DataCommand<{ email: string; password?: string; resetTotp?: boolean }> = {
  name: 'admin recover',
  options: z.strictObject({ email: z.string().max(320), password, resetTotp: z.boolean().optional() }),
  async run({ services, config }, opts, io) {
    const pw = opts.password ?? generatedPassword();
    const admin = await services.admins.findByEmail(opts.email);
    if (!admin) throw new CliError(`no admin with e-mail ${opts.email}`);
    await services.admins.setPassword(cliContext(), admin, pw, { action: 'admin.password_recovered', resetTotp: opts.resetTotp });
    io.out(`Password of ${admin.email} reset${opts.resetTotp ? ', authenticator app removed' : ''}; lockout cleared; sessions ended.`);
    if (opts.password === undefined) io.out(`New password (shown once, change it after signing in): ${pw}`);
    io.out(`Sign in at ${config.publicUrl}/login`);
    return 0;
  },
};

export const adminRecoveryCodes: DataCommand<{ email: string }> = {
  name: 'admin recovery-codes',
  options: z.strictObject({ email: z.string().max(320) }),
  async run({ services, config }, opts, io) {
    const admin = await services.admins.findByEmail(opts.email);
    if (!admin) throw new CliError(`no admin with e-mail ${opts.email}`);
    const codes = await services.recoveryCodes.issueFromShell(cliContext(), admin.id);
    io.out(`New recovery codes of ${admin.email} (shown once; the previous ones no longer work):`);
    for (const code of codes) io.out(`  ${code}`);
    io.out(`Each signs in once at ${config.publicUrl}/login, in place of a code from the authenticator app.`);
    return 0;
  },
};

export const adminList: DataCommand<Record<string, never>> = {
  name: 'admin list',
  options: z.strictObject({}),
  async run({ services }, _opts, io) {
    for (const a of await services.admins.list()) io.out(`${a.email}\t${a.name}\t${a.totpEnabled ? 'totp' : 'password only'}`);
    return 0;
  },
};

/** --password-stdin: read here, in the administrator's shell, whichever process carries the command out. */
async function passwordFrom(opts: { passwordStdin?: boolean }): Promise<string | undefined> {
  return opts.passwordStdin ? readStdin() : undefined;
}

export function adminCommands(): Command {
  const cmd = new Command('admin').description('manage admin accounts from the server shell');

  cmd
    .command('create')
    .description('create an admin (the first one, or another)')
    .requiredOption('--email <email>', 'e-mail address (sign-in name)')
    .requiredOption('--name <name>', 'full name')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (opts: { email: string; name: string; passwordStdin?: boolean }) => {
      await runDataCommand(adminCreate, { email: opts.email, name: opts.name, password: await passwordFrom(opts) });
    });

  cmd
    .command('recover')
    .description("reset a forgotten admin password (and optionally the authenticator app); ends the admin's sessions")
    .requiredOption('--email <email>', "the admin's e-mail address")
    .option('--password-stdin', 'read the new password from standard input instead of generating one')
    .option('--reset-totp', "also remove the admin's authenticator app (lost phone)")
    .action(async (opts: { email: string; passwordStdin?: boolean; resetTotp?: boolean }) => {
      await runDataCommand(adminRecover, { email: opts.email, password: await passwordFrom(opts), ...(opts.resetTotp ? { resetTotp: true } : {}) });
    });

  cmd
    .command('recovery-codes')
    .description('print a new set of TOTP recovery codes for an admin who lost the phone and the codes (the old set stops working)')
    .requiredOption('--email <email>', "the admin's e-mail address")
    .action(async (opts: { email: string }) => {
      await runDataCommand(adminRecoveryCodes, { email: opts.email });
    });

  cmd
    .command('list')
    .description('list admins')
    .action(async () => {
      await runDataCommand(adminList, {});
    });
  return cmd;
}
