// Shapes of employee sign-in, enrolment, the portal and passkeys (docs/sign-in-api.md).
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';

export type CredentialType = 'passkey' | 'security_key';
export type CredentialKind = CredentialType;
export type Attachment = 'platform' | 'cross-platform';
export type SecondFactor = 'totp' | 'passkey';

export interface Credential {
  id: string;
  name: string;
  type: CredentialType;
  attachment: Attachment;
  aaguid: string;
  /** Friendly name of the authenticator model, when its AAGUID is known. */
  model: string | null;
  isBackedUp: boolean;
  isBackupEligible: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Policy {
  allowPlatform: boolean;
  userVerification: 'required' | 'preferred';
  allowPasswordSignIn: boolean;
  secondFactors: SecondFactor[];
  maxCredentialsPerEmployee: number;
}

export interface Branding {
  organisationName: string;
  primaryColor: string;
  hasLogo: boolean;
  /** Not in the contract's Branding: read when the server sends it, to offer password sign-in. */
  allowPasswordSignIn?: boolean;
}

export interface EmployeeSummary {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
}

export interface RegistrationCeremony {
  ceremonyId: string;
  options: PublicKeyCredentialCreationOptionsJSON;
}

export interface AuthenticationCeremony {
  ceremonyId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

export interface Invitation {
  employee: { firstName: string; lastName: string; email: string };
  branding: Branding;
  policy: Policy;
  expiresAt: string;
}

export interface PortalMe {
  employee: EmployeeSummary;
  branding: Branding;
  policy: Policy;
  hasPassword: boolean;
  hasTotp: boolean;
}

export interface SignInEvent {
  at: string;
  /** `passkey`, `password`, `password+totp`, `password+passkey`, `invitation+…`; null when unknown. */
  method: string | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  userAgent: string | null;
}

export interface PortalApplication {
  id: string;
  name: string;
  url: string;
  protocol: string;
}

export interface SignedIn {
  status: 'ok';
  employee: EmployeeSummary;
}

export interface SecondFactorRequired {
  status: 'second_factor_required';
  methods: SecondFactor[];
}

// Admin side.

export interface EmployeeCredentials {
  items: Credential[];
  hasPassword: boolean;
  hasTotp: boolean;
}

export type MailStatus = 'pending' | 'sent' | 'failed';

export type InvitationStatus = 'open' | 'used' | 'revoked' | 'expired';

export interface InvitationRecord {
  id: string;
  employeeId: string;
  status: InvitationStatus;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
  /** Who sent it, as the audit log names them (an admin's e-mail, an API key's name). */
  createdBy: string | null;
  mail: { status: MailStatus; attempts: number; lastError: string | null; sentAt: string | null } | null;
}

/** An admin's own passkey (console sign-in). Same shape as an employee's credential. */
export type AdminPasskey = Credential;

export interface AuthenticatorSettings {
  allowPlatform: boolean;
  userVerification: 'required' | 'preferred';
  attestation: 'none' | 'direct';
  aaguidAllowList: string[];
  maxCredentialsPerEmployee: number;
  allowPasswordSignIn: boolean;
  secondFactors: SecondFactor[];
  signCountPolicy: 'refuse' | 'flag';
}

export interface InvitationSettings {
  validityDays: number;
}

/** The groups of GET /api/settings that the authenticator policy section reads and patches. */
export interface PolicySettings {
  authenticators: AuthenticatorSettings;
  invitations: InvitationSettings;
}
