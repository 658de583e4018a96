import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';
import type { AgentBus } from './agent-bus.js';
import * as repo from './workstation.repository.js';
import type { AgentProfileDto, CreateProfileInput, ProfileDto, UpdateProfileInput } from './workstation.schemas.js';

/** What an agent applies when no profile exists at all: a sane office default. */
export const BUILT_IN_PROFILE: AgentProfileDto = {
  id: null,
  name: 'Built-in default',
  idleLockMinutes: 15,
  lockOnSessionEnd: true,
  unlockMethods: ['security_key', 'passkey', 'password', 'smart_card', 'phone'],
  rdpAllowed: true,
  offlineLogonDays: 7,
  deactivatedEmployeesMayUnlock: true,
};

const toAgentProfile = (p: repo.ProfileRow): AgentProfileDto => ({
  id: p.id,
  name: p.name,
  idleLockMinutes: p.idleLockMinutes,
  lockOnSessionEnd: p.lockOnSessionEnd,
  unlockMethods: p.unlockMethods,
  rdpAllowed: p.rdpAllowed,
  offlineLogonDays: p.offlineLogonDays,
  deactivatedEmployeesMayUnlock: p.deactivatedEmployeesMayUnlock,
});

const toDto = (p: repo.ProfileRow & { departmentIds: string[]; workstationCount: number }): ProfileDto => ({
  ...toAgentProfile(p),
  id: p.id,
  description: p.description,
  isDefault: p.isDefault,
  departmentIds: p.departmentIds,
  workstationCount: p.workstationCount,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export type ProfileService = ReturnType<typeof createProfileService>;

/** Workstation profiles: named policies for a workstation or a department; agents get the one in force. */
export function createProfileService(deps: { db: Db; audit: AuditService; bus: AgentBus; departmentExists: (id: string) => Promise<boolean> }) {
  const { db, audit, bus } = deps;

  async function get(id: string): Promise<ProfileDto> {
    const found = (await repo.findProfiles(db)).find((p) => p.id === id);
    if (!found) throw new AppError('workstations.profile_not_found', 'Workstation profile was not found');
    return toDto(found);
  }

  async function checkDepartments(ids: string[]) {
    for (const id of ids) if (!(await deps.departmentExists(id))) throw new AppError('workstations.department_not_found', `Department ${id} was not found`);
  }

  const nameInUse = (err: unknown) =>
    isUniqueViolation(err) ? new AppError('workstations.profile_name_in_use', 'Another workstation profile has this name', { field: 'name' }) : err;

  async function create(ctx: RequestContext, input: CreateProfileInput): Promise<ProfileDto> {
    await checkDepartments(input.departmentIds);
    const { departmentIds, ...fields } = input;
    let id: string;
    try {
      id = await db.transaction(async (tx) => {
        if (fields.isDefault) await repo.clearDefaultProfile(tx);
        const row = await repo.insertProfile(tx, { ...fields, nameNormalized: fields.name.toLowerCase() });
        await repo.setProfileDepartments(tx, row.id, departmentIds);
        await audit.record(
          ctx,
          { action: 'workstation.profile_created', target: { type: 'workstation_profile', id: row.id, label: row.name }, details: input },
          tx,
        );
        return row.id;
      });
    } catch (err) {
      throw nameInUse(err);
    }
    await bus.publish({ t: 'profile', ids: 'all' });
    return get(id);
  }

  async function update(ctx: RequestContext, id: string, patch: UpdateProfileInput): Promise<ProfileDto> {
    const current = await get(id);
    if (patch.departmentIds) await checkDepartments(patch.departmentIds);
    const { departmentIds, ...fields } = patch;
    try {
      await db.transaction(async (tx) => {
        if (fields.isDefault && !current.isDefault) await repo.clearDefaultProfile(tx);
        await repo.updateProfileById(tx, id, { ...fields, ...(fields.name ? { nameNormalized: fields.name.toLowerCase() } : {}), updatedAt: new Date() });
        if (departmentIds) await repo.setProfileDepartments(tx, id, departmentIds);
        const changes = Object.fromEntries(
          Object.entries(patch)
            .filter(([k, v]) => JSON.stringify(current[k as keyof ProfileDto]) !== JSON.stringify(v))
            .map(([k, v]) => [k, { from: current[k as keyof ProfileDto], to: v }]),
        );
        await audit.record(
          ctx,
          { action: 'workstation.profile_updated', target: { type: 'workstation_profile', id, label: current.name }, details: { changes } },
          tx,
        );
      });
    } catch (err) {
      throw nameInUse(err);
    }
    // Which agents the change reaches depends on departments and the default: tell them all to look.
    await bus.publish({ t: 'profile', ids: 'all' });
    return get(id);
  }

  async function remove(ctx: RequestContext, id: string): Promise<void> {
    const current = await get(id);
    if (current.isDefault)
      throw new AppError('workstations.profile_is_default', 'The default profile cannot be deleted: make another profile the default first');
    await db.transaction(async (tx) => {
      await repo.deleteProfileById(tx, id);
      await audit.record(ctx, { action: 'workstation.profile_deleted', target: { type: 'workstation_profile', id, label: current.name } }, tx);
    });
    await bus.publish({ t: 'profile', ids: 'all' });
  }

  /** The profile in force at each workstation, as the agent receives it. */
  async function effectiveFor(workstationIds: string[], tx: Executor = db): Promise<Map<string, AgentProfileDto>> {
    const ids = await repo.findEffectiveProfileIds(tx, workstationIds);
    const rows = new Map<string, repo.ProfileRow>();
    for (const profileId of new Set(ids.values())) {
      if (!profileId) continue;
      const row = await repo.findProfileById(tx, profileId);
      if (row) rows.set(profileId, row);
    }
    return new Map(workstationIds.map((w) => [w, rows.has(ids.get(w) ?? '') ? toAgentProfile(rows.get(ids.get(w)!)!) : BUILT_IN_PROFILE]));
  }

  return {
    list: async () => (await repo.findProfiles(db)).map(toDto),
    get,
    create,
    update,
    remove,
    exists: async (id: string) => Boolean(await repo.findProfileById(db, id)),
    effectiveFor,
    effectiveIdFor: (workstationIds: string[]) => repo.findEffectiveProfileIds(db, workstationIds),
  };
}
