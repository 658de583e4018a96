import { adminCreate, adminList, adminRecover, adminRecoveryCodes } from './admin.command.js';
import { auditVerify } from './audit.command.js';
import { backup } from './backup.command.js';
import type { DataCommand } from './data-command.js';
import { directorySync } from './directory.command.js';
import { keysRotate } from './keys.command.js';
import { migrate } from './migrate.command.js';
import { vaultBackup, vaultRestore } from './vault.command.js';

/**
 * The commands a running server carries out for the CLI over its control channel; nothing else is
 * accepted there. `serve` is not one (a second server is refused by the lock), `config check`
 * reads only its file, and `entra enroll-key` talks to the server's HTTP API with an API key.
 */
export const dataCommands: DataCommand[] = [
  adminCreate,
  adminRecover,
  adminRecoveryCodes,
  adminList,
  auditVerify,
  keysRotate,
  directorySync,
  migrate,
  vaultBackup,
  vaultRestore,
  backup,
];
