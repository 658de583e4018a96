import { Readable } from 'node:stream';
import type { App } from '../http/types.js';
import { errors } from '../http/schemas.js';
import { AppError } from '../lib/errors.js';
import { exportBody, PASSPHRASE_HEADER, restoreHeaders, restoreQuery, restoreReport } from './vault-backup.schemas.js';
import type { VaultBackupService } from './vault-backup.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type VaultBackupRoutesDeps = { vaultBackup: VaultBackupService; config: { vaultBackupMaxBytes: number } };

const FILE_TYPE = 'application/octet-stream';

/**
 * Backup and restore of vault accounts. Both need access `admin` (a signed-in admin, or an API key
 * of scope admin): a backup holds every secret of the vault in a form its passphrase opens.
 */
export async function vaultBackupRoutes(app: App, services: VaultBackupRoutesDeps) {
  const tags = ['Vault backup'];
  const backups = services.vaultBackup;

  app.post(
    '/vault/backup',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Download an encrypted vault backup',
        tags,
        body: exportBody,
        description:
          "Downloads an encrypted backup (application/octet-stream, [format](/docs/vault-backup-format)) of every vault template and account, or of one employee's (`employee`: e-mail or id): personal accounts, the shared accounts assigned to them, the templates these use. The file opens only with `passphrase` (at least 12 characters; argon2id). A download cut short is refused by a restore as truncated. Audited (never the passphrase).",
      },
    },
    async (request, reply) => {
      const { filename, stream } = await backups.exportBackup(request.ctx, request.body);
      reply.header('Content-Type', FILE_TYPE).header('Content-Disposition', `attachment; filename="${filename}"`).header('Cache-Control', 'no-store');
      return reply.send(Readable.from(stream));
    },
  );

  // The file as the body, as it is: a parser for its type only on this route, up to its own limit.
  await app.register(async (plugin) => {
    const scope = plugin as unknown as App;
    scope.addContentTypeParser(FILE_TYPE, { parseAs: 'buffer', bodyLimit: services.config.vaultBackupMaxBytes }, (_request, body, done) => done(null, body));
    scope.post(
      '/vault/restore',
      {
        // No route bodyLimit: it would lift the limit of every parser here, JSON included; the
        // file's parser carries its own (TESSERA_VAULT_BACKUP_MAX_BYTES).
        config: { access: 'admin' },
        schema: {
          summary: 'Restore a vault backup',
          tags,
          querystring: restoreQuery,
          headers: restoreHeaders,
          description: `Restores a backup: the body is the file (Content-Type ${FILE_TYPE}, at most TESSERA_VAULT_BACKUP_MAX_BYTES), its passphrase in the \`${PASSPHRASE_HEADER}\` header. In one transaction: conflicts (same id, or same owner and name) are skipped or overwritten (\`onConflict\`); employees this server does not know are reported, not restored. A wrong passphrase or a damaged file writes nothing (400 vault_backup.*). Audited.`,
          response: { 200: restoreReport, ...errors },
        },
      },
      async (request) => {
        if (!Buffer.isBuffer(request.body))
          throw new AppError('vault_backup.upload_invalid', `Send the backup file itself as the body, with Content-Type ${FILE_TYPE}`);
        return backups.restoreBackup(request.ctx, [request.body], { passphrase: request.headers[PASSPHRASE_HEADER], onConflict: request.query.onConflict });
      },
    );
  });
}
