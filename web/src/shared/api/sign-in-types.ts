// Shapes of employee sign-in, enrolment, the portal and passkeys (docs/sign-in-api.md): aliases into
// the contract generated from the server's OpenAPI document (./schema.d.ts; see ./contract.ts).
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import type { BodyOf, ItemOf, ResponseOf } from './contract';
import type { Settings } from './types';

export type Credential = ItemOf<ResponseOf<'/api/portal/credentials', 'get'>>;
export type CredentialType = Credential['type'];
export type CredentialKind = BodyOf<'/api/portal/credentials/options', 'post'>['kind'];
export type Attachment = Credential['attachment'];

export type PortalMe = ResponseOf<'/api/portal/me', 'get'>;
export type Policy = PortalMe['policy'];
export type SecondFactor = Policy['secondFactors'][number];
export type EmployeeSummary = PortalMe['employee'];

/** GET /api/branding: public, for the sign-in and invitation pages. */
export type Branding = ResponseOf<'/api/branding', 'get'>;
/** The organisation's name and logo, as every answer that carries branding has them. */
export type BrandingMark = Pick<Branding, 'organisationName' | 'hasLogo'>;

/**
 * A WebAuthn ceremony: its id from the contract; its options as @simplewebauthn/browser takes them
 * (W3C WebAuthn §5.4 and §5.5), which the server's schema declares only as an object.
 */
export type RegistrationCeremony = Omit<ResponseOf<'/api/portal/credentials/options', 'post'>, 'options'> & {
  options: PublicKeyCredentialCreationOptionsJSON;
};
export type AuthenticationCeremony = Omit<ResponseOf<'/api/signin/webauthn/options', 'post'>, 'options'> & {
  options: PublicKeyCredentialRequestOptionsJSON;
};

export type Invitation = ResponseOf<'/api/enroll/{token}', 'get'>;
export type SignInEvent = ItemOf<ResponseOf<'/api/portal/sign-ins', 'get'>>;
export type PortalApplication = ItemOf<ResponseOf<'/api/portal/applications', 'get'>>;

/** A finished sign-in: a passkey, or the second factor after a password. */
export type SignedIn = ResponseOf<'/api/signin/webauthn/verify', 'post'>;
/** The first step of a password sign-in: which second factors may follow. */
export type SecondFactorRequired = ResponseOf<'/api/signin/password', 'post'>;

// Admin side.

export type EmployeeCredentials = ResponseOf<'/api/employees/{id}/credentials', 'get'>;
export type InvitationRecord = ItemOf<ResponseOf<'/api/employees/{id}/invitations', 'get'>>;
export type InvitationStatus = InvitationRecord['status'];
export type MailStatus = NonNullable<InvitationRecord['mail']>['status'];

/** An admin's own passkey (console sign-in). */
export type AdminPasskey = ItemOf<ResponseOf<'/api/auth/passkeys', 'get'>>;

export type AuthenticatorSettings = Settings['authenticators'];
export type InvitationSettings = Settings['invitations'];
/** The groups of GET /api/settings that the authenticator policy section reads and patches. */
export type PolicySettings = Pick<Settings, 'authenticators' | 'invitations'>;
