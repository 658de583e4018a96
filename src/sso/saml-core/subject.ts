import crypto from 'node:crypto';
import type { SignInMethod } from '../../authn/employee-session.js';
import type { EmployeeRow } from '../../authn/employee-auth.service.js';
import type { SamlAttributeMapping } from '../saml/saml.tables.js';
import { nameIdFormats, type EmployeeField, type NameIdFormat } from '../saml/sp.schemas.js';

/** The value of an employee field an SP asked for (see sp.schemas.ts employeeFields). */
export function employeeField(employee: EmployeeRow, field: string): string | null {
  switch (field as EmployeeField) {
    case 'email':
      return employee.email;
    case 'id':
      return employee.id;
    case 'username':
      return employee.email.split('@')[0];
    case 'firstName':
      return employee.firstName;
    case 'lastName':
      return employee.lastName;
    case 'displayName':
      return `${employee.firstName} ${employee.lastName}`.trim();
    case 'phone':
      return employee.phone ?? null;
    default:
      return null;
  }
}

export function mapAttributes(employee: EmployeeRow, mappings: SamlAttributeMapping[]) {
  return mappings.map((m) => {
    const value = employeeField(employee, m.field);
    return { name: m.name, nameFormat: m.nameFormat ?? null, friendlyName: m.friendlyName ?? null, values: value ? [value] : [] };
  });
}

/**
 * The NameID for an SP: transient is new for every SAML session (saml-core §8.3.8); the other
 * formats carry the chosen employee field — persistent should be `id`, an opaque value that
 * never changes when the employee's e-mail does (§8.3.7).
 */
export function nameIdFor(employee: EmployeeRow, sp: { nameIdFormat: string; nameIdField: string }): { value: string; format: string } {
  const format = nameIdFormats[sp.nameIdFormat as NameIdFormat] ?? nameIdFormats.unspecified;
  if (sp.nameIdFormat === 'transient') return { value: `_${crypto.randomBytes(16).toString('hex')}`, format };
  return { value: employeeField(employee, sp.nameIdField) ?? employee.email, format };
}

/**
 * AuthnContextClassRef for how the employee signed in (saml-authn-context). Password + TOTP is
 * the standard TimeSyncToken class; a hardware security key is closest to SmartcardPKI (a
 * private key in a device, unlocked by PIN); a passkey with user verification, or a password
 * with a passkey, is multi-factor: the REFEDS MFA profile, which SPs recognise.
 */
export const AUTHN_CONTEXT: Record<SignInMethod, string> = {
  passkey: 'https://refeds.org/profile/mfa',
  security_key: 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
  'password+totp': 'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
  'password+passkey': 'https://refeds.org/profile/mfa',
};
