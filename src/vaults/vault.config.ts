import type { Logger } from 'pino';
import { z } from 'zod';
import type { RequestContext } from '../lib/context.js';
import { OtpInputError, parseOtpInput } from './vault-account.otp.js';
import { sharedAccountCreateBody, vaultTemplateBody } from './vault-account.schemas.js';
import type { DeclaredSharedAccount, DeclaredTemplate, DeclaredVault } from './vault-account.declared.js';
import { normalizeTemplateName } from './vault-account.templates.js';

/**
 * The declarative file's `vault:` section (issue 14 item 5: "the declarative file can declare
 * templates and shared accounts, secrets by reference"). Templates are as the API takes them;
 * a shared account's password, OTP secret and notes are references ({env: NAME} or {file: path},
 * never inline), and it is assigned to employees by e-mail and to departments by company and
 * name. People the server does not know yet (a directory sync adds them later) are not assigned
 * and are named in the log: the next start assigns them.
 */

export type VaultConfigDeps = {
  declaredVault: DeclaredVault;
  employees: { findByEmail(email: string): Promise<{ id: string } | undefined> };
  organisation: { listCompanies(): Promise<{ name: string; departments: { id: string; name: string }[] }[]> };
};

type Fail = (where: string, message: string) => Error;

const department = z.object({ company: z.string().trim().min(1).max(200), department: z.string().trim().min(1).max(200) }).strict();

export function vaultConfigSchema<R extends z.ZodTypeAny>(secretRef: R) {
  const shared = sharedAccountCreateBody.pick({ name: true, urls: true, login: true, workstationUse: true }).extend({
    password: secretRef.optional(),
    otp: secretRef.optional(),
    notes: secretRef.optional(),
    /** A template's name (in this file or on the server). */
    template: z.string().trim().min(1).max(200).optional(),
    assignTo: z
      .object({ employees: z.array(z.email()).max(10_000).default([]), departments: z.array(department).max(1000).default([]) })
      .strict()
      .default({ employees: [], departments: [] }),
  });
  return z.object({ templates: z.array(vaultTemplateBody).optional(), sharedAccounts: z.array(shared.strict()).optional() }).strict();
}

/** The section as the schema reads it, its secrets still references. */
export interface VaultSection<Ref> {
  templates?: { name: string; urls: string[]; loginHint?: string | null }[];
  sharedAccounts?: {
    name: string;
    urls: string[];
    login?: string | null;
    workstationUse: boolean;
    password?: Ref;
    otp?: Ref;
    notes?: Ref;
    template?: string;
    assignTo: { employees: string[]; departments: { company: string; department: string }[] };
  }[];
}

/** Shared accounts with their secrets read, before anything is written; names declared twice are refused. */
export function resolveDeclaredVault<Ref>(section: VaultSection<Ref> | undefined, resolveSecret: (where: string, ref: Ref) => string, fail: Fail) {
  const templates: DeclaredTemplate[] = (section?.templates ?? []).map((t) => ({ name: t.name, urls: t.urls, loginHint: t.loginHint ?? null }));
  const once = (names: string[], where: string) => {
    const seen = new Set<string>();
    names.forEach((n, i) => {
      if (seen.has(normalizeTemplateName(n))) throw fail(`${where}[${i}].name`, `${n} is declared twice`);
      seen.add(normalizeTemplateName(n));
    });
  };
  once(
    templates.map((t) => t.name),
    'vault.templates',
  );
  const sharedAccounts = (section?.sharedAccounts ?? []).map((a, i) => {
    const where = `vault.sharedAccounts[${i}]`;
    const secret = (field: 'password' | 'otp' | 'notes') => {
      const ref = a[field];
      return ref === undefined ? null : resolveSecret(`${where}.${field}`, ref);
    };
    const password = secret('password');
    const parsed = sharedAccountCreateBody.shape.password.safeParse(password);
    if (!parsed.success) throw fail(`${where}.password`, `the password ${parsed.error.issues[0].message}`);
    const otp = secret('otp');
    if (otp !== null) {
      try {
        parseOtpInput(otp);
      } catch (err) {
        if (err instanceof OtpInputError) throw fail(`${where}.otp`, err.message);
        throw err;
      }
    }
    return {
      name: a.name,
      urls: a.urls,
      login: a.login || null,
      password,
      otp,
      notes: secret('notes') || null,
      workstationUse: a.workstationUse,
      template: a.template ?? null,
      assignTo: a.assignTo,
    };
  });
  once(
    sharedAccounts.map((a) => a.name),
    'vault.sharedAccounts',
  );
  return { templates, sharedAccounts };
}

export async function applyDeclaredVault(
  services: VaultConfigDeps,
  ctx: RequestContext,
  declared: ReturnType<typeof resolveDeclaredVault>,
  fail: Fail,
  logger?: Logger,
): Promise<string[]> {
  const changes: string[] = [];
  for (const [i, t] of declared.templates.entries()) {
    const result = await services.declaredVault.ensureTemplate(ctx, t).catch((err) => {
      throw fail(`vault.templates[${i}]`, (err as Error).message);
    });
    if (result !== 'unchanged') changes.push(`vault template ${t.name} ${result}`);
  }
  const departments = new Map(
    (await services.organisation.listCompanies()).flatMap((c) =>
      c.departments.map((d) => [`${normalizeTemplateName(c.name)}\u0000${normalizeTemplateName(d.name)}`, d.id]),
    ),
  );
  for (const [i, a] of declared.sharedAccounts.entries()) {
    const employeeIds: string[] = [];
    const unknown: string[] = [];
    for (const email of a.assignTo.employees) {
      const e = await services.employees.findByEmail(email);
      if (e) employeeIds.push(e.id);
      else unknown.push(email);
    }
    const departmentIds: string[] = [];
    for (const d of a.assignTo.departments) {
      const id = departments.get(`${normalizeTemplateName(d.company)}\u0000${normalizeTemplateName(d.department)}`);
      if (id) departmentIds.push(id);
      else unknown.push(`${d.company} / ${d.department}`);
    }
    if (unknown.length > 0)
      logger?.warn({ account: a.name, notFound: unknown }, 'declared vault account: not assigned to employees or departments this server does not have (yet)');
    const { assignTo: _assignTo, ...fields } = a;
    const input: DeclaredSharedAccount = { ...fields, assignments: { employeeIds: [...new Set(employeeIds)], departmentIds: [...new Set(departmentIds)] } };
    const result = await services.declaredVault.ensureSharedAccount(ctx, input).catch((err) => {
      throw fail(`vault.sharedAccounts[${i}]`, (err as Error).message);
    });
    if (result !== 'unchanged') changes.push(`vault shared account ${a.name} ${result}`);
  }
  changes.push(
    ...(await services.declaredVault.releaseUndeclared(ctx, {
      templates: declared.templates.map((t) => t.name),
      sharedAccounts: declared.sharedAccounts.map((a) => a.name),
    })),
  );
  return changes;
}
