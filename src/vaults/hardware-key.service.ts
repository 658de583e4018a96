import type { AuditService } from '../audit/audit.service.js';
import type { Attested } from '../authn/webauthn.service.js';
import type { Db, Executor } from '../db/connection.js';
import type { EmployeeLookup, EmployeeRow } from '../employees/employee.service.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import * as repo from './hardware-key.repository.js';
import type { HardwareKeyDetailDto, HardwareKeyDto, TransitionBody } from './hardware-key.schemas.js';
import { ACTIVATION_CODE_HOURS, generateActivationCode, hashActivationCode } from './activation-code.js';
import { checkImport, IMPORT_MAX_LINE, IMPORT_MAX_ROWS } from './hardware-key-import.js';
import { checkEnrolmentAgainstProfile, type EffectiveAccessProfile } from './access-profile.service.js';
import { enrolmentSerial, readEnrolmentAttestation } from './hardware-key-attestation.js';
import {
  allowedTransitions,
  checkTransition,
  hardwareKeyStates,
  resetSteps,
  type HardwareKeyState,
  type Transition,
  type Trigger,
} from './hardware-key.states.js';

export { hardwareKeyDto, type HardwareKeyDto } from './hardware-key.schemas.js';

export const toHardwareKeyDto = (k: repo.HardwareKeyRow): HardwareKeyDto => ({
  id: k.id,
  serial: k.serial,
  model: k.model,
  aaguid: k.aaguid,
  badge: k.badge,
  batch: k.batch,
  employeeId: k.employeeId,
  accessProfileId: k.accessProfileId,
  state: k.status as HardwareKeyState,
  stateChangedAt: k.stateChangedAt.toISOString(),
  activation: k.activationCodeHash && k.activationExpiresAt ? { expiresAt: k.activationExpiresAt.toISOString(), attempts: k.activationAttempts } : null,
  createdAt: k.createdAt.toISOString(),
});

const allowedDto = (t: Transition) => ({
  to: t.to,
  action: t.action,
  needsEmployee: Boolean(t.needsEmployee),
  needsResetConfirmation: Boolean(t.needsResetConfirmation),
});

/** What the lifecycle does to other features, wired in src/app/services.ts (each through its service). */
export interface HardwareKeyEffects {
  /** Removes these of the employee's WebAuthn credentials, in the caller's transaction; how many went. */
  removeCredentials(ctx: RequestContext, employee: { id: string; email: string }, credentialIds: string[], tx: Executor): Promise<number>;
  /** Ends every session of the employee (portal, SSO, tokens; computers lock as their profile says). */
  endSessions(ctx: RequestContext, employeeId: string): Promise<void>;
  /** Rotates every domain password of the employee now. */
  rotatePasswordsNow(ctx: RequestContext, employeeId: string, reason: 'key_compromised' | 'key_deactivated'): Promise<{ rotated: number; failed: number }>;
  /** E-mails an activation code to the employee (optional). */
  mailActivationCode?(ctx: RequestContext, employee: EmployeeRow, key: HardwareKeyDto, code: string): Promise<void>;
}

export type HardwareKeyService = ReturnType<typeof createHardwareKeyService>;

/**
 * The hardware key inventory and its lifecycle (issue 14). Every state change goes through
 * `applyTransition`, which asks the state machine (hardware-key.states.ts), writes the key, its
 * history line and the audit event in one transaction, and does what the transition says
 * (issue a code, remove credentials). What must happen outside that transaction (ending sessions,
 * rotating passwords at the directory) follows once it committed.
 */
