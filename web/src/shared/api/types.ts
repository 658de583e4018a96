// Shapes of the Tessera REST API as the console and the portal use them: aliases into the contract
// generated from the server's OpenAPI document (./schema.d.ts, `npm run contract`; see ./contract.ts).
import type { BodyOf, ItemOf, QueryOf, ResponseOf } from './contract';

export type Admin = ItemOf<ResponseOf<'/api/admins', 'get'>>;
export type Me = ResponseOf<'/api/auth/me', 'get'>;
export type OrgSettingsSummary = Me['settings'];
export type LoginResult = ResponseOf<'/api/auth/login', 'post'>;
export type LoginStatus = LoginResult['status'];
export type TotpSetup = ResponseOf<'/api/auth/totp/setup', 'post'>;

export type Employee = ResponseOf<'/api/employees/{id}', 'get'>;
export type EmployeeStatus = Employee['status'];
export const EMPLOYEE_STATUSES: EmployeeStatus[] = ['active', 'deactivated', 'disabled'];
export type NamedRef = NonNullable<Employee['company']>;
export type EmployeeInput = BodyOf<'/api/employees', 'post'>;
export type EmployeePatch = BodyOf<'/api/employees/{id}', 'patch'>;
export type EffectiveSso = Employee['effectiveSso'];
/** One row of the employees list: the employee and where they stand in the passwordless rollout. */
export type EmployeeList = ResponseOf<'/api/employees', 'get'>;
export type EmployeeListItem = ItemOf<EmployeeList>;
export type Enrolment = EmployeeListItem['enrolment'];
export type EnrolmentState = Enrolment['state'];
export type EnrolmentMethod = Enrolment['methods'][number];

type EmployeeListQuery = QueryOf<'/api/employees', 'get'>;
export type EmployeeSort = NonNullable<EmployeeListQuery['sort']>;
export type SortOrder = NonNullable<EmployeeListQuery['order']>;
/**
 * The employee list's state in the address: the server's query, with the sort and page the list
 * always shows, and the status and enrolment state as the address holds them (an unknown value is the server's to refuse).
 */
export type EmployeeQuery = Omit<EmployeeListQuery, 'status' | 'enrolment' | 'sort' | 'order' | 'page' | 'pageSize'> &
  Required<Pick<EmployeeListQuery, 'sort' | 'order' | 'page' | 'pageSize'>> & { status?: string; enrolment?: string };

// Generic envelopes of lists, not DTOs of their own: every list route answers one of these.
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
export interface Items<T> {
  items: T[];
}

export type Company = ItemOf<ResponseOf<'/api/companies', 'get'>>;
export type Department = Company['departments'][number];
export type Position = ItemOf<ResponseOf<'/api/positions', 'get'>>;

export type ApiKey = ItemOf<ResponseOf<'/api/api-keys', 'get'>>;
export type ApiKeyScope = ApiKey['scope'];
export const API_KEY_SCOPES: ApiKeyScope[] = ['read', 'write', 'admin'];
export type CreatedApiKey = ResponseOf<'/api/api-keys', 'post'>;

export type AuditDestination = ItemOf<ResponseOf<'/api/audit/destinations', 'get'>>;
export type AuditDestinationKind = AuditDestination['kind'];
export type CreateAuditDestination = BodyOf<'/api/audit/destinations', 'post'>;
export type UpdateAuditDestination = BodyOf<'/api/audit/destinations/{id}', 'patch'>;
export type AuditDestinationTest = ResponseOf<'/api/audit/destinations/{id}/test', 'post'>;

export type AuditEvent = ItemOf<ResponseOf<'/api/audit', 'get'>>;
export type ActorType = AuditEvent['actorType'];
export type Outcome = AuditEvent['outcome'];
/** The audit list's filters as the address holds them (the server refuses an unknown outcome). */
export type AuditFilters = Omit<Pick<QueryOf<'/api/audit', 'get'>, 'action' | 'actor' | 'from' | 'to' | 'q'>, never> & { outcome?: string };

export type Dashboard = ResponseOf<'/api/dashboard', 'get'>;

export type Settings = ResponseOf<'/api/settings', 'get'>;
export type SmtpTls = Settings['smtp']['tls'];
export type SettingsPatch = BodyOf<'/api/settings', 'patch'>;

/** A directory account of an employee: the console's employee page and the portal's domain password section. */
export type DirectoryAccount = ItemOf<ResponseOf<'/api/portal/directory-accounts', 'get'>>;

