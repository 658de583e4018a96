import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { BrandingService } from '../branding/branding.service.js';
import type { Config } from '../config/config.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import { systemContext, type RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import { sameSmtpDestination, type SettingsService } from '../settings/settings.service.js';
import * as repo from './mail.repository.js';
import type { MailDto, MailHealthDto, SmtpTestSettings } from './mail.schemas.js';

export { mailStatuses, type MailDto } from './mail.schemas.js';
import { renderNotificationMail } from './mail.templates.js';
import { createMailTransport, describeSendError, isSmtpConfigured, type MailTransport } from './mail.transport.js';

/** SMTP settings typed in the form and not saved; `password` absent: the saved one, null: none. */
export type UnsavedSmtp = SmtpTestSettings;

/** What the audit record says of the settings a test used: never the password, only where it came from. */
const testDetails = (unsaved?: UnsavedSmtp) =>
  unsaved
    ? {
        unsaved: true,
        host: unsaved.host,
        port: unsaved.port,
        tls: unsaved.tls,
        username: unsaved.username,
        from: unsaved.from,
        password: unsaved.password === undefined ? 'saved' : unsaved.password === null ? 'none' : 'typed',
      }
    : { unsaved: false };

export const mailKinds = ['invitation', 'notification', 'test'] as const;
export type MailKind = (typeof mailKinds)[number];