export function createHardwareKeyService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  employees: EmployeeLookup;
  effects: () => HardwareKeyEffects;
  /** The profile of a key without its own (access-profile.service.ts defaultProfile). */
  defaultAccessProfile?: (tx: Executor) => Promise<EffectiveAccessProfile>;
}) {
  const { db, audit, clock, employees } = deps;
  const target = (k: { id: string; serial: string }) => ({ type: 'hardware_key', id: k.id, label: k.serial });

  async function employeeOrThrow(id: string, tx: Executor = db) {
    const e = await employees.findById(id, tx);
    if (!e) throw new AppError('employees.not_found', 'Employee was not found');
    return e;
  }

  async function keyOrThrow(id: string, tx: Executor = db, lock = false) {
    const k = lock ? await repo.lockHardwareKeyById(tx, id) : await repo.findHardwareKeyById(tx, id);
    if (!k) throw new AppError('hardware_keys.not_found', 'Hardware key was not found');
    return k;
  }

  const event = (ctx: RequestContext, key: repo.HardwareKeyRow, from: string | null, to: string, reason: string, employeeId: string | null) => ({
    keyId: key.id,
    fromState: from,
    toState: to,
    reason,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    actorLabel: ctx.actor.label,
    employeeId,
    at: clock.now(),
  });

  interface Applied {
    key: repo.HardwareKeyRow;
    transition: Transition;
    activationCode?: string;
    removed: number;
    employee?: EmployeeRow;
  }

  /** One transition in the caller's transaction (the key locked first). Throws 409 with the allowed ones. */
  async function applyTransition(
    ctx: RequestContext,
    tx: Executor,
    keyId: string,
    input: Pick<TransitionBody, 'to' | 'reason' | 'employeeId' | 'resetConfirmed'>,
    by: Trigger,
  ): Promise<Applied> {
    const key = await keyOrThrow(keyId, tx, true);
    const from = key.status as HardwareKeyState;
    const check = checkTransition(from, input.to, by);
    if (!check.isAllowed) {
      const allowed = check.allowed.map(allowedDto);
      throw new AppError(
        'hardware_keys.transition_not_allowed',
        `A ${from} key cannot become ${input.to}; from ${from} it can become: ${allowed.map((a) => a.to).join(', ') || 'nothing'}`,
        { details: { from, to: input.to, allowed } },
      );
    }
    const t = check.transition;
    const now = clock.now();
    let employeeId = key.employeeId;
    let employee: EmployeeRow | undefined;
    if (t.needsEmployee) {
      if (!input.employeeId) throw new AppError('hardware_keys.employee_required', `To ${t.action} a key, name the employee (employeeId)`);
      employee = await employeeOrThrow(input.employeeId, tx);
      if (employee.status !== 'active')
        throw new AppError('hardware_keys.employee_inactive', `${employee.email} is ${employee.status}: a key can only be reserved for an active employee`);
      employeeId = employee.id;
    } else if (employeeId) employee = await employees.findById(employeeId, tx);
    if (t.needsResetConfirmation && input.resetConfirmed !== true) {
      throw new AppError('hardware_keys.reset_not_confirmed', 'Reset the key first (resetSteps), then confirm it with resetConfirmed: true', {
        details: { resetSteps },
      });
    }
    let removed = 0;
    if (t.removesCredentials) {
      const ids = await repo.findKeyCredentialIds(tx, key.id);
      if (ids.length > 0 && employee) removed = await deps.effects().removeCredentials(ctx, employee, ids, tx);
    }
    const activationCode = t.issuesActivationCode ? generateActivationCode() : undefined;
    const updated = await repo.updateHardwareKeyById(
      tx,
      key.id,
      {
        status: t.to,
        stateChangedAt: now,
        employeeId: t.releasesEmployee ? null : employeeId,
        // A pending code lives only while the key waits for it: any other change cancels it.
        activationCodeHash: activationCode ? hashActivationCode(activationCode) : null,
        activationExpiresAt: activationCode ? new Date(now.getTime() + ACTIVATION_CODE_HOURS * 3600_000) : null,
        activationAttempts: 0,
      },
      now,
    );
    await repo.insertHardwareKeyEvents(tx, [event(ctx, key, from, t.to, input.reason, employeeId)]);
    await audit.record(
      ctx,
      {
        action: 'hardware_key.transitioned',
        target: target(key),
        details: { from, to: t.to, action: t.action, reason: input.reason, employee: employee?.email ?? null, credentialsRemoved: removed },
      },
      tx,
    );
    if (activationCode) {
      await audit.record(
        ctx,
        {
          action: 'hardware_key.activation_code_issued',
          target: target(key),
          details: { employee: employee?.email ?? null, expiresAt: updated.activationExpiresAt?.toISOString() },
        },
        tx,
      );
    }
    return { key: updated, transition: t, activationCode, removed, employee };
  }

  /** After a Compromised transition committed: sessions end, the passwords the key received rotate. */
  async function handleCompromise(ctx: RequestContext, applied: Applied) {
    const out = { credentialsRevoked: applied.removed, sessionsEnded: false, passwordsRotated: 0, passwordsFailed: 0 };
    const employeeId = applied.key.employeeId;
    if (!employeeId) return out;
    await deps.effects().endSessions(ctx, employeeId);
    out.sessionsEnded = true;
    const r = await deps.effects().rotatePasswordsNow(ctx, employeeId, 'key_compromised');
    out.passwordsRotated = r.rotated;
    out.passwordsFailed = r.failed;
    await audit.record(ctx, {
      action: 'hardware_key.compromise_handled',
      outcome: r.failed > 0 ? 'failure' : 'success',
      target: target(applied.key),
      details: out,
    });
    return out;
  }

  /** After a deactivation committed: the returned key may have carried the passwords, so they rotate (issue 14 item 8). */
  async function handleDeactivation(ctx: RequestContext, applied: Applied) {
    const employeeId = applied.key.employeeId;
    if (!employeeId) return undefined;
    const r = await deps.effects().rotatePasswordsNow(ctx, employeeId, 'key_deactivated');
    await audit.record(ctx, {
      action: 'hardware_key.deactivation_handled',
      outcome: r.failed > 0 ? 'failure' : 'success',
      target: target(applied.key),
      details: { credentialsRemoved: applied.removed, passwordsRotated: r.rotated, passwordsFailed: r.failed },
    });
    return { passwordsRotated: r.rotated, passwordsFailed: r.failed };
  }

  /** A transition an admin asked for: refused ones are audited too. */
  async function transition(ctx: RequestContext, keyId: string, input: TransitionBody) {
    let applied: Applied;
    try {
      applied = await db.transaction((tx) => applyTransition(ctx, tx, keyId, input, 'admin'));
    } catch (err) {
      if (err instanceof AppError && err.code !== 'hardware_keys.not_found') {
        const k = await repo.findHardwareKeyById(db, keyId);
        if (k) {
          await audit.record(ctx, {
            action: 'hardware_key.transition_refused',
            outcome: 'failure',
            target: target(k),
            details: { from: k.status, to: input.to, reason: input.reason, code: err.code },
          });
        }
      }
      throw err;
    }
    const dto = toHardwareKeyDto(applied.key);
    const compromise = applied.transition.isCompromise ? await handleCompromise(ctx, applied) : undefined;
    const deactivation = !applied.transition.isCompromise && applied.transition.rotatesPasswords ? await handleDeactivation(ctx, applied) : undefined;
    if (applied.activationCode && input.mailCode && applied.employee) {
      await deps.effects().mailActivationCode?.(ctx, applied.employee, dto, applied.activationCode);
    }
    return {
      key: dto,
      ...(applied.activationCode ? { activationCode: applied.activationCode } : {}),
      ...(compromise ? { compromise } : {}),
      ...(deactivation ? { deactivation } : {}),
    };
  }

  /** Several transitions, each on its own (one refused does not hold back the others). */
  async function bulk(ctx: RequestContext, items: { keyId: string; body: TransitionBody }[]) {
    const out = [];
    for (const item of items) {
      try {
        const r = await transition(ctx, item.keyId, item.body);
        out.push({ keyId: item.keyId, status: 'done' as const, ...(r.activationCode ? { activationCode: r.activationCode } : {}) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        out.push({ keyId: item.keyId, status: 'refused' as const, error: { code: err.code, message: err.message } });
      }
    }
    return { items: out };
  }

  async function detail(id: string): Promise<HardwareKeyDetailDto> {
    const k = await keyOrThrow(id);
    const [events, credentialIds] = await Promise.all([repo.findHardwareKeyEvents(db, k.id), repo.findKeyCredentialIds(db, k.id)]);
    return {
      ...toHardwareKeyDto(k),
      credentialIds,
      history: events.map((e) => ({
        from: e.fromState as HardwareKeyState | null,
        to: e.toState as HardwareKeyState,
        reason: e.reason,
        actor: { type: e.actorType, id: e.actorId, label: e.actorLabel },
        employeeId: e.employeeId,
        at: e.at.toISOString(),
      })),
      allowedTransitions: allowedTransitions(k.status as HardwareKeyState, 'admin').map(allowedDto),
      resetSteps: k.status === 'deactivated' ? [...resetSteps] : [],
    };
  }

  /**
   * CSV import, each row on its own: a valid new serial is created (Ready), a known one is a
   * duplicate, anything else invalid with the reason. All created rows are written in one
   * transaction, so an import either writes every row it reports as created or none.
   */
  async function importCsv(ctx: RequestContext, csv: string) {
    const long = csv.split('\n').findIndex((l) => l.length > IMPORT_MAX_LINE);
    if (long >= 0)
      throw new AppError('hardware_keys.import_invalid', `Line ${long + 1} is longer than ${IMPORT_MAX_LINE} characters: this is not an inventory CSV`);
    const checks = checkImport(csv);
    if (checks.length > IMPORT_MAX_ROWS)
      throw new AppError('hardware_keys.import_invalid', `At most ${IMPORT_MAX_ROWS} keys an import; this file has ${checks.length}`);
    const valid = checks.flatMap((c) => ('row' in c ? [c] : []));
    const existing = await repo.findExistingSerials(
      db,
      valid.map((c) => c.row.serial),
    );
    const toCreate = valid.filter((c) => !existing.has(c.row.serial));
    const created = await db.transaction(async (tx) => {
      const rows = await repo.insertHardwareKeysIfNew(
        tx,
        toCreate.map((c) => ({ ...c.row, status: 'ready' })),
      );
      await repo.insertHardwareKeyEvents(
        tx,
        rows.map((k) => event(ctx, k, null, 'ready', 'imported', null)),
      );
      await audit.record(
        ctx,
        { action: 'hardware_key.imported', target: { type: 'hardware_key', id: null }, details: { created: rows.length, rows: checks.length } },
        tx,
      );
      return new Set(rows.map((r) => r.serial));
    });
    const rows = checks.map((c) => {
      if (!('row' in c)) return { line: c.line, serial: c.serial, status: c.status, error: c.error };
      if (created.has(c.row.serial)) return { line: c.line, serial: c.row.serial, status: 'created' as const };
      return { line: c.line, serial: c.row.serial, status: 'duplicate' as const, error: 'a key with this serial is already in the inventory' };
    });
    const count = (s: string) => rows.filter((r) => r.status === s).length;
    return { created: count('created'), duplicate: count('duplicate'), invalid: count('invalid'), rows };
  }

  /** The legacy registration (employee's page): a key the employee already holds, Active at once. */
  async function add(ctx: RequestContext, employeeId: string, serial: string): Promise<HardwareKeyDto> {
    const e = await employeeOrThrow(employeeId);
    try {
      return await db.transaction(async (tx) => {
        const row = await repo.insertHardwareKey(tx, { serial, employeeId, status: 'active' });
        await repo.insertHardwareKeyEvents(tx, [event(ctx, row, null, 'active', 'registered as held by the employee', e.id)]);
        await audit.record(ctx, { action: 'hardware_key.added', target: { type: 'employee', id: e.id, label: e.email }, details: { serial, key: row.id } }, tx);
        return toHardwareKeyDto(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('hardware_keys.serial_in_use', 'A key with this serial number is already registered', { field: 'serial' });
      throw err;
    }
  }

  /**
   * A security key enrolled outside activation (invitation, portal) with a direct attestation and
   * not in the inventory (hardware-key-attestation.ts says what "direct" takes): a key row is
   * created Active, bound to the credential, its AAGUID and model from the attestation, in the
   * registration's transaction, with a history line that says where it came from. The default
   * access profile applies to it, so it is checked now: a refusal refuses the enrolment. Nothing
   * happens for a platform credential, a credential already bound (an activation with a code), or
   * when the employee has a key reserved of that model or of an unknown one: that key is to be
   * activated with its code, and which physical key this is cannot be told.
   */
  async function registerAtEnrolment(
    ctx: RequestContext,
    tx: Executor,
    credential: { id: string; subjectId: string; credentialId: string; attachment: string },
    attested: Attested,
  ): Promise<HardwareKeyDto | undefined> {
    if (credential.attachment !== 'cross-platform') return undefined;
    const attestation = readEnrolmentAttestation(attested);
    if (!attestation.isDirect) return undefined;
    if (await repo.findKeyOfCredential(tx, credential.id)) return undefined;
    const pending = await repo.findPendingActivations(tx, credential.subjectId);
    if (pending.some((k) => k.aaguid === null || k.aaguid.toLowerCase() === attestation.aaguid)) return undefined;
    const profile = await deps.defaultAccessProfile?.(tx);
    const pin = profile ? checkEnrolmentAgainstProfile(profile, attested, 'this security key') : undefined;
    const serial = enrolmentSerial(credential.credentialId);
    const { model, aaguid, subject, issuer, format } = attestation;
    const row = await repo.insertHardwareKey(tx, { serial, model, aaguid, employeeId: credential.subjectId, status: 'active' });
    await repo.insertKeyCredential(tx, row.id, credential.id);
    const reason =
      `created at enrolment from the key's direct attestation (${format}; certificate ${subject}, issued by ${issuer}; ` +
      `not checked against the vendor's root certificate); an attestation carries no serial number, so ${serial} stands in for it`;
    await repo.insertHardwareKeyEvents(tx, [event(ctx, row, null, 'active', reason, credential.subjectId)]);
    await audit.record(
      ctx,
      {
        action: 'hardware_key.registered_at_enrolment',
        target: target(row),
        details: {
          credential: credential.id,
          employee: credential.subjectId,
          aaguid,
          model,
          attestation: format,
          certificate: { subject, issuer, isRootChecked: false },
          ...(profile && pin ? { accessProfile: profile.name, pinLength: pin } : {}),
        },
      },
      tx,
    );
    return toHardwareKeyDto(row);
  }

  /**
   * Deletes a key from the inventory (the employee page's "remove"). Its FIDO credentials go with
   * it, in the same transaction: sign-in, reveal and delivery decide on the key a credential is
   * bound to, and a credential whose key row vanished would be an unbound one, accepted again
   * whatever state (Suspended, Locked) its key was in. A Compromised key is never deleted: its
   * record is what keeps it from coming back (issue 14: never reusable).
   */
  async function remove(ctx: RequestContext, employeeId: string, keyId: string): Promise<void> {
    const e = await employeeOrThrow(employeeId);
    const removedState = await db.transaction(async (tx) => {
      const key = await repo.lockHardwareKeyById(tx, keyId);
      if (!key || key.employeeId !== employeeId) throw new AppError('hardware_keys.not_found', 'Hardware key was not found');
      if (key.status === 'compromised')
        throw new AppError(
          'hardware_keys.compromised_kept',
          `Key ${key.serial} was reported compromised: its record stays in the inventory so that it can never be issued or registered again`,
        );
      const ids = await repo.findKeyCredentialIds(tx, key.id);
      const removed = ids.length > 0 ? await deps.effects().removeCredentials(ctx, e, ids, tx) : 0;
      const row = await repo.deleteHardwareKeyOfEmployee(tx, keyId, employeeId);
      if (!row) throw new AppError('hardware_keys.not_found', 'Hardware key was not found');
      await audit.record(
        ctx,
        {
          action: 'hardware_key.removed',
          target: { type: 'employee', id: e.id, label: e.email },
          details: { serial: row.serial, key: row.id, state: row.status, credentialsRemoved: removed },
        },
        tx,
      );
      return row.status;
    });
    // A key that was in the employee's hands may have carried their passwords: they rotate, as
    // when it is deactivated (issue 14 item 8). A Ready or Reserved key never held them.
    if (removedState === 'active' || removedState === 'suspended' || removedState === 'locked')
      await deps.effects().rotatePasswordsNow(ctx, employeeId, 'key_deactivated');
  }

  return {
    /** Those of the employees who hold an Active key (password rotation applies to them only). */
    findActiveKeyHolders: (employeeIds: string[]) => repo.findActiveKeyHolders(db, employeeIds),
    /** The credentials bound to the employees' keys that are not Active: sign-in refuses them. */
    credentialsOfInactiveKeys: (employeeIds: string[]) => repo.findCredentialIdsOfInactiveKeys(db, employeeIds),
    /** A subquery of every credential on a key that is not Active (Suspended, Locked, Deactivated, Compromised...): it cannot sign in. */
    credentialIdsOnInactiveKeys: () => repo.credentialIdsOnInactiveKeys(db),
    async listForEmployee(employeeId: string): Promise<HardwareKeyDto[]> {
      await employeeOrThrow(employeeId);
      return (await repo.findHardwareKeysByEmployeeId(db, employeeId)).map(toHardwareKeyDto);
    },
    /** The number of keys in every state, zero included (the dashboard's tiles). */
    async countByState(): Promise<Record<HardwareKeyState, number>> {
      const counts = await repo.countHardwareKeysByState(db);
      return Object.fromEntries(hardwareKeyStates.map((s) => [s, counts[s] ?? 0])) as Record<HardwareKeyState, number>;
    },
    async list(f: repo.HardwareKeyFilter) {
      const { items, total } = await repo.findHardwareKeys(db, f);
      return { items: items.map(toHardwareKeyDto), total, page: f.page, pageSize: f.pageSize };
    },
    detail,
    transition,
    bulk,
    importCsv,
    add,
    remove,
    registerAtEnrolment,
    /** For activation (activation.service.ts): one transition inside its transaction. */
    applyTransition,
    /** The employee's Active keys and the credentials bound to them (what a workstation delivery may be asserted with). */
    activeKeyCredentials: (employeeId: string) => repo.findActiveKeyCredentials(db, employeeId),
    /** The key a WebAuthn credential is bound to: its id, state, serial and employee. */
    async keyOfCredential(credentialId: string): Promise<{ id: string; state: HardwareKeyState; serial: string; employeeId: string | null } | undefined> {
      const k = await repo.findKeyOfCredential(db, credentialId);
      return k ? { id: k.id, state: k.status as HardwareKeyState, serial: k.serial, employeeId: k.employeeId } : undefined;
    },
    /** The state of the key a WebAuthn credential is bound to, or undefined when it is bound to none. */
    async keyStateOfCredential(credentialId: string): Promise<{ id: string; state: HardwareKeyState; serial: string } | undefined> {
      const k = await repo.findKeyOfCredential(db, credentialId);
      return k ? { id: k.id, state: k.status as HardwareKeyState, serial: k.serial } : undefined;
    },
  };
}
