import { adminErrorCodes } from '../admins/admin.codes.js';
import { apiKeyErrorCodes } from '../api-keys/api-key.codes.js';
import { applicationAccessErrorCodes } from '../applications/application-access.codes.js';
import { applicationIconErrorCodes } from '../applications/application-icon.codes.js';
import { auditForwardErrorCodes } from '../audit/audit-forward.codes.js';
import { authnErrorCodes } from '../authn/authn.codes.js';
import { directoryErrorCodes } from '../directory/directory.codes.js';
import { employeeErrorCodes } from '../employees/employee.codes.js';
import { entraErrorCodes } from '../directory/entra/entra.codes.js';
import { groupErrorCodes } from '../groups/group.codes.js';
import { invitationErrorCodes } from '../invitations/invitation.codes.js';
import { mailErrorCodes } from '../mail/mail.codes.js';
import { oidcErrorCodes } from '../sso/oidc/oidc.codes.js';
import { portalErrorCodes } from '../portal/portal.codes.js';
import { samlErrorCodes } from '../sso/saml/saml.codes.js';
import { settingsErrorCodes } from '../settings/settings.codes.js';
import { accessProfileErrorCodes } from '../vaults/access-profile.codes.js';
import { hardwareKeyErrorCodes } from '../vaults/hardware-key.codes.js';
import { vaultErrorCodes } from '../vaults/vault-account.codes.js';
import { vaultBackupErrorCodes } from '../vaults/vault-backup.codes.js';
import { workstationErrorCodes } from '../workstations/workstation.codes.js';
import type {} from '../sso/wsfed/wsfed.codes.js';
import { registerErrorCodes } from '../lib/errors.js';

/**
 * The central list of error codes: every feature's, registered once when the service graph is
 * built (src/app/services.ts imports this file). The features' audit actions need no registration:
 * they are types, merged into AuditAction by each feature's codes file.
 */
for (const list of [
  adminErrorCodes,
  apiKeyErrorCodes,
  applicationAccessErrorCodes,
  applicationIconErrorCodes,
  auditForwardErrorCodes,
  authnErrorCodes,
  directoryErrorCodes,
  employeeErrorCodes,
  entraErrorCodes,
  groupErrorCodes,
  invitationErrorCodes,
  mailErrorCodes,
  oidcErrorCodes,
  portalErrorCodes,
  samlErrorCodes,
  settingsErrorCodes,
  hardwareKeyErrorCodes,
  accessProfileErrorCodes,
  vaultErrorCodes,
  vaultBackupErrorCodes,
  workstationErrorCodes,
])
  registerErrorCodes(list);
