import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { cliContext } from '../lib/context.js';
import { newPassphrase, onConflict, type OnConflict, type RestoreReport } from '../vaults/vault-backup.schemas.js';
import { runDataCommand, type DataCommand } from './data-command.js';
import { CliError, processOutput, type CommandOutput } from './io.js';
import { readPassphrase } from './secret-input.js';

/**
 * `tessera vault backup` and `tessera vault restore`: the vault's encrypted backup
 * (docs/vault-backup-format.md) from the server's shell, on both paths of a data command (the
 * running server carries it out on the embedded database, this process on PostgreSQL or with no
 * server). The file is read and written here, with the administrator's permissions; over the
 * control channel it travels in data frames (control-protocol.ts). The passphrase is read at a
 * silent prompt or from --passphrase-file, never from the command line. Both are audited as the
 * HTTP API's are, with the actor `cli` and never the passphrase.
 */

export const vaultBackup: DataCommand<{ passphrase: string; employee?: string }> = {
  name: 'vault backup',
  options: z.strictObject({ passphrase: newPassphrase, employee: z.string().min(1).max(320).optional() }),
  writesFile: true,
  async run({ services }, opts, io) {
    const write = io.write;
    if (!write) throw new CliError('`vault backup` needs a file to write');
    const { scope, stream, counts } = await services.vaultBackup.exportBackup(cliContext(), opts);
    let bytes = 0;
    for await (const chunk of stream) {
      bytes += chunk.length;
      await write(chunk);
    }
    const of = scope.kind === 'all' ? 'all vault accounts' : `the vault accounts of ${scope.email}`;
    io.out(`Backed up ${of}: ${counts.templates} template(s), ${counts.accounts} account(s), ${bytes} bytes.`);
    return 0;
  },
};

export const vaultRestore: DataCommand<{ passphrase: string; onConflict: OnConflict }> = {
  name: 'vault restore',
  options: z.strictObject({ passphrase: z.string().min(1).max(1024), onConflict }),
  input: { maxBytes: (config) => config.vaultBackupMaxBytes },
  async run({ services, config }, opts, io) {
    const input = io.input;
    if (!input) throw new CliError('`vault restore` needs the backup file');
    const report = await services.vaultBackup.restoreBackup(cliContext(), limited(input, config.vaultBackupMaxBytes), opts);
    printReport(io, report);
    return 0;
  },
};

/** The file as read, refused past the limit (on the direct path; the server checks its own on receipt). */
async function* limited(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of input) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new CliError(`the file is larger than TESSERA_VAULT_BACKUP_MAX_BYTES (${maxBytes} bytes): nothing was restored`);
    yield chunk;
  }
}

function printReport(io: CommandOutput, r: RestoreReport) {
  const of = r.scope.kind === 'all' ? 'all vault accounts' : `the vault accounts of ${r.scope.email}`;
  io.out(`Restored the backup of ${of} made ${r.createdAt} on ${r.source} (on conflict: ${r.onConflict}):`);
  io.out(`  templates: ${r.templates.created} created, ${r.templates.overwritten} overwritten, ${r.templates.skipped} skipped`);
  io.out(`  accounts: ${r.accounts.created} created, ${r.accounts.overwritten} overwritten, ${r.accounts.skipped} skipped`);
  io.out(`  shared-account assignments added: ${r.assignmentsAdded}`);
  if (r.unknownEmployeeCount > 0) {
    const more = r.unknownEmployeeCount > r.unknownEmployees.length ? ` and ${r.unknownEmployeeCount - r.unknownEmployees.length} more` : '';
    io.out(
      `  employees not on this server (${r.accounts.skippedUnknownEmployee} personal account(s) of theirs and their assignments were not restored; import or sync them, then restore again): ${r.unknownEmployees.join(', ')}${more}`,
    );
  }
  if (r.unknownDepartments.length > 0) io.out(`  departments not on this server (their assignments were not restored): ${r.unknownDepartments.join(', ')}`);
}

