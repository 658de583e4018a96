/** The words of the workstation agent protocol (docs/agent-protocol.md), shared by tables, schemas and services. */

export const workstationStatuses = ['pending', 'approved', 'denied'] as const;
export type WorkstationStatus = (typeof workstationStatuses)[number];

/** Commands an admin (or Tessera itself) sends to one agent. */
export const agentCommandKinds = ['lock', 'logoff', 'refresh_profile', 'emergency_block', 'emergency_lift', 'deliver_credentials'] as const;
export type AgentCommandKind = (typeof agentCommandKinds)[number];

export const commandStates = ['queued', 'sent', 'done', 'failed', 'rejected', 'expired'] as const;
export type CommandState = (typeof commandStates)[number];
/** The answers an agent acknowledges a command with. */
export const ackStatuses = ['done', 'failed', 'rejected'] as const;

export const eventTypes = ['logon', 'logoff', 'lock', 'unlock', 'session_switch', 'remote_connect', 'remote_disconnect', 'agent_start', 'agent_stop'] as const;
export type EventType = (typeof eventTypes)[number];

export const eventMethods = ['password', 'security_key', 'passkey', 'phone', 'smart_card', 'unknown'] as const;
export type EventMethod = (typeof eventMethods)[number];

export const sessionEndReasons = ['logoff', 'replaced', 'agent_restart'] as const;
export type SessionEndReason = (typeof sessionEndReasons)[number];

export const authorizeActions = ['logon', 'unlock', 'rdp'] as const;
export type AuthorizeAction = (typeof authorizeActions)[number];

/** Events a batch may hold: enough for an agent that was offline a day, small enough to validate at once. */
export const MAX_EVENTS_PER_BATCH = 500;
/** Seconds between heartbeats an agent is told to keep; three missed ones and it is offline. */
export const HEARTBEAT_SECONDS = 30;
/** How long a command waits for an agent that is offline. */
export const COMMAND_TTL_MS = 7 * 24 * 3600_000;
/**
 * How long a credential delivery (a JWE with the employee's passwords) waits for its agent: the
 * person is at the computer now. Its payload is erased once acknowledged or expired.
 */
export const DELIVERY_TTL_MS = 2 * 60_000;
/** How long the WebAuthn challenge of a delivery lives: the employee touches the key now. */
export const DELIVERY_CHALLENGE_SECONDS = 120;
/** The longest an agent assertion may live (docs/agent-protocol.md §3). */
export const MAX_ASSERTION_LIFETIME_S = 60;
/** Clock difference tolerated between agent and server. */
export const ASSERTION_CLOCK_SKEW_S = 30;
/** The phrase an admin types to turn the emergency block on. */
export const EMERGENCY_CONFIRMATION = 'BLOCK ALL WORKSTATIONS';
/** Enrolment tokens look like `te_<43 base64url chars>`. */
export const ENROLMENT_TOKEN_PREFIX = 'te_';
/** Id of the command that carries emergency block version `v` to every agent. */
export const emergencyCommandId = (version: number) => `emergency:${version}`;
