import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../db/columns.js';
import { departments, employees } from '../employees/employee.tables.js';
import type { AgentCommandKind, CommandState, EventMethod, EventType, SessionEndReason, WorkstationStatus } from './workstation.constants.js';

/**
 * A named workstation policy: idle lock, which unlock methods count, RDP, offline logon. Assigned to
 * a workstation, or to a department (workstation_profile_departments); the default one applies
 * where neither is.
 */
export const workstationProfiles = pgTable(
  'workstation_profiles',
  {
    id: id(),
    name: text('name').notNull(),
    nameNormalized: text('name_normalized').notNull(),
    description: text('description').notNull().default(''),
    /** Minutes without input before the agent locks the computer; 0: never. */
    idleLockMinutes: integer('idle_lock_minutes').notNull().default(0),
    /** Lock the computer when an admin ends the employee's Tessera sessions. */
    lockOnSessionEnd: boolean('lock_on_session_end').notNull().default(true),
    unlockMethods: jsonb('unlock_methods').$type<EventMethod[]>().notNull(),
    rdpAllowed: boolean('rdp_allowed').notNull().default(true),
    /** Days an agent may let a known employee in while Tessera cannot be reached; 0: never. */
    offlineLogonDays: integer('offline_logon_days').notNull().default(7),
    /** Employees deactivated by a directory sync keep unlocking their computers (they lose SSO only). */
    deactivatedEmployeesMayUnlock: boolean('deactivated_employees_may_unlock').notNull().default(true),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('workstation_profiles_name_key').on(t.nameNormalized),
    uniqueIndex('workstation_profiles_default_key').on(t.isDefault).where(sql`is_default`),
  ],
);

/** The profile of a department's workstations (those without one of their own). */
export const workstationProfileDepartments = pgTable('workstation_profile_departments', {
  departmentId: uuid('department_id')
    .primaryKey()
    .references(() => departments.id, { onDelete: 'cascade' }),
  profileId: uuid('profile_id')
    .notNull()
    .references(() => workstationProfiles.id, { onDelete: 'cascade' }),
});

/**
 * A token an agent enrols with: one-time, or multi-use with an expiry and a use limit (mass
 * deployment by GPO or MDM). Only its SHA-256 is stored; the secret is shown once.
 */
