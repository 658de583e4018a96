import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { AgentBus } from './agent-bus.js';
import type { ProfileService } from './profile.service.js';
import { type AgentCommandKind, COMMAND_TTL_MS, EMERGENCY_CONFIRMATION, HEARTBEAT_SECONDS, type WorkstationStatus } from './workstation.constants.js';
import * as repo from './workstation.repository.js';
import type { CommandDto, EmergencyDto, UpdateWorkstationInput, WorkstationDto } from './workstation.schemas.js';

export type WorkstationService = ReturnType<typeof createWorkstationService>;

/** Heard from within three heartbeats, on an open channel. */
export const onlineSince = (now: Date) => new Date(now.getTime() - 3 * HEARTBEAT_SECONDS * 1000);

export const toCommandDto = (c: repo.CommandRow): CommandDto => ({
  id: c.id,
  workstationId: c.workstationId,
  kind: c.kind,
  state: c.state,
  reason: c.reason,
  issuedBy: c.issuedBy,
  attempts: c.attempts,
  createdAt: c.createdAt.toISOString(),
  sentAt: c.sentAt?.toISOString() ?? null,
  acknowledgedAt: c.acknowledgedAt?.toISOString() ?? null,
  result: c.result,
  expiresAt: c.expiresAt.toISOString(),
});

const target = (w: { id: string; name: string }) => ({ type: 'workstation', id: w.id, label: w.name });

/**
 * Workstations as the administrator manages them: approval, department and profile, commands
 * (Lock now, log off), the emergency block, and what happens to computers when an employee is
 * disabled. Commands are stored before anyone is told: the agent hub delivers them.
 */
