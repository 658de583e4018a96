import { z } from 'zod';

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
/** One employee as its own page reads it: the list's fields and the effective SSO. */
export const employeeDetailDto = employeeDto.extend({ effectiveSso: effectiveSsoDto });
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
    sort: z.enum(employeeSorts).default('lastName'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export type EmployeeQuery = z.infer<typeof employeeQuery>;