export const workstationEnrolmentTokens = pgTable(
  'workstation_enrolment_tokens',
  {
    id: id(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    /** How many enrolments it allows; 1: a one-time token. */
    maxUses: integer('max_uses').notNull().default(1),
    uses: integer('uses').notNull().default(0),
    expiresAt: at('expires_at').notNull(),
    autoApprove: boolean('auto_approve').notNull().default(false),
    departmentId: uuid('department_id').references(() => departments.id, { onDelete: 'set null' }),
    profileId: uuid('profile_id').references(() => workstationProfiles.id, { onDelete: 'set null' }),
    createdBy: text('created_by'),
    revokedAt: at('revoked_at'),
    lastUsedAt: at('last_used_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('workstation_enrolment_tokens_hash_key').on(t.secretHash)],
);

/** A computer with the agent: its key, what it says of itself, approval, and where it is connected. */
export const workstations = pgTable(
  'workstations',
  {
    id: id(),
    /** Display name: the host name unless an admin renamed it. */
    name: text('name').notNull(),
    hostname: text('hostname').notNull(),
    domain: text('domain'),
    osName: text('os_name').notNull(),
    osVersion: text('os_version').notNull(),
    agentVersion: text('agent_version').notNull(),
    /** Stable id of the computer (machine-id, MachineGuid): a reinstalled agent finds its record. */
    machineId: text('machine_id').notNull(),
    /** The agent's ES256 public key (JWK); the private key never leaves the computer. */
    publicKey: jsonb('public_key').$type<Record<string, string>>().notNull(),
    status: text('status').$type<WorkstationStatus>().notNull().default('pending'),
    departmentId: uuid('department_id').references(() => departments.id, { onDelete: 'set null' }),
    profileId: uuid('profile_id').references(() => workstationProfiles.id, { onDelete: 'set null' }),
    enrolmentTokenId: uuid('enrolment_token_id').references(() => workstationEnrolmentTokens.id, { onDelete: 'set null' }),
    approvedAt: at('approved_at'),
    approvedBy: text('approved_by'),
    enrolledAt: at('enrolled_at').notNull().defaultNow(),
    /** Node holding the channel now, or null; with last seen it says whether the agent is online. */
    connectedNode: text('connected_node'),
    connectedAt: at('connected_at'),
    lastSeenAt: at('last_seen_at'),
    lastAddress: text('last_address'),
    /** Last emergency-block version the agent acknowledged (locked by the block when it is the current one). */
    emergencyVersion: integer('emergency_version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('workstations_machine_id_key').on(t.machineId),
    index('workstations_status_idx').on(t.status),
    index('workstations_name_idx').on(t.name),
    index('workstations_department_idx').on(t.departmentId),
    index('workstations_profile_idx').on(t.profileId),
  ],
);

/** A command for one agent, stored before it is sent: delivered at least once, until acknowledged. */
export const workstationCommands = pgTable(
  'workstation_commands',
  {
    id: id(),
    workstationId: uuid('workstation_id')
      .notNull()
      .references(() => workstations.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<AgentCommandKind>().notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    state: text('state').$type<CommandState>().notNull().default('queued'),
    /** Why it was issued: an admin's Lock now, an employee disabled, a profile change. */
    reason: text('reason'),
    issuedBy: text('issued_by'),
    attempts: integer('attempts').notNull().default(0),
    sentAt: at('sent_at'),
    acknowledgedAt: at('acknowledged_at'),
    /** What the agent answered with its acknowledgement. */
    result: text('result'),
    expiresAt: at('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('workstation_commands_workstation_idx').on(t.workstationId, t.createdAt),
    index('workstation_commands_open_idx').on(t.state).where(sql`state in ('queued', 'sent')`),
  ],
);

/** What an agent reported: logon, lock, RDP… Stored once per idempotency key of the workstation. */
export const workstationEvents = pgTable(
  'workstation_events',
  {
    id: id(),
    workstationId: uuid('workstation_id')
      .notNull()
      .references(() => workstations.id, { onDelete: 'cascade' }),
    eventKey: text('event_key').notNull(),
    type: text('type').$type<EventType>().notNull(),
    occurredAt: at('occurred_at').notNull(),
    account: text('account'),
    method: text('method').$type<EventMethod>(),
    osSessionId: text('os_session_id'),
    remoteAddress: text('remote_address'),
    employeeId: uuid('employee_id').references(() => employees.id, { onDelete: 'set null' }),
    receivedAt: createdAt(),
  },
  (t) => [
    uniqueIndex('workstation_events_key').on(t.workstationId, t.eventKey),
    index('workstation_events_time_idx').on(t.occurredAt),
    index('workstation_events_workstation_idx').on(t.workstationId, t.occurredAt),
    index('workstation_events_employee_idx').on(t.employeeId, t.occurredAt),
  ],
);

/** One person signed in at one computer, built from its events: start, end, locked time, method. */
export const workstationSessions = pgTable(
  'workstation_sessions',
  {
    id: id(),
    workstationId: uuid('workstation_id')
      .notNull()
      .references(() => workstations.id, { onDelete: 'cascade' }),
    employeeId: uuid('employee_id').references(() => employees.id, { onDelete: 'set null' }),
    account: text('account').notNull(),
    osSessionId: text('os_session_id'),
    remote: boolean('remote').notNull().default(false),
    method: text('method').$type<EventMethod>().notNull().default('unknown'),
    /** Every method used in the session: logon and unlocks. */
    methods: jsonb('methods').$type<EventMethod[]>().notNull().default([]),
    startedAt: at('started_at').notNull(),
    endedAt: at('ended_at'),
    /** logoff, replaced (a new logon on the same OS session), or agent_restart (reopened if the agent reports it again). */
    endReason: text('end_reason').$type<SessionEndReason>(),
    lockedSeconds: integer('locked_seconds').notNull().default(0),
    lockCount: integer('lock_count').notNull().default(0),
    /** Start of the locked period under way, or null. */
    lockedSince: at('locked_since'),
    createdAt: createdAt(),
  },
  (t) => [
    index('workstation_sessions_workstation_idx').on(t.workstationId, t.startedAt),
    index('workstation_sessions_employee_idx').on(t.employeeId, t.startedAt),
    index('workstation_sessions_open_idx').on(t.workstationId).where(sql`ended_at is null`),
  ],
);

/** Assertion ids already used, until the assertion expires: a replay is refused on every node. */
export const agentAssertionIds = pgTable(
  'agent_assertion_ids',
  {
    jti: text('jti').primaryKey(),
    workstationId: uuid('workstation_id').notNull(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [index('agent_assertion_ids_expiry_idx').on(t.expiresAt)],
);

/** The emergency block: one row. Every change raises `version`, which agents acknowledge. */
export const workstationEmergency = pgTable('workstation_emergency', {
  id: integer('id').primaryKey().default(1),
  active: boolean('active').notNull().default(false),
  version: integer('version').notNull().default(0),
  reason: text('reason'),
  changedBy: text('changed_by'),
  changedAt: at('changed_at'),
});
