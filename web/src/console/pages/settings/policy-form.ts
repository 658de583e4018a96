import type { AuthenticatorSettings, InvitationSettings, PolicySettings, SecondFactor } from '../../../shared/api/sign-in-types';

export interface PolicyFormValues {
  allowPlatform: boolean;
  userVerification: AuthenticatorSettings['userVerification'];
  attestation: AuthenticatorSettings['attestation'];
  /** One AAGUID a line, as typed. */
  aaguids: string;
  maxCredentialsPerEmployee: number | string;
  allowPasswordSignIn: boolean;
  secondFactors: SecondFactor[];
  signCountPolicy: AuthenticatorSettings['signCountPolicy'];
  validityDays: number | string;
}

export type PolicyFormErrors = Partial<Record<keyof PolicyFormValues, string>>;

/** As the server validates them (src/settings/settings.schemas.ts). */
export const POLICY_LIMITS = {
  maxCredentialsPerEmployee: { min: 1, max: 50 },
  validityDays: { min: 1, max: 90 },
  aaguids: 200,
} as const;

const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function policyToForm(settings: PolicySettings): PolicyFormValues {
  const a = settings.authenticators;
  return {
    allowPlatform: a.allowPlatform,
    userVerification: a.userVerification,
    attestation: a.attestation,
    aaguids: a.aaguidAllowList.join('\n'),
    maxCredentialsPerEmployee: a.maxCredentialsPerEmployee,
    allowPasswordSignIn: a.allowPasswordSignIn,
    secondFactors: a.secondFactors,
    signCountPolicy: a.signCountPolicy,
    validityDays: settings.invitations.validityDays,
  };
}

/** The typed lines as AAGUIDs: trimmed, lower-case (the server stores them so), blank lines dropped. */
export const parseAaguids = (text: string) =>
  text
    .split(/[\n,]+/)
    .map((line) => line.trim().toLowerCase())
    .filter(Boolean);

const inRange = (value: number | string, { min, max }: { min: number; max: number }) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

export function validatePolicy(v: PolicyFormValues): PolicyFormErrors {
  const errors: PolicyFormErrors = {};
  const aaguids = parseAaguids(v.aaguids);
  const wrong = aaguids.filter((a) => !AAGUID.test(a));
  if (wrong.length > 0) errors.aaguids = `Not an AAGUID (like cb69481e-8ff7-4039-93ec-0a2729a154a8): ${wrong.slice(0, 3).join(', ')}`;
  else if (aaguids.length > POLICY_LIMITS.aaguids) errors.aaguids = `At most ${POLICY_LIMITS.aaguids} models`;
  for (const key of ['maxCredentialsPerEmployee', 'validityDays'] as const) {
    const range = POLICY_LIMITS[key];
    if (!inRange(v[key], range)) errors[key] = `Enter a whole number from ${range.min} to ${range.max}`;
  }
  if (v.secondFactors.length === 0) errors.secondFactors = 'Choose at least one second factor';
  return errors;
}

export function formToPolicyPatch(v: PolicyFormValues): { authenticators: AuthenticatorSettings; invitations: InvitationSettings } {
  return {
    authenticators: {
      allowPlatform: v.allowPlatform,
      userVerification: v.userVerification,
      attestation: v.attestation,
      aaguidAllowList: [...new Set(parseAaguids(v.aaguids))],
      maxCredentialsPerEmployee: Number(v.maxCredentialsPerEmployee),
      allowPasswordSignIn: v.allowPasswordSignIn,
      secondFactors: v.secondFactors,
      signCountPolicy: v.signCountPolicy,
    },
    invitations: { validityDays: Number(v.validityDays) },
  };
}
