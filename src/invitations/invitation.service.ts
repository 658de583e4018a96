import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import type { Db, Executor } from '../db/connection.js';
import type { EmployeeLookup, EmployeeRow } from '../employees/employee.service.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { randomToken, sha256 } from '../security/tokens.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { InvitationDto, InvitationStatus } from './invitation.schemas.js';
import * as repo from './invitation.repository.js';

export interface MailDelivery {
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

/** The part of the mail service invitations use: the outbox, written in the invitation's transaction. */
export interface InvitationMailer {
  enqueue(msg: { kind: 'invitation'; relatedId: string; to: string; subject: string; text: string; html: string }, tx?: Executor): Promise<string>;
  /** Many at once in the caller's transaction; their ids in order. */
  enqueueMany(
    msgs: readonly { kind: 'invitation'; relatedId: string; to: string; subject: string; text: string; html: string }[],
    tx: Executor,
  ): Promise<string[]>;
  statusForRelated(relatedIds: string[]): Promise<Map<string, MailDelivery>>;
}

export type RenderInvitationMail = (input: {
  branding: { organisationName: string; primaryColor: string; hasLogo: boolean };
  publicUrl: string;
  firstName: string | null;
  link: string;
  expiresAt: Date;
}) => { subject: string; text: string; html: string };

export type { EmployeeRow };

export function invitationStatus(i: repo.InvitationRow, now: Date): InvitationStatus {
  if (i.usedAt) return 'used';
  if (i.revokedAt) return 'revoked';
  return i.expiresAt <= now ? 'expired' : 'open';
}

export type InvitationService = ReturnType<typeof createInvitationService>;

/**
 * Invitations: a one-time link `${PUBLIC_URL}/enroll?token=…` (256-bit token, only its SHA-256
 * stored) that lets an employee enrol a passkey or security key. A new invitation revokes the
 * employee's open ones; the first successful enrolment uses it up. The invitation and its mail
 * are written in one transaction.
 */
export function createInvitationService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  settings: SettingsService;
  config: Pick<Config, 'publicUrl'>;
  mail: InvitationMailer;
  renderMail: RenderInvitationMail;
  employees: EmployeeLookup;
}) {
  const { db, audit, clock, settings, config, mail, renderMail, employees } = deps;
  const target = (i: { id: string }, e: { email: string }) => ({ type: 'invitation', id: i.id, label: e.email });

  async function toDtos(rows: repo.InvitationRow[]): Promise<InvitationDto[]> {
    const deliveries = await mail.statusForRelated(rows.map((r) => r.id));
    const now = clock.now();
    return rows.map((i) => {
      const d = deliveries.get(i.id);
      return {
        id: i.id,
        employeeId: i.employeeId,
        status: invitationStatus(i, now),
        createdAt: i.createdAt.toISOString(),
        expiresAt: i.expiresAt.toISOString(),
        usedAt: i.usedAt?.toISOString() ?? null,
        revokedAt: i.revokedAt?.toISOString() ?? null,
        createdBy: i.createdBy,
        mail: d ? { status: d.status, attempts: d.attempts, lastError: d.lastError, sentAt: d.sentAt } : null,
      };
    });
  }

  async function activeEmployee(tx: Executor, employeeId: string): Promise<EmployeeRow> {
    const employee = await employees.findById(employeeId, tx);
    if (!employee) throw new AppError('employees.not_found', 'Employee was not found');
    if (employee.status !== 'active')
      throw new AppError('invitations.employee_inactive', `${employee.email} is ${employee.status}: activate the employee before inviting them`);
    return employee;
  }

  /** One invitation, in the caller's transaction; the employee's open ones are revoked. */
  /**
   * What an invitation needs from the settings, read before its transaction opens: settings are
   * read through the pool, and on PGlite an open transaction holds the only connection.
   */
  async function invitationSettings() {
    const s = await settings.getResponse();
    return {
      validityDays: s.invitations.validityDays,
      branding: { organisationName: s.organisationName, primaryColor: s.branding.primaryColor, hasLogo: s.branding.hasLogo },
    };
  }

  async function createIn(
    ctx: RequestContext,
    tx: Executor,
    employee: EmployeeRow,
    s: Awaited<ReturnType<typeof invitationSettings>>,
  ): Promise<{ invitation: repo.InvitationRow; token: string }> {
    const now = clock.now();
    const replaced = await repo.revokeOpenInvitations(tx, employee.id, now);
    for (const old of replaced)
      await audit.record(
        ctx,
        { action: 'invitation.revoked', target: target(old, employee), details: { employee: employee.id, reason: 'replaced by a new invitation' } },
        tx,
      );
    const token = randomToken(32);
    const expiresAt = new Date(now.getTime() + s.validityDays * 86_400_000);
    const invitation = await repo.insertInvitation(tx, {
      employeeId: employee.id,
      tokenHash: sha256(token),
      createdBy: ctx.actor.label,
      createdAt: now,
      expiresAt,
    });
    const rendered = renderMail({
      branding: s.branding,
      publicUrl: config.publicUrl,
      firstName: employee.firstName || null,
      link: `${config.publicUrl}/enroll?token=${token}`,
      expiresAt,
    });
    const mailId = await mail.enqueue({ kind: 'invitation', relatedId: invitation.id, to: employee.email, ...rendered }, tx);
    await repo.updateInvitationMailId(tx, invitation.id, mailId);
    await audit.record(
      ctx,
      {
        action: replaced.length > 0 ? 'invitation.resent' : 'invitation.created',
        target: target(invitation, employee),
        details: { employee: employee.id, expiresAt: expiresAt.toISOString(), ...(replaced.length > 0 ? { replaced: replaced.map((r) => r.id) } : {}) },
      },
      tx,
    );
    return { invitation: { ...invitation, mailId }, token };
  }

  /** Invites one employee (again): a new link by mail; older open links stop working. */
  async function create(ctx: RequestContext, employeeId: string): Promise<{ invitation: InvitationDto; token: string }> {
    const s = await invitationSettings();
    const { invitation, token } = await db.transaction(async (tx) => createIn(ctx, tx, await activeEmployee(tx, employeeId), s));
    return { invitation: (await toDtos([invitation]))[0], token };
  }

  /** Invites several employees at once: all of them, or none when one cannot be invited. */
  async function createMany(ctx: RequestContext, employeeIds: string[]): Promise<InvitationDto[]> {
    const ids = [...new Set(employeeIds)];
    const s = await invitationSettings();
    const rows = await db.transaction(async (tx) => {
      const invitees: EmployeeRow[] = [];
      for (const id of ids) invitees.push(await activeEmployee(tx, id));
      const created: repo.InvitationRow[] = [];
      for (const e of invitees) created.push((await createIn(ctx, tx, e, s)).invitation);
      return created;
    });
    return toDtos(rows);
  }

  /** Sends the invitation's employee a fresh link (a new token and mail); the old link stops working. */
  async function resend(ctx: RequestContext, invitationId: string) {
    const old = await repo.findInvitationById(db, invitationId);
    if (!old) throw new AppError('invitations.not_found', 'Invitation was not found');
    return create(ctx, old.employeeId);
  }

  async function revoke(ctx: RequestContext, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await repo.findInvitationById(tx, id);
      if (!current) throw new AppError('invitations.not_found', 'Invitation was not found');
      if (current.usedAt) throw new AppError('invitations.used', "This invitation was already used: remove the employee's credentials instead");
      if (current.revokedAt) return;
      await repo.revokeInvitationById(tx, id, clock.now());
      const employee = await employees.findById(current.employeeId, tx);
      await audit.record(
        ctx,
        { action: 'invitation.revoked', target: target(current, employee ?? { email: current.employeeId }), details: { employee: current.employeeId } },
        tx,
      );
    });
  }

  /** Why a link cannot be used, as the enrolment page shows it. */
  function refusal(i: repo.InvitationRow): AppError {
    if (i.usedAt) return new AppError('invitations.used', 'This invitation link was already used. Sign in, or ask your administrator for a new invitation.');
    if (i.revokedAt)
      return new AppError(
        'invitations.revoked',
        'This invitation link was replaced or withdrawn. Use the newest invitation e-mail, or ask your administrator for a new one.',
      );
    return new AppError('invitations.expired', 'This invitation link has expired. Ask your administrator for a new invitation.');
  }

  /** The open invitation of a link and its employee, or the reason it cannot be used. */
  async function open(token: string): Promise<{ invitation: repo.InvitationRow; employee: EmployeeRow }> {
    const invitation = await repo.findInvitationByTokenHash(db, sha256(token));
    if (!invitation) throw new AppError('invitations.not_found', 'This invitation link is not valid: check that you opened the whole link from the e-mail.');
    if (invitationStatus(invitation, clock.now()) !== 'open') throw refusal(invitation);
    const employee = await employees.findById(invitation.employeeId);
    if (!employee) throw new AppError('invitations.not_found', 'This invitation link is not valid');
    if (employee.status !== 'active') throw new AppError('invitations.employee_inactive', 'This account is disabled. Contact your administrator.');
    return { invitation, employee };
  }

  /** Uses the invitation up, in the enrolment's transaction; a second use gets 410 invitations.used. */
  async function consume(ctx: RequestContext, tx: Executor, invitation: repo.InvitationRow, employee: EmployeeRow): Promise<void> {
    const used = await repo.consumeInvitation(tx, invitation.id, clock.now());
    if (!used) throw refusal((await repo.findInvitationById(tx, invitation.id)) ?? invitation);
    if ((await employees.findById(employee.id, tx))?.status !== 'active') {
      throw new AppError('invitations.employee_inactive', 'This account is disabled. Contact your administrator.');
    }
    await audit.record(ctx, { action: 'invitation.used', target: target(invitation, employee), details: { employee: employee.id } }, tx);
  }

  return {
    create,
    createMany,
    /** For callers that invite inside their own transaction (directory import): read the settings first, then invite in the transaction. */
    settingsForInvite: invitationSettings,
    /**
     * Invitations for employees created, active, in the caller's transaction (a directory import):
     * none has an invitation to replace. Tokens, mails and invitations are made in memory and
     * written in multi-row statements, with their `invitation.created` records appended in bulk.
     */
    async createForNewInTransaction(
      ctx: RequestContext,
      tx: Executor,
      created: readonly { id: string; email: string; firstName: string }[],
      s: Awaited<ReturnType<typeof invitationSettings>>,
    ): Promise<void> {
      if (created.length === 0) return;
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + s.validityDays * 86_400_000);
      const items = created.map((employee) => {
        const token = randomToken(32);
        return { employee, token, id: crypto.randomUUID() };
      });
      const mailIds = await mail.enqueueMany(
        items.map(({ employee, token, id }) => ({
          kind: 'invitation',
          relatedId: id,
          to: employee.email,
          ...renderMail({
            branding: s.branding,
            publicUrl: config.publicUrl,
            firstName: employee.firstName || null,
            link: `${config.publicUrl}/enroll?token=${token}`,
            expiresAt,
          }),
        })),
        tx,
      );
      await repo.insertInvitations(
        tx,
        items.map(({ employee, token, id }, k) => ({
          id,
          employeeId: employee.id,
          tokenHash: sha256(token),
          createdBy: ctx.actor.label,
          createdAt: now,
          expiresAt,
          mailId: mailIds[k],
        })),
      );
      await audit.recordMany(
        ctx,
        items.map(({ employee, id }) => ({
          action: 'invitation.created',
          target: target({ id }, employee),
          details: { employee: employee.id, expiresAt: expiresAt.toISOString() },
        })),
        tx,
      );
    },
    resend,
    revoke,
    open,
    consume,
    /** Subqueries of employee ids for the employees list's rollout state: with an invitation open now, and ever invited. */
    employeeIdsWithOpenInvitation: () => repo.employeeIdsWithOpenInvitation(db, clock.now()),
    employeeIdsEverInvited: () => repo.employeeIdsEverInvited(db),
    async listForEmployee(employeeId: string): Promise<InvitationDto[]> {
      if (!(await employees.findById(employeeId))) throw new AppError('employees.not_found', 'Employee was not found');
      return toDtos(await repo.findInvitationsByEmployee(db, employeeId));
    },
  };
}
