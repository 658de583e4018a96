// Directory accounts and groups for claim tests, stored as the directory sync stores them: a domain,
// the employee's account in it (username = sAMAccountName, upn, attributes = the DirectoryUser
// record, with objectSid as the AD sync maps it), and imported groups with their members.
import crypto from 'node:crypto';
import type { Database, Db } from '../../src/db/connection.js';
import { replaceDirectoryMemberships, syncDirectoryGroups } from '../../src/groups/group.repository.js';

interface Storage {
  services: { db: Db };
  db: { database: Database };
}

/** A directory domain row (no connector is used: claims read what the last sync stored). */
export async function insertDomain(t: Storage, kind: 'ad' | 'entra', name: string): Promise<string> {
  const [row] = await t.db.database.query<{ id: string }>(
    `INSERT INTO directory_domains (kind, name, name_normalized, sync_group, rotation_group) VALUES ($1, $2, $3, 'SSO Users', 'Rotation') RETURNING id`,
    [kind, name, name.toLowerCase()],
  );
  return row.id;
}

/** The employee's account in a domain, with the synced record; `importing` makes the domain the employee's source. */
export async function insertAccount(
  t: Storage,
  employeeId: string,
  domainId: string,
  account: { username: string; upn: string | null; externalId?: string; attributes?: Record<string, unknown>; importing?: boolean },
): Promise<string> {
  const externalId = account.externalId ?? crypto.randomUUID();
  const attributes = { externalId, username: account.username, upn: account.upn, enabled: true, ...account.attributes };
  const [row] = await t.db.database.query<{ id: string }>(
    `INSERT INTO directory_accounts (domain_id, employee_id, external_id, username, upn, attributes) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id`,
    [domainId, employeeId, externalId, account.username, account.upn, JSON.stringify(attributes)],
  );
  if (account.importing) await t.db.database.query('UPDATE employees SET source = $1 WHERE id = $2', [domainId, employeeId]);
  return row.id;
}

/** Imported groups of a domain with the employee as member; answers the Tessera ids by name. */
export async function giveDirectoryGroups(t: Storage, domainId: string, employeeId: string, names: string[]): Promise<Map<string, string>> {
  const ids = await syncDirectoryGroups(
    t.services.db,
    domainId,
    names.map((name) => ({ externalId: `guid-${name}`, name })),
    { prune: false },
  );
  await replaceDirectoryMemberships(t.services.db, domainId, employeeId, [...ids.values()]);
  return new Map(names.map((n) => [n, ids.get(`guid-${n}`)!]));
}

/** A local group (managed in the console) with the employee as member; answers its id. */
export async function giveLocalGroup(t: Storage, employeeId: string, name: string): Promise<string> {
  const [row] = await t.db.database.query<{ id: string }>(`INSERT INTO groups (name, name_normalized) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id`, [
    name,
    name.toLowerCase(),
  ]);
  const id =
    row?.id ??
    (await t.db.database.query<{ id: string }>('SELECT id FROM groups WHERE domain_id IS NULL AND name_normalized = $1', [name.toLowerCase()]))[0].id;
  await t.db.database.query('INSERT INTO group_members (group_id, employee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, employeeId]);
  return id;
}

/** An AD objectSid as the sync stores it (S-1-5-21-<domain>-<RID>). */
export const AD_SID = 'S-1-5-21-3623811015-3361044348-30300820-1013';