/**
 * Where a backup is saved: a new file only (never over an earlier backup), of mode 0600, written
 * under a temporary name beside it and given its name only once the command succeeded, so a file
 * of that name is always a whole backup.
 */
export function newFile(out: string) {
  const target = path.resolve(out);
  if (fs.existsSync(target)) throw new CliError(`${target} already exists: give another --out (a backup never replaces a file)`, 2);
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  let fd: number;
  try {
    fd = fs.openSync(partial, 'wx', 0o600);
  } catch (err) {
    throw new CliError(`cannot write in ${path.dirname(target)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let isOpen = true;
  const close = () => {
    if (isOpen) fs.closeSync(fd);
    isOpen = false;
  };
  return {
    target,
    async write(chunk: Uint8Array) {
      for (let at = 0; at < chunk.byteLength; ) at += fs.writeSync(fd, chunk, at);
    },
    commit() {
      fs.fsyncSync(fd);
      close();
      try {
        // link, not rename: it refuses a file created under that name meanwhile.
        fs.linkSync(partial, target);
        fs.unlinkSync(partial);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          fs.unlinkSync(partial);
          throw new CliError(`${target} was created while the backup ran: nothing was written over it`);
        }
        // A file system without hard links.
        fs.renameSync(partial, target);
      }
    },
    discard() {
      close();
      fs.rmSync(partial, { force: true });
    },
  };
}

/** The backup file to restore, opened again each time it is read (the CLI may try two paths). */
export function existingFile(file: string): AsyncIterable<Uint8Array> {
  const source = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
    fs.accessSync(source, fs.constants.R_OK);
  } catch (err) {
    throw new CliError(`cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2);
  }
  if (!stat.isFile()) throw new CliError(`${source} is not a file`, 2);
  return { [Symbol.asyncIterator]: () => fs.createReadStream(source)[Symbol.asyncIterator]() };
}

export function vaultCommands(): Command {
  const cmd = new Command('vault').description('the vault of employee accounts: encrypted backup and restore');
  cmd
    .command('backup')
    .description('write an encrypted backup of every vault account and template, or of one employee')
    .requiredOption('--out <file>', 'the backup file to create (refused if it exists)')
    .option('--employee <email>', "only this employee's accounts (e-mail or id)")
    .option('--passphrase-file <file>', 'read the passphrase from this file (- for standard input) instead of asking')
    .action(async (opts: { out: string; employee?: string; passphraseFile?: string }) => {
      const file = newFile(opts.out);
      let isDone = false;
      try {
        const passphrase = await readPassphrase({ passphraseFile: opts.passphraseFile, isNew: true });
        await runDataCommand(vaultBackup, { passphrase, ...(opts.employee !== undefined ? { employee: opts.employee } : {}) }, undefined, {
          ...processOutput,
          write: file.write,
        });
        if (process.exitCode === 0 || process.exitCode === undefined) {
          file.commit();
          isDone = true;
          processOutput.out(`Wrote ${file.target} (mode 0600). Keep the passphrase apart from it: the file opens with nothing else.`);
        }
      } finally {
        if (!isDone) file.discard();
      }
    });
  cmd
    .command('restore')
    .description('restore a backup into this server in one transaction: a wrong passphrase or a damaged file writes nothing')
    .argument('<file>', 'the backup file')
    .addOption(new Option('--on-conflict <what>', 'an account or template that exists here').choices(['skip', 'overwrite']).default('skip'))
    .option('--passphrase-file <file>', 'read the passphrase from this file (- for standard input) instead of asking')
    .action(async (file: string, opts: { onConflict: OnConflict; passphraseFile?: string }) => {
      const input = existingFile(file);
      const passphrase = await readPassphrase({ passphraseFile: opts.passphraseFile, isNew: false });
      await runDataCommand(vaultRestore, { passphrase, onConflict: opts.onConflict }, undefined, { ...processOutput, input });
    });
  return cmd;
}
