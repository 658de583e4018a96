import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { createPubSub, type PubSub } from '../db/pubsub.js';
import type { EmployeeSummary } from '../employees/employee.service.js';
import type { Clock } from '../lib/clock.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';
import { createActivityService } from './activity.service.js';
import { createAgentAuthService } from './agent-auth.service.js';
import { createAgentBus } from './agent-bus.js';
import { createAgentHub } from './agent-hub.js';
import { createCredentialDeliveryService, type DirectoryPassword, type KeyDeliveryPolicy, type WorkstationAccount } from './credential-delivery.service.js';
import type { WebAuthnService } from '../authn/webauthn.service.js';
import { createProfileService } from './profile.service.js';
import { createWorkstationService } from './workstation.service.js';

/** The workstation feature's services, wired once (src/app/services.ts spreads them into the graph). */
export function createWorkstationServices(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  credentialLimiter: CredentialLimiter;
  config: { publicUrl: string; redisUrl?: string; databaseUrl?: string; redisPrefix: string };
  /** The app's pub/sub (shared with other features); one is made from config when absent. */
  pubsub?: PubSub;
  nodeId: string;
  departmentExists: (id: string) => Promise<boolean>;
  employeeIdForLogon: (account: string) => Promise<string | undefined>;
  employeeSummaries: (ids: string[]) => Promise<EmployeeSummary[]>;
  /** Credential delivery (issue 14 item 6): WebAuthn, the keys (src/vaults), the secrets (src/directory, the vault). */
  delivery: {
    webauthn: Pick<WebAuthnService, 'startAuthentication' | 'finishAuthentication' | 'origin' | 'rpID'>;
    activeKeyCredentials: (employeeId: string) => Promise<{ keyId: string; serial: string; credentialId: string }[]>;
    keyOfCredential: (credentialId: string) => Promise<{ id: string; state: string; serial: string; employeeId: string | null } | undefined>;
    keyPolicy?: (keyId: string) => Promise<KeyDeliveryPolicy | undefined>;
    directoryPasswords: (employeeId: string) => Promise<DirectoryPassword[]>;
    /** The employee's directory accounts (ids) the logon name names: the only ones delivered. */
    logonAccountIds: (employeeId: string, account: string) => Promise<string[]>;
    workstationAccounts?: (employeeId: string) => Promise<WorkstationAccount[]>;
  };
}) {
  const { db, audit, clock, config } = deps;
  // Redis pub/sub when REDIS_URL, PostgreSQL LISTEN/NOTIFY otherwise; in-process on the embedded database.
  const pubsub = deps.pubsub ?? createPubSub({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl, prefix: config.redisPrefix });
  const bus = createAgentBus(pubsub, () => {});
  const profiles = createProfileService({ db, audit, bus, departmentExists: deps.departmentExists });
  const activity = createActivityService({
    db,
    audit,
    clock,
    profiles,
    employeeIdForLogon: deps.employeeIdForLogon,
    employeeSummaries: deps.employeeSummaries,
    workstationNames: (ids) => workstations.namesByIds(ids),
    isEmergencyActive: async () => (await workstations.emergency()).active,
  });
  const workstations = createWorkstationService({
    db,
    audit,
    clock,
    bus,
    profiles,
    departmentExists: deps.departmentExists,
    openSessionWorkstations: activity.openSessionWorkstations,
  });
  const agentAuth = createAgentAuthService({
    db,
    audit,
    clock,
    bus,
    credentialLimiter: deps.credentialLimiter,
    audience: config.publicUrl,
    departmentExists: deps.departmentExists,
    profileExists: profiles.exists,
  });
  const credentialDelivery = createCredentialDeliveryService({
    audit,
    clock,
    workstations,
    isEmergencyActive: async () => (await workstations.emergency()).active,
    employeeIdForLogon: deps.employeeIdForLogon,
    employeeSummaries: deps.employeeSummaries,
    ...deps.delivery,
  });
  const agentHub = createAgentHub({ db, clock, audit, bus, profiles, nodeId: deps.nodeId });
  return {
    workstations,
    workstationProfiles: profiles,
    workstationActivity: activity,
    agentAuth,
    agentHub,
    credentialDelivery,
    agentPubSub: pubsub,
  };
}
