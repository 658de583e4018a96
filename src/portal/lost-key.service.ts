import type { AuditService } from '../audit/audit.service.js';
import type { RequestContext } from '../lib/context.js';

/** How many reports one address (IP) may send an hour: enough for a person, too few to spam the admins. */
export const LOST_KEY_REPORTS_PER_HOUR = 5;
/** The admins are mailed about one employee at most once in this time; later reports are only audited. */
export const LOST_KEY_MAIL_INTERVAL_MS = 60 * 60 * 1000;

/** The employee a report names, as far as the lost-key service needs one. */
export interface LostKeyEmployee {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

export type LostKeyService = ReturnType<typeof createLostKeyService>;

/**
 * "Lost your key?" on the sign-in page: an employee who lost their security key or passkey device
 * reports it with their e-mail address, before anyone is signed in.
 *
 * - The answer is the same whether the address belongs to an employee or not (no enumeration); an
 *   unknown address is audited as a failure, so that admins see someone probing.
 * - Nothing is suspended or removed: anyone can send this request for anyone's address, so it only
 *   tells the admins (every admin, by mail through the outbox, which keeps the mail until SMTP
 *   works), and the audit log (`employee.key_lost_reported`, on the employee) keeps it in any case.
 *   An admin acts: suspends the key, ends sessions, sends a new invitation.
 * - The admins hear of one employee at most once an hour (LOST_KEY_MAIL_INTERVAL_MS), however many
 *   addresses send reports; every report is audited (`alreadyReported: true` when not mailed).
 */
export function createLostKeyService(deps: {
  audit: AuditService;
  now: () => Date;
  findEmployeeByEmail: (email: string) => Promise<LostKeyEmployee | undefined>;
  adminAddresses: () => Promise<string[]>;
  /** Queues the mail to one admin about this employee (rendered in the organisation's branding). */
  notifyAdmin: (to: string, employee: LostKeyEmployee, reportedFrom: string | null) => Promise<void>;
}) {
  const { audit } = deps;
  return {
    async report(ctx: RequestContext, email: string): Promise<void> {
      const employee = await deps.findEmployeeByEmail(email);
      if (!employee) {
        await audit.record(ctx, {
          action: 'employee.key_lost_reported',
          outcome: 'failure',
          target: { type: 'employee', id: null, label: email.slice(0, 254) },
          details: { reason: 'unknown address' },
        });
        return;
      }
      // One mail per employee an hour: the per-IP limit alone lets many addresses (a botnet, or
      // anyone with a few networks) mail every admin about the same person again and again.
      const recent = await audit.find(
        { action: 'employee.key_lost_reported', targetId: employee.id, outcome: 'success', from: new Date(deps.now().getTime() - LOST_KEY_MAIL_INTERVAL_MS) },
        { offset: 0, limit: 50 },
      );
      const alreadyReported = recent.items.some((e) => Number((e.details as { adminsNotified?: unknown }).adminsNotified) > 0);
      const admins = alreadyReported ? [] : await deps.adminAddresses();
      for (const to of admins) await deps.notifyAdmin(to, employee, ctx.ip ?? null);
      await audit.record(ctx, {
        action: 'employee.key_lost_reported',
        target: { type: 'employee', id: employee.id, label: employee.email },
        details: { adminsNotified: admins.length, ...(alreadyReported ? { alreadyReported: true } : {}) },
      });
    },
  };
}
