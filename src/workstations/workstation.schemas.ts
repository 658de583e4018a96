import { z } from 'zod';
import { authenticationResponse } from '../authn/authn.schemas.js';
import {
  ackStatuses,
  agentCommandKinds,
  authorizeActions,
  commandStates,
  eventMethods,
  eventTypes,
  MAX_EVENTS_PER_BATCH,
  sessionEndReasons,
  workstationStatuses,
} from './workstation.constants.js';

const iso = z.string();
const name = (max: number) => z.string().trim().min(1).max(max);
const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
};
const dateQuery = z.iso.datetime({ offset: true });

// --- Admin API --------------------------------------------------------------------------------

export const profileSettings = {
  idleLockMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
  lockOnSessionEnd: z.boolean(),
  unlockMethods: z.array(z.enum(eventMethods)).min(1).max(eventMethods.length),
  rdpAllowed: z.boolean(),
  offlineLogonDays: z.number().int().min(0).max(365),
  deactivatedEmployeesMayUnlock: z.boolean(),
};

/** What an agent is told of its effective profile (docs/agent-protocol.md §7). */
export const agentProfileDto = z.object({ id: z.string().nullable(), name: z.string(), ...profileSettings });
export type AgentProfileDto = z.infer<typeof agentProfileDto>;

export const profileDto = z.object({
  id: z.string().uuid(),
  name: z.string(),
  description: z.string(),
  ...profileSettings,
  isDefault: z.boolean(),
  departmentIds: z.array(z.string().uuid()),
  workstationCount: z.number().int(),
  createdAt: iso,
  updatedAt: iso,
});
export type ProfileDto = z.infer<typeof profileDto>;

export const createProfileBody = z
  .object({
    name: name(120),
    description: z.string().trim().max(1000).default(''),
    idleLockMinutes: profileSettings.idleLockMinutes.default(15),
    lockOnSessionEnd: profileSettings.lockOnSessionEnd.default(true),
    unlockMethods: profileSettings.unlockMethods.default(['security_key', 'passkey', 'password', 'smart_card', 'phone']),
    rdpAllowed: profileSettings.rdpAllowed.default(true),
    offlineLogonDays: profileSettings.offlineLogonDays.default(7),
    deactivatedEmployeesMayUnlock: profileSettings.deactivatedEmployeesMayUnlock.default(true),
    isDefault: z.boolean().default(false),
    departmentIds: z.array(z.string().uuid()).max(1000).default([]),
  })
  .strict();
export type CreateProfileInput = z.infer<typeof createProfileBody>;

export const updateProfileBody = z
  .object({
    name: name(120),
    description: z.string().trim().max(1000),
    ...profileSettings,
    isDefault: z.literal(true),
    departmentIds: z.array(z.string().uuid()).max(1000),
  })
  .partial()
  .strict();
export type UpdateProfileInput = z.infer<typeof updateProfileBody>;

export const enrolmentTokenDto = z.object({
  id: z.string().uuid(),
  name: z.string(),
  prefix: z.string(),
  maxUses: z.number().int(),
  uses: z.number().int(),
  expiresAt: iso,
  autoApprove: z.boolean(),
  departmentId: z.string().uuid().nullable(),
  profileId: z.string().uuid().nullable(),
  createdBy: z.string().nullable(),
  createdAt: iso,
  lastUsedAt: iso.nullable(),
  revokedAt: iso.nullable(),
  /** usable, used_up, expired or revoked. */
  state: z.enum(['usable', 'used_up', 'expired', 'revoked']),
});
export type EnrolmentTokenDto = z.infer<typeof enrolmentTokenDto>;

export const createEnrolmentTokenBody = z
  .object({
    name: name(120),
    maxUses: z.number().int().min(1).max(1_000_000).default(1),
    /** Hours the token stays usable; at most a year. */
    validHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .default(24),
    autoApprove: z.boolean().default(false),
    departmentId: z.string().uuid().nullable().default(null),
    profileId: z.string().uuid().nullable().default(null),
  })
  .strict();
export type CreateEnrolmentTokenInput = z.infer<typeof createEnrolmentTokenBody>;
export const createdEnrolmentToken = z.object({
  token: enrolmentTokenDto,
  secret: z.string(),
  /** PUBLIC_URL: the address agents enrol with (`tessera-agent enroll --server`). */
  serverUrl: z.string(),
});

