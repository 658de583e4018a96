import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { CompactEncrypt, importJWK } from 'jose';
import type { AuditService } from '../audit/audit.service.js';
import type { WebAuthnService } from '../authn/webauthn.service.js';
import type { EmployeeSummary } from '../employees/employee.service.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { DELIVERY_CHALLENGE_SECONDS, DELIVERY_TTL_MS } from './workstation.constants.js';
import type { AgentWorkstation } from './agent-auth.service.js';
import type { WorkstationService } from './workstation.service.js';

export type CredentialDeliveryService = ReturnType<typeof createCredentialDeliveryService>;

/** What an access profile (src/vaults) says about a key at delivery; until one applies, UV is required. */
export interface KeyDeliveryPolicy {
  userVerificationRequired: boolean;
  allowedAaguids: string[];
  /**
   * The re-authentication interval: the agent may unlock the employee's session with the
   * credentials it holds in memory for this long after the delivery; then it drops them and an
   * unlock needs a fresh assertion of the key (docs/agent-protocol.md §8.4).
   */
  reauthMinutes: number;
}
const DEFAULT_POLICY: KeyDeliveryPolicy = { userVerificationRequired: true, allowedAaguids: [], reauthMinutes: 480 };

/** The directory password of one account, as delivered. */
export interface DirectoryPassword {
  accountId: string;
  domainId: string;
  domain: string;
  username: string;
  upn: string | null;
  password: string;
  changedAt: Date | null;
}
/** A vault account marked for workstation use, as delivered. */
export interface WorkstationAccount {
  id: string;
  name: string;
  urls: string[];
  login: string | null;
  password: string | null;
}

/** The JWE's `typ` (docs/agent-protocol.md §8.3). */
export const DELIVERY_JWE_TYPE = 'tessera-credentials+jwe';

const fullName = (e: EmployeeSummary) => `${e.firstName} ${e.lastName}`.trim() || e.email;

/**
 * Delivery of an employee's credentials to an approved workstation (issue 14 item 6,
 * docs/agent-protocol.md §8). The agent asks for options naming the account being logged on;
 * Tessera answers a WebAuthn challenge, single use and two minutes long, bound to this workstation
 * and this employee and allowing only the credentials bound to the employee's *Active* keys. The
 * agent relays the ceremony to the key and posts the assertion; once it verifies (the challenge
 * used up, the key still Active and the employee's, user verification as the key's access profile
 * says, its model allowed), Tessera queues a `deliver_credentials` command whose payload is a JWE
 * only this workstation's private key opens. Every delivery and every refusal is audited.
 */
