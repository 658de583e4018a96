import nodemailer from 'nodemailer';
import type { SettingsValues } from '../settings/settings.schemas.js';

export type SmtpSettings = SettingsValues['smtp'];

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * The outbox row the mail comes from: its Message-ID is made from it, so a mail sent again (a
   * node died after the SMTP server took it, before the outbox said "sent") carries the same
   * Message-ID, which mail clients and archives use to drop the duplicate (RFC 5322 §3.6.4).
   */
  outboxId?: string;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** Ports by convention when none is set: 465 for implicit TLS (RFC 8314), 587 for submission. */
const defaultPort = (tls: SmtpSettings['tls']) => (tls === 'tls' ? 465 : tls === 'starttls' ? 587 : 25);

/** A slow or silent SMTP server must not hold a worker (or an admin's test click) for minutes. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export const isSmtpConfigured = (smtp: SmtpSettings): smtp is SmtpSettings & { host: string; from: string } => Boolean(smtp.host && smtp.from);

/**
 * An SMTP transport for the saved settings. TLS modes:
 * - `tls`: TLS from the first byte (port 465);
 * - `starttls`: plain connect, then STARTTLS, which is required: a server that does not offer it
 *   (or a downgrade attack that strips it) fails the send instead of sending the password in clear;
 * - `none`: plain text, never upgraded (a relay on the local network).
 */
export function createMailTransport(opts: { smtp: SmtpSettings & { host: string; from: string }; password?: string; fromName: string }): MailTransport {
  const { smtp } = opts;
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port ?? defaultPort(smtp.tls),
    secure: smtp.tls === 'tls',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    auth: smtp.username ? { user: smtp.username, pass: opts.password ?? '' } : undefined,
    ...TIMEOUTS,
  });
  return {
    async send(mail) {
      await transporter.sendMail({
        from: { name: opts.fromName, address: smtp.from },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // RFC 3834: out-of-office replies and other robots must not answer automatic mail.
        headers: { 'Auto-Submitted': 'auto-generated' },
        ...(mail.outboxId ? { messageId: `<${mail.outboxId}@${smtp.from.split('@').pop()}>` } : {}),
      });
    },
    close: () => transporter.close(),
  };
}

/**
 * The SMTP server's answer, fit to show an admin and to store: one line, bounded, and without the
 * password, should a server ever echo it back.
 */
export function describeSendError(err: unknown, secrets: (string | undefined)[] = []): string {
  let message = err instanceof Error ? err.message : String(err);
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64')]) message = message.split(form).join('[redacted]');
  }
  return message.replace(/\s+/g, ' ').trim().slice(0, 1000) || 'unknown error';
}
