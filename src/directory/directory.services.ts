import os from 'node:os';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { EmployeeService } from '../employees/employee.service.js';
import type { OrganisationService } from '../employees/organisation.service.js';
import type { InvitationService } from '../invitations/invitation.service.js';
import type { Clock } from '../lib/clock.js';
import type { Sealer } from '../security/sealing.js';
import { createAccountService } from './account.service.js';
import { createConnector, type ConnectorFactory } from './connector-factory.js';
import { createDomainService } from './domain.service.js';
import { passwordFaultInjection } from './fault-injection.js';
import { createPasswordService } from './password.service.js';
import { createSyncService } from './sync.service.js';
import { createSyncStatus } from './sync-status.js';
import { createSyncPreview } from './sync-preview.js';

/** The directory feature's services, wired once (src/app/services.ts spreads them into the graph). */
export function createDirectoryServices(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  sealer: Sealer;
  employees: EmployeeService;
  organisation: OrganisationService;
  invitations: InvitationService;
  connectorFactory?: ConnectorFactory;
  /** Those of the employees who hold an Active hardware key (src/vaults). */
  findActiveKeyHolders: (employeeIds: string[]) => Promise<Set<string>>;
  /** Those of the employees with a passkey or security key that signs in (none bound to a key that is not Active). */
  findPasskeySignInHolders: (employeeIds: string[]) => Promise<Set<string>>;
}) {
  const { db, audit, clock, sealer } = deps;
  const domains = createDomainService({ db, audit, sealer, clock, connectorFactory: deps.connectorFactory ?? createConnector });
  // Names this process in job leases, so an admin can tell which node runs a sync.
  const nodeId = `${os.hostname()}:${process.pid}`;
  // Rotation applies to active employees holding an Active hardware key, or, where the domain lets
  // the portal deliver, signing in to it with a passkey.
  const findRotationEligible = async (employeeIds: string[], opts: { portal: boolean }) => {
    const active = [...(await deps.employees.findActiveIds(employeeIds))];
    const holders = await deps.findActiveKeyHolders(active);
    if (!opts.portal) return holders;
    for (const id of await deps.findPasskeySignInHolders(active.filter((e) => !holders.has(e)))) holders.add(id);
    return holders;
  };
  return {
    domains,
    /** Every domain's sync at a glance, for the dashboard. */
    directorySyncStatus: createSyncStatus({ db, clock }),
    directorySync: createSyncService({
      db,
      audit,
      clock,
      domains,
      employees: deps.employees,
      organisation: deps.organisation,
      invitations: deps.invitations,
      nodeId,
    }),
    domainPasswords: createPasswordService({
      db,
      audit,
      clock,
      sealer,
      domains,
      findRotationEligible,
      employeeStatus: async (id) => (await deps.employees.findById(id))?.status,
      onStep: passwordFaultInjection(),
    }),
    syncPreview: createSyncPreview({ db, audit, domains, employees: deps.employees }),
    directoryAccounts: createAccountService({ db, domains, employees: deps.employees }),
    directoryNodeId: nodeId,
  };
}