export function createCredentialDeliveryService(deps: {
  audit: AuditService;
  clock: Clock;
  webauthn: Pick<WebAuthnService, 'startAuthentication' | 'finishAuthentication' | 'origin' | 'rpID'>;
  workstations: Pick<WorkstationService, 'queueDelivery'>;
  isEmergencyActive: () => Promise<boolean>;
  employeeIdForLogon: (account: string) => Promise<string | undefined>;
  employeeSummaries: (ids: string[]) => Promise<EmployeeSummary[]>;
  /** The employee's Active keys and the credential (row) ids bound to them. */
  activeKeyCredentials: (employeeId: string) => Promise<{ keyId: string; serial: string; credentialId: string }[]>;
  /** The key a credential (row id) is bound to. */
  keyOfCredential: (credentialId: string) => Promise<{ id: string; state: string; serial: string; employeeId: string | null } | undefined>;
  /** The key's access profile, as far as delivery is concerned (default: user verification required). */
  keyPolicy?: (keyId: string) => Promise<KeyDeliveryPolicy | undefined>;
  directoryPasswords: (employeeId: string) => Promise<DirectoryPassword[]>;
  /** The employee's directory accounts (ids) the logon name names: the only ones delivered. */
  logonAccountIds: (employeeId: string, account: string) => Promise<string[]>;
  workstationAccounts?: (employeeId: string) => Promise<WorkstationAccount[]>;
}) {
  const { audit, clock, webauthn } = deps;
  const policyOf = async (keyId: string) => (await deps.keyPolicy?.(keyId)) ?? DEFAULT_POLICY;
  const actorOf = (ctx: RequestContext, w: AgentWorkstation): RequestContext => ({ ...ctx, actor: { type: 'workstation', id: w.id, label: w.name } });

  async function refuse(ctx: RequestContext, w: AgentWorkstation, err: AppError, details: Record<string, unknown>, employee?: EmployeeSummary): Promise<never> {
    await audit.record(actorOf(ctx, w), {
      action: 'workstation.credentials_refused',
      outcome: 'failure',
      target: employee ? { type: 'employee', id: employee.id, label: employee.email } : { type: 'workstation', id: w.id, label: w.name },
      details: { workstationId: w.id, code: err.code, message: err.message, ...details },
    });
    throw err;
  }

  /** The employee an account names, refused (as authorize refuses) when unknown, disabled or deactivated. */
  async function employeeFor(account: string): Promise<EmployeeSummary> {
    const id = await deps.employeeIdForLogon(account);
    const employee = id ? (await deps.employeeSummaries([id]))[0] : undefined;
    if (!employee) throw new AppError('workstations.unknown_account', 'Tessera knows no employee with this account');
    return checkStatus(employee);
  }

  function checkStatus(employee: EmployeeSummary): EmployeeSummary {
    if (employee.status === 'disabled') throw new AppError('workstations.employee_disabled', 'This employee is disabled');
    if (employee.status === 'deactivated')
      throw new AppError('workstations.employee_deactivated', 'This employee was deactivated: no credentials are delivered to them');
    return employee;
  }

  async function checkEmergency() {
    if (await deps.isEmergencyActive())
      throw new AppError('workstations.emergency_block', 'The emergency block is on: no credentials are delivered until an administrator lifts it');
  }

  /** §8.1: a challenge for the employee's Active keys, bound to this workstation. */
  async function options(
    ctx: RequestContext,
    w: AgentWorkstation,
    input: { account: string },
  ): Promise<{ requestId: string; origin: string; expiresAt: string; employee: { id: string; name: string }; options: PublicKeyCredentialRequestOptionsJSON }> {
    let employee: EmployeeSummary | undefined;
    try {
      await checkEmergency();
      employee = await employeeFor(input.account);
      const keys = await deps.activeKeyCredentials(employee.id);
      if (keys.length === 0)
        throw new AppError('workstations.no_active_key', `${employee.email} has no Active security key: credentials are delivered only to an Active key`);
      const policies = await Promise.all([...new Set(keys.map((k) => k.keyId))].map(policyOf));
      const { ceremonyId, options } = await webauthn.startAuthentication({
        purpose: 'workstation_delivery',
        subjectType: 'employee',
        subjectId: employee.id,
        credentialIds: keys.map((k) => k.credentialId),
        // One ceremony for every key: UV is asked when any of them needs it, and checked per key on the answer.
        userVerification: policies.some((p) => p.userVerificationRequired) ? 'required' : 'preferred',
        seconds: DELIVERY_CHALLENGE_SECONDS,
        data: { workstationId: w.id, employeeId: employee.id, account: input.account },
      });
      if (!options.allowCredentials?.length)
        throw new AppError('workstations.no_active_key', `${employee.email} has no Active security key: credentials are delivered only to an Active key`);
      return {
        requestId: ceremonyId,
        origin: webauthn.origin,
        expiresAt: new Date(clock.now().getTime() + DELIVERY_CHALLENGE_SECONDS * 1000).toISOString(),
        employee: { id: employee.id, name: fullName(employee) },
        options,
      };
    } catch (err) {
      if (err instanceof AppError) return refuse(ctx, w, err, { step: 'options', account: input.account }, employee);
      throw err;
    }
  }

  /** §8.2: the assertion checked, then the credentials queued to this workstation, encrypted to its key. */
  async function deliver(
    ctx: RequestContext,
    w: AgentWorkstation,
    input: { requestId: string; assertion: AuthenticationResponseJSON },
  ): Promise<{ commandId: string; expiresAt: string; accounts: { type: 'directory' | 'vault'; name: string }[] }> {
    let employee: EmployeeSummary | undefined;
    let keySerial: string | undefined;
    try {
      await checkEmergency();
      const verified = await webauthn.finishAuthentication(ctx, {
        ceremonyId: input.requestId,
        purpose: 'workstation_delivery',
        subjectType: 'employee',
        response: input.assertion,
      });
      const { workstationId, employeeId, account } = verified.data as { workstationId?: string; employeeId?: string; account?: string };
      // The challenge was issued to one workstation: another one (which saw the request id) gets nothing.
      if (workstationId !== w.id || !employeeId)
        throw new AppError('workstations.delivery_request_invalid', 'This delivery request was made by another workstation: start again');
      employee = (await deps.employeeSummaries([employeeId]))[0];
      if (!employee) throw new AppError('workstations.unknown_account', 'Tessera knows no employee with this account');
      checkStatus(employee);
      // The key's state now, not when the options were made: suspended in between is suspended.
      const key = await deps.keyOfCredential(verified.credential.id);
      keySerial = key?.serial;
      if (!key || key.employeeId !== employee.id || key.state !== 'active')
        throw new AppError(
          'workstations.key_not_active',
          key
            ? `Security key ${key.serial} is ${key.state}: credentials are delivered only to an Active key`
            : 'This credential is not bound to a security key',
        );
      const policy = await policyOf(key.id);
      if (policy.userVerificationRequired && !verified.userVerified)
        throw new AppError(
          'workstations.user_verification_required',
          'The key did not verify the employee (PIN or biometrics), which its access profile requires',
        );
      if (policy.allowedAaguids.length > 0 && !policy.allowedAaguids.includes(verified.credential.aaguid))
        throw new AppError('workstations.key_not_allowed', `This key's model (AAGUID ${verified.credential.aaguid}) is not allowed by its access profile`);
      await checkEmergency();

      // Only the password of the account being logged on: a computer in one domain is not given the
      // employee's passwords in the others.
      const [passwords, logonIds, vault] = await Promise.all([
        deps.directoryPasswords(employee.id),
        deps.logonAccountIds(employee.id, account ?? ''),
        deps.workstationAccounts?.(employee.id) ?? Promise.resolve([]),
      ]);
      const directory = passwords.filter((d) => logonIds.includes(d.accountId));
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + DELIVERY_TTL_MS);
      const jwe = await encryptTo(w, {
        v: 1,
        requestId: input.requestId,
        workstationId: w.id,
        employee: { id: employee.id, name: fullName(employee), email: employee.email },
        issuedAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
        unlockUntil: new Date(now.getTime() + policy.reauthMinutes * 60_000).toISOString(),
        directory: directory.map((d) => ({
          domain: d.domain,
          username: d.username,
          upn: d.upn,
          password: d.password,
          changedAt: d.changedAt?.toISOString() ?? null,
        })),
        accounts: vault.map((a) => ({ id: a.id, name: a.name, urls: a.urls, login: a.login, password: a.password })),
      });
      // What was delivered, by id and name (never a value): the audit and the agent's answer.
      const delivered = [
        ...directory.map((d) => ({ type: 'directory' as const, id: d.accountId, name: `${d.domain}\\${d.username}` })),
        ...vault.map((a) => ({ type: 'vault' as const, id: a.id, name: a.name })),
      ];
      const accounts = delivered.map(({ type, name }) => ({ type, name }));
      const command = await deps.workstations.queueDelivery(actorOf(ctx, w), w.id, {
        payload: { jwe },
        expiresAt,
        employee: { id: employee.id, email: employee.email },
        key: { id: key.id, serial: key.serial },
        accounts: delivered,
      });
      return { commandId: command.id, expiresAt: expiresAt.toISOString(), accounts };
    } catch (err) {
      if (err instanceof AppError) return refuse(ctx, w, err, { step: 'assertion', key: keySerial ?? null }, employee);
      throw err;
    }
  }

  return { options, deliver };
}

/**
 * A compact JWE (RFC 7516 §7.1) to the workstation's enrolled P-256 key: ECDH-ES direct key
 * agreement (RFC 7518 §4.6) with A256GCM, so that only the computer holding the private key opens
 * it; `kid` names the workstation, `exp` inside lets the agent refuse a stale one.
 */
async function encryptTo(w: AgentWorkstation, content: Record<string, unknown>): Promise<string> {
  const key = await importJWK({ kty: 'EC', crv: 'P-256', x: w.publicKey.x, y: w.publicKey.y }, 'ECDH-ES');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(content)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', typ: DELIVERY_JWE_TYPE, cty: 'json', kid: w.id })
    .encrypt(key);
}
