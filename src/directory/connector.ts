/**
 * The contract between the directory engine (sync, rotation, password changes) and one kind of
 * directory. The engine never sees LDAP or Graph: it sees DirectoryUser records and the outcomes
 * below.
 *
 * How to add a connector (for example `entra`):
 *  1. Add the kind to `domainKinds` in src/directory/directory.constants.ts (no migration needed: the
 *     column is text; kind-specific settings live in the `settings` jsonb, the secret in
 *     `secret`, sealed under `directory_domains.secret:<id>`).
 *  2. Add a variant to `domainSettingsByKind` in src/directory/directory.schemas.ts (zod; the
 *     API, the config file and the console all use it). Secrets are never part of the settings:
 *     they go through `secret` (write-only, answered `{"set": true}`).
 *  3. Implement DirectoryConnector in src/directory/<kind>/ and add a case to
 *     src/directory/connector-factory.ts.
 *  4. Throw DirectoryError with the closest code: the engine maps each code to one AppError
 *     (`directory.<code>`) and the console explains it in plain words.
 */

/** One person in the directory, mapped to names the engine understands. */
export interface DirectoryUser {
  /** Stable id that survives renames: AD objectGUID (lower-case, dashed), Entra object id. */
  externalId: string;
  /** AD sAMAccountName; Entra: the UPN's local part. */
  username: string;
  upn: string | null;
  email: string | null;
  givenName: string | null;
  surname: string | null;
  displayName: string | null;
  department: string | null;
  title: string | null;
  phone: string | null;
  company: string | null;
  /** False when the directory disables the account (AD userAccountControl ACCOUNTDISABLE, Entra accountEnabled). */
  enabled: boolean;
  /**
   * The account's security identifier in string form (S-1-5-21-…): AD objectSid, Entra
   * onPremisesSecurityIdentifier (set for users synced from AD). Null when the directory has none.
   */
  objectSid?: string | null;
}

/** A directory group as a connector reports it: a stable id (AD objectGUID, Entra object id) and its current name. */
export interface DirectoryGroup {
  externalId: string;
  name: string;
}

/** Which groups a listing reports with its members (see groupImport in directory.schemas.ts). */
export interface GroupSelection {
  mode: 'member_groups' | 'under_ou' | 'list';
  ou: string | null;
  names: string[];
}

/**
 * The selected groups of the listed members, transitively (a member of a group nested in a
 * selected group is a member of the selected group). Complete like the member list: every
 * member of `memberIds` is in `memberOf` (with no groups, an empty list), full or incremental.
 */
export interface GroupListing {
  groups: DirectoryGroup[];
  /** Member external id → external ids of its selected groups. */
  memberOf: Map<string, string[]>;
}

/** How the engine names a directory account when it asks for a password operation. */
export interface DirectoryAccountRef {
  externalId: string;
  username: string;
  upn: string | null;
}

export const directoryErrorCodes = [
  /** Nothing answered at any configured address (DNS, refused, timeout). */
  'unreachable',
  /** TLS could not be set up: untrusted or mismatching certificate, or StartTLS refused. */
  'tls_failure',
  /** The service account's credentials were refused. */
  'bad_credentials',
  /** The service account has no credentials saved: every sync scenario of the domain is stopped. */
  'credentials_missing',
  /** The named group does not exist. */
  'group_not_found',
  /** A listing stopped before its end (paging cut off, connection lost): nothing may be applied. */
  'incomplete_listing',
  /** A password operation over a transport that does not protect it (AD: plain ldap://). */
  'insecure_transport',
  /** The new password breaks the directory's policy (length, complexity, history). */
  'password_policy',
  /** The old password given for a self-service change is wrong. */
  'wrong_password',
  /** The account does not exist (any more) in the directory. */
  'account_not_found',
  /** The account is disabled in the directory. */
  'account_disabled',
  /** The service account lacks the right to do this. */
  'insufficient_rights',
  /** This connector cannot do this operation. */
  'not_supported',
  /** Anything else; the message says what the directory answered. */
  'failed',
] as const;
export type DirectoryErrorCode = (typeof directoryErrorCodes)[number];

/** The one error a connector throws. Messages are plain words and never contain a password. */
export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DirectoryError';
  }
}

export type ConnectionTestOutcome = 'ok' | DirectoryErrorCode;

/** One line per step, so the console can show how far the test got. */
export interface ConnectionTestStep {
  /** Entra: 'token' (client credentials) and 'permissions' (the token's application permissions) stand for connect/bind. */
  step: 'connect' | 'tls' | 'bind' | 'base' | 'sync_group' | 'rotation_group' | 'token' | 'permissions' | 'members';
  ok: boolean;
  message: string;
}

export interface ConnectionTestResult {
  outcome: ConnectionTestOutcome;
  message: string;
  steps: ConnectionTestStep[];
}

export interface MemberListingOptions {
  /**
   * Cursor returned by the previous listing (AD: highest uSNChanged seen; Entra: a delta link).
   * Null or absent: a full listing. A connector that cannot list incrementally ignores it and
   * answers a full listing with `isIncremental: false`.
   */
  cursor?: string | null;
  /** External ids the engine already holds: an incremental listing must return full records for members not in it. */
  knownIds?: ReadonlySet<string>;
  /** Progress while pages come in (for the console). */
  onProgress?: (listed: number) => void;
  /** Also report the members' groups (absent: no groups, the listing has no `groups`). */
  groups?: GroupSelection;
}

/**
 * The members of a group, transitively (nested groups included). Complete or thrown: a connector
 * never answers a partial list, because the engine would take the missing users as removed.
 */
export interface MemberListing {
  /** Every current member's external id. */
  memberIds: string[];
  /** Full records: every member for a full listing; changed or unknown members for an incremental one. */
  users: DirectoryUser[];
  /** What to pass as `cursor` next time (null when the connector has none). */
  cursor: string | null;
  isIncremental: boolean;
  /** Present when `groups` was asked for. */
  groups?: GroupListing;
}

export interface ConnectorCapabilities {
  incremental: boolean;
  /** Admin set/generate and rotation. */
  setPassword: boolean;
  /** Employee changes their own password with the old one. */
  changeOwnPassword: boolean;
  /**
   * False when the directory cannot check a password (Entra ID with application permissions):
   * a write is not read back, and reconciliation writes the pending password again (the write is
   * idempotent, so afterwards the directory holds exactly the pending password). Default true.
   */
  verifyPassword?: boolean;
}

export interface DirectoryConnector {
  readonly kind: string;
  readonly capabilities: ConnectorCapabilities;
  /** Never throws: every failure becomes an outcome with a precise message. */
  testConnection(groups: { syncGroup: string; rotationGroup: string | null }): Promise<ConnectionTestResult>;
  listGroupMembers(groupName: string, opts?: MemberListingOptions): Promise<MemberListing>;
  /** Administrative reset (AD: unicodePwd replace over TLS). Throws DirectoryError. */
  setPassword(account: DirectoryAccountRef, password: string): Promise<void>;
  /** True when the password authenticates the account now; false when refused. Throws for anything else. */
  verifyPassword(account: DirectoryAccountRef, password: string): Promise<boolean>;
  /** Self-service change with the old password (AD: unicodePwd delete+add as the user). */
  changeOwnPassword(account: DirectoryAccountRef, oldPassword: string, newPassword: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
