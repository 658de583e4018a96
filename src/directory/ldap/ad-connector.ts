import { Attribute, Change, type Client, type Entry } from 'ldapts';
import {
  DirectoryError,
  type ConnectionTestResult,
  type ConnectionTestStep,
  type DirectoryAccountRef,
  type DirectoryConnector,
  type MemberListing,
  type MemberListingOptions,
} from '../connector.js';
import type { AdSettings } from '../directory.schemas.js';
import { resolveMemberGroups } from './ad-groups.js';
import { BUFFER_ATTRIBUTES, USER_ATTRIBUTES, encodeUnicodePwd, entryMemberOf, entryToUser, entryUsn, escapeFilterValue, guidToString } from './ad-mapping.js';
import { openSession, toDirectoryError, type OpenedSession } from './ldap-session.js';

/** LDAP_MATCHING_RULE_IN_CHAIN (MS-ADTS §3.1.1.3.4.4.3): membership through nested groups too. */
const IN_CHAIN = '1.2.840.113556.1.4.1941';
const USERS = '(objectCategory=person)(objectClass=user)';

/**
 * Active Directory (and Samba AD) over LDAP. Reads as the service account; password operations
 * only over TLS (AD refuses unicodePwd otherwise, and the password must not cross the network in
 * clear anyway).
 */
