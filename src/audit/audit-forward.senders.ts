import crypto from 'node:crypto';
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import type { AuditRow } from './audit.repository.js';
import { syslogFacilities, type SplunkSettings, type SyslogSettings, type WebhookSettings } from './audit-forward.schemas.js';

/**
 * How a batch of audit events reaches each kind of receiver. A sender resolves once the receiver
 * has acknowledged the whole batch, and throws a DeliveryError otherwise; it never half-succeeds
 * silently (the cursor moves only after a resolve: src/audit/audit-forward.service.ts).
 */

/**
 * One forwarded event. `eventId` (installation id, audit record id, the start of its hash) is what a
 * receiver de-duplicates on; the hash keeps it unique after a restore from a backup, where the
 * record ids after the backup are written again by other records.
 */
export interface ForwardEvent {
  eventId: string;
  installationId: string;
  auditId: number;
  hash: string;
  at: string;
  action: string;
  outcome: string;
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string | null; label: string | null } | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export function toForwardEvent(installationId: string, r: AuditRow): ForwardEvent {
  return {
    eventId: `${installationId}:${r.id}:${r.hash.slice(0, 16)}`,
    installationId,
    auditId: r.id,
    hash: r.hash,
    at: r.at.toISOString(),
    action: r.action,
    outcome: r.outcome,
    actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
    target: r.targetType ? { type: r.targetType, id: r.targetId, label: r.targetLabel } : null,
    ip: r.ip,
    userAgent: r.userAgent,
    details: r.details ?? {},
  };
}

/** A refused or failed delivery: `retryable` when the receiver was unreachable or busy; otherwise it needs a fix. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface Sender {
  /** Resolves with what the receiver said once it acknowledged every event of the batch. */
  send(events: ForwardEvent[]): Promise<string>;
}

/** Longest a receiver may be silent, and (DEADLINE_MS) longest one send may take in all: a receiver
 * that trickles its answer a byte at a time must not hold the destination (and its lease) forever. */
const TIMEOUT_MS = 15_000;
const DEADLINE_MS = 30_000;
const MAX_ANSWER = 64 * 1024;

interface TlsOptions {
  caCertificate: string | null;
  verifyTls: boolean;
}