export const workstationDto = z.object({
  id: z.string().uuid(),
  name: z.string(),
  hostname: z.string(),
  domain: z.string().nullable(),
  osName: z.string(),
  osVersion: z.string(),
  agentVersion: z.string(),
  machineId: z.string(),
  status: z.enum(workstationStatuses),
  isOnline: z.boolean(),
  lastSeenAt: iso.nullable(),
  connectedAt: iso.nullable(),
  lastAddress: z.string().nullable(),
  departmentId: z.string().uuid().nullable(),
  profileId: z.string().uuid().nullable(),
  /** The profile in force: its own, its department's or the default (null: built-in defaults). */
  effectiveProfileId: z.string().uuid().nullable(),
  approvedAt: iso.nullable(),
  approvedBy: z.string().nullable(),
  enrolledAt: iso,
  /** The agent acknowledged the emergency block now in force. */
  isEmergencyBlocked: z.boolean(),
});
export type WorkstationDto = z.infer<typeof workstationDto>;

export const workstationListQuery = z
  .object({
    ...pageQuery,
    status: z.enum(workstationStatuses).optional(),
    q: z.string().trim().max(200).optional(),
    departmentId: z.string().uuid().optional(),
    /** The profile in force: the workstation's own, else its department's, else the default. */
    profileId: z.string().uuid().optional(),
    online: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const updateWorkstationBody = z
  .object({ name: name(200), departmentId: z.string().uuid().nullable(), profileId: z.string().uuid().nullable() })
  .partial()
  .strict();
export type UpdateWorkstationInput = z.infer<typeof updateWorkstationBody>;

export const bulkIdsBody = z.object({ ids: z.array(z.string().uuid()).min(1).max(1000) }).strict();

export const bulkResult = z.object({ changed: z.array(z.string().uuid()), unchanged: z.array(z.string().uuid()) });

export const commandBody = z.object({ reason: z.string().trim().max(500).optional(), sessionId: z.string().trim().min(1).max(64).optional() }).strict();

export const commandDto = z.object({
  id: z.string().uuid(),
  workstationId: z.string().uuid(),
  kind: z.enum(agentCommandKinds),
  state: z.enum(commandStates),
  reason: z.string().nullable(),
  issuedBy: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: iso,
  sentAt: iso.nullable(),
  acknowledgedAt: iso.nullable(),
  result: z.string().nullable(),
  expiresAt: iso,
});
export type CommandDto = z.infer<typeof commandDto>;

export const activityQuery = z
  .object({
    ...pageQuery,
    workstationId: z.string().uuid().optional(),
    employeeId: z.string().uuid().optional(),
    from: dateQuery.optional(),
    to: dateQuery.optional(),
  })
  .strict();
export const eventQuery = activityQuery.extend({ type: z.enum(eventTypes).optional() }).strict();
export const sessionQuery = activityQuery.extend({ open: z.enum(['true', 'false']).optional() }).strict();
export const summaryQuery = z
  .object({
    groupBy: z.enum(['employee', 'workstation', 'day']).default('employee'),
    workstationId: z.string().uuid().optional(),
    employeeId: z.string().uuid().optional(),
    from: dateQuery.optional(),
    to: dateQuery.optional(),
  })
  .strict();

const employeeRef = z.object({ id: z.string().uuid(), name: z.string(), email: z.string() }).nullable();
const workstationRef = z.object({ id: z.string().uuid(), name: z.string() }).nullable();

export const eventDto = z.object({
  id: z.string().uuid(),
  workstation: workstationRef,
  type: z.enum(eventTypes),
  occurredAt: iso,
  account: z.string().nullable(),
  method: z.enum(eventMethods).nullable(),
  sessionId: z.string().nullable(),
  remoteAddress: z.string().nullable(),
  employee: employeeRef,
  receivedAt: iso,
});
export type EventDto = z.infer<typeof eventDto>;

export const sessionDto = z.object({
  id: z.string().uuid(),
  workstation: workstationRef,
  employee: employeeRef,
  account: z.string(),
  sessionId: z.string().nullable(),
  remote: z.boolean(),
  method: z.enum(eventMethods),
  methods: z.array(z.enum(eventMethods)),
  startedAt: iso,
  endedAt: iso.nullable(),
  /** Why it ended: a logoff, a new logon on the same OS session, or the agent starting again (the computer restarted). */
  endReason: z.enum(sessionEndReasons).nullable(),
  durationSeconds: z.number().int(),
  lockedSeconds: z.number().int(),
  lockCount: z.number().int(),
  isLocked: z.boolean(),
});
export type SessionDto = z.infer<typeof sessionDto>;

export const summaryRowDto = z.object({
  key: z.string().nullable(),
  label: z.string(),
  sessions: z.number().int(),
  signedInSeconds: z.number().int(),
  lockedSeconds: z.number().int(),
  methods: z.array(z.enum(eventMethods)),
  employees: z.number().int(),
  workstations: z.number().int(),
});
export const summaryDto = z.object({ groupBy: z.enum(['employee', 'workstation', 'day']), from: iso, to: iso, items: z.array(summaryRowDto) });
export type SummaryRowDto = z.infer<typeof summaryRowDto>;

export const emergencyDto = z.object({
  active: z.boolean(),
  version: z.number().int(),
  reason: z.string().nullable(),
  changedBy: z.string().nullable(),
  changedAt: iso.nullable(),
  /** Workstations the block holds (approved or waiting; not denied ones), and how many acknowledged its current state. */
  workstations: z.number().int(),
  acknowledged: z.number().int(),
});
export type EmergencyDto = z.infer<typeof emergencyDto>;

export const emergencyOnBody = z.object({ confirmation: z.string().max(100), reason: z.string().trim().min(3).max(500) }).strict();
export const emergencyOffBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

export const workstationCountsDto = z.object({
  total: z.number().int(),
  online: z.number().int(),
  pending: z.number().int(),
  emergencyBlocked: z.number().int(),
});

// --- Agent API (docs/agent-protocol.md) -------------------------------------------------------

const fact = (max: number) => z.string().trim().min(1).max(max);
export const enrollBody = z
  .object({
    token: z.string().min(1).max(200),
    publicKey: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(40).max(60), y: z.string().min(40).max(60) }).strict(),
    facts: z
      .object({
        hostname: fact(253),
        domain: z.string().trim().max(253).nullable().default(null),
        osName: fact(100),
        osVersion: fact(200),
        agentVersion: fact(50),
        machineId: z
          .string()
          .trim()
          .min(8)
          .max(128)
          .regex(/^[^\p{Cc}]+$/u, 'no control characters'),
      })
      .strict(),
  })
  .strict();
