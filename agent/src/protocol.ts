/**
 * The words of the workstation agent protocol, version 1 (docs/agent-protocol.md), as the agent
 * sees them. The agent is a separate program: it shares no code with the server, only this contract.
 */

export const API_PREFIX = '/api/agent/v1';

export type WorkstationStatus = 'pending' | 'approved' | 'denied';
export type EventMethod = 'password' | 'security_key' | 'passkey' | 'phone' | 'smart_card' | 'unknown';
export const EVENT_METHODS: readonly EventMethod[] = ['password', 'security_key', 'passkey', 'phone', 'smart_card', 'unknown'];
export type AuthorizeAction = 'logon' | 'unlock' | 'rdp';
export type SessionEventType = 'logon' | 'logoff' | 'lock' | 'unlock' | 'session_switch' | 'remote_connect' | 'remote_disconnect';
export type EventType = SessionEventType | 'agent_start' | 'agent_stop';

/** §7: the effective profile. */
export interface Profile {
  id: string;
  name: string;
  idleLockMinutes: number;
  lockOnSessionEnd: boolean;
  unlockMethods: EventMethod[];
  rdpAllowed: boolean;
  offlineLogonDays: number;
  deactivatedEmployeesMayUnlock: boolean;
}

export interface Emergency {
  active: boolean;
  version: number;
  reason: string | null;
}

/** §6: one event as POSTed; `id` is the idempotency key. */
export interface AgentEvent {
  id: string;
  type: EventType;
  at: string;
  account?: string;
  method?: EventMethod;
  sessionId?: string;
  remoteAddress?: string | null;
}

/** §1: the public key as a JWK (RFC 7517), EC P-256. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface EnrollRequest {
  token: string;
  publicKey: PublicJwk;
  facts: { hostname: string; domain: string | null; osName: string; osVersion: string; agentVersion: string; machineId: string };
}
export interface EnrollAnswer {
  workstationId: string;
  status: WorkstationStatus;
  audience: string;
}

export interface StatusAnswer {
  workstationId: string;
  name: string;
  status: WorkstationStatus;
  profile: Profile | null;
  emergency: Emergency;
}

export interface AuthorizeRequest {
  account: string;
  action: AuthorizeAction;
  method: EventMethod;
}
export interface AuthorizeAnswer {
  allowed: boolean;
  code: string | null;
  reason: string | null;
  employee: { id: string; name: string } | null;
}

/** §8.1: the options of a credential delivery. */
export interface DeliveryOptionsAnswer {
  requestId: string;
  origin: string;
  expiresAt: string;
  employee: { id: string; name: string };
  options: {
    challenge: string;
    rpId?: string;
    allowCredentials?: { id: string; transports?: string[] }[];
    userVerification?: 'required' | 'preferred' | 'discouraged';
    timeout?: number;
  };
}
/** §8.2: the delivery is queued as this command. */
export interface DeliveryAnswer {
  commandId: string;
  expiresAt: string;
  accounts: { type: 'directory' | 'vault'; name: string }[];
}

/** §5: frames the server sends on the channel. */
export type ServerFrame =
  | {
      type: 'hello';
      workstation: { id: string; name: string; status: WorkstationStatus };
      profile: Profile | null;
      emergency: Emergency;
      heartbeatSeconds: number;
      /** The server's clock, to warn about a skew before assertions start failing. */
      serverTime?: string;
    }
  | { type: 'command'; id: string; kind: string; payload: Record<string, unknown> | null; issuedAt: string }
  | { type: 'profile'; profile: Profile | null }
  | { type: 'status'; status: WorkstationStatus };

export type AckStatus = 'done' | 'failed' | 'rejected';

/** §5 close codes. */
export const CLOSE_REVOKED = 4401;
export const CLOSE_DENIED = 4403;

/** The emergency block travels as the command `emergency:<version>` (§5). */
export function emergencyVersionOf(commandId: string): number | null {
  const m = /^emergency:(\d+)$/.exec(commandId);
  return m ? Number(m[1]) : null;
}
