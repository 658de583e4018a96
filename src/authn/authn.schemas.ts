import { z } from 'zod';
import type { SettingsResponse, SettingsValues } from '../settings/settings.schemas.js';
import { authenticatorModel } from './aaguids.js';
import type { CredentialRow } from './webauthn.repository.js';

/**
 * What the user asks to register: a platform authenticator (passkey), a roaming security key (both
 * discoverable, for passwordless sign-in), or a security key as the second factor after a password
 * (non-discoverable, so that U2F-only keys serve; employees only, when policy allows password + key).
 */
export const credentialKinds = ['passkey', 'security_key', 'second_factor_key'] as const;
export type CredentialKind = (typeof credentialKinds)[number];

export const credentialDto = z.object({
  id: z.string().uuid(),
  name: z.string(),
  type: z.enum(credentialKinds).describe('passkey or security_key: signs in without a password; second_factor_key: only after the password'),
  attachment: z.enum(['platform', 'cross-platform']),
  aaguid: z.string(),
  model: z.string().nullable(),
  isBackedUp: z.boolean(),
  isBackupEligible: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type CredentialDto = z.infer<typeof credentialDto>;

/** `passkey` for platform or synced (backup-eligible) credentials, `security_key` for hardware-bound roaming keys. */
export const credentialType = (c: Pick<CredentialRow, 'attachment' | 'isBackupEligible'>): 'passkey' | 'security_key' =>
  c.attachment === 'platform' || c.isBackupEligible ? 'passkey' : 'security_key';

export function toCredentialDto(c: CredentialRow): CredentialDto {
  const attachment = c.attachment === 'platform' ? 'platform' : 'cross-platform';
  return {
    id: c.id,
    name: c.name,
    type: c.isSecondFactorOnly ? 'second_factor_key' : credentialType(c),
    attachment,
    aaguid: c.aaguid,
    model: authenticatorModel(c.aaguid),
    isBackedUp: c.isBackedUp,
    isBackupEligible: c.isBackupEligible,
    createdAt: c.createdAt.toISOString(),
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
  };
}

export const credentialName = z.string().trim().min(1).max(100);

export const policyDto = z.object({
  allowPlatform: z.boolean(),
  userVerification: z.enum(['required', 'preferred']),
  allowPasswordSignIn: z.boolean(),
  secondFactors: z.array(z.enum(['totp', 'passkey'])),
  /** Whether an employee may enroll a security key as the second factor after a password (kind second_factor_key). */
  allowSecondFactorKeys: z.boolean(),
  maxCredentialsPerEmployee: z.number().int(),
});
export type PolicyDto = z.infer<typeof policyDto>;

/**
 * Whether policy lets a security key serve as the second factor after a password: password sign-in
 * allowed, with WebAuthn among its second factors. Enrolment and use of second-factor keys both ask this.
 */
export const secondFactorKeysAllowed = (s: SettingsValues) => s.authenticators.allowPasswordSignIn && s.authenticators.secondFactors.includes('passkey');

export function toPolicyDto(s: SettingsValues): PolicyDto {
  const a = s.authenticators;
  return {
    allowPlatform: a.allowPlatform,
    userVerification: a.userVerification,
    allowPasswordSignIn: a.allowPasswordSignIn,
    secondFactors: [...a.secondFactors],
    allowSecondFactorKeys: secondFactorKeysAllowed(s),
    maxCredentialsPerEmployee: a.maxCredentialsPerEmployee,
  };
}

export const brandingDto = z.object({ organisationName: z.string(), primaryColor: z.string(), hasLogo: z.boolean() });
export type BrandingDto = z.infer<typeof brandingDto>;

export const toBrandingDto = (s: SettingsResponse): BrandingDto => ({
  organisationName: s.organisationName,
  primaryColor: s.branding.primaryColor,
  hasLogo: s.branding.hasLogo,
});

export const employeeSummary = z.object({ id: z.string().uuid(), firstName: z.string(), lastName: z.string(), email: z.string() });
export type EmployeeSummary = z.infer<typeof employeeSummary>;
export const toEmployeeSummary = (e: EmployeeSummary): EmployeeSummary => ({ id: e.id, firstName: e.firstName, lastName: e.lastName, email: e.email });

// What @simplewebauthn/browser returns. The top level is strict like every body; the inner
// objects let through fields that newer browsers add (WebAuthn Level 3 keeps adding some).
const b64 = z.string().min(1).max(16_384);
const clientExtensionResults = z.record(z.string(), z.unknown());
const attachment = z.enum(['platform', 'cross-platform']).nullable().optional();

export const registrationResponse = z
  .object({
    id: b64,
    rawId: b64,
    type: z.enum(['public-key']),
    response: z.looseObject({
      clientDataJSON: b64,
      attestationObject: b64,
      transports: z.array(z.string().max(32)).max(10).optional(),
      authenticatorData: b64.optional(),
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: b64.optional(),
    }),
    authenticatorAttachment: attachment,
    clientExtensionResults,
  })
  .strict()
  .describe('RegistrationResponseJSON, as @simplewebauthn/browser startRegistration() returns it');

export const authenticationResponse = z
  .object({
    id: b64,
    rawId: b64,
    type: z.enum(['public-key']),
    response: z.looseObject({
      clientDataJSON: b64,
      authenticatorData: b64,
      signature: b64,
      userHandle: b64.nullable().optional(),
    }),
    authenticatorAttachment: attachment,
    clientExtensionResults,
  })
  .strict()
  .describe('AuthenticationResponseJSON, as @simplewebauthn/browser startAuthentication() returns it');

export const ceremonyId = z.string().min(1).max(100);

/** The bodies of the WebAuthn ceremonies, the same for admins and employees. */
export const passkeyVerifyBody = z.object({ ceremonyId, response: authenticationResponse }).strict();
/** Which kind of credential to register: a synced passkey or a device-bound security key. */
export const credentialKindBody = z.object({ kind: z.enum(credentialKinds) }).strict();
export const credentialRegistrationBody = z.object({ ceremonyId, response: registrationResponse, name: credentialName.optional() }).strict();

/** A one-time code of an authenticator app (RFC 6238). */
export const totpCodeBody = z.object({ code: z.string().trim().min(1).max(10) }).strict();
/** A new TOTP secret, as text, as otpauth:// URL and as QR code image. */
export const totpSetupAnswer = z.object({ secret: z.string(), otpauthUrl: z.string(), qrDataUrl: z.string() });
/** A signed-in person changes their own password (admin or employee). */
export const passwordChangeBody = z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }).strict();

