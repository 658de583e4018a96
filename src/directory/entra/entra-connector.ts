/**
 * Microsoft Entra ID through Microsoft Graph (v1.0), for the directory engine.
 * - Members: groups/{id}/transitiveMembers (nested groups included) with `$select` of exactly the
 *   properties the engine maps (Graph returns only a default set otherwise, without
 *   accountEnabled) and `$top`, paged by @odata.nextLink to the end or not at all.
 * - Incremental: the cursor is a users/delta deltaLink taken before the full listing
 *   (`$deltatoken=latest`, so the first round does not page through the whole tenant). Next time
 *   the delta says which users changed; membership still comes from transitiveMembers (ids only),
 *   because group delta reports direct members only and nesting would be missed.
 * - Passwords: PATCH users/{id} {passwordProfile: {password, forceChangePasswordNextSignIn: false}}.
 *   Graph has no way to check a password with application permissions, and an employee's own
 *   change needs a delegated token: both are `not_supported`.
 */
import {
  type DirectoryGroup,
  DirectoryError,
  type GroupListing,
  type GroupSelection,
  type ConnectionTestResult,
  type ConnectionTestStep,
  type DirectoryAccountRef,
  type DirectoryConnector,
  type DirectoryUser,
  type MemberListing,
  type MemberListingOptions,
} from '../connector.js';
import { createEntraTokenSource, parseEntraSecret, tokenRoles, type EntraTokenSource } from './entra-token.js';
import { missingPermissions, type EntraSettings, type Feature } from './entra.schemas.js';
import { createGraphClient, GraphError, odataQuote, type GraphClient } from './graph-client.js';

export const USER_SELECT =
  'id,userPrincipalName,mail,givenName,surname,displayName,department,jobTitle,businessPhones,mobilePhone,companyName,accountEnabled,onPremisesSecurityIdentifier';
/** Parallel transitiveMemberOf requests during a listing (Graph throttles per app; the client waits on 429). */
const GROUP_READS_IN_FLIGHT = 4;

interface GraphUser {
  '@odata.type'?: string;
  id: string;
  userPrincipalName?: string | null;
  mail?: string | null;
  givenName?: string | null;
  surname?: string | null;
  displayName?: string | null;
  department?: string | null;
  jobTitle?: string | null;
  businessPhones?: string[] | null;
  mobilePhone?: string | null;
  companyName?: string | null;
  accountEnabled?: boolean | null;
  onPremisesSecurityIdentifier?: string | null;
  '@removed'?: unknown;
}

interface GraphGroup {
  id: string;
  displayName?: string | null;
  securityEnabled?: boolean | null;
}

export function graphUserToDirectoryUser(u: GraphUser): DirectoryUser {
  const upn = u.userPrincipalName ?? null;
  return {
    externalId: u.id.toLowerCase(),
    username: (upn ?? u.id).split('@')[0]!,
    upn,
    email: u.mail ? u.mail.toLowerCase() : null,
    givenName: u.givenName ?? null,
    surname: u.surname ?? null,
    displayName: u.displayName ?? null,
    department: u.department ?? null,
    title: u.jobTitle ?? null,
    phone: u.businessPhones?.[0] ?? u.mobilePhone ?? null,
    company: u.companyName ?? null,
    // Absent means Graph was not asked for it; treat as enabled only if the property is missing entirely.
    enabled: u.accountEnabled !== false,
    objectSid: u.onPremisesSecurityIdentifier ?? null,
  };
}

export interface EntraConnectorDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface EntraConnector extends DirectoryConnector {
  /** The Graph client, for the passkey provisioning service. */
  graph(): GraphClient;
  /** Features that need checking in testConnection beyond reading (rotation, passkeys). */
  features(groups: { rotationGroup: string | null }): Feature[];
}

