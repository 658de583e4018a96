import './codes.js';
import { createAdminAuthService } from '../admins/admin-auth.service.js';
import { createAdminPasskeyService } from '../admins/admin-passkey.service.js';
import { createAdminService } from '../admins/admin.service.js';
import { createRecoveryCodeService } from '../admins/recovery-code.service.js';
import { createApiKeyService } from '../api-keys/api-key.service.js';
import { createAuditService } from '../audit/audit.service.js';
import { createAuditForwardService } from '../audit/audit-forward.service.js';
import { createMetrics } from '../metrics/metrics.js';
import { createCredentialService } from '../authn/credential.service.js';
import { createEmployeeAuthService } from '../authn/employee-auth.service.js';
import { createEmployeeFactorService } from '../authn/employee-factors.service.js';
import { createWebAuthnService, deriveDecoyKey } from '../authn/webauthn.service.js';
import { createBrandingService } from '../branding/branding.service.js';
import type { Config } from '../config/config.js';
import { createPubSub } from '../db/pubsub.js';
import type { Database, Executor } from '../db/connection.js';
import { deleteCredentialsBySubject } from '../authn/webauthn.repository.js';
import { createEmployeeService } from '../employees/employee.service.js';
import { createGroupService } from '../groups/group.service.js';
import { createOrganisationService } from '../employees/organisation.service.js';
import { createEnrolmentService } from '../invitations/enrolment.service.js';
import { createInvitationService } from '../invitations/invitation.service.js';
import { createMailService } from '../mail/mail.service.js';
import { renderInvitationMail, renderNotificationMail } from '../mail/mail.templates.js';
import type { Clock } from '../lib/clock.js';
import type { ConnectorFactory } from '../directory/connector-factory.js';
import type { MasterKey } from '../security/master-key.js';
import { createKeyRingSealer, type KeyRingSealer } from '../security/key-ring-sealer.js';
import { createCredentialLimiter } from '../security/credential-limiter.js';
import { createPortalService } from '../portal/portal.service.js';
import { createLostKeyService } from '../portal/lost-key.service.js';
import { createApplicationIconService } from '../applications/application-icon.service.js';
import { createApplicationAccessService, type AccessTarget } from '../applications/application-access.service.js';
import { findGroupsByIds, isMemberOfAny, searchGroups } from '../groups/group.repository.js';
import { employeeQuery } from '../employees/employee.schemas.js';
import { createSessionService } from '../sessions/session.service.js';
import { createSettingsService } from '../settings/settings.service.js';
import { createOidcService } from '../sso/oidc/oidc.service.js';
import { createSamlServices } from '../sso/saml/saml.services.js';
import { isSchemaCurrent, listMigrations } from '../db/migrate.js';
import { createDirectoryServices } from '../directory/directory.services.js';
import { createAppAccess } from '../sso/app-access.js';
import { createEmployeeAttributeSource } from '../sso/employee-attributes.js';
import { findGroupsOfEmployee } from '../groups/group.repository.js';
import { createEntraPasskeyService } from '../directory/entra/entra-passkey.service.js';
import { deriveCsrfKey } from '../http/csrf.js';
import { createWorkstationServices } from '../workstations/workstation.services.js';
import { createAccessProfileService } from '../vaults/access-profile.service.js';
import { createKeyActivationService } from '../vaults/activation.service.js';
import { createHardwareKeyService } from '../vaults/hardware-key.service.js';
import { createVaultRevealService } from '../vaults/vault-account.reveal.js';
import { createVaultAccountService } from '../vaults/vault-account.service.js';
import { createVaultTemplateService } from '../vaults/vault-account.templates.js';
import { createDeclaredVault } from '../vaults/vault-account.declared.js';
import { createVaultBackupService } from '../vaults/vault-backup.service.js';

export interface CoreDeps {
  config: Config;
  database: Database;
  masterKey: MasterKey;
  /** Keys that older sealed values may still use (during a key rotation). */
  previousKeys?: MasterKey[];
  clock: Clock;
  /** Directory connectors by kind (tests may wrap it); default: src/directory/connector-factory.ts. */
  connectorFactory?: ConnectorFactory;
}