export function createAdConnector(settings: AdSettings, secret: string | null): DirectoryConnector {
  const service = () => {
    if (!secret) throw new DirectoryError('credentials_missing', 'No bind password is saved for this domain: sync and password changes are stopped');
    return { user: settings.bindUser, password: secret };
  };

  async function withService<T>(what: string, fn: (s: OpenedSession, base: string) => Promise<T>): Promise<T> {
    const s = await openSession(settings, service(), what);
    try {
      return await fn(s, await baseDn(s.client));
    } catch (err) {
      throw toDirectoryError(err, what);
    } finally {
      await s.client.unbind().catch(() => {});
    }
  }

  async function rootDse(client: Client, attrs: string[]): Promise<Entry> {
    const { searchEntries } = await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: attrs });
    if (!searchEntries[0]) throw new DirectoryError('failed', 'The domain controller returned no rootDSE');
    return searchEntries[0];
  }

  async function baseDn(client: Client): Promise<string> {
    if (settings.baseDn) return settings.baseDn;
    const v = (await rootDse(client, ['defaultNamingContext'])).defaultNamingContext;
    const dn = String(Array.isArray(v) ? v[0] : (v ?? ''));
    if (!dn) throw new DirectoryError('failed', 'The rootDSE has no defaultNamingContext: set the base DN');
    return dn;
  }

  async function groupDn(client: Client, base: string, name: string): Promise<string> {
    const v = escapeFilterValue(name);
    const { searchEntries } = await client.search(base, {
      scope: 'sub',
      filter: `(&(objectClass=group)(|(cn=${v})(sAMAccountName=${v})))`,
      attributes: ['dn'],
    });
    if (!searchEntries[0]) throw new DirectoryError('group_not_found', `The group "${name}" was not found under ${base}`);
    return searchEntries[0].dn;
  }

  /** A paged search read to its end; any failure on the way throws, so a listing is never partial. */
  async function pagedSearch(client: Client, base: string, filter: string, attributes: string[], onPage?: (n: number) => void): Promise<Entry[]> {
    const all: Entry[] = [];
    try {
      for await (const page of client.searchPaginated(base, {
        scope: 'sub',
        filter,
        attributes,
        explicitBufferAttributes: BUFFER_ATTRIBUTES,
        paged: { pageSize: settings.pageSize },
      })) {
        all.push(...page.searchEntries);
        onPage?.(all.length);
      }
    } catch (err) {
      const e = toDirectoryError(err, 'list group members');
      throw e.code === 'failed' || e.code === 'unreachable'
        ? new DirectoryError('incomplete_listing', `The listing stopped after ${all.length} entries: ${e.message}`, { cause: err })
        : e;
    }
    return all;
  }

  /** AD and Samba both accept a `<GUID=…>` DN as a search base (MS-ADTS §3.1.1.3.1.2.1). */
  async function entryByGuid(client: Client, id: string, attributes: string[]): Promise<Entry> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new DirectoryError('account_not_found', 'Not an objectGUID');
    try {
      const { searchEntries } = await client.search(`<GUID=${id}>`, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes,
        explicitBufferAttributes: BUFFER_ATTRIBUTES,
      });
      if (searchEntries[0]) return searchEntries[0];
    } catch (err) {
      const e = toDirectoryError(err, 'find account');
      if (e.code !== 'account_not_found') throw e;
    }
    throw new DirectoryError('account_not_found', `The account ${id} no longer exists in the domain`);
  }

  async function findDn(client: Client, _base: string, account: DirectoryAccountRef): Promise<string> {
    return (await entryByGuid(client, account.externalId, ['dn'])).dn;
  }

  function requireTlsForPasswords() {
    const plain = settings.transport === 'none' || (settings.transport === 'ldaps' && settings.urls.some((u) => !u.toLowerCase().startsWith('ldaps://')));
    if (plain) throw new DirectoryError('insecure_transport', 'Password operations need TLS: use ldaps:// URLs or StartTLS, never plain ldap://');
  }

  async function listGroupMembers(groupName: string, opts: MemberListingOptions = {}): Promise<MemberListing> {
    return withService('list group members', async ({ client }, base) => {
      // Read the high-water mark first: a change made while we list is seen by the next sync.
      const dse = await rootDse(client, ['highestCommittedUSN', 'dsServiceName']);
      const usn = String(dse.highestCommittedUSN ?? '');
      // USNs are local to each controller (MS-ADTS §3.1.1.1.9): a cursor names the controller it
      // came from, and a sync that fails over to another controller lists in full.
      const server = String(dse.dsServiceName ?? '');
      const highest = /^\d+$/.test(usn) ? `${usn}@${server}` : '';
      const group = await groupDn(client, base, groupName);
      const members = `(&${USERS}(memberOf:${IN_CHAIN}:=${escapeFilterValue(group)}))`;
      const m = opts.cursor ? /^(\d+)@(.*)$/s.exec(opts.cursor) : null;
      const cursor = m && m[2] === server ? Number(m[1]) : null;
      const groupsOf = async (entries: Entry[]) => {
        if (!opts.groups) return undefined;
        const listed = entries.map((e) => ({ externalId: guidToString(e.objectGUID as Buffer), memberOf: entryMemberOf(e) }));
        return resolveMemberGroups((filter, attrs) => pagedSearch(client, base, filter, attrs), listed, opts.groups);
      };
      if (cursor === null || !opts.knownIds) {
        const entries = await pagedSearch(client, base, members, USER_ATTRIBUTES, opts.onProgress);
        const users = entries.map(entryToUser);
        return { memberIds: users.map((u) => u.externalId), users, cursor: highest || null, isIncremental: false, groups: await groupsOf(entries) };
      }
      // Incremental (uSNChanged): ids of every member (to see who left), full records only for
      // members changed since the cursor or not known to the engine (joined the group unchanged).
      // A membership change touches the group's uSNChanged, not the user's: every member's memberOf
      // is read again, so each incremental sync recomputes memberships (and follows renames).
      const light = await pagedSearch(client, base, members, ['objectGUID', 'uSNChanged', ...(opts.groups ? ['memberOf'] : [])], opts.onProgress);
      const wanted = new Set<string>();
      const memberIds = light.map((e) => {
        const id = guidToString(e.objectGUID as Buffer);
        if (entryUsn(e) > cursor || !opts.knownIds!.has(id)) wanted.add(id);
        return id;
      });
      const changed = (await pagedSearch(client, base, `(&${members}(uSNChanged>=${cursor + 1}))`, USER_ATTRIBUTES)).map(entryToUser);
      const users = changed.filter((u) => wanted.delete(u.externalId));
      // Members unknown to the engine but unchanged (added to the group only): read one by one.
      for (const id of wanted) users.push(entryToUser(await entryByGuid(client, id, USER_ATTRIBUTES)));
      return { memberIds, users, cursor: highest || null, isIncremental: true, groups: await groupsOf(light) };
    });
  }

  async function testConnection(groups: { syncGroup: string; rotationGroup: string | null }): Promise<ConnectionTestResult> {
    const steps: ConnectionTestStep[] = [];
    let session: OpenedSession | undefined;
    try {
      session = await openSession(settings, service(), 'bind');
      steps.push({ step: 'connect', ok: true, message: `Connected to ${session.url}${session.isSecure ? ' over TLS' : ' WITHOUT TLS'}` });
      steps.push({ step: 'bind', ok: true, message: `Signed in as ${settings.bindUser}` });
      const base = await baseDn(session.client);
      steps.push({ step: 'base', ok: true, message: `Base DN ${base}` });
      for (const [step, name] of [
        ['sync_group', groups.syncGroup],
        ['rotation_group', groups.rotationGroup],
      ] as const) {
        if (!name) continue;
        const dn = await groupDn(session.client, base, name);
        steps.push({ step, ok: true, message: `Group "${name}" found: ${dn}` });
      }
      return { outcome: 'ok', message: `Connected to ${session.url}; bind, base DN and groups are fine`, steps };
    } catch (err) {
      const e = toDirectoryError(err, 'test connection');
      const failedStep: ConnectionTestStep['step'] =
        e.code === 'unreachable'
          ? 'connect'
          : e.code === 'tls_failure'
            ? 'tls'
            : e.code === 'group_not_found'
              ? steps.some((s) => s.step === 'sync_group')
                ? 'rotation_group'
                : 'sync_group'
              : steps.length
                ? 'base'
                : 'bind';
      steps.push({ step: failedStep, ok: false, message: e.message });
      return { outcome: e.code, message: e.message, steps };
    } finally {
      await session?.client.unbind().catch(() => {});
    }
  }

  async function setPassword(account: DirectoryAccountRef, password: string): Promise<void> {
    requireTlsForPasswords();
    await withService('set password', async ({ client, isSecure }, base) => {
      if (!isSecure) throw new DirectoryError('insecure_transport', 'Password operations need TLS');
      const dn = await findDn(client, base, account);
      await client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(password)] }) }));
    });
  }

  async function bindAs(account: DirectoryAccountRef, password: string, what: string): Promise<OpenedSession> {
    const dn = await withService('find account', async ({ client }, base) => findDn(client, base, account));
    return openSession(settings, { user: dn, password }, what);
  }

  async function verifyPassword(account: DirectoryAccountRef, password: string): Promise<boolean> {
    requireTlsForPasswords();
    try {
      const s = await bindAs(account, password, 'verify password');
      await s.client.unbind().catch(() => {});
      return true;
    } catch (err) {
      if (err instanceof DirectoryError && err.code === 'bad_credentials') return false;
      throw err;
    }
  }

  async function changeOwnPassword(account: DirectoryAccountRef, oldPassword: string, newPassword: string): Promise<void> {
    requireTlsForPasswords();
    let s: OpenedSession;
    try {
      s = await bindAs(account, oldPassword, 'change password');
    } catch (err) {
      if (err instanceof DirectoryError && err.code === 'bad_credentials')
        throw new DirectoryError('wrong_password', 'The current password is wrong', { cause: err });
      throw err;
    }
    try {
      const dn = await withService('find account', async ({ client }, base) => findDn(client, base, account));
      // A user's own change is a delete of the old value and an add of the new one, in one modify (MS-ADTS §3.1.1.3.1.5.1).
      await s.client.modify(dn, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(oldPassword)] }) }),
        new Change({ operation: 'add', modification: new Attribute({ type: 'unicodePwd', values: [encodeUnicodePwd(newPassword)] }) }),
      ]);
    } catch (err) {
      throw toDirectoryError(err, 'change password');
    } finally {
      await s.client.unbind().catch(() => {});
    }
  }

  return {
    kind: 'ad',
    capabilities: { incremental: true, setPassword: true, changeOwnPassword: true },
    testConnection,
    listGroupMembers,
    setPassword,
    verifyPassword,
    changeOwnPassword,
    close: async () => {},
  };
}