export const creationOptionsAnswer = z.object({
  ceremonyId: z.string(),
  options: z
    .record(z.string(), z.unknown())
    .describe('PublicKeyCredentialCreationOptionsJSON: pass to @simplewebauthn/browser startRegistration({ optionsJSON })'),
});
export const requestOptionsAnswer = z.object({
  ceremonyId: z.string(),
  options: z
    .record(z.string(), z.unknown())
    .describe('PublicKeyCredentialRequestOptionsJSON: pass to @simplewebauthn/browser startAuthentication({ optionsJSON })'),
});

/** A ceremony's options as the route answers them (the schema keeps every field of the JSON). */
export const optionsAnswer = (x: { ceremonyId: string; options: object }) => ({ ceremonyId: x.ceremonyId, options: x.options as Record<string, unknown> });

/** Employee sign-in (docs/sign-in-api.md "Sign-in"). */
export const signedInAnswer = z.object({ status: z.enum(['ok']), employee: employeeSummary });
/** The e-mail address is optional: without it the browser offers every discoverable passkey. */
export const signInOptionsBody = z.object({ email: z.string().trim().min(1).max(254).optional() }).strict();
export const passwordSignInBody = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(256) }).strict();
/** A correct password: which second factor the employee may give next. */
export const secondFactorAnswer = z.object({ status: z.enum(['second_factor_required']), methods: z.array(z.enum(['totp', 'passkey'])) });
export const employeeAnswer = z.object({ employee: employeeSummary });
/** Where to go after signing in: the checked return address, or the portal or the console. */
export const continueQuery = z.object({ return_to: z.string().max(8192).optional(), for: z.enum(['portal', 'console']).default('portal') }).strict();
export const redirectAnswer = z.object({ redirectTo: z.string() });

/** An employee's credentials as an admin sees them. */
export const employeeCredentialsAnswer = z.object({ items: z.array(credentialDto), hasPassword: z.boolean(), hasTotp: z.boolean() });
export const credentialParams = z.object({ id: z.string().uuid(), credentialId: z.string().uuid() }).strict();
