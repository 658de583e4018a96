import { z } from 'zod';
import { authenticationResponse, ceremonyId } from '../authn/authn.schemas.js';
import { webUrl } from '../http/url-schemas.js';

/** No control characters (a name or login is shown in lists and typed at logon). */
const printable = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

const name = printable(200).pipe(z.string().min(1));
/**
 * An application address: http(s) only, so that a link in the portal can never run script
 * (javascript:, data:); http allowed for intranet applications; no credentials, no fragment, no
 * characters a browser would silently repair (the rules of every URL field: src/http/url-schemas.ts).
 */
const url = webUrl({ allowHttp: true, maxLength: 2048 });
const urls = z.array(url).max(20);
const login = printable(500);
const secretText = z.string().min(1).max(1000);
const notes = z.string().max(10_000);
/** A base32 secret, or an otpauth://totp/ URI as an authenticator QR code holds it. */
const otpInput = z.string().trim().min(1).max(2000);
/**
 * The rules of the stored fields, for every other way into the vault (a backup's records,
 * vault-backup.schemas.ts): what the API refuses must not arrive through a file either.
 */
export const vaultFieldRules = { name, urls, login, secret: secretText, notes, loginHint: printable(200) } as const;

export const passwordPolicyBody = z
  .object({
    length: z.number().int().min(4).max(128).default(20),
    upper: z.boolean().default(true),
    lower: z.boolean().default(true),
    digits: z.boolean().default(true),
    symbols: z.boolean().default(true),
    excludeAmbiguous: z.boolean().default(true),
  })
  .strict();
export type PasswordPolicyBody = z.infer<typeof passwordPolicyBody>;
export const generatedPasswordAnswer = z.object({ password: z.string() });

/** What a vault account answers in lists: never a secret, only whether one is set. */
export const vaultAccountDto = z.object({
  id: z.string().uuid(),
  kind: z.enum(['personal', 'shared', 'directory']),
  name: z.string(),
  urls: z.array(z.string()),
  login: z.string().nullable(),
  hasPassword: z.boolean(),
  hasOtp: z.boolean(),
  hasNotes: z.boolean(),
  workstationUse: z.boolean(),
  templateId: z.string().uuid().nullable(),
  /** Shared and directory accounts: the employee reads them, the administrator (or the directory) changes them. */
  isReadOnly: z.boolean(),
  passwordChangedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type VaultAccountDto = z.infer<typeof vaultAccountDto>;

const accountFields = {
  name,
  urls: urls.default([]),
  login: login.nullable().optional(),
  password: secretText.nullable().optional(),
  /** With no password given: generate one with this policy (or the default). */
  generatePassword: z.boolean().optional(),
  passwordPolicy: passwordPolicyBody.optional(),
  otp: otpInput.nullable().optional(),
  notes: notes.nullable().optional(),
  workstationUse: z.boolean().default(false),
};

export const vaultAccountCreateBody = z.object({ ...accountFields, templateId: z.string().uuid().optional() }).strict();
export type VaultAccountCreateBody = z.infer<typeof vaultAccountCreateBody>;

/** A change: the fields given change; a secret set to null is removed. */
export const vaultAccountPatchBody = z
  .object({
    name: name.optional(),
    urls: urls.optional(),
    login: login.nullable().optional(),
    password: secretText.nullable().optional(),
    generatePassword: z.boolean().optional(),
    passwordPolicy: passwordPolicyBody.optional(),
    otp: otpInput.nullable().optional(),
    notes: notes.nullable().optional(),
    workstationUse: z.boolean().optional(),
  })
  .strict();
export type VaultAccountPatchBody = z.infer<typeof vaultAccountPatchBody>;

/** An account from a template: its name and URLs, filled in with the rest. */
export const vaultAccountFromTemplateBody = z
  .object({
    templateId: z.string().uuid(),
    name: name.optional(),
    login: login.nullable().optional(),
    password: secretText.nullable().optional(),
    generatePassword: z.boolean().optional(),
    passwordPolicy: passwordPolicyBody.optional(),
    otp: otpInput.nullable().optional(),
    notes: notes.nullable().optional(),
    workstationUse: z.boolean().default(false),
  })
  .strict();

export const revealFields = ['password', 'notes', 'otp'] as const;
export type RevealField = (typeof revealFields)[number];

export const revealOptionsBody = z.object({ field: z.enum(revealFields) }).strict();
/** `purpose` copy: the page copies the value to the clipboard instead of showing it (audited as such). */
export const revealBody = z
  .object({ ceremonyId, response: authenticationResponse, field: z.enum(revealFields), purpose: z.enum(['reveal', 'copy']).default('reveal') })
  .strict();
export const revealAnswer = z.object({
  field: z.enum(revealFields),
  value: z.string().optional(),
  otp: z
    .object({
      code: z.string(),
      validUntil: z.string(),
      period: z.number().int(),
      next: z.object({ code: z.string(), validUntil: z.string() }),
    })
    .optional(),
});
export type RevealAnswer = z.infer<typeof revealAnswer>;

export const vaultTemplateDto = z.object({
  id: z.string().uuid(),
  name: z.string(),
  urls: z.array(z.string()),
  loginHint: z.string().nullable(),
  source: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type VaultTemplateDto = z.infer<typeof vaultTemplateDto>;
export const vaultTemplateBody = z.object({ name, urls: urls.default([]), loginHint: printable(200).nullable().optional() }).strict();
export type VaultTemplateBody = z.infer<typeof vaultTemplateBody>;
export const vaultTemplatePatchBody = z.object({ name: name.optional(), urls: urls.optional(), loginHint: printable(200).nullable().optional() }).strict();
export type VaultTemplatePatchBody = z.infer<typeof vaultTemplatePatchBody>;

export const assignmentsDto = z.object({ employeeIds: z.array(z.string().uuid()), departmentIds: z.array(z.string().uuid()) });
export const assignmentsBody = z
  .object({ employeeIds: z.array(z.string().uuid()).max(10_000).default([]), departmentIds: z.array(z.string().uuid()).max(1000).default([]) })
  .strict();
export type AssignmentsBody = z.infer<typeof assignmentsBody>;

export const sharedAccountDto = vaultAccountDto.omit({ isReadOnly: true }).extend({
  source: z.string(),
  createdAt: z.string(),
  assignments: assignmentsDto,
});
export type SharedAccountDto = z.infer<typeof sharedAccountDto>;
export const sharedAccountCreateBody = z
  .object({ ...accountFields, templateId: z.string().uuid().optional(), assignments: assignmentsBody.optional() })
  .strict();
export type SharedAccountCreateBody = z.infer<typeof sharedAccountCreateBody>;