export function createEntraConnector(settings: EntraSettings, secret: string | null, deps: EntraConnectorDeps = {}): EntraConnector {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  let tokens: EntraTokenSource | null = null;
  let client: GraphClient | null = null;

  function graph(): GraphClient {
    if (!secret)
      throw new DirectoryError('credentials_missing', 'No client secret or certificate is saved for this tenant: sync and password changes are stopped');
    if (!client) {
      tokens = createEntraTokenSource({
        tenantId: settings.tenantId,
        clientId: settings.clientId,
        credential: parseEntraSecret(secret),
        loginBaseUrl: settings.loginBaseUrl,
        graphBaseUrl: settings.graphBaseUrl,
        fetch: fetchImpl,
      });
      client = createGraphClient({ baseUrl: `${settings.graphBaseUrl}/v1.0`, tokens, fetch: fetchImpl, sleep: deps.sleep, timeoutMs: settings.timeoutMs });
    }
    return client;
  }

  async function groupId(name: string): Promise<string> {
    const res = await call('find group', () =>
      graph().get<{ value: { id: string }[] }>(`/groups?$filter=${encodeURIComponent(`displayName eq ${odataQuote(name)}`)}&$select=id,displayName`),
    );
    if (!res.value[0]) throw new DirectoryError('group_not_found', `The group "${name}" was not found in the tenant`);
    if (res.value.length > 1)
      throw new DirectoryError('failed', `${res.value.length} groups are named "${name}": rename one, a sync group must be unambiguous`);
    return res.value[0].id;
  }

  async function members(id: string, select: string, onProgress?: (n: number) => void): Promise<GraphUser[]> {
    try {
      const { value } = await graph().getAll<GraphUser>(`/groups/${id}/transitiveMembers?$select=${select}&$top=${settings.pageSize}`, onProgress);
      return value.filter((m) => m['@odata.type'] === '#microsoft.graph.user');
    } catch (err) {
      const e = toDirectoryError(err, 'list group members');
      throw e.code === 'failed' || e.code === 'unreachable'
        ? new DirectoryError('incomplete_listing', `The member listing stopped before its end: ${e.message}`, { cause: err })
        : e;
    }
  }

  /**
   * Each member's groups, transitively: users/{id}/transitiveMemberOf cast to microsoft.graph.group
   * (directory roles and administrative units left out), every page or an incomplete listing.
   * `member_groups` keeps security groups; `list` the named ones (displayName, any case).
   */
  async function memberGroups(memberIds: string[], selection: GroupSelection): Promise<GroupListing> {
    const names = new Set(selection.names.map((n) => n.trim().toLowerCase()));
    const isSelected = (g: GraphGroup) =>
      selection.mode === 'list' ? names.has((g.displayName ?? '').toLowerCase()) : selection.mode === 'member_groups' && g.securityEnabled === true;
    const groups = new Map<string, DirectoryGroup>();
    const memberOf = new Map<string, string[]>();
    const queue = [...memberIds];
    const worker = async () => {
      for (let uid = queue.shift(); uid !== undefined; uid = queue.shift()) {
        let value: GraphGroup[];
        try {
          ({ value } = await graph().getAll<GraphGroup>(
            `/users/${encodeURIComponent(uid)}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName,securityEnabled&$top=${settings.pageSize}`,
          ));
        } catch (err) {
          const e = toDirectoryError(err, 'list group memberships');
          throw e.code === 'failed' || e.code === 'unreachable' || e.code === 'account_not_found'
            ? new DirectoryError('incomplete_listing', `The group memberships could not all be read: ${e.message}`, { cause: err })
            : e;
        }
        const mine = value.filter(isSelected);
        for (const g of mine) groups.set(g.id.toLowerCase(), { externalId: g.id.toLowerCase(), name: g.displayName ?? g.id });
        memberOf.set(
          uid,
          mine.map((g) => g.id.toLowerCase()),
        );
      }
    };
    await Promise.all(Array.from({ length: GROUP_READS_IN_FLIGHT }, worker));
    return { groups: [...groups.values()], memberOf };
  }

  /** A deltaLink from now on, without paging through the whole tenant. */
  async function freshCursor(): Promise<string | null> {
    const page = await call('start users delta', () => graph().get<Record<string, unknown>>(`/users/delta?$select=${USER_SELECT}&$deltatoken=latest`));
    return typeof page['@odata.deltaLink'] === 'string' ? page['@odata.deltaLink'] : null;
  }

  const connector: EntraConnector = {
    kind: 'entra',
    capabilities: { incremental: true, setPassword: true, changeOwnPassword: false, verifyPassword: false },
    graph,
    features: (groups) => [
      'users',
      'groups',
      ...(groups.rotationGroup ? ['rotation' as const] : []),
      ...(settings.passkeys.enabled ? ['passkeys' as const, 'pairingGroups' as const] : []),
    ],

    async testConnection(groups): Promise<ConnectionTestResult> {
      const steps: ConnectionTestStep[] = [];
      const fail = (step: ConnectionTestStep['step'], err: unknown): ConnectionTestResult => {
        const e = toDirectoryError(err, step);
        steps.push({ step, ok: false, message: e.message });
        return { outcome: e.code, message: e.message, steps };
      };
      let roles: string[];
      try {
        graph();
        roles = tokenRoles(await tokens!.getToken(true));
        steps.push({ step: 'token', ok: true, message: `Token issued for application ${settings.clientId} by tenant ${settings.tenantId}` });
      } catch (err) {
        return fail('token', err);
      }
      const missing = missingPermissions(roles, connector.features(groups));
      if (missing.length > 0) {
        const message = `Missing application permission${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `${m.permission} (${m.label})`).join(', ')}. Add ${missing.length > 1 ? 'them' : 'it'} to the app registration and grant admin consent.`;
        steps.push({ step: 'permissions', ok: false, message });
        return { outcome: 'insufficient_rights', message, steps };
      }
      steps.push({ step: 'permissions', ok: true, message: `Granted: ${roles.join(', ') || 'none'}` });
      try {
        const id = await groupId(groups.syncGroup);
        steps.push({ step: 'sync_group', ok: true, message: `Sync group "${groups.syncGroup}" found (${id})` });
      } catch (err) {
        return fail('sync_group', err);
      }
      if (groups.rotationGroup) {
        try {
          await groupId(groups.rotationGroup);
          steps.push({ step: 'rotation_group', ok: true, message: `Rotation group "${groups.rotationGroup}" found` });
        } catch (err) {
          return fail('rotation_group', err);
        }
      }
      return { outcome: 'ok', message: 'Connected: token, permissions and groups are in order', steps };
    },

    async listGroupMembers(groupName: string, opts: MemberListingOptions = {}): Promise<MemberListing> {
      const id = await groupId(groupName);
      if (opts.cursor && opts.knownIds) {
        // Changed users first, then membership: a change between the two shows up next time.
        let changed: GraphUser[];
        let cursor: string | null;
        try {
          const delta = await graph().getAll<GraphUser>(opts.cursor);
          changed = delta.value;
          cursor = delta.deltaLink;
        } catch (err) {
          // An expired or foreign delta token: fall back to a full listing.
          if (err instanceof GraphError && (err.status === 400 || err.status === 410 || err.code === 'foreign_link'))
            return connector.listGroupMembers(groupName, { ...opts, cursor: null });
          throw toDirectoryError(err, 'users delta');
        }
        const ids = (await members(id, 'id', opts.onProgress)).map((m) => m.id.toLowerCase());
        const memberSet = new Set(ids);
        const byId = new Map(changed.filter((u) => !u['@removed']).map((u) => [u.id.toLowerCase(), u]));
        const unknown = ids.filter((x) => !opts.knownIds!.has(x) && !byId.has(x));
        if (unknown.length > 200) return connector.listGroupMembers(groupName, { ...opts, cursor: null });
        for (const uid of unknown) byId.set(uid, await call('read user', () => graph().get<GraphUser>(`/users/${uid}?$select=${USER_SELECT}`)));
        const users = [...byId.entries()].filter(([uid]) => memberSet.has(uid)).map(([, u]) => graphUserToDirectoryUser(u));
        return { memberIds: ids, users, cursor, isIncremental: true, groups: opts.groups ? await memberGroups(ids, opts.groups) : undefined };
      }
      const cursor = await freshCursor();
      const users = (await members(id, USER_SELECT, opts.onProgress)).map(graphUserToDirectoryUser);
      const memberIds = users.map((u) => u.externalId);
      return { memberIds, users, cursor, isIncremental: false, groups: opts.groups ? await memberGroups(memberIds, opts.groups) : undefined };
    },

    async setPassword(account: DirectoryAccountRef, password: string): Promise<void> {
      await call('set password', () =>
        graph().patch(`/users/${encodeURIComponent(account.externalId)}`, {
          // No forced change at next sign-in: the password lives on the employee's key, not in their head.
          passwordProfile: { password, forceChangePasswordNextSignIn: false },
        }),
      );
    },

    async verifyPassword(): Promise<boolean> {
      throw new DirectoryError('not_supported', 'Microsoft Graph cannot check a password with application permissions');
    },

    async changeOwnPassword(): Promise<void> {
      throw new DirectoryError('not_supported', 'An Entra ID password change by the employee needs their own sign-in (delegated); use an administrative reset');
    },

    async close() {
      /* fetch keeps no connection state of ours */
    },
  };
  return connector;
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDirectoryError(err, what);
  }
}

