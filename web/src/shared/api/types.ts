// Shapes of the Tessera REST API as the console uses them (see the API contract).

export interface Admin {
  id: string;
  email: string;
  name: string;
  totpEnabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface OrgSettingsSummary {
  organisationName: string;
  requireAdminTotp: boolean;
}

export interface Me {
  admin: Admin;
  settings: OrgSettingsSummary;
}

export type LoginStatus = 'ok' | 'totp_required' | 'totp_enrollment_required';

export interface LoginResult {
  status: LoginStatus;
  admin?: Admin;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

export interface NamedRef {
  id: string;
  name: string;
}

export type EmployeeStatus = 'active' | 'deactivated' | 'disabled';
export const EMPLOYEE_STATUSES: EmployeeStatus[] = ['active', 'deactivated', 'disabled'];

export interface Employee {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  phone: string | null;
  companyId: string | null;
  company: NamedRef | null;
  departmentId: string | null;
  department: NamedRef | null;
  positionId: string | null;
  position: NamedRef | null;
  status: EmployeeStatus;
  source: string;
  createdAt: string;
  updatedAt: string;
}

export interface EmployeeInput {
  email: string;
  firstName: string;
  lastName: string;
  phone?: string | null;
  companyId?: string | null;
  departmentId?: string | null;
  positionId?: string | null;
  status?: EmployeeStatus;
}

export type EmployeeSort = 'lastName' | 'firstName' | 'email' | 'status' | 'createdAt' | 'company';
export type SortOrder = 'asc' | 'desc';

export interface EmployeeQuery {
  q?: string;
  status?: string;
  companyId?: string;
  departmentId?: string;
  positionId?: string;
  source?: string;
  sort: EmployeeSort;
  order: SortOrder;
  page: number;
  pageSize: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Items<T> {
  items: T[];
}

export interface Department {
  id: string;
  name: string;
  employeeCount: number;
}

export interface Company {
  id: string;
  name: string;
  employeeCount: number;
  departments: Department[];
}

export interface Position {
  id: string;
  name: string;
  employeeCount: number;
}

export type ApiKeyScope = 'read' | 'write' | 'admin';
export const API_KEY_SCOPES: ApiKeyScope[] = ['read', 'write', 'admin'];

export interface ApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  createdBy: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  secret: string;
}

export type ActorType = 'admin' | 'employee' | 'api_key' | 'system' | 'config' | 'anonymous';
export type Outcome = 'success' | 'failure';

export interface AuditEvent {
  /** A sequence number on the current server; treat it as opaque. */
  id: string | number;
  at: string;
  actorType: ActorType;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: Outcome;
  details: Record<string, unknown>;
}

export interface AuditFilters {
  action?: string;
  actor?: string;
  outcome?: string;
  from?: string;
  to?: string;
  q?: string;
}

export interface Dashboard {
  employees: { total: number; active: number; deactivated: number; disabled: number };
  admins: number;
  signInsToday: { success: number; failure: number };
  recentEvents: AuditEvent[];
}

export type SmtpTls = 'none' | 'starttls' | 'tls';

export interface Settings {
  organisationName: string;
  requireAdminTotp: boolean;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  smtp: {
    host: string | null;
    port: number | null;
    tls: SmtpTls;
    username: string | null;
    password: { set: boolean };
    from: string | null;
  };
}

export interface SettingsPatch {
  organisationName?: string;
  requireAdminTotp?: boolean;
  sessionIdleMinutes?: number;
  sessionAbsoluteHours?: number;
  lockoutThreshold?: number;
  lockoutMinutes?: number;
  smtp?: {
    host?: string | null;
    port?: number | null;
    tls?: SmtpTls;
    username?: string | null;
    /** string sets, null clears, absent keeps */
    password?: string | null;
    from?: string | null;
  };
}

/** A directory account of an employee: the console's employee page and the portal's domain password section. */
export interface DirectoryAccount {
  id: string;
  domainId: string;
  domainName: string;
  domainKind: string;
  username: string;
  upn: string | null;
  isEnabled: boolean;
  isMember: boolean;
  isRotationMember: boolean;
  passwordChangedAt: string | null;
  hasManagedPassword: boolean;
  hasPendingPassword: boolean;
  canChangePassword: boolean;
}
