/**
 * The emulated tenant: users, groups, app registrations with their credentials and granted
 * application permissions (the token's `roles`), issued tokens, FIDO2 methods and challenges,
 * and a change counter for delta queries. Tests arrange and inspect it directly.
 */
import crypto from 'node:crypto';

export interface EmulatedUser {
  id: string;
  userPrincipalName: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  jobTitle: string | null;
  department: string | null;
  companyName: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  officeLocation: string | null;
  accountEnabled: boolean;
  /** The on-premises SID of a user synced from AD (null for cloud-only users). */
  onPremisesSecurityIdentifier?: string | null;
  /** What the last PATCH wrote (the emulator keeps it so tests can check what the directory holds). */
  password: string | null;
  forceChangePasswordNextSignIn: boolean | null;
  passwordWrites: number;
  version: number;
}

export interface EmulatedGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  /** Direct members (user or group ids). */
  members: Set<string>;
  /** Membership changes for groups/delta: version, member id, removed or added. */
  memberChanges: { version: number; id: string; removed: boolean }[];
  version: number;
}

export interface EmulatedApp {
  clientId: string;
  secrets: string[];
  certificates: { publicKey: crypto.KeyObject; thumbprintSha256: string; thumbprintSha1: string }[];
  /** Granted application permissions, as they appear in the token's `roles` claim. */
  roles: string[];
}

export interface Fido2Method {
  id: string;
  credentialId: string;
  displayName: string;
  createdDateTime: string;
  lastUsedDateTime: string | null;
  aaGuid: string;
  model: string | null;
  attestationLevel: 'attested' | 'notAttested';
}

export interface IssuedToken {
  clientId: string;
  roles: string[];
  expiresAt: number;
}

/** A hook run before each request; it may answer instead of the emulator (fault injection). */
export interface RequestHook {
  match(method: string, url: URL): boolean;
  /** Side effect (e.g. expire tokens) and/or a canned answer. */
  run(): { status: number; headers?: Record<string, string>; body?: unknown } | undefined;
  times: number;
}

/** Models the emulator reports for AAGUIDs it knows (a tiny stand-in for the FIDO MDS). */
export const knownModels: Record<string, string> = {
  'ee882879-721c-4913-9775-3dfcce97072a': 'YubiKey 5 Series',
  'cb69481e-8ff7-4039-93ec-0a2729a154a8': 'YubiKey 5 Series',
  '2fc0579f-8113-47ea-b116-bb5a8db9202a': 'YubiKey 5 Series with NFC',
};

export class EntraState {
  readonly users = new Map<string, EmulatedUser>();
  readonly groups = new Map<string, EmulatedGroup>();
  readonly apps = new Map<string, EmulatedApp>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly fido2 = new Map<string, Fido2Method[]>();
  readonly challenges = new Map<string, { userId: string; expiresAt: number; used: boolean }>();
  /** Deleted users for users/delta: id and the version at which they went. */
  readonly deletedUsers: { id: string; version: number }[] = [];
  readonly hooks: RequestHook[] = [];
  /** Every request, for tests that check what the client asked for. */
  readonly requests: { method: string; url: URL; body: unknown }[] = [];
  version = 1;
  tokenLifetimeSeconds = 3599;
  /** Refuse FIDO2 attestations that are not `packed` (as a tenant that enforces attestation). */
  requirePackedAttestation = true;
  private offsetMs = 0;