/** Graph and token failures in the engine's words (never with a password: Graph does not echo it). */
export function toDirectoryError(err: unknown, what: string): DirectoryError {
  if (err instanceof DirectoryError) return err;
  if (err instanceof GraphError) {
    const text = `${what}: Microsoft Graph answered ${err.status} ${err.code}: ${err.message}`;
    if (err.status === 403) return new DirectoryError('insufficient_rights', text, { cause: err });
    if (err.status === 404) return new DirectoryError('account_not_found', text, { cause: err });
    if (err.status === 401) return new DirectoryError('bad_credentials', text, { cause: err });
    if (err.status === 400 && /password/i.test(err.message)) return new DirectoryError('password_policy', text, { cause: err });
    return new DirectoryError('failed', text, { cause: err });
  }
  const e = err as Error & { name?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return new DirectoryError('unreachable', `${what}: Microsoft Graph did not answer in time`, { cause: err });
  const causes: string[] = [];
  for (let c = err as { message?: string; code?: string; cause?: unknown } | undefined, i = 0; c && i < 5; c = c.cause as never, i++)
    if (c.message) causes.push(c.code ? `${c.code} ${c.message}` : c.message);
  const text = causes.join(': ');
  if (/CERT|certificate|self.signed|unable to verify/i.test(text)) return new DirectoryError('tls_failure', `${what}: ${text}`, { cause: err });
  return new DirectoryError('unreachable', `${what}: ${text || 'network failure'}`, { cause: err });
}