/** Every service, wired once. The HTTP app, the CLI and the tests all build the same graph. */
export function createServices(deps: CoreDeps) {
  const { config, database, clock } = deps;
  const db = database.db;
  // One key ring for every service: `tessera keys rotate` through a running server switches it in place.
  const sealer: KeyRingSealer = createKeyRingSealer(deps.masterKey, deps.previousKeys);
  // Prometheus metrics (src/metrics): most counters are read off the audit records as they are written.
  const metrics = createMetrics();
  // Each record written also nudges audit forwarding (late-bound: forwarding reads the audit log).
  const audit = createAuditService({
    db,
    clock,
    onRecorded: (entry) => {
      metrics.countAudit(entry);
      auditForwarding.nudge();
    },
  });
  // Audit forwarding to SIEMs (src/audit/audit-forward.*): the audit log is the outbox.
  const auditForwarding = createAuditForwardService({ db, audit, sealer, clock, onFailure: metrics.countForwardFailure });
  const settings = createSettingsService({ db, sealer, audit, clock });
  const sessions = createSessionService({ db, clock });
  // Passkeys and security keys belong to their admin or employee and go when they are deleted.
  const credentials = createCredentialService({ db, audit });
  const deleteCredentialsOf = (type: 'admin' | 'employee') => async (tx: Executor, id: string) => {
    await deleteCredentialsBySubject(tx, type, id);
  };
  const adminAuth = createAdminAuthService({ db, audit, sealer, clock, settings });
  const admins = createAdminService({
    db,
    audit,
    sealer,
    clock,
    sessions,
    settings,
    deletionHooks: [deleteCredentialsOf('admin')],
    checkOwnPassword: adminAuth.checkOwnPassword,
  });
  const recoveryCodes = createRecoveryCodeService({ db, audit, sealer, clock, checkOwnTotp: adminAuth.checkOwnTotp });
  // Messages between nodes: Redis pub/sub when REDIS_URL, PostgreSQL LISTEN/NOTIFY otherwise,
  // in-process on the embedded database (src/db/pubsub.ts). Connects on first use.
  const pubsub = createPubSub({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl, prefix: config.redisPrefix });
  const organisation = createOrganisationService({ db, audit });
  // OIDC grants, tokens and provider sessions go when an employee is disabled or deleted.
  const oidc = createOidcService({
    db,
    audit,
    sealer,
    clock,
    pubsub,
    masterKey: deps.masterKey.key,
    keys: { rotationDays: config.oidcKeyRotationDays, retentionHours: config.oidcKeyRetentionHours },
  });
  // Computers where a disabled, deactivated or deleted employee is signed in lock in the same step
  // (src/workstations). Revocation also runs when an admin only ends the sessions of an active
  // employee: then the workstation profiles decide (sessionEndHooks), not this hook.
  const lockWorkstationsOf = async (tx: Executor, id: string): Promise<void> => {
    const status = (await employees.findById(id, tx))?.status;
    if (status === 'deactivated' || status === 'disabled') await workstationServices.workstations.onEmployeeRevoked(tx, id, status);
  };
  // A deleted employee's computers lock whatever the profile, unless being disabled already locked them.
  const lockWorkstationsOfDeleted = async (tx: Executor, id: string): Promise<void> => {
    if ((await employees.findById(id, tx))?.status !== 'disabled') await workstationServices.workstations.onEmployeeRevoked(tx, id, 'deleted');
  };
  const employees = createEmployeeService({
    db,
    audit,
    sessions,
    revocationHooks: [oidc.revokeEmployee, lockWorkstationsOf],
    deletionHooks: [deleteCredentialsOf('employee'), lockWorkstationsOfDeleted],
    sessionEndHooks: [(ctx, id) => workstationServices.workstations.onEmployeeSessionsEnded(ctx, id)],
    // Late-bound: the groups read employees, and are wired below.
    groups: { ofEmployee: (id) => groups.ofEmployee(id), memberIdsOf: (id) => groups.memberIdsOf(id) },
    // The rollout state (who holds a credential, who has an open invitation): late-bound, the invitations read employees.
    // A credential on a key that is not Active cannot sign in, so it does not count (late-bound: the keys are wired below).
    enrolmentSources: () => {
      const except = { exceptCredentialIds: hardwareKeys.credentialIdsOnInactiveKeys() };
      return {
        methods: {
          passkey: credentials.employeeIdsHolding('passkey', except),
          security_key: credentials.employeeIdsHolding('security_key', except),
          second_factor_key: credentials.employeeIdsHolding('second_factor_key', except),
          totp: credentials.employeeIdsHolding('totp'),
        },
        openInvitation: invitations.employeeIdsWithOpenInvitation(),
        anyInvitation: invitations.employeeIdsEverInvited(),
      };
    },
  });
  // Groups (src/groups): local ones managed here, directory ones shown as their domain's sync left them.
  const groups = createGroupService({
    db,
    audit,
    employees,
    domainNames: async () => new Map((await directory.domains.list()).map((d) => [d.id, d.name])),
  });
  // What OIDC claims, SAML attributes and WS-Fed claims say about an employee, from one place
  // (src/sso/employee-attributes.ts): their record, their real groups, their directory account.
  const employeeAttributes = createEmployeeAttributeSource({
    findEmployee: (id) => employees.findById(id),
    groupsOf: (id) => findGroupsOfEmployee(db, id),
    // Late-bound: the directory is wired further down.
    directoryAccountOf: (id, importingDomainId) => directory.directoryAccounts.claimsAccountOf(id, importingDomainId),
  });
  const apiKeys = createApiKeyService({ db, audit, clock });
  const branding = createBrandingService({ settings });
  const mail = createMailService({ db, sealer, settings, branding, audit, clock, config });
  const webauthn = createWebAuthnService({
    db,
    audit,
    clock,
    settings,
    config,
    decoyKey: deriveDecoyKey(deps.masterKey.key),
    // A directly attested security key not in the inventory gets its key row (src/vaults).
    afterEmployeeRegistration: () => async (ctx, tx, row, attested) => {
      await hardwareKeys.registerAtEnrolment(ctx, tx, row, attested);
    },
  });
  const employeeAuth = createEmployeeAuthService({
    // Late-bound: app access reads domain defaults, and the directory is wired further down.
    signInMethodOf: async (e) => (await appAccess.effectiveSso(e)).method,
    db,
    audit,
    sealer,
    clock,
    settings,
    webauthn,
    employees,
    // The key's state and whether its access profile requires user verification (src/vaults).
    keyStateOfCredential: async (id) => {
      const key = await hardwareKeys.keyStateOfCredential(id);
      if (!key) return undefined;
      const profile = await accessProfiles.effectiveForKey(key.id);
      return {
        state: key.state,
        serial: key.serial,
        userVerificationRequired: profile.userVerificationRequired,
        allowedAaguids: profile.allowedAaguids,
        accessProfile: profile.name,
      };
    },
  });
  const employeeFactors = createEmployeeFactorService({ db, audit, sealer, clock, settings, sessions, credentials });
  const adminPasskeys = createAdminPasskeyService({ audit, webauthn, credentials, admins, adminAuth });
  const invitations = createInvitationService({ db, audit, clock, settings, config, mail, renderMail: renderInvitationMail, employees });
  // One per-IP budget of failed credential checks for every endpoint that checks one (src/security/credential-limiter.ts).
  const credentialLimiter = createCredentialLimiter({
    clock,
    limitPerMinute: config.credentialLimitPerMinute,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
  });
  // Access profiles of the keys: applied at enrolment, sign-in and credential delivery.
  const accessProfiles = createAccessProfileService({ db, audit, clock });
  // Hardware keys (src/vaults): their lifecycle reaches credentials, sessions and domain passwords.
  const hardwareKeys = createHardwareKeyService({
    db,
    audit,
    clock,
    employees,
    defaultAccessProfile: (tx) => accessProfiles.defaultProfile(tx),
    effects: () => ({
      removeCredentials: (ctx, e, ids, tx) => credentials.removeByIds(ctx, { type: 'employee', id: e.id, label: e.email }, ids, tx),
      endSessions: (ctx, id) => employees.endSessions(ctx, id),
      rotatePasswordsNow: (ctx, id, reason) => directory.domainPasswords.rotateEmployeeNow(ctx, id, reason),
      // The mail body is sealed in the outbox (src/mail), so the code is not readable there either.
      mailActivationCode: async (_ctx, e, key, code) => {
        const enroll = new URL('/enroll', config.publicUrl).toString();
        const rendered = renderNotificationMail({
          branding: await branding.get(),
          publicUrl: config.publicUrl,
          firstName: e.firstName,
          title: 'Activate your security key',
          paragraphs: [
            `Security key ${key.serial}${key.model ? ` (${key.model})` : ''} was reserved for you.`,
            `To activate it, open ${enroll}, enter your e-mail address and this code: ${code}`,
            `The code works once and expires on ${key.activation?.expiresAt ?? 'its expiry date'}. After 5 wrong tries the key locks.`,
          ],
          action: { label: 'Activate the key', url: enroll },
        });
        await mail.enqueue({ kind: 'notification', relatedId: key.id, to: e.email, ...rendered });
      },
    }),
  });
  const keyActivation = createKeyActivationService({ db, audit, clock, employees, hardwareKeys, accessProfiles, credentialLimiter });
  const enrolment = createEnrolmentService({ db, invitations, webauthn, employeeAuth, employeeFactors, keyActivation });
  const applicationIcons = createApplicationIconService({ db, audit });
  // Who may use each SSO application (src/applications/application-access.service.ts): groups
  // (src/groups), departments and employees, read here so the feature reaches them through this root.
  const departmentsOf = async (): Promise<AccessTarget[]> =>
    (await organisation.listCompanies()).flatMap((c) => c.departments.map((d) => ({ kind: 'department' as const, id: d.id, name: d.name, detail: c.name })));
  const employeeTarget = (e: { id: string; email: string; firstName: string; lastName: string }): AccessTarget => ({
    kind: 'employee',
    id: e.id,
    name: `${e.firstName} ${e.lastName}`.trim() || e.email,
    detail: e.email,
  });
  const groupTarget = (g: { id: string; name: string; domainId: string | null }): AccessTarget => ({
    kind: 'group',
    id: g.id,
    name: g.name,
    detail: g.domainId ? 'directory group' : 'local group',
  });
  const applicationAccess = createApplicationAccessService({
    db,
    audit,
    directory: {
      isMemberOfAny: (employeeId, groupIds) => isMemberOfAny(db, employeeId, groupIds),
      groups: async (ids) => (await findGroupsByIds(db, ids)).map(groupTarget),
      departments: async (ids) => (ids.length === 0 ? [] : (await departmentsOf()).filter((d) => ids.includes(d.id))),
      employees: async (ids) => (await employees.summariesByIds(ids)).map(employeeTarget),
      search: async (q, limit) => {
        const text = q.trim().toLowerCase();
        const [groupRows, departmentRows, employeeRows] = await Promise.all([
          searchGroups(db, text, limit),
          departmentsOf(),
          employees.list(employeeQuery.parse({ q: text || undefined, pageSize: limit })),
        ]);
        return [
          ...groupRows.map(groupTarget),
          ...departmentRows.filter((d) => `${d.name} ${d.detail}`.toLowerCase().includes(text)).slice(0, limit),
          ...employeeRows.items.map(employeeTarget),
        ];
      },
    },
  });
  // The portal lists what the protocols would let the employee open: the same decision (src/sso/app-access.ts).
  const portal = createPortalService({
    audit,
    icons: applicationIcons,
    allowedFor: async (employeeId, apps) => {
      const employee = await employees.findById(employeeId);
      if (!employee) return [];
      const allowed = await Promise.all(apps.map(async (a) => (await appAccess.decideAppAccess(employee, { protocol: a.protocol, id: a.id })).allowed));
      return apps.filter((_, i) => allowed[i]);
    },
  });
  // "Lost your key?" (src/portal/lost-key.service.ts): every admin hears of it by mail, through the outbox.
  const lostKey = createLostKeyService({
    audit,
    now: () => clock.now(),
    findEmployeeByEmail: (email) => employees.findByEmail(email),
    adminAddresses: async () => (await admins.list()).map((a) => a.email),
    notifyAdmin: async (to, e, reportedFrom) => {
      const name = `${e.firstName} ${e.lastName}`.trim() || e.email;
      const page = new URL(`/employees/${e.id}`, config.publicUrl).toString();
      const rendered = renderNotificationMail({
        branding: await branding.get(),
        publicUrl: config.publicUrl,
        firstName: null,
        title: `${name} reported a lost key`,
        paragraphs: [
          `${name} (${e.email}) said on the sign-in page that they lost their security key or the device that holds their passkey${reportedFrom ? ` (reported from ${reportedFrom})` : ''}.`,
          'Nothing was changed: anyone can send this report for any address. Check with the employee, then suspend or remove the lost key, end their sessions if needed, and send them a new invitation or key.',
        ],
        action: { label: `Open ${name}`, url: page },
      });
      await mail.enqueue({ kind: 'notification', relatedId: e.id, to, ...rendered });
    },
  });
  // SAML 2.0 IdP and WS-Federation (src/sso/saml, src/sso/wsfed); their applications show in the portal.
  const saml = createSamlServices({
    db,
    sealer,
    audit,
    clock,
    sessions,
    portal,
    publicUrl: config.publicUrl,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    attributes: employeeAttributes,
  });
  // Directory domains, sync, domain passwords, hardware keys (src/directory, src/vaults).
  const directory = createDirectoryServices({
    db,
    audit,
    clock,
    sealer,
    employees,
    organisation,
    invitations,
    connectorFactory: deps.connectorFactory,
    findActiveKeyHolders: (ids) => hardwareKeys.findActiveKeyHolders(ids),
    // A second-factor key does not count: the portal shows a rotated password only after a vault
    // reveal, which a second-factor key cannot give.
    findPasskeySignInHolders: async (ids) =>
      webauthn.holders('employee', ids, { exceptCredentialIds: await hardwareKeys.credentialsOfInactiveKeys(ids), standalone: true }),
  });
  // Whether an employee may sign in to applications, and how (src/sso/app-access.ts): their own
  // override, else their importing domain's default, read at decision time.
  const appAccess = createAppAccess({
    domainDefaults: async (domainId) => {
      const d = await directory.domains.get(domainId).catch(() => undefined);
      return d ? { ssoEnabled: d.ssoEnabled, ssoMethod: d.ssoMethod } : undefined;
    },
    assignment: {
      isAllowed: (app, employee) => applicationAccess.isAllowed(app, employee),
      oidcClientUuid: async (clientId) => (await oidc.clients.findByClientId(clientId))?.id,
    },
  });
  // Vault accounts (src/vaults): personal, shared and directory accounts; secrets read after a passkey check.
  const directoryAccountsOf = (employeeId: string) => directory.directoryAccounts.listForEmployee(employeeId);
  const vaultAccounts = createVaultAccountService({
    db,
    audit,
    clock,
    sealer,
    findEmployee: (id, tx) => employees.findById(id, tx),
    existingEmployeeIds: async (ids) => new Set((await employees.summariesByIds(ids)).map((e) => e.id)),
    departmentExists: (id) =>
      organisation.getDepartment(id).then(
        () => true,
        () => false,
      ),
    directoryAccountsOf,
  });
  const vaultTemplates = createVaultTemplateService({ db, audit, clock });
  // The declarative file's vault templates and shared accounts (src/vaults/vault.config.ts).
  const declaredVault = createDeclaredVault({ db, audit, clock, sealer, vault: vaultAccounts, templates: vaultTemplates });
  const vaultReveal = createVaultRevealService({
    audit,
    clock,
    sealer,
    vault: vaultAccounts,
    // Only credentials that stand alone: a second-factor key cannot answer a reveal (acceptsCredential),
    // so an employee holding only such a key hears vault.no_passkey, not an empty ceremony.
    countCredentials: async (id) => ((await webauthn.holders('employee', [id], { standalone: true })).has(id) ? 1 : 0),
    startAssertion: ({ employeeId, bindTo }) =>
      webauthn.startAuthentication({ purpose: 'vault_reveal', subjectType: 'employee', subjectId: employeeId, userVerification: 'required', bindTo }),
    finishAssertion: async (ctx, input) => {
      const { credential, userVerified } = await webauthn.finishAuthentication(ctx, {
        ceremonyId: input.ceremonyId,
        purpose: 'vault_reveal',
        subjectType: 'employee',
        subjectId: input.employeeId,
        response: input.response,
        expect: input.expect,
      });
      return { credentialId: credential.id, userVerified };
    },
    keyStateOfCredential: (id) => hardwareKeys.keyStateOfCredential(id),
    directoryAccountsOf,
    currentPasswordsFor: (id, tx) => directory.domainPasswords.currentPasswordsFor(id, tx),
  });
  // Passkeys provisioned into Entra ID, with pairing states mirrored into Entra groups (src/directory/entra).
  const entraPasskeys = createEntraPasskeyService({
    db,
    audit,
    sealer,
    clock,
    connectorFactory: deps.connectorFactory,
    employees,
    // "Paired with Tessera" means a passkey or security key that signs in on its own (Entra EAM
    // answers with it): a second-factor key, used only after a password, does not count.
    credentialHolders: (ids) => webauthn.holders('employee', ids, { standalone: true }),
  });
  // Workstations and their agents: enrolment, channel, sessions and events, profiles, emergency block.
  const workstationServices = createWorkstationServices({
    db,
    pubsub,
    audit,
    clock,
    credentialLimiter,
    config,
    nodeId: directory.directoryNodeId,
    departmentExists: (id) =>
      organisation.getDepartment(id).then(
        () => true,
        () => false,
      ),
    employeeIdForLogon: (account) => directory.directoryAccounts.employeeIdForLogon(account),
    employeeSummaries: (ids) => employees.summariesByIds(ids),
    delivery: {
      webauthn,
      activeKeyCredentials: (id) => hardwareKeys.activeKeyCredentials(id),
      keyOfCredential: (id) => hardwareKeys.keyOfCredential(id),
      keyPolicy: (keyId) => accessProfiles.effectiveForKey(keyId),
      directoryPasswords: (id) => directory.domainPasswords.currentPasswordsFor(id),
      logonAccountIds: (id, account) => directory.directoryAccounts.accountIdsForLogon(id, account),
      // The vault accounts the employee marked for workstation use (issue 14 item 6), opened only for the JWE.
      workstationAccounts: (id) => vaultAccounts.accountsForWorkstation(id),
    },
  });
  // Backup and restore of vault accounts to a passphrase-encrypted file (src/vaults/vault-backup*).
  const vaultBackup = createVaultBackupService({
    db,
    audit,
    clock,
    sealer,
    source: config.publicUrl,
    employees: { findById: employees.findById, findByEmail: employees.findByEmail, summariesByIds: employees.summariesByIds },
    externalIds: {
      byEmployee: (ids, tx) => directory.directoryAccounts.externalIdsByEmployee(ids, tx),
      employeeIdFor: (ids, tx) => directory.directoryAccounts.employeeIdForExternalIds(ids, tx),
    },
    departments: async () => (await organisation.listCompanies()).flatMap((c) => c.departments.map((d) => ({ id: d.id, company: c.name, name: d.name }))),
  });
  // What the metrics' gauges read at a scrape; the job lag is added by the server's job runner.
  metrics.setSources({
    agentsConnected: () => workstationServices.agentHub.size(),
    mailOutbox: () => mail.outboxCounts(),
    heldSyncRuns: () => directory.directorySync.heldRunCount(),
    pool: database.poolStats,
    auditForwardBacklog: () => auditForwarding.backlogs(),
  });
  const expectedMigrations = listMigrations().map((m) => m.tag);
  return {
    config,
    database,
    db,
    clock,
    sealer,
    csrfKey: deriveCsrfKey(deps.masterKey.key),
    isSchemaCurrent: () => isSchemaCurrent(database, expectedMigrations),
    metrics,
    audit,
    auditForwarding,
    settings,
    sessions,
    admins,
    adminAuth,
    recoveryCodes,
    organisation,
    employees,
    groups,
    employeeAttributes,
    appAccess,
    apiKeys,
    webauthn,
    credentials,
    employeeAuth,
    employeeFactors,
    adminPasskeys,
    invitations,
    enrolment,
    hardwareKeys,
    accessProfiles,
    keyActivation,
    vaultAccounts,
    vaultTemplates,
    declaredVault,
    vaultReveal,
    portal,
    applicationIcons,
    applicationAccess,
    branding,
    mail,
    lostKey,
    ...directory,
    ...saml,
    oidc,
    entraPasskeys,
    credentialLimiter,
    ...workstationServices,
    vaultBackup,
  };
}

export type Services = ReturnType<typeof createServices>;