/** POSTs `body`; answers the status and (the start of) the answer's text. Network failures are retryable. */
function post(url: string, headers: Record<string, string>, body: string, t: TlsOptions): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        timeout: TIMEOUT_MS,
        ...(u.protocol === 'https:' ? { ca: t.caCertificate ?? undefined, rejectUnauthorized: t.verifyTls } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
          // Enough of the answer to say what it was: the rest is not read.
          if (text.length >= MAX_ANSWER) {
            resolve({ status: res.statusCode ?? 0, text: text.slice(0, MAX_ANSWER) });
            res.destroy();
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: text.slice(0, MAX_ANSWER) }));
        res.on('error', (err) => reject(new DeliveryError(`the answer was cut off: ${err.message}`, true)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    const deadline = setTimeout(() => req.destroy(new Error(`no complete answer within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (err) => reject(new DeliveryError(`cannot reach ${u.host}: ${describeNetworkError(err)}`, !isCertificateRefusal(err))));
    req.end(body);
  });
}

/** `text` with every occurrence of `secret` blanked out. */
const redact = (text: string, secret: string) => (secret ? text.split(secret).join('[redacted]') : text);

/** The receiver's certificate was refused: retrying changes nothing until the CA or the certificate is fixed. */
const isCertificateRefusal = (err: Error & { code?: string }) => !!err.code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/.test(err.code);

function describeNetworkError(err: Error & { code?: string }): string {
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'ENOTFOUND') return 'host not found';
  if (isCertificateRefusal(err)) return `TLS certificate refused (${err.code})`;
  return err.code ? `${err.message} (${err.code})` : err.message;
}

/**
 * Splunk HTTP Event Collector: events as JSON objects, one after another in one request, to
 * /services/collector/event with `Authorization: Splunk <token>`. Splunk answers
 * `{"text":"Success","code":0}`; 503 (code 9, server busy) and other 5xx are retried, while a bad
 * token (401/403, codes 1-4), refused data (400, codes 5-7 and 10-16) wait for an admin's fix.
 */
export function splunkSender(s: SplunkSettings, token: string): Sender {
  const url = new URL(s.url);
  if (!url.pathname.endsWith('/services/collector/event')) url.pathname = `${url.pathname.replace(/\/$/, '')}/services/collector/event`;
  const host = os.hostname();
  return {
    async send(events) {
      const body = events
        .map((e) =>
          JSON.stringify({
            time: Date.parse(e.at) / 1000,
            host,
            source: s.source,
            sourcetype: s.sourceType,
            ...(s.index ? { index: s.index } : {}),
            event: e,
          }),
        )
        .join('\n');
      const res = await post(url.toString(), { Authorization: `Splunk ${token}`, 'Content-Type': 'application/json' }, body, s);
      let answer: { text?: unknown; code?: unknown } = {};
      try {
        answer = JSON.parse(res.text);
      } catch {
        /* not JSON: a proxy's page, say */
      }
      // What the receiver said goes to the console, the destination's state and the audit: never the token, even echoed.
      const said = redact(
        typeof answer.text === 'string' ? `${answer.text}${typeof answer.code === 'number' ? ` (code ${answer.code})` : ''}` : res.text.slice(0, 200),
        token,
      );
      if (res.status === 200 && answer.code === 0) return `Splunk answered ${said}`;
      const retryable = res.status >= 500 || res.status === 429 || res.status === 408 || answer.code === 9;
      throw new DeliveryError(`Splunk answered HTTP ${res.status}: ${said || 'no text'}`, retryable);
    },
  };
}

/**
 * A webhook: the batch as `{"installationId", "events": [...]}`, POSTed with
 * `X-Tessera-Timestamp` (Unix seconds) and `X-Tessera-Signature: v1=<hex HMAC-SHA256 of
 * "<timestamp>.<body>" under the secret>`. A receiver recomputes the HMAC over the raw body and
 * refuses a timestamp too far from its clock, so a captured request cannot be replayed later.
 */
export function webhookSender(s: WebhookSettings, secret: string, now: () => Date, installationId: string): Sender {
  return {
    async send(events) {
      const body = JSON.stringify({ installationId, events });
      const timestamp = String(Math.floor(now().getTime() / 1000));
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': 'Tessera-Audit-Forwarder',
        'X-Tessera-Timestamp': timestamp,
        'X-Tessera-Signature': `v1=${webhookSignature(secret, timestamp, body)}`,
      };
      const res = await post(s.url, headers, body, s);
      if (res.status >= 200 && res.status < 300) return `the webhook answered HTTP ${res.status}`;
      const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
      throw new DeliveryError(`the webhook answered HTTP ${res.status}: ${redact(res.text.slice(0, 200), secret) || 'no text'}`, retryable);
    },
  };
}

export const webhookSignature = (secret: string, timestamp: string, body: string): string =>
  crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** RFC 5424 §6.3.3: PARAM-VALUE escapes `"`, `\` and `]`. */
const sdValue = (v: string) => v.replace(/[\\"\]]/g, (c) => `\\${c}`);
/** RFC 5424 §6.2.4-6.2.7: HOSTNAME, APP-NAME, PROCID, MSGID are printable US-ASCII without spaces. */
const header = (v: string, max: number) => v.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';
/** A UDP datagram's practical ceiling (RFC 5426 §3.2); a larger record goes without its details. */
const MAX_DATAGRAM = 60_000;

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME tessera PROCID MSGID [tessera@32473 ...] MSG`.
 * Severity is informational (6) for a success, warning (4) for a failure. The SD-ID uses the
 * enterprise number that RFC 5612 sets aside for examples: Tessera has none of its own.
 */
export function syslogMessage(e: ForwardEvent, facility: SyslogSettings['facility'], hostname = os.hostname()): string {
  const pri = syslogFacilities.indexOf(facility) * 8 + (e.outcome === 'failure' ? 4 : 6);
  const sd = `[tessera@32473 eventId="${sdValue(e.eventId)}" auditId="${e.auditId}" hash="${sdValue(e.hash)}" installationId="${sdValue(e.installationId)}"]`;
  return `<${pri}>1 ${e.at} ${header(hostname, 255)} tessera ${process.pid} ${header(e.action, 32)} ${sd} ${JSON.stringify(e)}`;
}

/**
 * syslog over TCP or TLS (octet-counted framing: RFC 6587 §3.4.1, RFC 5425 §4.3) or UDP (RFC 5426).
 * TCP and TLS send a batch on one connection and then close their side; the batch counts as
 * delivered once the receiver has closed the connection too, having read to the end of the
 * stream (rsyslog does so). A receiver that drops the connection instead makes the batch go again.
 * UDP has no acknowledgement: a datagram sent counts as delivered.
 */
export function syslogSender(s: SyslogSettings): Sender {
  return {
    async send(events) {
      const messages = events.map((e) => syslogMessage(e, s.facility));
      if (s.transport === 'udp') return sendUdp(s, messages, events);
      const frames = messages.map((m) => `${Buffer.byteLength(m)} ${m}`).join('');
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const fail = (err: Error & { code?: string }) => {
          if (settled) return;
          settled = true;
          socket.destroy();
          reject(new DeliveryError(`syslog ${s.transport} ${s.host}:${s.port}: ${describeNetworkError(err)}`, !isCertificateRefusal(err)));
        };
        const onConnect = () => socket.end(frames);
        const socket =
          s.transport === 'tls'
            ? tls.connect(
                {
                  host: s.host,
                  port: s.port,
                  ca: s.caCertificate ?? undefined,
                  rejectUnauthorized: s.verifyTls,
                  servername: s.tlsServerName ?? (net.isIP(s.host) ? undefined : s.host),
                },
                onConnect,
              )
            : net.connect({ host: s.host, port: s.port }, onConnect);
        socket.setTimeout(TIMEOUT_MS, () => fail(new Error(`the receiver did not close the connection within ${TIMEOUT_MS / 1000} s`)));
        const deadline = setTimeout(() => fail(new Error(`the receiver did not take the batch within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
        socket.on('close', () => clearTimeout(deadline));
        socket.on('error', fail);
        socket.on('data', () => {});
        socket.on('close', (hadError) => {
          if (settled) return;
          if (hadError) return fail(new Error('connection closed with an error'));
          settled = true;
          resolve();
        });
      });
      return `syslog ${s.transport} ${s.host}:${s.port} took ${events.length} message${events.length === 1 ? '' : 's'}`;
    },
  };
}

async function sendUdp(s: SyslogSettings, messages: string[], events: ForwardEvent[]): Promise<string> {
  const socket = dgram.createSocket(net.isIPv6(s.host) ? 'udp6' : 'udp4');
  try {
    for (const [i, m] of messages.entries()) {
      const data = Buffer.byteLength(m) > MAX_DATAGRAM ? syslogMessage({ ...events[i], details: { truncated: true } }, s.facility) : m;
      await new Promise<void>((resolve, reject) =>
        socket.send(data, s.port, s.host, (err) =>
          err ? reject(new DeliveryError(`syslog udp ${s.host}:${s.port}: ${describeNetworkError(err)}`, true)) : resolve(),
        ),
      );
    }
  } finally {
    socket.close();
  }
  return `syslog udp ${s.host}:${s.port}: ${messages.length} datagram${messages.length === 1 ? '' : 's'} sent`;
}
