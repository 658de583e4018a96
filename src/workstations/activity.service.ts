import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import type { EmployeeSummary } from '../employees/employee.service.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { ProfileService } from './profile.service.js';
import type { AuthorizeAction, EventMethod, SessionEndReason } from './workstation.constants.js';
import * as repo from './workstation.repository.js';
import type { AgentEvent, AuthorizeAnswer, EventDto, SessionDto, SummaryRowDto } from './workstation.schemas.js';

export type ActivityService = ReturnType<typeof createActivityService>;

const FUTURE_MS = 5 * 60_000;
const PAST_MS = 30 * 24 * 3600_000;
const AGENT_EVENTS = new Set(['agent_start', 'agent_stop']);

const fullName = (e: EmployeeSummary) => `${e.firstName} ${e.lastName}`.trim() || e.email;

/**
 * What happens at the computers: events as agents report them, the workstation sessions built
 * from them, summaries per employee, workstation and day, and the decision whether someone may
 * log on or unlock (docs/agent-protocol.md §6–7).
 */
export function createActivityService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  profiles: ProfileService;
  /** The employee an OS logon name belongs to, through the directory sync's accounts. */
  employeeIdForLogon: (account: string) => Promise<string | undefined>;
  employeeSummaries: (ids: string[]) => Promise<EmployeeSummary[]>;
  workstationNames: (ids: string[]) => Promise<Map<string, string>>;
  isEmergencyActive: () => Promise<boolean>;
}) {
  const { db, audit, clock } = deps;

  /** Maps each distinct account once per batch. */
  async function employeesFor(accounts: (string | null | undefined)[]) {
    const out = new Map<string, string | undefined>();
    for (const a of new Set(accounts.filter((x): x is string => Boolean(x)))) out.set(a.toLowerCase(), await deps.employeeIdForLogon(a));
    return out;
  }

  /** Takes a batch whole or not at all; a batch sent again is stored once. */
  async function ingest(workstation: repo.WorkstationRow, events: AgentEvent[]): Promise<{ accepted: number; duplicates: number }> {
    const now = clock.now().getTime();
    const problems: string[] = [];
    events.forEach((e, i) => {
      const at = Date.parse(e.at);
      if (at > now + FUTURE_MS) problems.push(`events[${i}].at is in the future`);
      if (at < now - PAST_MS) problems.push(`events[${i}].at is more than 30 days old`);
      if (!AGENT_EVENTS.has(e.type) && !e.account) problems.push(`events[${i}].account is required for ${e.type}`);
    });
    if (new Set(events.map((e) => e.id)).size !== events.length) problems.push('two events of the batch have the same id');
    if (problems.length)
      throw new AppError('workstations.events_invalid', `The batch was not stored: ${problems.slice(0, 5).join('; ')}`, { details: { problems } });

    const employeeOf = await employeesFor(events.map((e) => e.account));
    return db.transaction(async (tx) => {
      const stored = await repo.insertEvents(
        tx,
        events.map((e) => ({
          workstationId: workstation.id,
          eventKey: e.id,
          type: e.type,
          occurredAt: new Date(e.at),
          account: e.account ?? null,
          method: e.method ?? null,
          osSessionId: e.sessionId ?? null,
          remoteAddress: e.remoteAddress ?? null,
          employeeId: e.account ? (employeeOf.get(e.account.toLowerCase()) ?? null) : null,
        })),
      );
      for (const e of [...stored].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())) await applyToSessions(tx, e);
      return { accepted: stored.length, duplicates: events.length - stored.length };
    });
  }

  /** Turns one event into a change of the workstation's sessions. */
  async function applyToSessions(tx: Executor, e: repo.EventRow) {
    const key = { osSessionId: e.osSessionId, account: e.account };
    const at = e.occurredAt;
    const close = async (s: repo.SessionRow, endReason: SessionEndReason) =>
      repo.updateSessionById(tx, s.id, { endedAt: at, endReason, lockedSince: null, lockedSeconds: s.lockedSeconds + lockedUntil(s, at) });
    switch (e.type) {
      case 'agent_start':
        await repo.endOpenSessionsAtRestart(tx, e.workstationId, at);
        return;
      case 'logon':
      case 'remote_connect': {
        const open = await repo.findOpenSession(tx, e.workstationId, key);
        if (open && open.account.toLowerCase() === (e.account ?? '').toLowerCase()) return;
        if (open && e.osSessionId) await close(open, 'replaced');
        // The agent started again and reports a session that was open before: it goes on.
        const resumed = e.osSessionId && e.account ? await repo.findSessionEndedByRestart(tx, e.workstationId, e.osSessionId, e.account) : undefined;
        if (resumed) {
          await repo.updateSessionById(tx, resumed.id, { endedAt: null, endReason: null });
          return;
        }
        const method: EventMethod = e.method ?? 'unknown';
        await repo.insertSession(tx, {
          workstationId: e.workstationId,
          employeeId: e.employeeId,
          account: e.account ?? '',
          osSessionId: e.osSessionId,
          remote: e.type === 'remote_connect',
          method,
          methods: [method],
          startedAt: at,
        });
        return;
      }
      case 'lock': {
        const s = await repo.findOpenSession(tx, e.workstationId, key);
        if (s && !s.lockedSince) await repo.updateSessionById(tx, s.id, { lockedSince: at, lockCount: s.lockCount + 1 });
        return;
      }
      case 'unlock': {
        const s = await repo.findOpenSession(tx, e.workstationId, key);
        if (!s) return;
        const methods = e.method && !s.methods.includes(e.method) ? [...s.methods, e.method] : s.methods;
        await repo.updateSessionById(tx, s.id, { lockedSince: null, lockedSeconds: s.lockedSeconds + lockedUntil(s, at), methods });
        return;
      }
      case 'logoff':
      case 'remote_disconnect': {
        const s = await repo.findOpenSession(tx, e.workstationId, key);
        if (s) await close(s, 'logoff');
        return;
      }
      default:
        return;
    }
  }

  const lockedUntil = (s: repo.SessionRow, at: Date) => (s.lockedSince ? Math.max(0, Math.round((at.getTime() - s.lockedSince.getTime()) / 1000)) : 0);

  async function people(ids: (string | null)[]) {
    const list = await deps.employeeSummaries([...new Set(ids.filter((x): x is string => Boolean(x)))]);
    return new Map(list.map((e) => [e.id, { id: e.id, name: fullName(e), email: e.email }]));
  }

  async function listEvents(q: repo.ActivityFilter & { type?: string }, page: { page: number; pageSize: number }) {
    const { items, total } = await repo.findEvents(db, q, { offset: (page.page - 1) * page.pageSize, limit: page.pageSize });
    const [employees, names] = await Promise.all([people(items.map((e) => e.employeeId)), deps.workstationNames(items.map((e) => e.workstationId))]);
    const dtos: EventDto[] = items.map((e) => ({
      id: e.id,
      workstation: names.has(e.workstationId) ? { id: e.workstationId, name: names.get(e.workstationId)! } : null,
      type: e.type,
      occurredAt: e.occurredAt.toISOString(),
      account: e.account,
      method: e.method,
      sessionId: e.osSessionId,
      remoteAddress: e.remoteAddress,
      employee: (e.employeeId && employees.get(e.employeeId)) || null,
      receivedAt: e.receivedAt.toISOString(),
    }));
    return { items: dtos, total, ...page };
  }

  async function listSessions(q: repo.ActivityFilter & { open?: boolean }, page: { page: number; pageSize: number }) {
    const { items, total } = await repo.findSessions(db, q, { offset: (page.page - 1) * page.pageSize, limit: page.pageSize });
    const now = clock.now();
    const [employees, names] = await Promise.all([people(items.map((s) => s.employeeId)), deps.workstationNames(items.map((s) => s.workstationId))]);
    const dtos: SessionDto[] = items.map((s) => ({
      id: s.id,
      workstation: names.has(s.workstationId) ? { id: s.workstationId, name: names.get(s.workstationId)! } : null,
      employee: (s.employeeId && employees.get(s.employeeId)) || null,
      account: s.account,
      sessionId: s.osSessionId,
      remote: s.remote,
      method: s.method,
      methods: s.methods,
      startedAt: s.startedAt.toISOString(),
      endedAt: s.endedAt?.toISOString() ?? null,
      endReason: s.endReason,
      durationSeconds: Math.max(0, Math.round(((s.endedAt ?? now).getTime() - s.startedAt.getTime()) / 1000)),
      lockedSeconds: s.lockedSeconds + (s.endedAt ? 0 : lockedUntil(s, now)),
      lockCount: s.lockCount,
      isLocked: !s.endedAt && Boolean(s.lockedSince),
    }));
    return { items: dtos, total, ...page };
  }

  /** Time signed in, sessions and methods per employee, workstation or day; the last 30 days by default. */
  async function summary(groupBy: repo.SummaryGroup, q: repo.ActivityFilter) {
    const now = clock.now();
    const to = q.to ?? now;
    const from = q.from ?? new Date(to.getTime() - 30 * 24 * 3600_000);
    const rows = await repo.summarizeSessions(db, groupBy, { ...q, from, to }, now);
    const keys = rows.map((r) => r.key).filter((k): k is string => Boolean(k));
    const employees = groupBy === 'employee' ? await people(keys) : new Map();
    const names = groupBy === 'workstation' ? await deps.workstationNames(keys) : new Map<string, string>();
    const label = (key: string | null) =>
      groupBy === 'day'
        ? (key ?? '')
        : groupBy === 'employee'
          ? key
            ? (employees.get(key)?.name ?? key)
            : 'Not matched to an employee'
          : (names.get(key ?? '') ?? key ?? '');
    const items: SummaryRowDto[] = rows.map((r) => ({
      key: r.key,
      label: label(r.key),
      sessions: r.sessions,
      signedInSeconds: Math.round(r.seconds),
      lockedSeconds: r.lockedSeconds,
      methods: r.methods,
      employees: r.employees,
      workstations: r.workstations,
    }));
    return { groupBy, from: from.toISOString(), to: to.toISOString(), items };
  }

  /** Whether `account` may log on, unlock or connect by RDP at this workstation now, and why not. */
  async function authorize(
    ctx: RequestContext,
    workstation: repo.WorkstationRow,
    input: { account: string; action: AuthorizeAction; method: EventMethod },
  ): Promise<AuthorizeAnswer> {
    const profile = (await deps.profiles.effectiveFor([workstation.id])).get(workstation.id)!;
    const employeeId = await deps.employeeIdForLogon(input.account);
    const employee = employeeId ? (await deps.employeeSummaries([employeeId]))[0] : undefined;
    const refuse = (code: string, reason: string) => ({ allowed: false, code, reason });
    const decision = (await deps.isEmergencyActive())
      ? refuse('workstations.emergency_block', 'The emergency block is on: no one may log on or unlock until an administrator lifts it')
      : input.action === 'rdp' && !profile.rdpAllowed
        ? refuse('workstations.rdp_not_allowed', 'Remote desktop is not allowed on this workstation')
        : !profile.unlockMethods.includes(input.method)
          ? refuse('workstations.method_not_allowed', `Signing in with ${input.method.replace('_', ' ')} is not allowed on this workstation`)
          : !employee
            ? refuse('workstations.unknown_account', 'Tessera knows no employee with this account')
            : employee.status === 'disabled'
              ? refuse('workstations.employee_disabled', 'This employee is disabled')
              : employee.status === 'deactivated' && !profile.deactivatedEmployeesMayUnlock
                ? refuse('workstations.employee_deactivated', 'This employee was deactivated and may no longer sign in to workstations')
                : { allowed: true, code: null, reason: null };
    await audit.record(
      { ...ctx, actor: { type: 'workstation', id: workstation.id, label: workstation.name } },
      {
        action: decision.allowed ? 'workstation.access_granted' : 'workstation.access_refused',
        outcome: decision.allowed ? 'success' : 'failure',
        target: employee ? { type: 'employee', id: employee.id, label: employee.email } : { type: 'account', id: null, label: input.account },
        details: { workstationId: workstation.id, account: input.account, action: input.action, method: input.method, code: decision.code },
      },
    );
    return { ...decision, employee: employee ? { id: employee.id, name: fullName(employee) } : null };
  }

  return {
    ingest,
    listEvents,
    listSessions,
    summary,
    authorize,
    openSessionWorkstations: (employeeId: string, tx: Executor = db) => repo.findWorkstationIdsWithOpenSession(tx, employeeId),
  };
}
