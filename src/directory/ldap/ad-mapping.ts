import type { Entry } from 'ldapts';
import type { DirectoryUser } from '../connector.js';

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
];
export const BUFFER_ATTRIBUTES = ['objectGUID'];

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