// Workstations (src/workstations/workstation.schemas.ts).
export type Workstation = ResponseOf<'/api/workstations/{id}', 'get'>;
export type WorkstationStatus = Workstation['status'];
export const WORKSTATION_STATUSES: WorkstationStatus[] = ['pending', 'approved', 'denied'];
export type WorkstationPatch = BodyOf<'/api/workstations/{id}', 'patch'>;
export type WorkstationCounts = ResponseOf<'/api/workstations/counts', 'get'>;
export type BulkResult = ResponseOf<'/api/workstations/approve', 'post'>;
export type WorkstationCommand = ItemOf<ResponseOf<'/api/workstations/{id}/commands', 'get'>>;
export type CommandKind = WorkstationCommand['kind'];
export type CommandState = WorkstationCommand['state'];
/** The workstation list's query; `online` is the address's 'true' / 'false'. */
export type WorkstationQuery = QueryOf<'/api/workstations', 'get'> & { page: number; pageSize: number };

export type WorkstationEvent = ItemOf<ResponseOf<'/api/workstation-events', 'get'>>;
export type WorkstationEventType = WorkstationEvent['type'];
export type SignInMethod = NonNullable<WorkstationEvent['method']>;
export type WorkstationSession = ItemOf<ResponseOf<'/api/workstation-sessions', 'get'>>;
export type EventQuery = QueryOf<'/api/workstation-events', 'get'>;
export type SessionQuery = QueryOf<'/api/workstation-sessions', 'get'>;
export type SummaryQuery = QueryOf<'/api/workstation-sessions/summary', 'get'>;
export type SessionSummary = ResponseOf<'/api/workstation-sessions/summary', 'get'>;
export type SummaryGroup = SessionSummary['groupBy'];

export type EnrolmentToken = ItemOf<ResponseOf<'/api/workstation-enrolment-tokens', 'get'>>;
export type EnrolmentTokenInput = BodyOf<'/api/workstation-enrolment-tokens', 'post'>;
export type CreatedEnrolmentToken = ResponseOf<'/api/workstation-enrolment-tokens', 'post'>;

export type WorkstationProfile = ItemOf<ResponseOf<'/api/workstation-profiles', 'get'>>;
export type WorkstationProfileInput = BodyOf<'/api/workstation-profiles', 'post'>;
export type WorkstationProfilePatch = BodyOf<'/api/workstation-profiles/{id}', 'patch'>;

export type EmergencyBlock = ResponseOf<'/api/emergency-block', 'get'>;

// Hardware keys and access profiles (src/vaults/hardware-key.schemas.ts, access-profile.schemas.ts).
export type HardwareKeyDetail = ResponseOf<'/api/hardware-keys/{id}', 'get'>;
export type HardwareKeyState = HardwareKeyDetail['state'];
export type HardwareKeyListItem = ItemOf<ResponseOf<'/api/hardware-keys', 'get'>>;
export type HardwareKeyEvent = HardwareKeyDetail['history'][number];
export type AllowedTransition = HardwareKeyDetail['allowedTransitions'][number];
export type HardwareKeyQuery = QueryOf<'/api/hardware-keys', 'get'> & { page: number; pageSize: number };
export type TransitionInput = BodyOf<'/api/hardware-keys/{id}/transitions', 'post'>;
export type TransitionResult = ResponseOf<'/api/hardware-keys/{id}/transitions', 'post'>;
export type ImportResult = ResponseOf<'/api/hardware-keys/import', 'post'>;
export type BulkKeyResult = ResponseOf<'/api/hardware-keys/bulk/suspend', 'post'>;
export type BulkProfileResult = ResponseOf<'/api/hardware-keys/bulk/access-profile', 'post'>;
export type AccessProfile = ItemOf<ResponseOf<'/api/access-profiles', 'get'>>;
export type AccessProfileInput = BodyOf<'/api/access-profiles', 'post'>;
export type AccessProfilePatch = BodyOf<'/api/access-profiles/{id}', 'patch'>;
export type EffectiveAccessProfile = ResponseOf<'/api/hardware-keys/{id}/access-profile', 'get'>;
export type PasswordRotationStatus = ResponseOf<'/api/employees/{id}/password-rotation', 'get'>;

export type Group = ResponseOf<'/api/groups/{id}', 'get'>;
export type GroupSource = Group['source'];
export type GroupRef = Employee['groups'][number];
export type GroupInput = BodyOf<'/api/groups', 'post'>;
export type GroupQuery = QueryOf<'/api/groups', 'get'> & { page: number; pageSize: number };
export type GroupMembersQuery = QueryOf<'/api/groups/{id}/members', 'get'> & { page: number; pageSize: number };
