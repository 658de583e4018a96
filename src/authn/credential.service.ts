import type { SQLWrapper } from 'drizzle-orm';
import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';
import { employeeIdsWithTotp } from './employee-auth.repository.js';
import * as repo from './webauthn.repository.js';
import type { SubjectType } from './webauthn.service.js';

/** Whose credentials: the subject, with its label for the audit log. */
export interface CredentialOwner {
  type: SubjectType;
  id: string;
  label: string;
}

const actions = {
  employee: { renamed: 'employee.credential_renamed', removed: 'employee.credential_removed' },
  admin: { renamed: 'admin.passkey_renamed', removed: 'admin.passkey_removed' },
} as const;

export type CredentialService = ReturnType<typeof createCredentialService>;

/** Registered passkeys and security keys: listing, renaming and removing, each change audited. */
export function createCredentialService(deps: { db: Db; audit: AuditService }) {
  const { db, audit } = deps;
  const target = (o: CredentialOwner) => ({ type: o.type, id: o.id, label: o.label });

  async function get(owner: CredentialOwner, id: string, tx: Executor = db): Promise<repo.CredentialRow> {
    const row = await repo.findCredentialOfSubject(tx, owner.type, owner.id, id);
    if (!row) throw new AppError('webauthn.credential_not_found', 'This passkey or security key was not found');
    return row;
  }

  async function rename(ctx: RequestContext, owner: CredentialOwner, id: string, name: string): Promise<repo.CredentialRow> {
    return db.transaction(async (tx) => {
      const current = await get(owner, id, tx);
      if (current.name === name) return current;
      const row = await repo.updateCredentialById(tx, id, { name });
      await audit.record(ctx, { action: actions[owner.type].renamed, target: target(owner), details: { credential: id, from: current.name, to: name } }, tx);
      return row!;
    });
  }

  /** Removes one credential; `check` runs in the transaction first (e.g. "not the last way to sign in"). */
  async function remove(
    ctx: RequestContext,
    owner: CredentialOwner,
    id: string,
    check?: (tx: Executor, row: repo.CredentialRow) => Promise<void>,
  ): Promise<void> {
    await db.transaction(async (tx) => {
      await repo.lockSubjectCredentials(tx, owner.type, owner.id);
      const row = await get(owner, id, tx);
      if (check) await check(tx, row);
      await repo.deleteCredentialById(tx, id);
      await audit.record(
        ctx,
        { action: actions[owner.type].removed, target: target(owner), details: { credential: id, name: row.name, aaguid: row.aaguid } },
        tx,
      );
    });
  }

  /** Removes all of a subject's credentials, in the caller's transaction. Returns how many there were. */
  async function removeAll(ctx: RequestContext, owner: CredentialOwner, tx: Executor): Promise<number> {
    await repo.lockSubjectCredentials(tx, owner.type, owner.id);
    const count = await repo.deleteCredentialsBySubject(tx, owner.type, owner.id);
    if (count > 0) await audit.record(ctx, { action: actions[owner.type].removed, target: target(owner), details: { all: true, count } }, tx);
    return count;
  }

  /** Removes these of a subject's credentials, in the caller's transaction (a hardware key's, when it leaves service). */
  async function removeByIds(ctx: RequestContext, owner: CredentialOwner, ids: string[], tx: Executor): Promise<number> {
    await repo.lockSubjectCredentials(tx, owner.type, owner.id);
    let count = 0;
    for (const id of ids) {
      const row = await repo.findCredentialOfSubject(tx, owner.type, owner.id, id);
      if (!row || !(await repo.deleteCredentialById(tx, id))) continue;
      count++;
      await audit.record(
        ctx,
        { action: actions[owner.type].removed, target: target(owner), details: { credential: id, name: row.name, aaguid: row.aaguid } },
        tx,
      );
    }
    return count;
  }

  return {
    removeByIds,
    list: (owner: { type: SubjectType; id: string }) => repo.findCredentialsBySubject(db, owner.type, owner.id),
    /**
     * A subquery of the employees holding this kind of credential (or a TOTP seed), for the employees
     * list's rollout state; `exceptCredentialIds` leaves out credentials that cannot sign in (on a key that is not Active).
     */
    employeeIdsHolding: (method: 'passkey' | 'security_key' | 'second_factor_key' | 'totp', opts: { exceptCredentialIds?: SQLWrapper } = {}) =>
      method === 'totp' ? employeeIdsWithTotp(db) : repo.employeeIdsWithCredentialKind(db, method, opts.exceptCredentialIds),
    get,
    rename,
    remove,
    removeAll,
  };
}
