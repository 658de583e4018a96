// Every TanStack Query key of the console and the employee pages, so that a mutation invalidates
// exactly what it changes. A key that is a prefix of others (`employees`, `portal.all`) invalidates
// them all.
import type {
  AuditFilters,
  EmployeeQuery,
  EventQuery,
  GroupMembersQuery,
  GroupQuery,
  HardwareKeyQuery,
  SessionQuery,
  SummaryQuery,
  WorkstationQuery,
} from './api/types';

export const queryKeys = {
  // The admin console.
  me: ['me'] as const,
  setup: ['setup'] as const,
  dashboard: ['dashboard'] as const,
  employees: ['employees'] as const,
  employeeList: (query: EmployeeQuery) => ['employees', 'list', query] as const,
  employee: (id: string) => ['employees', 'one', id] as const,
  /** Groups and their members: `all` invalidates each (a membership change moves member counts too). */
  groups: {
    all: ['groups'] as const,
    list: (query: GroupQuery) => ['groups', 'list', query] as const,
    one: (id: string) => ['groups', 'one', id] as const,
    members: (id: string, query: GroupMembersQuery) => ['groups', 'members', id, query] as const,
  },
  companies: ['companies'] as const,
  positions: ['positions'] as const,
  admins: ['admins'] as const,
  adminPasskeys: ['admin-passkeys'] as const,
  apiKeys: ['api-keys'] as const,
  auditDestinations: ['audit-destinations'] as const,
  audit: ['audit'] as const,
  auditList: (filters: AuditFilters, page: number, pageSize: number) => ['audit', 'list', filters, page, pageSize] as const,
  auditActions: ['audit', 'actions'] as const,
  settings: ['settings'] as const,
  applicationIcon: (base: string, id: string) => ['application-icon', base, id] as const,
  applicationAccess: (protocol: string, id: string) => ['application-access', protocol, id] as const,
  accessTargets: (q: string) => ['application-access', 'targets', q] as const,
  employeeAccess: {
    all: ['employee-access'] as const,
    credentials: (employeeId: string) => ['employee-access', employeeId, 'credentials'] as const,
    invitations: (employeeId: string) => ['employee-access', employeeId, 'invitations'] as const,
  },
  directory: {
    domains: ['directory', 'domains'] as const,
    runs: (domainId: string) => ['directory', 'runs', domainId] as const,
    entraPermissions: ['directory', 'entra-permissions'] as const,
    accounts: (employeeId: string) => ['directory', 'accounts', employeeId] as const,
    hardwareKeys: (employeeId: string) => ['hardware-keys', employeeId] as const,
  },
  entra: {
    pairings: (domainId: string) => ['entra', 'pairings', domainId] as const,
  },
  mail: {
    all: ['mail'] as const,
    list: (status: string, page: number, pageSize: number) => ['mail', 'list', status, page, pageSize] as const,
  },
  saml: {
    all: ['saml'] as const,
    list: (protocol: string) => ['saml', 'list', protocol] as const,
    presets: ['saml', 'presets'] as const,
    idp: ['saml', 'idp'] as const,
  },
  oidcClients: {
    all: ['oidc-clients'] as const,
    info: ['oidc-clients', 'info'] as const,
  },
  /** Workstations, their counts and commands: `all` invalidates each of them. */
  workstations: {
    all: ['workstations'] as const,
    list: (query: WorkstationQuery) => ['workstations', 'list', query] as const,
    one: (id: string) => ['workstations', 'one', id] as const,
    commands: (id: string) => ['workstations', 'commands', id] as const,
    counts: ['workstations', 'counts'] as const,
    /** Every workstation's name, for the filters of the activity lists. */
    names: ['workstations', 'names'] as const,
  },
  /** What agents report: events, the sessions made of them and their summaries. */
  workstationActivity: {
    all: ['workstation-activity'] as const,
    events: (query: EventQuery) => ['workstation-activity', 'events', query] as const,
    sessions: (query: SessionQuery) => ['workstation-activity', 'sessions', query] as const,
    summary: (query: SummaryQuery) => ['workstation-activity', 'summary', query] as const,
  },
  /** Hardware keys: `all` invalidates lists, details and each employee's keys (directory.hardwareKeys). */
  hardwareKeys: {
    all: ['hardware-keys'] as const,
    list: (query: HardwareKeyQuery) => ['hardware-keys', 'list', query] as const,
    one: (id: string) => ['hardware-keys', 'one', id] as const,
    accessProfile: (id: string) => ['hardware-keys', 'access-profile', id] as const,
  },
  accessProfiles: ['access-profiles'] as const,
  passwordRotation: (employeeId: string) => ['password-rotation', employeeId] as const,
  enrolmentTokens: ['workstation-enrolment-tokens'] as const,
  workstationProfiles: ['workstation-profiles'] as const,
  emergencyBlock: ['emergency-block'] as const,
  /** The vault's shared accounts and templates, and an employee's accounts (names only): `all` invalidates each. */
  vault: {
    all: ['vault'] as const,
    shared: ['vault', 'shared-accounts'] as const,
    templates: ['vault', 'templates'] as const,
    employee: (employeeId: string) => ['vault', 'employee', employeeId] as const,
  },

  // Both.
  branding: ['branding'] as const,
  returnTo: (app: string, value: string | null) => ['return-to', app, value] as const,

  // The employee pages.
  employeeSession: ['employee-session'] as const,
  enroll: (token: string) => ['enroll', token] as const,
  portal: {
    all: ['portal'] as const,
    me: ['portal', 'me'] as const,
    credentials: ['portal', 'credentials'] as const,
    signIns: ['portal', 'sign-ins'] as const,
    applications: ['portal', 'applications'] as const,
    directoryAccounts: ['portal', 'directory-accounts'] as const,
    vaultAccounts: ['portal', 'vault', 'accounts'] as const,
    vaultTemplates: ['portal', 'vault', 'templates'] as const,
  },
};
