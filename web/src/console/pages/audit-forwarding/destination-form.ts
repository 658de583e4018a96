import type { AuditDestination, AuditDestinationKind, CreateAuditDestination, UpdateAuditDestination } from '../../../shared/api/types';

/** The destination dialog's values, all as the inputs hold them. */
export interface DestinationFormValues {
  kind: AuditDestinationKind;
  name: string;
  enabled: boolean;
  url: string;
  host: string;
  port: string;
  transport: 'tcp' | 'tls' | 'udp';
  facility: string;
  index: string;
  sourceType: string;
  /** Splunk's `source`: not on the form, kept as saved (the API's default for a new one). */
  source: string;
  caCertificate: string;
  verifyTls: boolean;
  tlsServerName: string;
  /** The token or signing key typed now; empty on edit: keep the saved one. */
  secret: string;
  actions: string;
  outcome: 'any' | 'success' | 'failure';
  replayHistory: boolean;
}

export const SYSLOG_FACILITIES = [
  'auth',
  'authpriv',
  'security',
  'daemon',
  'user',
  'syslog',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

export const KIND_LABELS: Record<AuditDestinationKind, string> = { splunk: 'Splunk HEC', syslog: 'syslog', webhook: 'Webhook' };

export function emptyValues(kind: AuditDestinationKind = 'splunk'): DestinationFormValues {
  return {
    kind,
    name: '',
    enabled: true,
    url: '',
    host: '',
    port: '6514',
    transport: 'tls',
    facility: 'auth',
    index: '',
    sourceType: 'tessera:audit',
    source: 'tessera',
    caCertificate: '',
    verifyTls: true,
    tlsServerName: '',
    secret: '',
    actions: '',
    outcome: 'any',
    replayHistory: false,
  };
}

const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);

export function valuesOf(d: AuditDestination): DestinationFormValues {
  const s = d.settings as Record<string, unknown>;
  return {
    ...emptyValues(d.kind),
    name: d.name,
    enabled: d.enabled,
    url: str(s.url),
    host: str(s.host),
    port: typeof s.port === 'number' ? String(s.port) : '',
    transport: (str(s.transport, 'tls') as DestinationFormValues['transport']) ?? 'tls',
    facility: str(s.facility, 'auth'),
    index: str(s.index),
    sourceType: str(s.sourceType, 'tessera:audit'),
    source: str(s.source, 'tessera'),
    caCertificate: str(s.caCertificate),
    verifyTls: s.verifyTls !== false,
    tlsServerName: str(s.tlsServerName),
    actions: d.filter.actions.join(', '),
    outcome: d.filter.outcome,
  };
}

/** What the inputs say, checked before sending; the server checks again and its answer is shown on the fields. */
export function clientErrors(v: DestinationFormValues, isNew: boolean): Partial<Record<string, string>> {
  const errors: Partial<Record<string, string>> = {};
  if (!v.name.trim()) errors.name = 'Enter a name';
  if (v.kind === 'syslog') {
    if (!v.host.trim()) errors['settings.host'] = 'Enter the receiver’s host name or address';
    const port = Number(v.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) errors['settings.port'] = 'Enter a port from 1 to 65535';
  } else if (!v.url.trim()) errors['settings.url'] = 'Enter the URL';
  if (isNew && v.kind !== 'syslog' && !v.secret) errors.secret = v.kind === 'splunk' ? 'Enter the HEC token' : 'Enter the signing key';
  return errors;
}

const orNull = (v: string) => (v.trim() ? v.trim() : null);

function settingsOf(v: DestinationFormValues) {
  const tls = { caCertificate: v.caCertificate.trim() ? v.caCertificate : null, verifyTls: v.verifyTls };
  if (v.kind === 'splunk')
    return { url: v.url.trim(), index: orNull(v.index), sourceType: v.sourceType.trim() || 'tessera:audit', source: v.source || 'tessera', ...tls };
  if (v.kind === 'webhook') return { url: v.url.trim(), ...tls };
  return { host: v.host.trim(), port: Number(v.port), transport: v.transport, facility: v.facility, tlsServerName: orNull(v.tlsServerName), ...tls };
}

const filterOf = (v: DestinationFormValues) => ({
  actions: v.actions
    .split(/[\s,]+/)
    .map((a) => a.trim())
    .filter(Boolean),
  outcome: v.outcome,
});

export function toCreate(v: DestinationFormValues): CreateAuditDestination {
  const common = { name: v.name.trim(), enabled: v.enabled, filter: filterOf(v), replayHistory: v.replayHistory };
  if (v.kind === 'syslog') return { kind: 'syslog', ...common, settings: settingsOf(v) } as CreateAuditDestination;
  return { kind: v.kind, ...common, settings: settingsOf(v), secret: v.secret } as CreateAuditDestination;
}

export function toUpdate(v: DestinationFormValues): UpdateAuditDestination {
  const common = { kind: v.kind, name: v.name.trim(), enabled: v.enabled, filter: filterOf(v), settings: settingsOf(v) };
  return (v.kind !== 'syslog' && v.secret ? { ...common, secret: v.secret } : common) as UpdateAuditDestination;
}

/** Where a destination sends, in a few words. */
export function targetOf(d: AuditDestination): string {
  const s = d.settings as Record<string, unknown>;
  if (d.kind === 'syslog') return `${String(s.transport).toUpperCase()} ${String(s.host)}:${String(s.port)}`;
  return String(s.url ?? '');
}