export interface MailMessage {
  kind: MailKind;
  /** The record the mail is about (an invitation's id), to show its delivery next to it. */
  relatedId?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivery of the latest mail about a record, as the invitation list shows it. */
export interface MailDelivery {
  status: repo.MailStatus;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

/** After this many failed attempts a mail is marked failed; an admin can retry it. */
export const MAX_ATTEMPTS = 10;
/** Backoff after attempt n: 1, 2, 4 … minutes, capped at an hour (about 8 hours over 10 attempts). */
export const retryDelayMs = (attempts: number) => Math.min(2 ** Math.max(0, attempts - 1), 60) * 60_000;
/** How long a claimed mail is left alone by other nodes; longer than the worst-case SMTP timeouts. */
const LEASE_MS = 5 * 60_000;
/** Send outcomes are kept a week: the dashboard reads the last 24 hours. */
const SEND_ATTEMPT_RETENTION_MS = 7 * 86_400_000;
export const NOT_CONFIGURED = 'SMTP is not configured';

const bodyAad = (id: string) => `mail_outbox.body:${id}`;

const toDto = (m: repo.MailRow): MailDto => ({
  id: m.id,
  kind: m.kind,
  relatedId: m.relatedId,
  toAddress: m.toAddress,
  subject: m.subject,
  status: m.status as repo.MailStatus,
  attempts: m.attempts,
  lastError: m.lastError,
  createdAt: m.createdAt.toISOString(),
  nextAttemptAt: m.status === 'pending' ? m.nextAttemptAt.toISOString() : null,
  sentAt: m.sentAt?.toISOString() ?? null,
});

export type MailService = ReturnType<typeof createMailService>;

export function createMailService(deps: {
  db: Db;
  sealer: Sealer;
  settings: SettingsService;
  branding: BrandingService;
  audit: AuditService;
  clock: Clock;
  config: Pick<Config, 'publicUrl'>;
}) {
  const { db, sealer, settings, branding, audit, clock, config } = deps;
  const worker = systemContext('mail');

  const outboxRow = (msg: MailMessage, id: string, now: Date) => ({
    id,
    kind: msg.kind,
    relatedId: msg.relatedId ?? null,
    toAddress: msg.to.trim(),
    subject: msg.subject.replace(/[\r\n]+/g, ' ').slice(0, 500),
    // The body may hold a sign-up link: sealed, bound to this row.
    body: sealer.seal(JSON.stringify({ text: msg.text, html: msg.html }), bodyAad(id)),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  });

  /**
   * Queues a mail. Pass the caller's transaction so that the mail and what it is about (an
   * invitation) are written together: if one is saved, so is the other.
   */
  async function enqueue(msg: MailMessage, tx?: Executor): Promise<string> {
    const id = crypto.randomUUID();
    await repo.insertMail(tx ?? db, outboxRow(msg, id, clock.now()));
    return id;
  }

  /** Many messages at once in the caller's transaction (an import's invitations): multi-row INSERTs; their ids in order. */
  async function enqueueMany(msgs: readonly MailMessage[], tx: Executor): Promise<string[]> {
    const now = clock.now();
    const rows = msgs.map((m) => outboxRow(m, crypto.randomUUID(), now));
    await repo.insertMails(tx, rows);
    return rows.map((r) => r.id);
  }

  /** The saved SMTP settings and password, or undefined when there is not enough to send. */
  async function openTransport(unsaved?: UnsavedSmtp): Promise<{ transport: MailTransport; password?: string } | undefined> {
    const values = await settings.get();
    const smtp = unsaved ? { host: unsaved.host, port: unsaved.port, tls: unsaved.tls, username: unsaved.username, from: unsaved.from } : values.smtp;
    if (!isSmtpConfigured(smtp)) return undefined;
    // A password left blank in the form is the saved one; null: none. The saved one goes only to
    // the saved server as the saved user: a form that changes either (or drops TLS) must carry the
    // password again, or whoever may press "Send test e-mail" could send it to a server of theirs.
    const typed = unsaved?.password;
    if (unsaved && typed === undefined && smtp.username && !sameSmtpDestination(values.smtp, smtp))
      throw new AppError('mail.password_required', 'The form changes the SMTP server or user: enter the SMTP password again to send a test e-mail', {
        field: 'smtp.password',
      });
    const password = !smtp.username ? undefined : typed === undefined ? await settings.getSecret('smtp.password') : (typed ?? undefined);
    return { transport: createMailTransport({ smtp, password, fromName: values.organisationName }), password };
  }

  /**
   * Sends what is due: claims a batch (safe with several nodes), sends each, and records the
   * outcome. A failure is retried later with backoff; after MAX_ATTEMPTS the mail is failed.
   */
  async function processDue(limit = 20): Promise<{ sent: number; retrying: number; failed: number; waiting: number }> {
    const result = { sent: 0, retrying: 0, failed: 0, waiting: 0 };
    const opened = await openTransport();
    if (!opened) {
      // Nothing is lost: the mails stay pending, and go as soon as SMTP is configured.
      result.waiting = await repo.markDueMailsWaiting(db, clock.now(), NOT_CONFIGURED);
      return result;
    }
    const { transport, password } = opened;
    try {
      const claimed = await repo.claimDueMails(db, clock.now(), new Date(clock.now().getTime() + LEASE_MS), limit);
      for (const mail of claimed) {
        const outcome = await deliver(transport, mail, password);
        result[outcome]++;
      }
    } finally {
      transport.close();
    }
    return result;
  }

  async function deliver(transport: MailTransport, mail: repo.MailRow, password: string | undefined): Promise<'sent' | 'retrying' | 'failed'> {
    const audited = { to: mail.toAddress, subject: mail.subject, kind: mail.kind, attempts: mail.attempts };
    const target = { type: 'mail', id: mail.id, label: mail.toAddress };
    try {
      const body = JSON.parse(sealer.open(mail.body, bodyAad(mail.id))) as { text: string; html: string };
      await transport.send({ to: mail.toAddress, subject: mail.subject, ...body, outboxId: mail.id });
    } catch (err) {
      const lastError = describeSendError(err, [password]);
      const isFinal = mail.attempts >= MAX_ATTEMPTS;
      await db.transaction(async (tx) => {
        await recordAttempt(tx, mail.kind, lastError);
        await repo.updateMailById(
          tx,
          mail.id,
          isFinal ? { status: 'failed', lastError } : { lastError, nextAttemptAt: new Date(clock.now().getTime() + retryDelayMs(mail.attempts)) },
        );
        if (isFinal) await audit.record(worker, { action: 'mail.failed', outcome: 'failure', target, details: { ...audited, error: lastError } }, tx);
      });
      return isFinal ? 'failed' : 'retrying';
    }
    await db.transaction(async (tx) => {
      await recordAttempt(tx, mail.kind, null);
      await repo.updateMailById(tx, mail.id, { status: 'sent', sentAt: clock.now(), lastError: null });
      await audit.record(worker, { action: 'mail.sent', target, details: audited }, tx);
    });
    return 'sent';
  }

  /**
   * Sends a test mail at once (not queued), so the admin sees the SMTP server's answer: with the
   * saved settings, or with a form's unsaved ones (`unsaved`), which are not saved.
   */
  async function sendTest(ctx: RequestContext, to: string, unsaved?: UnsavedSmtp): Promise<void> {
    const opened = await openTransport(unsaved);
    if (!opened)
      throw new AppError(
        'mail.not_configured',
        unsaved
          ? 'Enter the SMTP host and the from address to send a test e-mail'
          : 'Set the SMTP host and the from address, and save, before sending a test e-mail',
      );
    const { transport, password } = opened;
    const mail = renderNotificationMail({
      branding: await branding.get(),
      publicUrl: config.publicUrl,
      firstName: null,
      title: 'Test e-mail from Tessera',
      paragraphs: [
        'This message shows that Tessera can send e-mail with the SMTP settings saved in the console. Invitations and notifications will look like this one.',
      ],
    });
    const target = { type: 'mail', id: null, label: to };
    try {
      await transport.send({ to, ...mail });
    } catch (err) {
      const error = describeSendError(err, [password]);
      await recordAttempt(db, 'test', error);
      await audit.record(ctx, { action: 'mail.test_sent', outcome: 'failure', target, details: { to, error, ...testDetails(unsaved) } });
      throw new AppError('mail.send_failed', `The test e-mail could not be sent: ${error}`);
    } finally {
      transport.close();
    }
    await recordAttempt(db, 'test', null);
    await audit.record(ctx, { action: 'mail.test_sent', target, details: { to, ...testDetails(unsaved) } });
  }

  /** One attempt's outcome for the mail health (kind and error only: the error text has the SMTP password masked). */
  function recordAttempt(tx: Executor, kind: string, error: string | null): Promise<void> {
    const now = clock.now();
    return repo.insertSendAttempt(
      tx,
      { kind, outcome: error === null ? 'sent' : 'failed', error, at: now },
      new Date(now.getTime() - SEND_ATTEMPT_RETENTION_MS),
    );
  }

  /** The dashboard's outgoing mail health: configured or not, the last attempt, the last failure, and failures in the last 24 hours. */
  async function health(): Promise<MailHealthDto> {
    const since = new Date(clock.now().getTime() - 24 * 3_600_000);
    const [values, last, lastFailure, failuresLast24h, waiting] = await Promise.all([
      settings.get(),
      repo.findLastSendAttempt(db),
      repo.findLastSendAttempt(db, 'failed'),
      repo.countFailedSendAttemptsSince(db, since),
      repo.countMailsByStatus(db, 'pending'),
    ]);
    return {
      isConfigured: isSmtpConfigured(values.smtp),
      lastAttempt: last ? { at: last.at.toISOString(), outcome: last.outcome, kind: last.kind } : null,
      lastFailure: lastFailure ? { at: lastFailure.at.toISOString(), error: lastFailure.error ?? 'unknown error', kind: lastFailure.kind } : null,
      failuresLast24h,
      pending: waiting,
    };
  }

  /** Sends a failed (or waiting) mail again now, with a fresh set of attempts. */
  async function retry(ctx: RequestContext, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const mail = await repo.findMailById(tx, id);
      if (!mail) throw new AppError('mail.not_found', 'Mail was not found');
      if (mail.status === 'sent') throw new AppError('mail.already_sent', 'This mail was already sent');
      await repo.updateMailById(tx, id, { status: 'pending', attempts: 0, nextAttemptAt: clock.now() });
      await audit.record(
        ctx,
        {
          action: 'mail.retried',
          target: { type: 'mail', id, label: mail.toAddress },
          details: { subject: mail.subject, kind: mail.kind, previousStatus: mail.status, attempts: mail.attempts },
        },
        tx,
      );
    });
  }

  async function statusForRelated(relatedIds: string[]): Promise<Map<string, MailDelivery>> {
    const rows = await repo.findLatestMailsByRelatedIds(db, relatedIds);
    return new Map(
      rows.map((m) => [
        m.relatedId!,
        {
          status: m.status as repo.MailStatus,
          attempts: m.attempts,
          lastError: m.lastError,
          sentAt: m.sentAt?.toISOString() ?? null,
        },
      ]),
    );
  }

  async function list(query: { status?: repo.MailStatus; page: number; pageSize: number }) {
    const { items, total } = await repo.findMails(db, { status: query.status }, { offset: (query.page - 1) * query.pageSize, limit: query.pageSize });
    return { items: items.map(toDto), total, page: query.page, pageSize: query.pageSize };
  }

  return { enqueue, enqueueMany, processDue, sendTest, retry, statusForRelated, list, health, outboxCounts: () => repo.countMailsPerStatus(db) };
}
