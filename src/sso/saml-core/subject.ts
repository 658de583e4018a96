import crypto from 'node:crypto';
import type { SignInMethod } from '../../authn/employee-session.js';
import { firstValueOf, valuesOf, type EmployeeAttributes } from '../employee-attributes.js';
import type { SamlAttributeMapping } from '../saml/saml.tables.js';
import { nameIdFormats, type NameIdFormat } from '../saml/sp.schemas.js';

/**
 * The SAML attributes of a mapping: one AttributeValue per value (groups: one per group, SAML 2.0
 * core §2.7.3.1.1); a source the employee has no value for leaves its attribute out, rather than
 * send an empty or substituted value.
 */
export function mapAttributes(employee: EmployeeAttributes, mappings: SamlAttributeMapping[]) {
  return mappings
    .map((m) => ({ name: m.name, nameFormat: m.nameFormat ?? null, friendlyName: m.friendlyName ?? null, values: valuesOf(employee, m.field) }))
    .filter((a) => a.values.length > 0);
}

/**
 * The NameID for an SP: transient is new for every SAML session (saml-core §8.3.8); the other
 * formats carry the chosen employee field — persistent should be `id`, an opaque value that
 * never changes when the employee's e-mail does (§8.3.7).
 */
export function nameIdFor(employee: EmployeeAttributes, sp: { nameIdFormat: string; nameIdField: string }): { value: string; format: string } {
  const format = nameIdFormats[sp.nameIdFormat as NameIdFormat] ?? nameIdFormats.unspecified;
  if (sp.nameIdFormat === 'transient') return { value: `_${crypto.randomBytes(16).toString('hex')}`, format };
  return { value: firstValueOf(employee, sp.nameIdField) ?? employee.email, format };
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
