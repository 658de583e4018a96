import type { AuditAction } from '../audit/audit.actions.js';
import { toAuditDto } from '../audit/audit.schemas.js';
import { dashboardDto } from './dashboard.schemas.js';
import type { SyncStatusDto } from '../directory/directory.schemas.js';
import type { MailService } from '../mail/mail.service.js';
import type { SamlKeyStore } from '../sso/saml-core/keys.js';
import type { App } from '../http/types.js';
import { errors } from '../http/schemas.js';
import type { AdminService } from '../admins/admin.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { EmployeeService } from '../employees/employee.service.js';
import type { Clock } from '../lib/clock.js';
import type { HardwareKeyService } from '../vaults/hardware-key.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type DashboardRoutesDeps = {
  admins: AdminService;
  audit: AuditService;
  clock: Clock;
  employees: EmployeeService;
  hardwareKeys: HardwareKeyService;
  directorySyncStatus: () => Promise<SyncStatusDto[]>;
  mail: MailService;
  samlKeys: SamlKeyStore;
};

/** Sign-in attempts counted on the dashboard: a wrong TOTP code after a right password is a failed sign-in too. */
const SIGN_IN_ACTIONS: AuditAction[] = ['admin.sign_in', 'admin.sign_in_totp', 'setup.completed', 'employee.sign_in'];

export async function dashboardRoutes(app: App, services: DashboardRoutesDeps) {
  app.get(
    '/dashboard',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Get the dashboard figures',
        description:
          "Employees by status, the number of admins, today's successful and failed sign-ins (UTC day), hardware keys by lifecycle state, the rollout (never invited, invited, invitation expired, enrolled; in total and by department), each directory domain's sync status (last run, next run, runs held for confirmation), outgoing mail health (last send, last failure, failures in 24 h, mails waiting), signing certificates with the days left, and the latest audit events.",
        tags: ['Dashboard'],
        response: { 200: dashboardDto, ...errors },
      },
    },
    async () => {
      const now = services.clock.now();
      const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      const count = (outcome: 'success' | 'failure') =>
        Promise.all(SIGN_IN_ACTIONS.map((action) => services.audit.count({ action, outcome, from }))).then((ns) => ns.reduce((a, b) => a + b, 0));
      // First, on its own: on a fresh server it makes the signing key in a transaction (PGlite has one connection).
      const saml = await services.samlKeys.signingCertificateStatus();
      const [byStatus, admins, success, failure, recent, keysByState, rollout, directorySync, mail] = await Promise.all([
        services.employees.countByStatus(),
        services.admins.count(),
        count('success'),
        count('failure'),
        services.audit.find({}, { offset: 0, limit: 10 }),
        services.hardwareKeys.countByState(),
        services.employees.rollout(),
        services.directorySyncStatus(),
        services.mail.health(),
      ]);
      const active = byStatus.active ?? 0,
        deactivated = byStatus.deactivated ?? 0,
        disabled = byStatus.disabled ?? 0;
      return {
        employees: { total: active + deactivated + disabled, active, deactivated, disabled },
        admins,
        signInsToday: { success, failure },
        recentEvents: recent.items.map(toAuditDto),
        hardwareKeys: keysByState,
        rollout,
        directorySync,
        mail,
        certificates: [
          {
            kind: 'saml_signing' as const,
            label: 'SAML and WS-Fed signing certificate',
            subject: saml.subject,
            fingerprint: saml.fingerprint,
            expiresAt: saml.expiresAt.toISOString(),
            daysLeft: saml.daysLeft,
            next: saml.next ? { publishedAt: saml.next.publishedAt.toISOString(), activatesAt: saml.next.activatesAt.toISOString() } : null,
            isExpiringSoon: saml.isRolloverDue,
            renewPath: '/saml',
          },
        ],
      };
    },
  );
}