  constructor(readonly tenantId: string) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }
  /** Moves the emulator's clock (token lifetimes, FIDO2 challenge expiry). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  addApp(app: Partial<EmulatedApp> & { clientId?: string }): EmulatedApp {
    const full: EmulatedApp = {
      clientId: app.clientId ?? crypto.randomUUID(),
      secrets: app.secrets ?? [],
      certificates: app.certificates ?? [],
      roles: app.roles ?? [],
    };
    this.apps.set(full.clientId, full);
    return full;
  }

  addCertificate(app: EmulatedApp, certPem: string): void {
    const cert = new crypto.X509Certificate(certPem);
    app.certificates.push({
      publicKey: cert.publicKey,
      thumbprintSha256: crypto.createHash('sha256').update(cert.raw).digest('hex'),
      thumbprintSha1: crypto.createHash('sha1').update(cert.raw).digest('hex'),
    });
  }

  addUser(u: Partial<EmulatedUser> & { userPrincipalName: string }): EmulatedUser {
    const local = u.userPrincipalName.split('@')[0]!;
    const user: EmulatedUser = {
      id: crypto.randomUUID(),
      displayName: local,
      givenName: null,
      surname: null,
      mail: u.userPrincipalName,
      jobTitle: null,
      department: null,
      companyName: null,
      mobilePhone: null,
      businessPhones: [],
      officeLocation: null,
      accountEnabled: true,
      password: null,
      forceChangePasswordNextSignIn: null,
      passwordWrites: 0,
      ...u,
      version: ++this.version,
    };
    this.users.set(user.id, user);
    return user;
  }

  updateUser(id: string, changes: Partial<EmulatedUser>): EmulatedUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    Object.assign(user, changes, { version: ++this.version });
    return user;
  }

  deleteUser(id: string): void {
    this.users.delete(id);
    for (const g of this.groups.values()) if (g.members.has(id)) this.removeMember(g.id, id);
    this.deletedUsers.push({ id, version: ++this.version });
    this.fido2.delete(id);
  }

  addGroup(displayName: string, members: { id: string }[] = []): EmulatedGroup {
    const group: EmulatedGroup = {
      id: crypto.randomUUID(),
      displayName,
      mailNickname: displayName.replace(/[^A-Za-z0-9]/g, ''),
      description: null,
      securityEnabled: true,
      mailEnabled: false,
      members: new Set(),
      memberChanges: [],
      version: ++this.version,
    };
    this.groups.set(group.id, group);
    for (const m of members) this.addMember(group.id, m.id);
    return group;
  }

  addMember(groupId: string, memberId: string): void {
    const g = this.groups.get(groupId)!;
    g.members.add(memberId);
    g.version = ++this.version;
    g.memberChanges.push({ version: g.version, id: memberId, removed: false });
  }

  removeMember(groupId: string, memberId: string): void {
    const g = this.groups.get(groupId)!;
    g.members.delete(memberId);
    g.version = ++this.version;
    g.memberChanges.push({ version: g.version, id: memberId, removed: true });
  }

  groupByName(name: string): EmulatedGroup | undefined {
    return [...this.groups.values()].find((g) => g.displayName === name);
  }

  /** Users reachable from the group through nested groups (each once, cycles tolerated). */
  transitiveMembers(groupId: string): { id: string; type: 'user' | 'group' }[] {
    const out: { id: string; type: 'user' | 'group' }[] = [];
    const seen = new Set<string>([groupId]);
    const walk = (gid: string) => {
      for (const id of this.groups.get(gid)?.members ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        if (this.groups.has(id)) {
          out.push({ id, type: 'group' });
          walk(id);
        } else if (this.users.has(id)) out.push({ id, type: 'user' });
      }
    };
    walk(groupId);
    return out;
  }

  /** Groups the object is a member of, directly or through nested groups (each once, cycles tolerated). */
  transitiveMemberOf(objectId: string): EmulatedGroup[] {
    const out: EmulatedGroup[] = [];
    const seen = new Set<string>([objectId]);
    const walk = (id: string) => {
      for (const g of this.groups.values()) {
        if (!g.members.has(id) || seen.has(g.id)) continue;
        seen.add(g.id);
        out.push(g);
        walk(g.id);
      }
    };
    walk(objectId);
    return out;
  }

  /** Makes every issued token expired (as if its lifetime had passed). */
  expireAllTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  /** Answer the next `times` matching requests with this status and Retry-After (seconds). */
  injectFault(opts: { match: (method: string, url: URL) => boolean; status: 429 | 503; retryAfter: number; times?: number }): void {
    this.hooks.push({
      match: opts.match,
      times: opts.times ?? 1,
      run: () => ({
        status: opts.status,
        headers: { 'retry-after': String(opts.retryAfter) },
        body: {
          error: {
            code: opts.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
            message: opts.status === 429 ? 'Too many requests.' : 'Service is temporarily unavailable.',
          },
        },
      }),
    });
  }

  /** Carries out the next matching request but cuts the connection instead of answering. */
  cutAfterApplying(match: (method: string, url: URL) => boolean, times = 1): void {
    this.hooks.push({ match, times, run: () => ({ status: 0 }) });
  }

  /** Runs `action` before the next `times` matching requests (e.g. expire tokens mid-listing). */
  before(match: (method: string, url: URL) => boolean, action: () => void, times = 1): void {
    this.hooks.push({
      match,
      times,
      run: () => {
        action();
        return undefined;
      },
    });
  }

  markPasskeyUsed(userId: string, methodId: string, at = new Date(this.now())): void {
    const m = this.fido2.get(userId)?.find((x) => x.id === methodId);
    if (m) m.lastUsedDateTime = at.toISOString();
  }
}
