/**
 * Microsoft Graph v1.0 directory endpoints, as documented: users (with $select: without it only
 * the default property set is returned, so a client that needs accountEnabled must ask), groups
 * with $filter on displayName, groups/{id}/transitiveMembers and members (paged with $top and an
 * opaque @odata.nextLink), users/delta and groups/delta (nextLink pages, then @odata.deltaLink;
 * `$deltatoken=latest` answers only a deltaLink), PATCH users/{id} with passwordProfile, group
 * creation and membership $ref add/remove. Each call checks the token's application permissions.
 */
import crypto from 'node:crypto';
import { graphError, type Answer } from './http-util.js';
import type { EmulatedGroup, EmulatedUser, EntraState, IssuedToken } from './state.js';

const userDefault = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
const userProps = new Set([...userDefault, 'accountEnabled', 'department', 'companyName', 'employeeId', 'createdDateTime', 'onPremisesSecurityIdentifier']);
const groupDefault = ['id', 'displayName', 'description', 'mailNickname', 'mailEnabled', 'securityEnabled', 'createdDateTime'];
const groupProps = new Set([...groupDefault, 'members']);

export const readUsers = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
export const readGroups = [
  'Group.Read.All',
  'GroupMember.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const writeGroups = ['Group.ReadWrite.All', 'Directory.ReadWrite.All'];
const writeMembers = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
const writePasswords = ['User-PasswordProfile.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];

export function denied(token: IssuedToken, anyOf: string[]): Answer | null {
  return token.roles.some((r) => anyOf.includes(r))
    ? null
    : graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

function userJson(u: EmulatedUser, select: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    ...u,
    preferredLanguage: null,
    employeeId: null,
    createdDateTime: '2024-01-01T00:00:00Z',
    onPremisesSecurityIdentifier: u.onPremisesSecurityIdentifier ?? null,
  };
  const out: Record<string, unknown> = { '@odata.type': '#microsoft.graph.user' };
  for (const k of select) out[k] = all[k] ?? (k === 'businessPhones' ? [] : null);
  out.id = u.id;
  return out;
}

function groupJson(g: EmulatedGroup, select: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = { ...g, createdDateTime: '2024-01-01T00:00:00Z' };
  const out: Record<string, unknown> = { '@odata.type': '#microsoft.graph.group' };
  for (const k of select) if (k !== 'members') out[k] = all[k] ?? null;
  out.id = g.id;
  return out;
}

/** $select, checked against the type's properties as Graph does (400 for an unknown one). */
function parseSelect(url: URL, known: Set<string>, fallback: string[], type: string): string[] | Answer {
  const raw = url.searchParams.get('$select');
  if (!raw) return fallback;
  const fields = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = fields.find((f) => !known.has(f));
  if (unknown) return graphError(400, 'BadRequest', `Could not find a property named '${unknown}' on type 'microsoft.graph.${type}'.`);
  return fields;
}

function parseTop(url: URL, max: number): number | Answer {
  const raw = url.searchParams.get('$top');
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    return graphError(400, 'Request_UnsupportedQuery', `Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`);
  return n;
}

/** Paged listings keep a snapshot behind an opaque $skiptoken, so pages of one listing agree. */
interface Snapshot {
  rows: Record<string, unknown>[];
  top: number;
  deltaLink?: string;
}
const snapshots = new Map<string, Snapshot>();

function page(base: string, path: string, snap: Snapshot, offset: number, context: string): Answer {
  const rows = snap.rows.slice(offset, offset + snap.top);
  const body: Record<string, unknown> = { '@odata.context': context, value: rows };
  if (offset + snap.top < snap.rows.length) {
    const token = crypto.randomBytes(12).toString('base64url');
    snapshots.set(token, snap);
    body['@odata.nextLink'] = `${base}/v1.0${path}?$skiptoken=${token}~${offset + snap.top}`;
  } else if (snap.deltaLink) {
    body['@odata.deltaLink'] = snap.deltaLink;
  }
  return { status: 200, body };
}

function continued(url: URL): { snap: Snapshot; offset: number } | Answer | null {
  const skip = url.searchParams.get('$skiptoken');
  if (skip === null) return null;
  const [token, offset] = skip.split('~');
  const snap = snapshots.get(token ?? '');
  if (!snap) return graphError(400, 'Request_BadRequest', 'The $skiptoken is invalid or has expired.');
  snapshots.delete(token!);
  return { snap, offset: Number(offset) };
}

const deltaToken = (v: number, select: string[]) => Buffer.from(JSON.stringify({ v, s: select })).toString('base64url');

export async function directoryRoute(
  state: EntraState,
  base: string,
  method: string,
  path: string,
  url: URL,
  body: unknown,
  token: IssuedToken,
): Promise<Answer | null> {
  const ctx = (what: string) => `${base}/v1.0/$metadata#${what}`;
  let m: RegExpExecArray | null;
  const cont = continued(url);
  if (cont && 'status' in cont) return cont;

  if (method === 'GET' && (path === '/users' || path === '/users/delta')) {
    const refusal = denied(token, readUsers);
    if (refusal) return refusal;
    if (cont) return page(base, path, cont.snap, cont.offset, ctx('users'));
    if (path === '/users') {
      const select = parseSelect(url, userProps, userDefault, 'user');
      if (!Array.isArray(select)) return select;
      const top = parseTop(url, 999);
      if (typeof top !== 'number') return top;
      return page(base, path, { rows: [...state.users.values()].map((u) => userJson(u, select)), top }, 0, ctx('users'));
    }
    // users/delta: a first round lists every user; a deltaLink's token lists what changed since.
    const dt = url.searchParams.get('$deltatoken');
    const selected = parseSelect(url, userProps, userDefault, 'user');
    if (!Array.isArray(selected)) return selected;
    let since = 0,
      select = selected;
    if (dt === 'latest')
      return {
        status: 200,
        body: { '@odata.context': ctx('users'), value: [], '@odata.deltaLink': `${base}/v1.0/users/delta?$deltatoken=${deltaToken(state.version, select)}` },
      };
    if (dt) {
      try {
        ({ v: since, s: select } = JSON.parse(Buffer.from(dt, 'base64url').toString()));
      } catch {
        return graphError(400, 'Request_BadRequest', 'Invalid delta token.');
      }
    }
    const rows = [...state.users.values()].filter((u) => u.version > since).map((u) => userJson(u, select));
    for (const d of state.deletedUsers) if (d.version > since) rows.push({ id: d.id, '@removed': { reason: 'changed' } });
    return page(base, path, { rows, top: 200, deltaLink: `${base}/v1.0/users/delta?$deltatoken=${deltaToken(state.version, select)}` }, 0, ctx('users'));
  }

  // user: List transitiveMemberOf (v1.0): groups, directory roles and administrative units, direct
  // and nested; the OData cast `/microsoft.graph.group` keeps groups only. $select, $top (default
  // 100, max 999), @odata.nextLink. Application permission: User.Read.All or higher.
  if (method === 'GET' && (m = /^\/users\/([^/]+)\/transitiveMemberOf(\/microsoft\.graph\.group)?$/.exec(path))) {
    const refusal = denied(token, [...readUsers, 'GroupMember.Read.All', 'Group.Read.All']);
    if (refusal) return refusal;
    const context = ctx(m[2] ? 'groups' : 'directoryObjects');
    if (cont) return page(base, path, cont.snap, cont.offset, context);
    const key = decodeURIComponent(m[1]!);
    const user = state.users.get(key) ?? [...state.users.values()].find((u) => u.userPrincipalName.toLowerCase() === key.toLowerCase());
    if (!user)
      return graphError(404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
    const select = parseSelect(url, groupProps, groupDefault, m[2] ? 'group' : 'directoryObject');
    if (!Array.isArray(select)) return select;
    const top = parseTop(url, 999);
    if (typeof top !== 'number') return top;
    return page(base, path, { rows: state.transitiveMemberOf(user.id).map((g) => groupJson(g, select)), top }, 0, context);
  }

  if ((m = /^\/users\/([^/]+)$/.exec(path))) {
    const key = decodeURIComponent(m[1]!);
    const user = state.users.get(key) ?? [...state.users.values()].find((u) => u.userPrincipalName.toLowerCase() === key.toLowerCase());
    if (method === 'GET') {
      const refusal = denied(token, readUsers);
      if (refusal) return refusal;
      if (!user)
        return graphError(
          404,
          'Request_ResourceNotFound',
          `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
        );
      const select = parseSelect(url, userProps, userDefault, 'user');
      if (!Array.isArray(select)) return select;
      return { status: 200, body: { '@odata.context': ctx('users/$entity'), ...userJson(user, select) } };
    }
    if (method === 'PATCH') {
      const refusal = denied(token, writePasswords);
      if (refusal) return refusal;
      if (!user)
        return graphError(
          404,
          'Request_ResourceNotFound',
          `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
        );
      return patchUser(state, user, body);
    }
  }

  if (method === 'GET' && path === '/groups') {
    const refusal = denied(token, readGroups);
    if (refusal) return refusal;
    if (cont) return page(base, path, cont.snap, cont.offset, ctx('groups'));
    const select = parseSelect(url, groupProps, groupDefault, 'group');
    if (!Array.isArray(select)) return select;
    let groups = [...state.groups.values()];
    const filter = url.searchParams.get('$filter');
    if (filter) {
      const f = /^displayName eq '((?:[^']|'')*)'$/.exec(filter.trim());
      if (!f)
        return graphError(
          400,
          'Request_UnsupportedQuery',
          `Unsupported or invalid query filter clause specified for property 'displayName' of resource 'Group'.`,
        );
      const name = f[1]!.replace(/''/g, "'");
      groups = groups.filter((g) => g.displayName === name);
    }
    const top = parseTop(url, 999);
    if (typeof top !== 'number') return top;
    return page(base, path, { rows: groups.map((g) => groupJson(g, select)), top }, 0, ctx('groups'));
  }

  if (method === 'POST' && path === '/groups') {
    const refusal = denied(token, writeGroups);
    if (refusal) return refusal;
    const b = body as Record<string, unknown> | null;
    if (
      !b ||
      typeof b.displayName !== 'string' ||
      typeof b.mailNickname !== 'string' ||
      typeof b.mailEnabled !== 'boolean' ||
      typeof b.securityEnabled !== 'boolean'
    ) {
      return graphError(400, 'Request_BadRequest', 'A group needs displayName, mailEnabled, mailNickname and securityEnabled.');
    }
    const g = state.addGroup(b.displayName);
    Object.assign(g, {
      mailNickname: b.mailNickname,
      mailEnabled: b.mailEnabled,
      securityEnabled: b.securityEnabled,
      description: typeof b.description === 'string' ? b.description : null,
    });
    return { status: 201, body: { '@odata.context': ctx('groups/$entity'), ...groupJson(g, groupDefault) } };
  }

  if (method === 'GET' && path === '/groups/delta') {
    const refusal = denied(token, readGroups);
    if (refusal) return refusal;
    if (cont) return page(base, path, cont.snap, cont.offset, ctx('groups'));
    const dt = url.searchParams.get('$deltatoken');
    const selected = parseSelect(url, groupProps, groupDefault, 'group');
    if (!Array.isArray(selected)) return selected;
    let since = 0,
      select = selected;
    if (dt === 'latest')
      return {
        status: 200,
        body: { '@odata.context': ctx('groups'), value: [], '@odata.deltaLink': `${base}/v1.0/groups/delta?$deltatoken=${deltaToken(state.version, select)}` },
      };
    if (dt) {
      try {
        ({ v: since, s: select } = JSON.parse(Buffer.from(dt, 'base64url').toString()));
      } catch {
        return graphError(400, 'Request_BadRequest', 'Invalid delta token.');
      }
    }
    const rows = [...state.groups.values()]
      .filter((g) => g.version > since)
      .map((g) => {
        const row = groupJson(g, select);
        if (select.includes('members')) {
          const changes = since === 0 ? [...g.members].map((id) => ({ id, removed: false })) : g.memberChanges.filter((c) => c.version > since);
          row['members@delta'] = changes.map((c) => ({
            '@odata.type': state.groups.has(c.id) ? '#microsoft.graph.group' : '#microsoft.graph.user',
            id: c.id,
            ...(c.removed ? { '@removed': { reason: 'deleted' } } : {}),
          }));
        }
        return row;
      });
    return page(base, path, { rows, top: 100, deltaLink: `${base}/v1.0/groups/delta?$deltatoken=${deltaToken(state.version, select)}` }, 0, ctx('groups'));
  }

  if ((m = /^\/groups\/([^/]+)\/(transitiveMembers|members)$/.exec(path)) && method === 'GET') {
    const refusal = denied(token, readGroups);
    if (refusal) return refusal;
    if (cont) return page(base, path, cont.snap, cont.offset, ctx('directoryObjects'));
    const group = state.groups.get(m[1]!);
    if (!group)
      return graphError(404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist or one of its queried reference-property objects are not present.`);
    // A directoryObject collection: $select names properties of the derived types.
    const select = parseSelect(url, new Set([...userProps, ...groupProps]), userDefault, 'directoryObject');
    if (!Array.isArray(select)) return select;
    const top = parseTop(url, 999);
    if (typeof top !== 'number') return top;
    const members =
      m[2] === 'members'
        ? [...group.members].map((id) => ({ id, type: state.groups.has(id) ? ('group' as const) : ('user' as const) }))
        : state.transitiveMembers(group.id);
    // Reading user properties through a group needs User.Read.All as well; without it Graph
    // returns only ids, so a sync would import empty people: refuse loudly instead.
    if (!token.roles.some((r) => readUsers.includes(r)) && select.some((s) => s !== 'id')) return denied(token, readUsers);
    const rows = members.map((x) =>
      x.type === 'user'
        ? userJson(state.users.get(x.id)!, select)
        : groupJson(
            state.groups.get(x.id)!,
            select.filter((s) => groupProps.has(s)),
          ),
    );
    return page(base, path, { rows, top }, 0, ctx('directoryObjects'));
  }

  if ((m = /^\/groups\/([^/]+)\/members\/\$ref$/.exec(path)) && method === 'POST') {
    const refusal = denied(token, writeMembers);
    if (refusal) return refusal;
    const group = state.groups.get(m[1]!);
    if (!group) return graphError(404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist.`);
    const ref = (body as Record<string, unknown> | null)?.['@odata.id'];
    const id = typeof ref === 'string' ? /\/directoryObjects\/([^/]+)$/.exec(ref)?.[1] : undefined;
    if (!id) return graphError(400, 'Request_BadRequest', "The request body must hold '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/{id}'.");
    if (!state.users.has(id) && !state.groups.has(id)) return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist.`);
    if (group.members.has(id))
      return graphError(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'.");
    state.addMember(group.id, id);
    return { status: 204 };
  }

  if ((m = /^\/groups\/([^/]+)\/members\/([^/]+)\/\$ref$/.exec(path)) && method === 'DELETE') {
    const refusal = denied(token, writeMembers);
    if (refusal) return refusal;
    const group = state.groups.get(m[1]!);
    if (!group?.members.has(m[2]!))
      return graphError(404, 'Request_ResourceNotFound', `Resource '${m[2]}' does not exist or one of its queried reference-property objects are not present.`);
    state.removeMember(group.id, m[2]!);
    return { status: 204 };
  }
  return null;
}

/**
 * PATCH users/{id} with passwordProfile (resource type passwordProfile): `password` (string)
 * and the booleans forceChangePasswordNextSignIn and forceChangePasswordNextSignInWithMfa. The
 * password must meet Entra's complexity: 8–256 characters, three of four character classes.
 */
function patchUser(state: EntraState, user: EmulatedUser, body: unknown): Answer {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') return graphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  const extra = Object.keys(b).find((k) => k !== 'passwordProfile' && k !== 'accountEnabled');
  if (extra) return graphError(400, 'Request_BadRequest', `Property '${extra}' is not writable by this emulator.`);
  if (typeof b.accountEnabled === 'boolean') state.updateUser(user.id, { accountEnabled: b.accountEnabled });
  if (b.passwordProfile === undefined) return { status: 204 };
  const p = b.passwordProfile as Record<string, unknown> | null;
  if (!p || typeof p !== 'object' || Array.isArray(p)) return graphError(400, 'BadRequest', "Invalid value for property 'passwordProfile'.");
  const allowed = ['password', 'forceChangePasswordNextSignIn', 'forceChangePasswordNextSignInWithMfa'];
  const bad = Object.keys(p).find((k) => !allowed.includes(k));
  if (bad) return graphError(400, 'BadRequest', `Could not find a property named '${bad}' on type 'microsoft.graph.passwordProfile'.`);
  if (typeof p.password !== 'string') return graphError(400, 'BadRequest', "Property 'password' of passwordProfile must be a string.");
  for (const k of allowed.slice(1))
    if (p[k] !== undefined && typeof p[k] !== 'boolean') return graphError(400, 'BadRequest', `Property '${k}' of passwordProfile must be a boolean.`);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(p.password as string)).length;
  if (p.password.length < 8 || p.password.length > 256 || classes < 3) {
    return graphError(
      400,
      'Request_BadRequest',
      'The specified password does not comply with password complexity requirements. Please provide a different password.',
    );
  }
  state.updateUser(user.id, {
    password: p.password,
    forceChangePasswordNextSignIn: (p.forceChangePasswordNextSignIn as boolean | undefined) ?? true,
    passwordWrites: user.passwordWrites + 1,
  });
  return { status: 204 };
}
