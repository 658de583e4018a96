import type { SignInMethod } from '../../authn/employee-session.js';
import type { groupsClaimModes } from './oidc-client.schemas.js';
import { firstValueOf, valuesOf, type EmployeeAttributes } from '../employee-attributes.js';

/**
 * How an employee signed in, as OIDC `amr` (RFC 8176 §2 values, plus `fido`, which RFC 8176 does
 * not define but Microsoft Entra and other relying parties use for FIDO2/WebAuthn) and `acr`:
 * - passkey: `fido` + `mfa` (user verification is required by policy: possession + PIN/biometric);
 * - security key: `fido` + `hwk` (proof of a hardware-bound key) + `mfa`;
 * - password + TOTP: `pwd` + `otp` + `mfa`;
 * - password + passkey: `pwd` + `fido` + `mfa`.
 * `acr`: `urn:tessera:acr:phr` for phishing-resistant sign-ins (anything with WebAuthn), else
 * `urn:tessera:acr:mfa`. Entra's EAM profile has its own acr (see oidc.eam.ts).
 */
export const ACR_PHISHING_RESISTANT = 'urn:tessera:acr:phr';
export const ACR_MFA = 'urn:tessera:acr:mfa';
/** The one acr value Entra ID asks EAM providers for (Microsoft's EAM provider reference). */
export const ACR_ENTRA_EAM = 'possessionorinherence';
/** Entra's supported acr values that a possession factor satisfies (EAM provider reference, "Supported acr claims"). */
export const ACR_ENTRA_POSSESSION = [ACR_ENTRA_EAM, 'knowledgeorpossession', 'knowledgeorpossessionorinherence', 'possession'];
export const ACR_VALUES = [ACR_PHISHING_RESISTANT, ACR_MFA, ...ACR_ENTRA_POSSESSION];

export const AMR_BY_METHOD: Record<SignInMethod, string[]> = {
  passkey: ['fido', 'mfa'],
  security_key: ['fido', 'hwk', 'mfa'],
  'password+totp': ['pwd', 'otp', 'mfa'],
  'password+passkey': ['pwd', 'fido', 'mfa'],
};

export const acrFor = (method: SignInMethod) => (method === 'password+totp' ? ACR_MFA : ACR_PHISHING_RESISTANT);

/**
 * amr for Entra's EAM profile. Microsoft's EAM provider reference ("Microsoft Entra ID processing of
 * the provider response"): amr "should be returned as an array, and only one method claim should
 * be returned", from its list of supported values; Entra maps each to a method type (fido, otp:
 * possession) to check that the second factor differs in type from the first (a password).
 */
export const ENTRA_AMR_BY_METHOD: Record<SignInMethod, [string]> = {
  passkey: ['fido'],
  security_key: ['fido'],
  'password+totp': ['otp'],
  'password+passkey': ['fido'],
};

/**
 * The acr to answer Entra: "should match one of the values from the request ... Only one acr claim
 * should be returned" (EAM provider reference). Every Tessera method is a possession factor (fido,
 * otp), so the first requested value that admits possession; Entra asks `possessionorinherence`.
 */
export function entraAcrFor(claimsParam: unknown): string {
  try {
    const values = (JSON.parse(String(claimsParam ?? '{}')) as { id_token?: { acr?: { values?: unknown } } })?.id_token?.acr?.values;
    const match = Array.isArray(values) ? values.find((v): v is string => typeof v === 'string' && v.includes('possession')) : undefined;
    return match ?? ACR_ENTRA_EAM;
  } catch {
    return ACR_ENTRA_EAM;
  }
}

/**
 * The acr values a `claims` request makes essential (OIDC Core §5.5.1.1: `value` or `values`), or
 * undefined. oidc-provider asks for a login again while the session's acr is not one of them, so
 * the interaction must not answer with an acr outside them (it would loop).
 */
export function essentialAcrs(claimsParam: unknown): string[] | undefined {
  try {
    const acr = (JSON.parse(String(claimsParam ?? '{}')) as { id_token?: { acr?: { essential?: unknown; value?: unknown; values?: unknown } } })?.id_token?.acr;
    if (acr?.essential !== true) return undefined;
    if (Array.isArray(acr.values)) return acr.values.filter((v): v is string => typeof v === 'string');
    return typeof acr.value === 'string' ? [acr.value] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Standard claims (OIDC Core §5.1) per scope, plus ours: `upn` is the directory's
 * userPrincipalName (absent for an employee without a directory account); `groups` the
 * employee's real groups (directory and local), by name or by Tessera group id as the client is
 * registered (groupsClaim). Values come from src/sso/employee-attributes.ts, as SAML's and WS-Fed's do.
 */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  // oidc-provider puts acr/amr in the ID token only when asked for (claims, acr_values); relying
  // parties such as mod_auth_openidc use them for step-up decisions, so they always come with openid.
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'upn', 'department', 'position'],
  groups: ['groups'],
};

/** Which claims each employee attribute opens (a client registered for `email` gets email + email_verified). */
const ATTRIBUTE_CLAIMS: Record<string, string[]> = {
  email: ['email', 'email_verified', 'preferred_username'],
  name: ['name', 'given_name', 'family_name'],
  groups: ['groups'],
  department: ['department'],
  position: ['position'],
  upn: ['upn'],
};

/** How a client receives `groups`: group names, Tessera group ids, or not at all. */
export type GroupsClaimMode = (typeof groupsClaimModes)[number];

const one = (a: EmployeeAttributes, source: string) => firstValueOf(a, source) ?? undefined;

/** The claims of an employee that a client with these attributes may receive; a value the employee lacks is left out. */
export function employeeClaims(a: EmployeeAttributes, attributes: string[], groupsClaim: GroupsClaimMode = 'names'): Record<string, unknown> {
  const all: Record<string, unknown> = {
    email: a.email,
    email_verified: true,
    preferred_username: a.email,
    name: one(a, 'displayName'),
    given_name: one(a, 'firstName'),
    family_name: one(a, 'lastName'),
    groups: groupsClaim === 'none' ? undefined : valuesOf(a, groupsClaim === 'ids' ? 'groupIds' : 'groups'),
    department: one(a, 'department'),
    position: one(a, 'title'),
    upn: one(a, 'upn'),
  };
  const allowed = new Set(attributes.flatMap((x) => ATTRIBUTE_CLAIMS[x] ?? []));
  return Object.fromEntries(Object.entries(all).filter(([k, v]) => allowed.has(k) && v !== undefined));
}
