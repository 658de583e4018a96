import { z } from 'zod';
import { groupRef } from '../groups/group.schemas.js';
import { paged } from '../http/schemas.js';

export const employeeStatuses = ['active', 'deactivated', 'disabled'] as const;
export type EmployeeStatus = (typeof employeeStatuses)[number];

const ref = z.object({ id: z.string().uuid(), name: z.string() });

export const employeeDto = z.object({
  id: z.string().uuid(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  displayName: z.string(),
  phone: z.string().nullable(),
  companyId: z.string().uuid().nullable(),
  company: ref.nullable(),
  departmentId: z.string().uuid().nullable(),
  department: ref.nullable(),
  positionId: z.string().uuid().nullable(),
  position: ref.nullable(),
  status: z.enum(employeeStatuses),
  source: z.string(),
  /** The employee's SSO override; null = the importing domain's default (src/sso/app-access.ts). */
  ssoOverride: z.object({ enabled: z.boolean().nullable(), method: z.enum(['passwordless', 'password_2fa']).nullable() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EmployeeDto = z.infer<typeof employeeDto>;

/**
 * Where an employee stands in the passwordless rollout, computed from stored data: `enrolled` once
 * they hold a FIDO credential that can sign in (a passkey, a security key or a second-factor key;
 * one on a hardware key that is not Active does not count, nor does a TOTP seed alone); else
 * `invited` while an invitation of theirs is open; else `invitation_expired` when an invitation of
 * theirs expired or was used without leaving such a credential (invite again); else `never_invited`
 * (an invitation an admin revoked counts as none: it was withdrawn).
 */
export const enrolmentStates = ['never_invited', 'invited', 'invitation_expired', 'enrolled'] as const;
export type EnrolmentState = (typeof enrolmentStates)[number];
/** The kinds of credential an employee can hold (src/authn): WebAuthn kinds and a TOTP seed. */
export const enrolmentMethods = ['passkey', 'security_key', 'second_factor_key', 'totp'] as const;
export type EnrolmentMethod = (typeof enrolmentMethods)[number];
export const enrolmentDto = z.object({ state: z.enum(enrolmentStates), methods: z.array(z.enum(enrolmentMethods)) });
export type EnrolmentDto = z.infer<typeof enrolmentDto>;
/** One employee as the list shows them: the employee and their rollout state. */
export const employeeListItemDto = employeeDto.extend({ enrolment: enrolmentDto });
export type EmployeeListItemDto = z.infer<typeof employeeListItemDto>;

/**
 * A page of the list. `total` counts the matches up to EMPLOYEE_COUNT_CAP (employee.repository.ts);
 * past it `isTotalCapped` is true and `total` is the cap: there are more, page on while pages are full.
 */
export const employeeListDto = paged(employeeListItemDto).extend({
  isTotalCapped: z.boolean().describe('True when more employees match than `total` says: the count stops at 10,000. Page on while a page is full.'),
});
export type EmployeeListDto = z.infer<typeof employeeListDto>;

const ssoSource = z.enum(['override', 'domain', 'builtin']);
/**
 * The SSO that applies to the employee now (src/sso/app-access.ts effectiveSso), and where each
 * value comes from: their override, their importing domain's default, or the built-in default
 * (SSO on, no method restriction) for employees without a domain.
 */
export const effectiveSsoDto = z.object({
  enabled: z.boolean(),
  method: z.enum(['passwordless', 'password_2fa', 'any']),
  enabledFrom: ssoSource,
  methodFrom: ssoSource,
});
/** One employee as its own page reads it: the list's fields, its groups (directory and local) and the effective SSO. */
export const employeeDetailDto = employeeDto.extend({ groups: z.array(groupRef), effectiveSso: effectiveSsoDto });
export type EmployeeDetailDto = z.infer<typeof employeeDetailDto>;

const name = z.string().trim().min(1).max(100);
const phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^[0-9+()\-. /x]*$/, 'only digits, spaces and + ( ) - . / x');
const optionalId = z.string().uuid().nullable();

export const employeeCreate = z
  .object({
    email: z.string().trim().email().max(254),
    firstName: name,
    lastName: name,
    phone: phone.nullable().optional(),
    companyId: optionalId.optional(),
    departmentId: optionalId.optional(),
    positionId: optionalId.optional(),
    status: z.enum(employeeStatuses).optional(),
  })
  .strict();
export type EmployeeCreate = z.infer<typeof employeeCreate>;

export const ssoMethods = ['passwordless', 'password_2fa'] as const;
export type SsoMethod = (typeof ssoMethods)[number];

export const employeePatch = employeeCreate
  .partial()
  .extend({
    /** SSO on/off for this employee; null = follow the domain default. */
    ssoEnabled: z.boolean().nullable().optional(),
    /** passwordless (passkey / security key only) or password_2fa; null = follow the domain default. */
    ssoMethod: z.enum(ssoMethods).nullable().optional(),
  })
  .strict();
export type EmployeePatch = z.infer<typeof employeePatch>;

export const employeeSorts = ['lastName', 'firstName', 'email', 'status', 'createdAt', 'company'] as const;

export const employeeQuery = z
  .object({
    q: z.string().trim().max(200).optional(),
    status: z.enum(employeeStatuses).optional(),
    companyId: z.string().uuid().optional(),
    departmentId: z.string().uuid().optional(),
    positionId: z.string().uuid().optional(),
    source: z.string().max(100).optional(),
    /** Only the members of this group (directory or local). */
    groupId: z.string().uuid().optional(),
    /** Only the employees in this rollout state (enrolmentStates). */
    enrolment: z.enum(enrolmentStates).optional(),
    sort: z.enum(employeeSorts).default('lastName'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export type EmployeeQuery = z.infer<typeof employeeQuery>;
