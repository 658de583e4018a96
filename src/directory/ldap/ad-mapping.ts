import type { Entry } from 'ldapts';
import { DirectoryError, type DirectoryUser } from '../connector.js';

/** Attributes read for every user (MS-ADA3 names). objectGUID must come back as bytes. */
export const USER_ATTRIBUTES = [
  'objectGUID',
  'sAMAccountName',
  'userPrincipalName',
  'mail',
  'givenName',
  'sn',
  'displayName',
  'department',
  'title',
  'telephoneNumber',
  'company',
  'userAccountControl',
  'uSNChanged',
  'objectSid',
  // Direct groups (a back-link AD keeps current); nesting is resolved through the groups' own memberOf.
  'memberOf',
];
export const BUFFER_ATTRIBUTES = ['objectGUID', 'objectSid'];
/** Attributes read for every group a member belongs to. */
export const GROUP_ATTRIBUTES = ['objectGUID', 'cn', 'sAMAccountName', 'groupType', 'memberOf'];

/** groupType bit GROUP_TYPE_SECURITY_ENABLED (MS-ADTS §2.2.12): distribution groups lack it. */
const GROUP_TYPE_SECURITY_ENABLED = 0x80000000;

/** userAccountControl bit ACCOUNTDISABLE (MS-ADTS §2.2.16). */
const ACCOUNTDISABLE = 0x2;

/**
 * objectGUID is a little-endian GUID (MS-DTYP §2.3.4.2): the first three fields are byte-swapped
 * relative to the textual form that AD tools show, so the text matches Get-ADUser's ObjectGUID.
 */
export function guidToString(buf: Buffer): string {
  if (buf.length !== 16) throw new Error(`objectGUID has ${buf.length} bytes, expected 16`);
  const h = (i: number) => buf[i].toString(16).padStart(2, '0');
  return [h(3) + h(2) + h(1) + h(0), h(5) + h(4), h(7) + h(6), h(8) + h(9), h(10) + h(11) + h(12) + h(13) + h(14) + h(15)].join('-');
}

/**
 * A binary SID (MS-DTYP §2.4.2.2) in its string form (§2.4.2.1): S-revision-authority-sub1-…;
 * the identifier authority is 48-bit big-endian, each sub-authority 32-bit little-endian.
 */
export function sidToString(buf: Buffer): string {
  if (buf.length < 8 || buf.length !== 8 + buf[1] * 4) throw new Error(`objectSid has ${buf.length} bytes, not a SID`);
  const authority = buf.readUIntBE(2, 6);
  const subs = Array.from({ length: buf[1] }, (_, i) => buf.readUInt32LE(8 + i * 4));
  return ['S', buf[0], authority, ...subs].join('-');
}

/** The filter form of a GUID: every byte escaped (RFC 4515 §3), in stored (little-endian) order. */
export function guidToFilter(guid: string): string {
  const hex = guid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error('not a GUID');
  const b = Buffer.from(hex, 'hex');
  const stored = Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)]);
  return [...stored].map((x) => `\\${x.toString(16).padStart(2, '0')}`).join('');
}

/** RFC 4515 §3 escaping of a value placed in a filter. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function str(entry: Entry, name: string): string | null {
  const v = entry[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return null;
  const s = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  return s.trim() === '' ? null : s;
}

/**
 * The DNs of an entry's memberOf values. A ranged answer (`memberOf;range=0-1499`, an account in
 * more groups than the controller returns at once) throws: a partial group list is never applied.
 */
export function entryMemberOf(entry: Entry): string[] {
  if (Object.keys(entry).some((k) => /^memberOf;range=/i.test(k)))
    throw new DirectoryError('incomplete_listing', `${entry.dn} is in more groups than the controller returns in one answer (ranged memberOf)`);
  const v = entry.memberOf;
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

export interface AdGroupEntry {
  dn: string;
  externalId: string;
  /** cn: the name AD tools show (a rename in Active Directory Users and Computers changes it). */
  name: string;
  samAccountName: string | null;
  isSecurity: boolean;
  /** DNs of the groups this group is a direct member of. */
  memberOf: string[];
}

export function entryToGroup(entry: Entry): AdGroupEntry {
  const guid = entry.objectGUID;
  const raw = Array.isArray(guid) ? guid[0] : guid;
  if (!Buffer.isBuffer(raw)) throw new Error(`${entry.dn} has no objectGUID`);
  const samAccountName = str(entry, 'sAMAccountName');
  return {
    dn: entry.dn,
    externalId: guidToString(raw),
    name: str(entry, 'cn') ?? samAccountName ?? entry.dn,
    samAccountName,
    isSecurity: (Number(str(entry, 'groupType') ?? 0) & GROUP_TYPE_SECURITY_ENABLED) !== 0,
    memberOf: entryMemberOf(entry),
  };
}

export function entryUsn(entry: Entry): number {
  return Number(str(entry, 'uSNChanged') ?? 0);
}

/** Maps a user entry to a DirectoryUser. Throws on an entry without objectGUID or sAMAccountName. */
export function entryToUser(entry: Entry): DirectoryUser {
  const guid = entry.objectGUID;
  const raw = Array.isArray(guid) ? guid[0] : guid;
  if (!Buffer.isBuffer(raw)) throw new Error(`${entry.dn} has no objectGUID`);
  const username = str(entry, 'sAMAccountName');
  if (!username) throw new Error(`${entry.dn} has no sAMAccountName`);
  const uac = Number(str(entry, 'userAccountControl') ?? 0);
  const sid = Array.isArray(entry.objectSid) ? entry.objectSid[0] : entry.objectSid;
  return {
    externalId: guidToString(raw),
    username,
    upn: str(entry, 'userPrincipalName'),
    email: str(entry, 'mail'),
    givenName: str(entry, 'givenName'),
    surname: str(entry, 'sn'),
    displayName: str(entry, 'displayName'),
    department: str(entry, 'department'),
    title: str(entry, 'title'),
    phone: str(entry, 'telephoneNumber'),
    company: str(entry, 'company'),
    enabled: (uac & ACCOUNTDISABLE) === 0,
    objectSid: Buffer.isBuffer(sid) ? sidToString(sid) : null,
  };
}

/** unicodePwd takes the password in double quotes, UTF-16LE (MS-ADTS §3.1.1.3.1.5.1). */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** A DN from a base DN: "DC=corp,DC=example,DC=test" from "corp.example.test". */
export function domainToBaseDn(domain: string): string {
  return domain
    .split('.')
    .filter(Boolean)
    .map((p) => `DC=${p}`)
    .join(',');
}
