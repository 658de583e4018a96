import type { EmployeeWithRefs } from '../employees/employee.service.js';

/**
 * The one source of what OIDC claims, SAML attributes and WS-Fed claims say about an employee, so
 * the three protocols cannot disagree.
 *
 * - Tessera's own record: e-mail, names, phone, company, department, position (the directory sync
 *   keeps them current for imported employees);
 * - groups: the employee's real groups (directory groups imported by the sync, and local groups),
 *   by name or by Tessera group id;
 * - the directory account: the one in the domain that imported the employee (employees.source),
 *   else the first still in its sync group, else the first (src/directory/account.service.ts
 *   claimsAccountOf). From it: `upn` (the directory's userPrincipalName), `sAMAccountName` (AD
 *   only), `objectSid` (AD, when the sync maps it), `externalId` (AD objectGUID, Entra object id)
 *   and any attribute of the synced record as `directory:<name>`.
 *
 * A value the employee does not have is absent, never replaced by another one: an employee without
 * a directory account has no `upn` (a UPN that is really the e-mail would be a lie to an
 * application that looks the user up by it).
 */

/** The directory account as claims read it (the shape of src/directory/account.service.ts DirectoryIdentity). */
export interface DirectoryIdentity {
  domainId: string;
  domainKind: 'ad' | 'entra';
  externalId: string;
  username: string;
  upn: string | null;
  attributes: Record<string, unknown>;
}

export interface EmployeeAttributes {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  company: string | null;
  department: string | null;
  position: string | null;
  /** Group names, sorted (directory and local groups). */
  groups: string[];
  /** Tessera group ids, in the order of `groups`. */
  groupIds: string[];
  directory: DirectoryIdentity | undefined;
}

/** Sources an attribute mapping (SAML SP, WS-Fed RP) or a NameID can take, besides `directory:<name>`. */
export const attributeSources = [
  'email',
  'id',
  'username',
  'firstName',
  'lastName',
  'displayName',
  'phone',
  'company',
  'department',
  'title',
  'groups',
  'groupIds',
  'upn',
  'sAMAccountName',
  'objectSid',
  'objectGUID',
  'externalId',
] as const;
export type AttributeSource = (typeof attributeSources)[number];

/** Sources that carry several values: one AttributeValue each (SAML 2.0 core §2.7.3.1). */
export const multiValuedSources: ReadonlySet<string> = new Set(['groups', 'groupIds']);

/** `directory:<attribute>`: any attribute of the synced directory record, by its name there. */
export const DIRECTORY_PREFIX = 'directory:';
export const directorySourcePattern = /^directory:[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** What each source is, for the console and the README. */
export const sourceDescriptions: Record<AttributeSource, string> = {
  email: 'E-mail address',
  id: 'Tessera employee id (opaque, never changes)',
  username: 'Local part of the e-mail address',
  firstName: 'First name',
  lastName: 'Last name',
  displayName: 'First and last name',
  phone: 'Phone number',
  company: 'Company',
  department: 'Department',
  title: 'Position (job title)',
  groups: 'Group names (one value per group)',
  groupIds: 'Tessera group ids (one value per group)',
  upn: 'Directory userPrincipalName (absent without a directory account)',
  sAMAccountName: 'AD sAMAccountName (AD accounts only)',
  objectSid: 'AD objectSid, S-1-5-… (AD accounts whose sync maps it)',
  objectGUID: 'AD objectGUID (AD accounts only)',
  externalId: 'Directory id: AD objectGUID or Entra object id',
};

const text = (v: unknown): string[] => {
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.flatMap((x) => (typeof x === 'string' || typeof x === 'number' ? text(x) : []));
  return [];
};

/** A synced attribute by name: exact, else case-insensitive (LDAP names are, RFC 4512 §2.5). */
function directoryAttribute(d: DirectoryIdentity | undefined, name: string): string[] {
  if (!d) return [];
  if (name in d.attributes) return text(d.attributes[name]);
  const key = Object.keys(d.attributes).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? text(d.attributes[key]) : [];
}

/** The values of one source for the employee: empty when the employee has none. */
export function valuesOf(a: EmployeeAttributes, source: string): string[] {
  if (source.startsWith(DIRECTORY_PREFIX)) return directoryAttribute(a.directory, source.slice(DIRECTORY_PREFIX.length));
  const d = a.directory;
  const isAd = d?.domainKind === 'ad';
  switch (source as AttributeSource) {
    case 'email':
      return [a.email];
    case 'id':
      return [a.id];
    case 'username':
      return [a.email.split('@')[0]];
    case 'firstName':
      return text(a.firstName);
    case 'lastName':
      return text(a.lastName);
    case 'displayName':
      return text(`${a.firstName} ${a.lastName}`.trim());
    case 'phone':
      return text(a.phone);
    case 'company':
      return text(a.company);
    case 'department':
      return text(a.department);
    case 'title':
      return text(a.position);
    case 'groups':
      return a.groups;
    case 'groupIds':
      return a.groupIds;
    case 'upn':
      return text(d?.upn);
    case 'sAMAccountName':
      return isAd ? text(d.username) : [];
    case 'objectSid':
      return isAd ? directoryAttribute(d, 'objectSid').filter((s) => /^S-1-\d+(-\d+)+$/.test(s)) : [];
    case 'objectGUID':
      return isAd ? text(d.externalId) : [];
    case 'externalId':
      return text(d?.externalId);
    default:
      return [];
  }
}

/** The first value of a source, or null (a NameID carries one value). */
export const firstValueOf = (a: EmployeeAttributes, source: string): string | null => valuesOf(a, source)[0] ?? null;

export type EmployeeAttributeSource = ReturnType<typeof createEmployeeAttributeSource>;

export function createEmployeeAttributeSource(deps: {
  findEmployee: (id: string) => Promise<EmployeeWithRefs | undefined>;
  groupsOf: (employeeId: string) => Promise<{ id: string; name: string }[]>;
  directoryAccountOf: (employeeId: string, importingDomainId: string | null) => Promise<DirectoryIdentity | undefined>;
}) {
  async function of(e: EmployeeWithRefs): Promise<EmployeeAttributes> {
    const [groups, directory] = await Promise.all([deps.groupsOf(e.id), deps.directoryAccountOf(e.id, e.source === 'manual' ? null : e.source)]);
    return {
      id: e.id,
      email: e.email,
      firstName: e.firstName,
      lastName: e.lastName,
      phone: e.phone ?? null,
      company: e.companyName,
      department: e.departmentName,
      position: e.positionName,
      groups: groups.map((g) => g.name),
      groupIds: groups.map((g) => g.id),
      directory,
    };
  }
  return {
    of,
    /** The attributes of an employee by id; undefined when there is no such employee. */
    async load(employeeId: string): Promise<EmployeeAttributes | undefined> {
      const e = await deps.findEmployee(employeeId);
      return e && of(e);
    },
  };
}
