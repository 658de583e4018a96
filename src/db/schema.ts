// Every feature's tables, for drizzle-kit (drizzle.config.ts) and the typed query API (connection.ts).
// A feature's own repository imports its tables file directly, never this barrel.
export * from '../admins/admin.tables.js';
export * from '../sessions/session.tables.js';
export * from '../employees/employee.tables.js';
export * from '../api-keys/api-key.tables.js';
export * from '../audit/audit.tables.js';
export * from '../audit/audit-forward.tables.js';
export * from '../settings/settings.tables.js';
export * from './system-state.tables.js';
export * from '../authn/authn.tables.js';
export * from '../invitations/invitation.tables.js';
export * from '../mail/mail.tables.js';
export * from '../sso/saml/saml.tables.js';
export * from '../directory/directory.tables.js';
export * from '../vaults/access-profile.tables.js';
export * from '../vaults/hardware-key.tables.js';
export * from '../jobs/job-lease.tables.js';
export * from '../directory/entra/entra.tables.js';
export * from '../sso/oidc/oidc.tables.js';
export * from '../workstations/workstation.tables.js';
export * from '../vaults/vault-account.tables.js';
export * from '../applications/application-icon.tables.js';
export * from '../groups/group.tables.js';
export * from '../applications/application-access.tables.js';