export const enrollAnswer = z.object({ workstationId: z.string().uuid(), status: z.enum(workstationStatuses), audience: z.string() });

export const agentStatusDto = z.object({
  workstationId: z.string().uuid(),
  name: z.string(),
  status: z.enum(workstationStatuses),
  profile: agentProfileDto.nullable(),
  emergency: z.object({ active: z.boolean(), version: z.number().int(), reason: z.string().nullable() }),
});
export type AgentStatusDto = z.infer<typeof agentStatusDto>;

const account = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}]+$/u, 'no control characters');
export const agentEvent = z
  .object({
    id: z
      .string()
      .min(8)
      .max(128)
      .regex(/^[^\p{Cc}]+$/u, 'no control characters'),
    type: z.enum(eventTypes),
    at: z.iso.datetime({ offset: true }),
    account: account.nullable().optional(),
    method: z.enum(eventMethods).nullable().optional(),
    sessionId: z.string().trim().min(1).max(64).nullable().optional(),
    remoteAddress: z.string().trim().max(100).nullable().optional(),
  })
  .strict();
export type AgentEvent = z.infer<typeof agentEvent>;
export const eventsBody = z.object({ events: z.array(agentEvent).min(1).max(MAX_EVENTS_PER_BATCH) }).strict();
export const eventsAnswer = z.object({ accepted: z.number().int(), duplicates: z.number().int() });

export const authorizeBody = z.object({ account, action: z.enum(authorizeActions), method: z.enum(eventMethods) }).strict();
export const authorizeAnswer = z.object({
  allowed: z.boolean(),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  employee: z.object({ id: z.string().uuid(), name: z.string() }).nullable(),
});
export type AuthorizeAnswer = z.infer<typeof authorizeAnswer>;

/** §8.1: the account being logged on, as in authorize. */
export const deliveryOptionsBody = z.object({ account }).strict();
export const deliveryOptionsAnswer = z.object({
  requestId: z.string().describe('Names this delivery request: send it back with the assertion. Single use, bound to this workstation and employee.'),
  origin: z.string().describe("Tessera's origin: the `origin` of the clientDataJSON the agent builds"),
  expiresAt: iso,
  employee: z.object({ id: z.string().uuid(), name: z.string() }),
  options: z
    .record(z.string(), z.unknown())
    .describe('PublicKeyCredentialRequestOptionsJSON: challenge, rpId, allowCredentials (the credentials of the Active keys), userVerification, timeout'),
});
/** §8.2: the assertion of the employee's key. */
export const deliveryBody = z.object({ requestId: z.string().min(1).max(100), assertion: authenticationResponse }).strict();
export const deliveryAnswer = z.object({
  commandId: z.string().uuid().describe('The `deliver_credentials` command that carries the JWE on the channel'),
  expiresAt: iso,
  accounts: z.array(z.object({ type: z.enum(['directory', 'vault']), name: z.string() })).describe('What the JWE holds, without the secrets'),
});

/** Frames an agent sends on the channel (docs/agent-protocol.md §5). */
export const agentFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('heartbeat') }).passthrough(),
  z
    .object({
      type: z.literal('ack'),
      id: z.string().min(1).max(64),
      status: z.enum(ackStatuses),
      detail: z.string().max(1000).optional(),
    })
    .passthrough(),
]);
export type AgentFrame = z.infer<typeof agentFrame>;
