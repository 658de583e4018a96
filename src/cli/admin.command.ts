import { Command } from 'commander';
import { cliContext } from '../lib/context.js';
import { openRuntime } from '../server.js';
import { randomToken } from '../security/tokens.js';
import { CliError, out, readStdin } from './io.js';

async function withRuntime<T>(fn: (rt: Awaited<ReturnType<typeof openRuntime>>) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ logger: undefined });
  try {
    return await fn(rt);
  } finally {
    await rt.database.close();
  }
}

/** A strong password for a person to type once and change: 24 URL-safe characters. */
const generatedPassword = () => randomToken(18);

export function adminCommands(): Command {
  const cmd = new Command('admin').description('manage admin accounts from the server shell');

  cmd.command('create')
    .description('create an admin (the first one, or another)')
    .requiredOption('--email <email>', 'e-mail address (sign-in name)')
    .requiredOption('--name <name>', 'full name')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (opts: { email: string; name: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readStdin() : generatedPassword();
      await withRuntime(async ({ services, config }) => {
        const admin = await services.admins.create(cliContext(), { email: opts.email, name: opts.name, password, source: 'cli' });
        out(`Created admin ${admin.email}.`);
        if (!opts.passwordStdin) out(`Password (shown once, change it after signing in): ${password}`);
        out(`Sign in at ${config.publicUrl}/login`);
      });
    });

  cmd.command('recover')
    .description('reset a forgotten admin password (and optionally the authenticator app); ends the admin\'s sessions')
    .requiredOption('--email <email>', 'the admin\'s e-mail address')
    .option('--password-stdin', 'read the new password from standard input instead of generating one')
    .option('--reset-totp', 'also remove the admin\'s authenticator app (lost phone)')
    .action(async (opts: { email: string; passwordStdin?: boolean; resetTotp?: boolean }) => {
      const password = opts.passwordStdin ? await readStdin() : generatedPassword();
      await withRuntime(async ({ services, config }) => {
        const admin = await services.admins.findByEmail(opts.email);
        if (!admin) throw new CliError(`no admin with e-mail ${opts.email}`);
        await services.admins.setPassword(cliContext(), admin, password, { action: 'admin.password_recovered', resetTotp: opts.resetTotp });
        out(`Password of ${admin.email} reset${opts.resetTotp ? ', authenticator app removed' : ''}; lockout cleared; sessions ended.`);
        if (!opts.passwordStdin) out(`New password (shown once, change it after signing in): ${password}`);
        out(`Sign in at ${config.publicUrl}/login`);
      });
    });

  cmd.command('list').description('list admins').action(async () => {
    await withRuntime(async ({ services }) => {
      for (const a of await services.admins.list()) out(`${a.email}\t${a.name}\t${a.totpEnabled ? 'totp' : 'password only'}`);
    });
  });
  return cmd;
}

export { withRuntime };
