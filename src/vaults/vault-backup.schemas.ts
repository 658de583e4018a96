import { z } from 'zod';
import { storedOtpProblem } from './vault-account.otp.js';
import { vaultFieldRules } from './vault-account.schemas.js';

/**
 * The records inside a backup document (docs/vault-backup-format.md §5) and the API's bodies and
 * answers. Records are read tolerantly (unknown fields dropped) but every field this version uses
 * is checked: the document is authentic once it decrypts, yet it is still input.
 */

// The vault API's own rules (control characters, http(s) URLs only, lengths): a record is refused
// for whatever the API would refuse, so the portal never shows a javascript: link from a file.
const { name, urls } = vaultFieldRules;
const iso = z.iso.datetime({ offset: true });
const source = z.string().max(20);

/** An employee as a backup names them: by e-mail and by their directory accounts' external ids. */
export const employeeRef = z.object({ email: z.string().min(3).max(320), externalIds: z.array(z.string().min(1).max(500)).max(50) });
export type EmployeeRef = z.infer<typeof employeeRef>;
export const departmentRef = z.object({ company: z.string().min(1).max(200), department: z.string().min(1).max(200) });
export type DepartmentRef = z.infer<typeof departmentRef>;

export const templateRecord = z.object({
  type: z.literal('template'),
  id: z.uuid(),
  name,
  urls,
  loginHint: vaultFieldRules.loginHint.nullable(),
  source,
});
export type TemplateRecord = z.infer<typeof templateRecord>;

export const accountRecord = z
  .object({
    type: z.literal('account'),
    id: z.uuid(),
    kind: z.enum(['personal', 'shared']),
    /** The owner of a personal account; null for a shared one. */
    owner: employeeRef.nullable(),
    name,
    urls,
    login: vaultFieldRules.login.nullable(),
    /** The secrets in clear: they exist in clear only inside the encrypted file. */
    password: vaultFieldRules.secret.nullable(),
    /** As the vault stores it (toOtpJson): every later reveal reads it so. */
    otpSecret: z
      .string()
      .max(2000)
      .superRefine((v, ctx) => {
        const problem = storedOtpProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .nullable(),
    notes: vaultFieldRules.notes.nullable(),
    workstationUse: z.boolean(),
    templateId: z.uuid().nullable(),
    source,
    passwordChangedAt: iso.nullable(),
    createdAt: iso,
    updatedAt: iso,
    /** Who holds a shared account (empty for a personal one). */
    assignees: z.array(employeeRef).max(100_000),
    departments: z.array(departmentRef).max(10_000),
  })
  .refine((a) => (a.kind === 'personal') === (a.owner !== null), { message: 'a personal account has an owner, a shared one none' });
export type AccountRecord = z.infer<typeof accountRecord>;

export const onConflict = z.enum(['skip', 'overwrite']);
export type OnConflict = z.infer<typeof onConflict>;

/** A new backup's passphrase: long enough that argon2id is not its only protection. */
export const newPassphrase = z.string().min(12, 'The passphrase must be at least 12 characters long').max(1024);

export const exportBody = z.strictObject({
  passphrase: newPassphrase,
  /** One employee's accounts (by e-mail or id); all when absent. */
  employee: z.string().min(1).max(320).optional(),
});

export const restoreQuery = z.strictObject({ onConflict: onConflict.default('skip') });

/** The header that carries a restore's passphrase (the body is the file itself; a URL is logged). */
export const PASSPHRASE_HEADER = 'x-tessera-backup-passphrase';
export const restoreHeaders = z.object({ [PASSPHRASE_HEADER]: z.string().min(1).max(1024) });

const counts = z.object({ created: z.number().int(), overwritten: z.number().int(), skipped: z.number().int() });

export const restoreReport = z.object({
  scope: z.object({ kind: z.enum(['all', 'employee']), email: z.string().optional() }),
  createdAt: z.string().describe('When the backup was made'),
  source: z.string().describe('The server that made it (its PUBLIC_URL)'),
  onConflict,
  templates: counts,
  accounts: counts.extend({ skippedUnknownEmployee: z.number().int() }),
  assignmentsAdded: z.number().int(),
  /** E-mail addresses of employees the backup names and this database does not know (first 100). */
  unknownEmployees: z.array(z.string()),
  unknownEmployeeCount: z.number().int(),
  /** Departments ("company / department") of shared-account assignments this database does not have. */
  unknownDepartments: z.array(z.string()),
});
export type RestoreReport = z.infer<typeof restoreReport>;
