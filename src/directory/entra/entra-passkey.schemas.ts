import { z } from 'zod';
import { pairingStates } from './entra.constants.js';

/** base64url without padding; the alphabet is checked by the service (entra-passkey.service.ts). */
const b64url = z.string().min(1).max(65536);
export const isBase64Url = (s: string) => /^[A-Za-z0-9_-]+$/.test(s);

/** What the enrolling authenticator posts: the WebAuthn registration result for the options it got. */
export const attestationBody = z
  .object({
    /** The name the passkey gets in Entra (shown to the user and the administrator). */
    displayName: z.string().trim().min(1).max(100),
    publicKeyCredential: z
      .object({
        id: b64url.max(1366),
        response: z.object({ clientDataJSON: b64url, attestationObject: b64url }).strict(),
        clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  })
  .strict();
export type AttestationBody = z.infer<typeof attestationBody>;

export const entraPasskeyDto = z.object({
  id: z.string().uuid(),
  methodId: z.string(),
  displayName: z.string(),
  aaguid: z.string().nullable(),
  model: z.string().nullable(),
  isProvisionedByTessera: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type EntraPasskeyDto = z.infer<typeof entraPasskeyDto>;

export const pairingDto = z.object({
  employeeId: z.string().uuid(),
  email: z.string(),
  name: z.string(),
  employeeStatus: z.string(),
  entraUserId: z.string(),
  state: z.enum(pairingStates),
  /** The user was not found in Entra at the last refresh. */
  isMissingInEntra: z.boolean(),
  /** The user fell back from a paired state (unpaired) at this time. */
  unpairedAt: z.string().nullable(),
  passkeys: z.array(entraPasskeyDto),
  lastUsedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type PairingDto = z.infer<typeof pairingDto>;

export const creationOptionsDto = z.object({
  challengeTimeoutDateTime: z.string(),
  /** WebAuthn PublicKeyCredentialCreationOptions as Entra made them (binary values base64url). */
  publicKey: z.record(z.string(), z.unknown()),
});

export const refreshSummary = z.object({
  eligible: z.number().int(),
  byState: z.record(z.enum(pairingStates), z.number().int()),
  missingInEntra: z.number().int(),
  removed: z.number().int(),
});
export type RefreshSummary = z.infer<typeof refreshSummary>;

/** A domain by id or name; an employee by id or e-mail (so that scripts and the CLI can name them). */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hostname = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const domainParam = z
  .string()
  .max(253)
  .refine((s) => uuid.test(s) || hostname.test(s), 'must be a domain id or name');
const employeeParam = z
  .string()
  .max(320)
  .refine((s) => uuid.test(s) || z.email().safeParse(s).success, 'must be an employee id or e-mail');
export const domainParams = z.object({ domain: domainParam }).strict();
export const employeeParams = z.object({ domain: domainParam, employee: employeeParam }).strict();
export const passkeyParams = employeeParams.extend({ passkeyId: z.string().uuid() }).strict();
/** The pairings in one state, or all of them. */
export const pairingsQuery = z.object({ state: z.enum(pairingStates).optional() }).strict();
