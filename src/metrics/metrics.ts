import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEntry } from '../audit/audit.actions.js';

/**
 * Tessera's Prometheus metrics, one registry per service graph (tests build many in one process).
 *
 * Most counters are read off the audit stream, since every authentication and admin action is
 * audited anyway: the numbers and the audit log cannot disagree about what happened. Labels are
 * bounded: a route's pattern (never its path), a method from a fixed list, an outcome; an SP or a
 * domain by its name, which only an admin creates. No employee, session or address is a label.
 */
export type Metrics = ReturnType<typeof createMetrics>;

/** What the gauges read when Prometheus scrapes; each is optional (the CLI has none of them). */
export interface MetricSources {
  agentsConnected?: () => number;
  mailOutbox?: () => Promise<Record<string, number>>;
  heldSyncRuns?: () => Promise<number>;
  /** Seconds each job is overdue past its interval (0 when on time). */
  jobLag?: () => Promise<Record<string, number>>;
  pool?: () => { total: number; idle: number; waiting: number } | null;
  /** Audit records after each forwarding destination's cursor, by destination name. */
  auditForwardBacklog?: () => Promise<Record<string, number>>;
}

const WORD = /^[a-z][a-z0-9_]{0,39}$/;
/** A detail value as a label only if it is a short identifier word; anything else is 'other'. */
const word = (v: unknown): string => (typeof v === 'string' && WORD.test(v) ? v : 'other');
/** Names admins gave (SPs, domains): bounded by what they created, cut to a sane length. */
const name = (v: unknown): string => (typeof v === 'string' && v.length > 0 ? v.slice(0, 80) : 'unknown');

