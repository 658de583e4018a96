import crypto from 'node:crypto';
import net from 'node:net';
import { z } from 'zod';
import { webUrl } from '../http/url-schemas.js';

/**
 * The API's shapes for audit forwarding destinations. Secrets (the Splunk HEC token, the webhook
 * signing key) are write-only: an answer says `"secret": {"set": true}`, never the value.
 */

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Why `pem` is not one or more PEM certificates, or undefined. Never throws. */
export function caProblem(pem: string): string | undefined {
  const blocks = pem.match(PEM_BLOCK);
  if (!blocks || pem.replace(PEM_BLOCK, '').trim() !== '')
    return 'must be one or more PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)';
  for (const [i, block] of blocks.entries()) {
    try {
      new crypto.X509Certificate(block);
    } catch {
      return `certificate ${i + 1} is not a valid X.509 certificate`;
    }
  }
  return undefined;
}

const caCertificate = z
  .string()
  .max(50_000)
  .superRefine((v, ctx) => {
    const problem = caProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .nullable()
  .default(null)
  .describe('PEM certificates of the CA that signed the receiver’s certificate; null: the system’s trusted CAs');

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const host = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(253)
  .refine((v) => net.isIP(v) !== 0 || HOSTNAME.test(v), 'must be a host name or an IP address');

/** An action name (`admin.sign_in`), or a prefix ending in `.` or `*` (`directory.`, `admin.*`). */
const actionPattern = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.|\.\*|\*)?$/, 'must be an action name (admin.sign_in) or a prefix ending in . or * (directory.)')
  .max(100);

export const forwardFilter = z
  .object({
    actions: z.array(actionPattern).max(200).default([]).describe('Action names or prefixes; empty: every action'),
    outcome: z.enum(['any', 'success', 'failure']).default('any'),
  })
  .strict();

export const splunkSettings = z
  .object({
    url: webUrl().describe('The collector’s address, such as https://splunk.example.com:8088 (the path /services/collector/event is added)'),
    index: z.string().trim().min(1).max(80).nullable().default(null).describe('Splunk index; null: the token’s default index'),
    sourceType: z.string().trim().min(1).max(80).default('tessera:audit'),
    source: z.string().trim().min(1).max(120).default('tessera'),
    caCertificate,
    verifyTls: z.boolean().default(true),
  })
  .strict();

export const syslogFacilities = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

export const syslogSettings = z
  .object({
    host,
    port: z.number().int().min(1, 'must be a port from 1 to 65535').max(65535, 'must be a port from 1 to 65535'),
    transport: z
      .enum(['tcp', 'tls', 'udp'])
      .describe('tcp and tls use octet-counted framing (RFC 6587 §3.4.1, RFC 5425 §4.3); udp one message a datagram (RFC 5426)'),
    facility: z.enum(syslogFacilities).default('auth'),
    caCertificate,
    verifyTls: z.boolean().default(true),
    /** The name the receiver's certificate must carry, when it is not `host`. */
    tlsServerName: host.nullable().default(null),
  })
  .strict();

export const webhookSettings = z
  .object({
    url: webUrl().describe('Where the batches are POSTed (https; http only on localhost)'),
    caCertificate,
    verifyTls: z.boolean().default(true),
  })
  .strict();

export type SplunkSettings = z.infer<typeof splunkSettings>;
export type SyslogSettings = z.infer<typeof syslogSettings>;
export type WebhookSettings = z.infer<typeof webhookSettings>;
export type ForwardFilter = z.infer<typeof forwardFilter>;

const name = z.string().trim().min(1, 'must not be empty').max(120);
const secret = z.string().min(16, 'must be at least 16 characters').max(4096);
const common = {
  name,
  enabled: z.boolean().default(true),
  filter: forwardFilter.default({ actions: [], outcome: 'any' }),
  /** false (default): from the newest record on; true: the whole existing log first. */
  replayHistory: z.boolean().default(false).describe('Forward the whole existing audit log first (default: only records written from now on)'),
};

export const createDestinationBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('splunk'), ...common, settings: splunkSettings, secret: secret.describe('The HEC token (write-only)') }).strict(),
  z.object({ kind: z.literal('syslog'), ...common, settings: syslogSettings }).strict(),
  z.object({ kind: z.literal('webhook'), ...common, settings: webhookSettings, secret: secret.describe('The HMAC-SHA256 signing key (write-only)') }).strict(),
]);
export type CreateDestination = z.infer<typeof createDestinationBody>;

const patchCommon = { name: name.optional(), enabled: z.boolean().optional(), filter: forwardFilter.optional() };
export const updateDestinationBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('splunk'), ...patchCommon, settings: splunkSettings.optional(), secret: secret.optional() }).strict(),
  z.object({ kind: z.literal('syslog'), ...patchCommon, settings: syslogSettings.optional() }).strict(),
  z.object({ kind: z.literal('webhook'), ...patchCommon, settings: webhookSettings.optional(), secret: secret.optional() }).strict(),
]);
export type UpdateDestination = z.infer<typeof updateDestinationBody>;

export const destinationState = z.object({
  cursor: z.number().int().describe('Id of the last audit record delivered (or passed over by the filter)'),
  backlog: z.number().int().describe('Audit records after the cursor, waiting to be delivered or filtered'),
  lastDeliveredAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  lastErrorKind: z.enum(['retryable', 'permanent']).nullable(),
  consecutiveFailures: z.number().int(),
  nextAttemptAt: z.string(),
});

export const destinationDto = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['splunk', 'syslog', 'webhook']),
  enabled: z.boolean(),
  settings: z.record(z.string(), z.unknown()).describe('The kind’s settings, as saved (never a secret)'),
  secret: z.object({ set: z.boolean() }),
  filter: forwardFilter,
  state: destinationState,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DestinationDto = z.infer<typeof destinationDto>;

export const destinationTestAnswer = z.object({
  ok: z.boolean(),
  message: z.string().describe('What the receiver answered, in words'),
});
