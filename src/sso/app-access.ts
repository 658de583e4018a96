import type { SsoMethod } from '../employees/employee.schemas.js';

/**
 * Whether an employee may sign in to applications (OIDC, SAML, WS-Fed), and how.
 *
 * The effective SSO of an employee: their own override where set (employees.sso_enabled /
 * sso_method, each field on its own), else the default of the directory domain that imported them
 * (directory_domains.sso_enabled / sso_method), read at decision time, so changing a domain's
 * default moves every employee without an override and an override sticks. Employees created by
 * hand (source 'manual', or a domain since deleted) have no domain default: SSO on, and no method
 * restriction (any sign-in path the server policy allows).
 *
 * Workstation unlock does not come here: the workstation policy governs it.
 */
export type SsoMethodOrAny = SsoMethod | 'any';

export type EffectiveSso = {
  enabled: boolean;
  method: SsoMethodOrAny;
  /** Where each value came from: the employee's override, their domain's default, or the built-in default. */
  enabledFrom: 'override' | 'domain' | 'builtin';
  methodFrom: 'override' | 'domain' | 'builtin';
};

/** What decisions read of the stored employee. */
export type SsoEmployee = { id: string; source: string; ssoEnabled: boolean | null; ssoMethod: SsoMethod | null; departmentId: string | null };

/**
 * What decisions read of the application the employee signs in to: its Tessera id (the UUID of
 * its row in its protocol's table), or for OIDC, where oidc-provider knows the client by its
 * client_id, that client_id.
 */
export type SsoApp = { protocol: 'oidc' | 'saml' | 'wsfed'; id: string } | { protocol: 'oidc'; clientId: string };

/** A refusal's stable code (also the audit detail `reason`). */
export type AppAccessRefusal = 'sso.disabled_for_employee' | 'sso.not_assigned';
export type AppAccessDecision = { allowed: true; sso: EffectiveSso } | { allowed: false; code: AppAccessRefusal; message: string; sso: EffectiveSso };

export type DomainSsoDefaults = (domainId: string) => Promise<{ ssoEnabled: boolean; ssoMethod: SsoMethod } | undefined>;

export type AppAccess = ReturnType<typeof createAppAccess>;

/** Application assignment (src/applications/application-access.service.ts), and the OIDC client ids it needs. */
export interface AppAssignment {
  isAllowed(app: { protocol: SsoApp['protocol']; id: string }, employee: { id: string; departmentId: string | null }): Promise<boolean>;
  /** The Tessera id of the OIDC client with this client_id. */
  oidcClientUuid(clientId: string): Promise<string | undefined>;
}

export function createAppAccess(deps: { domainDefaults: DomainSsoDefaults; assignment: AppAssignment }) {
  async function effectiveSso(employee: Omit<SsoEmployee, 'departmentId'>): Promise<EffectiveSso> {
    const domain = employee.source === 'manual' ? undefined : await deps.domainDefaults(employee.source);
    const enabled = employee.ssoEnabled ?? domain?.ssoEnabled ?? true;
    const method = employee.ssoMethod ?? domain?.ssoMethod ?? 'any';
    const from = (own: unknown) => (own !== null && own !== undefined ? 'override' : domain ? 'domain' : 'builtin');
    return { enabled, method, enabledFrom: from(employee.ssoEnabled), methodFrom: from(employee.ssoMethod) };
  }

  /**
   * The one decision every protocol asks before it answers an application with an assertion, and
   * the portal before it lists one, keyed on the stored employee: SSO on for them, then the
   * application open to everyone or assigned to them (a group of theirs, their department, or them).
   */
  async function decideAppAccess(employee: SsoEmployee, app: SsoApp): Promise<AppAccessDecision> {
    const sso = await effectiveSso(employee);
    if (!sso.enabled)
      return { allowed: false, code: 'sso.disabled_for_employee', message: 'Single sign-on to applications is turned off for this employee', sso };
    const id = 'clientId' in app ? await deps.assignment.oidcClientUuid(app.clientId) : app.id;
    // A client_id Tessera does not know has no assignment; oidc-provider has refused it before here.
    if (id !== undefined && !(await deps.assignment.isAllowed({ protocol: app.protocol, id }, employee)))
      return { allowed: false, code: 'sso.not_assigned', message: 'You are not assigned to this application. Ask your IT administrator for access.', sso };
    return { allowed: true, sso };
  }

  return { effectiveSso, decideAppAccess };
}