export function createMetrics() {
  const registry = new Registry();
  const prefix = 'tessera_';
  let processMetrics = false;

  const httpRequests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests answered, by method, matched route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request, by method and matched route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const signIns = new Counter({
    name: `${prefix}sign_ins_total`,
    help: 'Sign-in attempts at Tessera by who signs in (employee, admin), method and outcome',
    labelNames: ['subject', 'method', 'outcome'] as const,
    registers: [registry],
  });
  const ssoSignIns = new Counter({
    name: `${prefix}sso_sign_ins_total`,
    help: 'Sign-ins to applications by protocol (oidc, saml, wsfed) and outcome (success, refused)',
    labelNames: ['protocol', 'outcome'] as const,
    registers: [registry],
  });
  const samlAssertions = new Counter({
    name: `${prefix}saml_assertions_total`,
    help: 'SAML assertions issued, by service provider name',
    labelNames: ['sp'] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: `${prefix}oidc_tokens_issued_total`,
    help: 'Successful OpenID Connect token requests, by grant type',
    labelNames: ['grant_type'] as const,
    registers: [registry],
  });
  const syncRuns = new Counter({
    name: `${prefix}directory_sync_runs_total`,
    help: 'Directory sync runs that ended, by domain name and outcome (completed, held, failed, dry_run)',
    labelNames: ['domain', 'outcome'] as const,
    registers: [registry],
  });
  const syncChanges = new Counter({
    name: `${prefix}directory_sync_changes_total`,
    help: 'Changes applied by directory sync runs, by domain name and kind (created, updated, disabled, ...)',
    labelNames: ['domain', 'kind'] as const,
    registers: [registry],
  });
  const syncDuration = new Histogram({
    name: `${prefix}directory_sync_duration_seconds`,
    help: 'Duration of directory sync runs that completed, by domain name',
    labelNames: ['domain'] as const,
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const rotations = new Counter({
    name: `${prefix}password_rotations_total`,
    help: 'Domain password rotations by outcome (success, failure)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const mails = new Counter({
    name: `${prefix}mail_deliveries_total`,
    help: 'Outgoing mails that ended, by outcome (sent, failed after the last retry)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const forwardFailures = new Counter({
    name: `${prefix}audit_forward_failures_total`,
    help: 'Failed deliveries of audit records to a forwarding destination (each retried later), by destination name',
    labelNames: ['destination'] as const,
    registers: [registry],
  });

  let sources: MetricSources = {};
  new Gauge({
    name: `${prefix}audit_forward_backlog`,
    help: "Audit records after a forwarding destination's cursor: written, not yet delivered or passed over by its filter",
    labelNames: ['destination'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const backlog = (await sources.auditForwardBacklog?.().catch(() => null)) ?? {};
      for (const [destination, n] of Object.entries(backlog)) this.set({ destination: name(destination) }, n);
    },
  });
  new Gauge({
    name: `${prefix}workstation_agents_connected`,
    help: 'Workstation agents with an open command channel to this node',
    registers: [registry],
    collect() {
      this.set(sources.agentsConnected?.() ?? 0);
    },
  });
  new Gauge({
    name: `${prefix}mail_outbox`,
    help: 'Mails in the outbox, by state (pending: waiting or being retried; failed: given up)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = (await sources.mailOutbox?.().catch(() => null)) ?? {};
      for (const state of ['pending', 'failed']) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: `${prefix}directory_sync_held_runs`,
    help: 'Directory sync runs held for an admin to confirm (the removal threshold was crossed)',
    registers: [registry],
    async collect() {
      this.set((await sources.heldSyncRuns?.().catch(() => null)) ?? 0);
    },
  });
  new Gauge({
    name: `${prefix}job_lag_seconds`,
    help: 'How long each background job is overdue past its interval (0 when on time)',
    labelNames: ['job'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const lag = (await sources.jobLag?.().catch(() => null)) ?? {};
      for (const [job, seconds] of Object.entries(lag)) this.set({ job }, seconds);
    },
  });
  new Gauge({
    name: `${prefix}db_pool_connections`,
    help: 'PostgreSQL pool connections of this node by state (total, idle, waiting clients); absent on the embedded database',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const pool = sources.pool?.();
      if (!pool) return;
      this.set({ state: 'total' }, pool.total);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });

  /** Counts what an audit record says happened; called once the record is written. */
  function countAudit(entry: AuditEntry): void {
    const details = (entry.details ?? {}) as Record<string, unknown>;
    const outcome = entry.outcome ?? 'success';
    switch (entry.action) {
      case 'employee.sign_in':
        signIns.inc({ subject: 'employee', method: word(details.method), outcome });
        return;
      case 'admin.sign_in':
        signIns.inc({ subject: 'admin', method: word(details.method ?? 'password'), outcome });
        return;
      case 'admin.sign_in_totp':
        signIns.inc({ subject: 'admin', method: 'totp', outcome });
        return;
      case 'oidc.sign_in':
      case 'saml.sign_in':
      case 'wsfed.sign_in':
        ssoSignIns.inc({ protocol: entry.action.split('.')[0] as string, outcome: outcome === 'success' ? 'success' : 'refused' });
        if (entry.action === 'saml.sign_in' && outcome === 'success') samlAssertions.inc({ sp: name(entry.target?.label) });
        return;
      case 'oidc.sign_in_refused':
      case 'saml.sign_in_refused':
      case 'wsfed.sign_in_refused':
        ssoSignIns.inc({ protocol: entry.action.split('.')[0] as string, outcome: 'refused' });
        return;
      case 'directory.sync_completed':
      case 'directory.sync_held':
      case 'directory.sync_failed':
      case 'directory.dry_run': {
        const domain = name(entry.target?.label);
        const ended = entry.action === 'directory.dry_run' ? 'dry_run' : (entry.action.slice('directory.sync_'.length) as string);
        syncRuns.inc({ domain, outcome: ended });
        if (entry.action !== 'directory.sync_completed') return;
        const counts = (details.counts ?? {}) as Record<string, unknown>;
        for (const [kind, n] of Object.entries(counts)) {
          if (kind !== 'listed' && typeof n === 'number' && n > 0 && WORD.test(kind)) syncChanges.inc({ domain, kind }, n);
        }
        if (typeof details.durationMs === 'number') syncDuration.observe({ domain }, details.durationMs / 1000);
        return;
      }
      case 'directory.password_rotated':
        rotations.inc({ outcome });
        return;
      case 'mail.sent':
        mails.inc({ outcome: 'sent' });
        return;
      case 'mail.failed':
        mails.inc({ outcome: 'failed' });
        return;
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    countAudit,
    /** A failed delivery to an audit forwarding destination (src/audit/audit-forward.service.ts). */
    countForwardFailure(destination: string): void {
      forwardFailures.inc({ destination: name(destination) });
    },
    /** A successful token request (oidc-provider's grant.success). */
    countToken(grantType: unknown): void {
      tokens.inc({ grant_type: word(grantType) });
    },
    /** One answered request; `route` is the matched pattern, or undefined when nothing matched. */
    observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
      const labels = { method: word(method.toLowerCase()).toUpperCase(), route: route ?? '(unmatched)' };
      httpRequests.inc({ ...labels, status: String(status) });
      httpDuration.observe(labels, seconds);
    },
    /** Where the gauges read from; the server sets it once the services exist. */
    setSources(next: MetricSources): void {
      sources = { ...sources, ...next };
    },
    /** Process metrics (CPU, memory, event-loop lag, GC): only in a serving process. */
    startProcessMetrics(): void {
      if (processMetrics) return;
      processMetrics = true;
      collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
      // Gauges whose names end in _total break Prometheus' naming rule (promtool check metrics
      // refuses them); the same numbers are there by type in nodejs_active_handles/_requests/_resources.
      for (const gauge of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(gauge);
    },
    render: () => registry.metrics(),
  };
}