export function createWorkstationService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  bus: AgentBus;
  profiles: ProfileService;
  departmentExists: (id: string) => Promise<boolean>;
  /** Workstations where the employee is signed in now (activity.service.ts). */
  openSessionWorkstations: (employeeId: string, tx?: Executor) => Promise<string[]>;
}) {
  const { db, audit, clock, bus, profiles } = deps;

  async function toDtos(rows: repo.WorkstationRow[]): Promise<WorkstationDto[]> {
    const now = clock.now();
    const since = onlineSince(now);
    const [effective, emergency] = await Promise.all([profiles.effectiveIdFor(rows.map((r) => r.id)), repo.findEmergency(db)]);
    return rows.map((w) => ({
      id: w.id,
      name: w.name,
      hostname: w.hostname,
      domain: w.domain,
      osName: w.osName,
      osVersion: w.osVersion,
      agentVersion: w.agentVersion,
      machineId: w.machineId,
      status: w.status,
      isOnline: Boolean(w.connectedNode && w.lastSeenAt && w.lastSeenAt >= since),
      lastSeenAt: w.lastSeenAt?.toISOString() ?? null,
      connectedAt: w.connectedAt?.toISOString() ?? null,
      lastAddress: w.lastAddress,
      departmentId: w.departmentId,
      profileId: w.profileId,
      effectiveProfileId: effective.get(w.id) ?? null,
      approvedAt: w.approvedAt?.toISOString() ?? null,
      approvedBy: w.approvedBy,
      enrolledAt: w.enrolledAt.toISOString(),
      isEmergencyBlocked: emergency.active && w.emergencyVersion === emergency.version,
    }));
  }

  async function find(id: string, tx: Executor = db): Promise<repo.WorkstationRow> {
    const row = await repo.findWorkstationById(tx, id);
    if (!row) throw new AppError('workstations.not_found', 'Workstation was not found');
    return row;
  }

  async function update(ctx: RequestContext, id: string, patch: UpdateWorkstationInput): Promise<WorkstationDto> {
    const current = await find(id);
    if (patch.departmentId && !(await deps.departmentExists(patch.departmentId)))
      throw new AppError('workstations.department_not_found', 'Department was not found');
    if (patch.profileId && !(await profiles.exists(patch.profileId))) throw new AppError('workstations.profile_not_found', 'Workstation profile was not found');
    const changes = Object.fromEntries(
      Object.entries(patch)
        .filter(([k, v]) => v !== undefined && current[k as keyof typeof current] !== v)
        .map(([k, v]) => [k, { from: current[k as keyof typeof current], to: v }]),
    );
    if (Object.keys(changes).length === 0) return (await toDtos([current]))[0];
    const row = await db.transaction(async (tx) => {
      const row = await repo.updateWorkstationById(tx, id, { ...patch, updatedAt: clock.now() });
      await audit.record(ctx, { action: 'workstation.updated', target: target(current), details: { changes } }, tx);
      return row!;
    });
    if (changes.profileId || changes.departmentId) await bus.publish({ t: 'profile', ids: [id] });
    return (await toDtos([row]))[0];
  }

  /** Approves or denies those of `ids` not already so; each change is audited. */
  async function setStatus(ctx: RequestContext, ids: string[], to: 'approved' | 'denied') {
    const from: WorkstationStatus[] = to === 'approved' ? ['pending', 'denied'] : ['pending', 'approved'];
    const now = clock.now();
    const changed = await db.transaction(async (tx) => {
      const rows = await repo.updateWorkstationStatuses(
        tx,
        ids,
        from,
        to === 'approved' ? { status: to, approvedAt: now, approvedBy: ctx.actor.label, updatedAt: now } : { status: to, updatedAt: now },
      );
      for (const w of rows) await audit.record(ctx, { action: to === 'approved' ? 'workstation.approved' : 'workstation.denied', target: target(w) }, tx);
      return rows.map((r) => r.id);
    });
    if (changed.length) await bus.publish({ t: 'status', ids: changed });
    return { changed, unchanged: ids.filter((id) => !changed.includes(id)) };
  }

  async function remove(ctx: RequestContext, id: string): Promise<void> {
    const current = await find(id);
    await db.transaction(async (tx) => {
      await repo.deleteWorkstationById(tx, id);
      await audit.record(
        ctx,
        { action: 'workstation.removed', target: target(current), details: { hostname: current.hostname, machineId: current.machineId } },
        tx,
      );
    });
    // Its key is gone with the row: the next assertion fails; the open channel is closed now.
    await bus.publish({ t: 'status', ids: [id] });
  }

  /**
   * Stores one command for each workstation, audited, in `outer` when given (then the caller
   * publishes the wake-up after its commit, or the hub's sweep finds them within seconds).
   */
  async function queueCommands(
    ctx: RequestContext,
    workstationIds: string[],
    kind: AgentCommandKind,
    opts: { reason?: string | null; payload?: Record<string, unknown> },
    outer?: Executor,
  ): Promise<repo.CommandRow[]> {
    if (workstationIds.length === 0) return [];
    const now = clock.now();
    const run = async (tx: Executor) => {
      const workstations = await repo.findWorkstationsByIds(tx, workstationIds);
      const rows = await repo.insertCommands(
        tx,
        workstations.map((w) => ({
          workstationId: w.id,
          kind,
          payload: opts.payload ?? {},
          reason: opts.reason ?? null,
          issuedBy: ctx.actor.label,
          expiresAt: new Date(now.getTime() + COMMAND_TTL_MS),
        })),
      );
      for (const c of rows) {
        const w = workstations.find((x) => x.id === c.workstationId)!;
        await audit.record(
          ctx,
          { action: 'workstation.command_issued', target: target(w), details: { commandId: c.id, kind, reason: c.reason, payload: c.payload } },
          tx,
        );
      }
      return rows;
    };
    const rows = outer ? await run(outer) : await db.transaction(run);
    if (!outer && rows.length) await bus.publish({ t: 'wake', ids: rows.map((r) => r.workstationId) });
    return rows;
  }

  /**
   * A credential delivery (credential-delivery.service.ts): one short-lived command whose payload,
   * a JWE to the workstation's key, is audited by what it holds (employee, key, accounts), never
   * by its bytes, and is erased once the agent answers or it expires.
   */
  async function queueDelivery(
    ctx: RequestContext,
    workstationId: string,
    input: {
      payload: { jwe: string };
      expiresAt: Date;
      employee: { id: string; email: string };
      key: { id: string; serial: string };
      /** What the JWE holds, by id and name: the audit lists them, never a value. */
      accounts: { type: 'directory' | 'vault'; id: string; name: string }[];
    },
  ): Promise<repo.CommandRow> {
    const row = await db.transaction(async (tx) => {
      const [w] = await repo.findWorkstationsByIds(tx, [workstationId]);
      if (w?.status !== 'approved') throw new AppError('workstations.not_approved', 'Only an approved workstation takes commands');
      const [c] = await repo.insertCommands(tx, [
        {
          workstationId: w.id,
          kind: 'deliver_credentials',
          payload: input.payload,
          reason: `credentials of ${input.employee.email}`,
          issuedBy: ctx.actor.label,
          expiresAt: input.expiresAt,
        },
      ]);
      await audit.record(
        ctx,
        {
          action: 'workstation.credentials_delivered',
          target: { type: 'employee', id: input.employee.id, label: input.employee.email },
          details: {
            commandId: c.id,
            workstationId: w.id,
            workstation: w.name,
            key: input.key.serial,
            keyId: input.key.id,
            accounts: input.accounts,
            expiresAt: input.expiresAt.toISOString(),
          },
        },
        tx,
      );
      return c;
    });
    await bus.publish({ t: 'wake', ids: [row.workstationId] });
    return row;
  }

  async function command(ctx: RequestContext, id: string, kind: 'lock' | 'logoff' | 'refresh_profile', opts: { reason?: string; sessionId?: string }) {
    const w = await find(id);
    if (w.status !== 'approved') throw new AppError('workstations.not_approved', 'Only an approved workstation takes commands');
    const [row] = await queueCommands(ctx, [id], kind, { reason: opts.reason ?? null, payload: opts.sessionId ? { sessionId: opts.sessionId } : {} });
    return toCommandDto(row);
  }

  /** Locks every computer where the employee is signed in now. */
  async function lockEmployee(ctx: RequestContext, employeeId: string, reason: string, outer?: Executor) {
    const ids = await deps.openSessionWorkstations(employeeId, outer);
    const rows = await queueCommands(ctx, ids, 'lock', { reason }, outer);
    return rows.map(toCommandDto);
  }

  async function emergencyState(): Promise<EmergencyDto> {
    const e = await repo.findEmergency(db);
    const [all, acknowledged] = await Promise.all([repo.countWorkstations(db, onlineSince(clock.now()), null), countAcknowledged(e.version)]);
    return {
      active: e.active,
      version: e.version,
      reason: e.reason,
      changedBy: e.changedBy,
      changedAt: e.changedAt?.toISOString() ?? null,
      workstations: all.total - all.denied,
      acknowledged,
    };
  }

  const countAcknowledged = async (version: number) => (await repo.countWorkstations(db, onlineSince(clock.now()), version)).blocked;

  /** Turns the emergency block on (typed confirmation) or off; one audited action either way. */
  async function setEmergency(ctx: RequestContext, active: boolean, input: { reason: string; confirmation?: string }): Promise<EmergencyDto> {
    if (active && input.confirmation !== EMERGENCY_CONFIRMATION)
      throw new AppError('workstations.emergency_confirmation', `Type "${EMERGENCY_CONFIRMATION}" to confirm the emergency block`);
    const changed = await db.transaction(async (tx) => {
      const row = await repo.setEmergency(tx, active, input.reason, ctx.actor.label, clock.now());
      if (!row) return undefined;
      await audit.record(
        ctx,
        {
          action: active ? 'workstation.emergency_block_on' : 'workstation.emergency_block_off',
          target: { type: 'emergency_block', id: null, label: 'all workstations' },
          details: { reason: input.reason, version: row.version },
        },
        tx,
      );
      return row;
    });
    if (!changed)
      throw active
        ? new AppError('workstations.emergency_active', 'The emergency block is already on')
        : new AppError('workstations.emergency_inactive', 'The emergency block is not on');
    await bus.publish({ t: 'emergency' });
    return emergencyState();
  }

  return {
    list: async (q: { page: number; pageSize: number } & Omit<repo.WorkstationFilter, 'onlineSince'>) => {
      const { page, pageSize, ...f } = q;
      const { items, total } = await repo.findWorkstations(
        db,
        { ...f, onlineSince: onlineSince(clock.now()) },
        { offset: (page - 1) * pageSize, limit: pageSize },
      );
      return { items: await toDtos(items), total, page, pageSize };
    },
    get: async (id: string) => (await toDtos([await find(id)]))[0],
    find,
    /** Names of these workstations, for event and session lists. */
    namesByIds: async (ids: string[]) => new Map((await repo.findWorkstationsByIds(db, [...new Set(ids)])).map((w) => [w.id, w.name])),
    /** Last seen now (an HTTP heartbeat). */
    touch: (id: string, _address: string | null) => repo.touchWorkstations(db, [id], clock.now()),
    update,
    approve: (ctx: RequestContext, ids: string[]) => setStatus(ctx, ids, 'approved'),
    deny: (ctx: RequestContext, ids: string[]) => setStatus(ctx, ids, 'denied'),
    remove,
    command,
    queueCommands,
    queueDelivery,
    lockEmployee,
    commands: async (id: string) => {
      await find(id);
      return (await repo.findCommands(db, id, 200)).map(toCommandDto);
    },
    counts: async () => {
      const e = await repo.findEmergency(db);
      const c = await repo.countWorkstations(db, onlineSince(clock.now()), e.active ? e.version : null);
      return { total: c.total, online: c.online, pending: c.pending, emergencyBlocked: c.blocked };
    },
    emergencyState,
    emergency: () => repo.findEmergency(db),
    setEmergency,
    /**
     * Hook of the employee service (disable, deactivate, delete), inside its transaction: lock the
     * computers where the employee is signed in. A deactivated employee (removed from the sync
     * group) keeps unlocking, unless the workstation's profile says otherwise.
     */
    async onEmployeeRevoked(tx: Executor, employeeId: string, status: 'disabled' | 'deactivated' | 'deleted') {
      let ids = await deps.openSessionWorkstations(employeeId, tx);
      if (status === 'deactivated') {
        const effective = await profiles.effectiveFor(ids, tx);
        ids = ids.filter((id) => !effective.get(id)?.deactivatedEmployeesMayUnlock);
      }
      await queueCommands(
        { actor: { type: 'system', id: null, label: 'employee access ended' }, ip: null, userAgent: null },
        ids,
        'lock',
        { reason: `employee ${status}` },
        tx,
      );
    },
    /** Hook of an admin ending an employee's sessions: lock where the profile asks for it. */
    async onEmployeeSessionsEnded(ctx: RequestContext, employeeId: string) {
      const ids = await deps.openSessionWorkstations(employeeId);
      const effective = await profiles.effectiveFor(ids);
      await queueCommands(
        ctx,
        ids.filter((id) => effective.get(id)?.lockOnSessionEnd),
        'lock',
        { reason: 'employee sessions ended by an admin' },
      );
    },
  };
}
