/**
 * Passkeys provisioned into Entra ID through the FIDO2 provisioning API: Tessera asks Graph for
 * creation options for the employee's Entra user, hands them to the enrolling authenticator (a
 * client of this service's API), and posts the attestation back to Graph. It keeps each employee's
 * pairing state (pending → paired with Tessera → paired with Entra) and mirrors it into the tenant's
 * three pairing groups. Every Graph write is audited; nothing secret is.
 */
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import type { EmployeeSummary } from '../../employees/employee.service.js';
import type { PairingState } from './entra.constants.js';
import { AppError, type ErrorCode } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/context.js';
import type { Sealer } from '../../security/sealing.js';
import { DirectoryError } from '../connector.js';
import { createConnector, type ConnectorFactory } from '../connector-factory.js';
import { toDirectoryError, type EntraConnector } from './entra-connector.js';
import { entraSettings, type EntraSettings } from './entra.schemas.js';
import { ensurePairingGroups, mirrorPairingState, type PairingGroupIds } from './entra-pairing-groups.js';
import { isBase64Url, type AttestationBody, type PairingDto, type RefreshSummary } from './entra-passkey.schemas.js';
import * as repo from './entra-passkey.repository.js';
import { GraphError } from './graph-client.js';

interface GraphFido2Method {
  id: string;
  displayName?: string | null;
  createdDateTime?: string | null;
  lastUsedDateTime?: string | null;
  aaGuid?: string | null;
  model?: string | null;
}

export interface EntraPasskeyDeps {
  db: Db;
  audit: AuditService;
  sealer: Sealer;
  clock: Clock;
  /** The same factory the directory engine uses (tests wrap it to reach the emulator). */
  connectorFactory?: ConnectorFactory;
  /** Employees as the employees feature answers for them (never its tables). */
  employees: { findByEmail(email: string): Promise<{ id: string } | undefined>; summariesByIds(ids: string[]): Promise<EmployeeSummary[]> };
  /** Employees holding a passwordless Tessera credential (a passkey or security key that signs in alone; not a second-factor key). */
  credentialHolders(employeeIds: string[]): Promise<Set<string>>;
}

/** An employee with an account in the tenant's sync group: who may be paired. */
export interface EligibleAccount {
  employeeId: string;
  email: string;
  firstName: string;
  lastName: string;
  employeeStatus: string;
  externalId: string;
  upn: string | null;
  hasTesseraCredential: boolean;
}

export type EntraPasskeyService = ReturnType<typeof createEntraPasskeyService>;

const rank: Record<PairingState, number> = { pending: 0, paired_tessera: 1, paired_entra: 2 };
const FIVE_MINUTES = 5 * 60_000;

export function createEntraPasskeyService(deps: EntraPasskeyDeps) {
  const { db, audit, sealer, clock } = deps;
  /** One connector per domain version, so msal's token cache lives across calls. */
  const connectors = new Map<string, { version: number; connector: EntraConnector }>();

  async function domainFor(key: string, opts: { passkeys?: boolean } = {}) {
    const row = await repo.findDomainByIdOrName(db, key);
    if (!row) throw new AppError('directory.domain_not_found', 'Domain was not found');
    if (row.kind !== 'entra')
      throw new AppError('entra.not_entra_domain', `Domain ${row.name} is an ${row.kind} domain; passkey provisioning is for Entra ID tenants`);
    const settings: EntraSettings = entraSettings.parse(row.settings);
    if (opts.passkeys !== false && !settings.passkeys.enabled)
      throw new AppError('entra.passkeys_disabled', `Passkey provisioning is turned off for ${row.name}`);
    let cached = connectors.get(row.id);
    if (!cached || cached.version !== row.updatedAt.getTime()) {
      const secret = row.secret ? sealer.open(row.secret, `directory_domains.secret:${row.id}`) : null;
      const connector = (deps.connectorFactory ?? createConnector)({ kind: row.kind, settings: row.settings }, secret) as EntraConnector;
      if (typeof connector.graph !== 'function') throw new AppError('entra.not_entra_domain', 'The connector of this domain cannot provision passkeys');
      cached = { version: row.updatedAt.getTime(), connector };
      connectors.set(row.id, cached);
    }
    return { row, settings, connector: cached.connector };
  }

  async function graphCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      const e = err instanceof DirectoryError ? err : toDirectoryError(err, what);
      throw new AppError(`directory.${e.code}` as ErrorCode, e.message, { cause: err });
    }
  }

  /** The domain's members with who they are, by last and first name. */
  async function eligibleAccounts(domainId: string, employeeId?: string): Promise<EligibleAccount[]> {
    const members = await repo.findMemberAccounts(db, domainId, employeeId);
    const ids = members.map((m) => m.employeeId);
    const [people, holders] = await Promise.all([deps.employees.summariesByIds(ids), deps.credentialHolders(ids)]);
    const byEmployee = new Map(members.map((m) => [m.employeeId, m]));
    return people.map((e) => {
      const m = byEmployee.get(e.id)!;
      return {
        employeeId: e.id,
        email: e.email,
        firstName: e.firstName,
        lastName: e.lastName,
        employeeStatus: e.status,
        externalId: m.externalId,
        upn: m.upn,
        hasTesseraCredential: holders.has(e.id),
      };
    });
  }

  /** The domain's pairings with their employees, by last and first name. */
  async function pairingsWithEmployees(domainId: string, state?: PairingState) {
    const pairings = await repo.findPairings(db, domainId, state);
    const byEmployee = new Map(pairings.map((p) => [p.employeeId, p]));
    const people = await deps.employees.summariesByIds([...byEmployee.keys()]);
    return people.map((employee) => ({ pairing: byEmployee.get(employee.id)!, employee }));
  }

  async function employeeIdFor(key: string): Promise<string> {
    const id = /^[0-9a-f-]{36}$/i.test(key) ? key : (await deps.employees.findByEmail(key))?.id;
    if (!id) throw new AppError('employees.not_found', 'Employee was not found');
    return id;
  }

  /** The employee's account in the tenant, checked for eligibility. */
  async function eligibleAccount(domain: Awaited<ReturnType<typeof domainFor>>, employeeKey: string) {
    const employeeId = await employeeIdFor(employeeKey);
    const [account] = await eligibleAccounts(domain.row.id, employeeId);
    if (!account) throw new AppError('entra.not_eligible', `This employee has no account in the sync group of ${domain.row.name}`);
    if (account.employeeStatus !== 'active') throw new AppError('entra.not_eligible', 'This employee is not active');
    const allowed = domain.settings.passkeys.allowedEmailDomains;
    const emailDomain = account.email.split('@').pop()!.toLowerCase();
    if (allowed.length > 0 && !allowed.includes(emailDomain))
      throw new AppError(
        'entra.email_domain_not_allowed',
        `E-mail domain ${emailDomain} is not allowed for passkey provisioning (allowed: ${allowed.join(', ')})`,
      );
    const pairing = await repo.insertPairing(db, { domainId: domain.row.id, employeeId, entraUserId: account.externalId });
    return { account, pairing };
  }

  /**
   * After a passkey was registered or deleted in Entra, the state must follow even if the groups
   * cannot be updated now (a missing Group.ReadWrite.All, Graph down): the passkey change stands,
   * and the next refresh mirrors what is still out of date.
   */
  async function settle(ctx: RequestContext, domain: Awaited<ReturnType<typeof domainFor>>, pairing: repo.PairingRow, to: PairingState, label: string) {
    await applyState(ctx, domain, null, pairing, to, label);
    try {
      await applyState(ctx, domain, await groupsOf(ctx, domain), { ...pairing, state: to }, to, label);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
  }

  /** Moves the pairing to `to` (audited) and mirrors it into the groups (when given) if it differs from the mirrored one. */
  async function applyState(
    ctx: RequestContext,
    domain: Awaited<ReturnType<typeof domainFor>>,
    groups: PairingGroupIds | null,
    pairing: repo.PairingRow,
    to: PairingState,
    label: string,
  ) {
    if (pairing.state !== to) {
      await repo.updatePairingById(db, pairing.id, {
        state: to,
        updatedAt: clock.now(),
        ...(rank[to] < rank[pairing.state] ? { unpairedAt: clock.now() } : rank[to] > rank[pairing.state] ? { unpairedAt: null } : {}),
      });
      await audit.record(ctx, {
        action: 'entra.pairing_changed',
        target: { type: 'employee', id: pairing.employeeId, label },
        details: { domainId: domain.row.id, from: pairing.state, to },
      });
    }
    if (groups && pairing.mirroredState !== to) {
      await graphCall('mirror pairing groups', () =>
        mirrorPairingState(ctx, {
          db,
          audit,
          graph: domain.connector.graph(),
          domainId: domain.row.id,
          groups,
          userId: pairing.entraUserId,
          label,
          from: pairing.mirroredState,
          to,
        }),
      );
      await repo.updatePairingById(db, pairing.id, { mirroredState: to });
    }
  }

  const groupsOf = (ctx: RequestContext, domain: Awaited<ReturnType<typeof domainFor>>) =>
    graphCall('pairing groups', () => ensurePairingGroups(ctx, { db, audit, graph: domain.connector.graph(), domainId: domain.row.id }));

  async function stateOf(pairingId: string, hasTesseraCredential: boolean): Promise<PairingState> {
    if ((await repo.countPasskeys(db, pairingId)) > 0) return 'paired_entra';
    return hasTesseraCredential ? 'paired_tessera' : 'pending';
  }

  /** Reads the user's FIDO2 methods in Entra into the table; false when the user is gone from Entra. */
  async function readMethods(domain: Awaited<ReturnType<typeof domainFor>>, pairing: repo.PairingRow): Promise<boolean> {
    let methods: GraphFido2Method[];
    try {
      methods = (
        await domain.connector.graph().get<{ value: GraphFido2Method[] }>(`/users/${encodeURIComponent(pairing.entraUserId)}/authentication/fido2Methods`)
      ).value;
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return false;
      throw err;
    }
    const known = new Map((await repo.findPasskeysByPairingIds(db, [pairing.id])).map((p) => [p.methodId, p]));
    for (const m of methods) {
      await repo.upsertPasskey(db, {
        pairingId: pairing.id,
        methodId: m.id,
        displayName: m.displayName ?? 'Passkey',
        aaguid: m.aaGuid ?? null,
        model: m.model ?? null,
        isProvisionedByTessera: known.get(m.id)?.isProvisionedByTessera ?? false,
        createdAt: m.createdDateTime ? new Date(m.createdDateTime) : clock.now(),
        lastUsedAt: m.lastUsedDateTime ? new Date(m.lastUsedDateTime) : null,
      });
    }
    await repo.deletePasskeysNotIn(
      db,
      pairing.id,
      methods.map((m) => m.id),
    );
    return true;
  }

  return {
    /**
     * Brings every eligible employee's pairing up to date: reads their passkeys from Entra, flags
     * users Entra no longer knows, sets states, mirrors them into the groups (creating the groups
     * when missing), and forgets pairings of employees who left the sync group (out of the groups too).
     */
    async refresh(ctx: RequestContext, domainKey: string): Promise<RefreshSummary> {
      const domain = await domainFor(domainKey);
      const groups = await groupsOf(ctx, domain);
      const accounts = (await eligibleAccounts(domain.row.id)).filter((a) => a.employeeStatus === 'active');
      const byState: Record<PairingState, number> = { pending: 0, paired_tessera: 0, paired_entra: 0 };
      let missing = 0;
      for (const a of accounts) {
        const pairing = await repo.insertPairing(db, { domainId: domain.row.id, employeeId: a.employeeId, entraUserId: a.externalId });
        const found = await graphCall('read passkeys', () => readMethods(domain, pairing));
        if (found === pairing.isMissingInEntra) await repo.updatePairingById(db, pairing.id, { isMissingInEntra: !found });
        if (!found) {
          missing++;
          byState[pairing.state]++;
          continue;
        }
        const to = await stateOf(pairing.id, a.hasTesseraCredential);
        await applyState(ctx, domain, groups, pairing, to, a.email);
        byState[to]++;
      }
      const keep = new Set(accounts.map((a) => a.employeeId));
      let removed = 0;
      for (const { pairing, employee } of await pairingsWithEmployees(domain.row.id)) {
        if (keep.has(pairing.employeeId)) continue;
        if (pairing.mirroredState && !pairing.isMissingInEntra) {
          await graphCall('leave pairing groups', () =>
            mirrorPairingState(ctx, {
              db,
              audit,
              graph: domain.connector.graph(),
              domainId: domain.row.id,
              groups,
              userId: pairing.entraUserId,
              label: employee.email,
              from: pairing.mirroredState,
              to: null,
            }),
          );
        }
        removed++;
      }
      await repo.deletePairingsExcept(db, domain.row.id, [...keep]);
      return { eligible: accounts.length, byState, missingInEntra: missing, removed };
    },

    async list(domainKey: string, state?: PairingState): Promise<PairingDto[]> {
      const domain = await domainFor(domainKey, { passkeys: false });
      const rows = await pairingsWithEmployees(domain.row.id, state);
      const passkeys = await repo.findPasskeysByPairingIds(
        db,
        rows.map((r) => r.pairing.id),
      );
      return rows.map(({ pairing, employee }) => {
        const own = passkeys
          .filter((p) => p.pairingId === pairing.id)
          .map((p) => ({
            id: p.id,
            methodId: p.methodId,
            displayName: p.displayName,
            aaguid: p.aaguid,
            model: p.model,
            isProvisionedByTessera: p.isProvisionedByTessera,
            createdAt: p.createdAt.toISOString(),
            lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
          }));
        const lastUsed =
          own
            .map((p) => p.lastUsedAt)
            .filter((x): x is string => !!x)
            .sort()
            .pop() ?? null;
        return {
          employeeId: employee.id,
          email: employee.email,
          name: `${employee.firstName} ${employee.lastName}`.trim(),
          employeeStatus: employee.status,
          entraUserId: pairing.entraUserId,
          state: pairing.state,
          isMissingInEntra: pairing.isMissingInEntra,
          unpairedAt: pairing.unpairedAt?.toISOString() ?? null,
          passkeys: own,
          lastUsedAt: lastUsed,
          updatedAt: pairing.updatedAt.toISOString(),
        };
      });
    },

    /** Creation options from Entra for the employee's user; the challenge is remembered for the attestation. */
    async beginRegistration(ctx: RequestContext, domainKey: string, employeeKey: string) {
      const domain = await domainFor(domainKey);
      const { account, pairing } = await eligibleAccount(domain, employeeKey);
      let options: { challengeTimeoutDateTime: string; publicKey: Record<string, unknown> & { challenge: string } };
      try {
        options = await domain.connector.graph().get(`/users/${encodeURIComponent(account.externalId)}/authentication/fido2Methods/creationOptions`);
      } catch (err) {
        if (err instanceof GraphError && err.status === 404) {
          await repo.updatePairingById(db, pairing.id, { isMissingInEntra: true });
          throw new AppError('entra.user_missing', `${account.email} can no longer be found in Entra ID`);
        }
        return graphCall('creation options', () => Promise.reject(err));
      }
      // Entra's challenge lives 5 minutes (v1.0 creationOptions). Counted on Tessera's clock, not
      // from challengeTimeoutDateTime, so that clock skew with Entra cannot stretch it.
      const expiresAt = new Date(clock.now().getTime() + FIVE_MINUTES);
      await repo.updatePairingById(db, pairing.id, { pendingChallenge: options.publicKey.challenge, challengeExpiresAt: expiresAt, isMissingInEntra: false });
      await audit.record(ctx, {
        action: 'entra.passkey_options_issued',
        target: { type: 'employee', id: account.employeeId, label: account.email },
        details: { domainId: domain.row.id, expiresAt: expiresAt.toISOString() },
      });
      return { challengeTimeoutDateTime: expiresAt.toISOString(), publicKey: options.publicKey };
    },

    /** Posts the authenticator's attestation to Entra; on success the employee is paired with Entra. */
    async completeRegistration(ctx: RequestContext, domainKey: string, employeeKey: string, body: AttestationBody) {
      const domain = await domainFor(domainKey);
      const { account, pairing } = await eligibleAccount(domain, employeeKey);
      const target = { type: 'employee', id: account.employeeId, label: account.email };
      const { id, response } = body.publicKeyCredential;
      for (const [name, value] of [
        ['publicKeyCredential.id', id],
        ['clientDataJSON', response.clientDataJSON],
        ['attestationObject', response.attestationObject],
      ] as const) {
        if (!isBase64Url(value)) throw new AppError('request.validation_failed', `${name} must be base64url without padding`);
      }
      if (!pairing.pendingChallenge || !pairing.challengeExpiresAt) throw new AppError('entra.challenge_missing', 'Ask for creation options first');
      let challenge: unknown;
      try {
        challenge = JSON.parse(Buffer.from(body.publicKeyCredential.response.clientDataJSON, 'base64url').toString('utf8')).challenge;
      } catch {
        challenge = null;
      }
      if (challenge !== pairing.pendingChallenge)
        throw new AppError('entra.challenge_mismatch', 'The attestation was not made for the creation options Tessera handed out last');
      if (clock.now() > pairing.challengeExpiresAt) {
        await repo.updatePairingById(db, pairing.id, { pendingChallenge: null, challengeExpiresAt: null });
        throw new AppError('entra.challenge_expired', 'The creation options expired (5 minutes): ask for new ones');
      }
      let method: GraphFido2Method;
      try {
        method = await domain.connector.graph().post<GraphFido2Method>(`/users/${encodeURIComponent(account.externalId)}/authentication/fido2Methods`, body);
      } catch (err) {
        if (err instanceof GraphError && err.status === 400) {
          await audit.record(ctx, {
            action: 'entra.passkey_registration_refused',
            outcome: 'failure',
            target,
            details: { domainId: domain.row.id, reason: err.message },
          });
          throw new AppError('entra.attestation_refused', `Entra ID refused the passkey: ${err.message}`);
        }
        return graphCall('register passkey', () => Promise.reject(err));
      }
      await repo.updatePairingById(db, pairing.id, { pendingChallenge: null, challengeExpiresAt: null });
      const saved = await repo.upsertPasskey(db, {
        pairingId: pairing.id,
        methodId: method.id,
        displayName: method.displayName ?? body.displayName,
        aaguid: method.aaGuid ?? null,
        model: method.model ?? null,
        isProvisionedByTessera: true,
        createdAt: method.createdDateTime ? new Date(method.createdDateTime) : clock.now(),
        lastUsedAt: null,
      });
      await audit.record(ctx, {
        action: 'entra.passkey_registered',
        target,
        details: { domainId: domain.row.id, methodId: method.id, displayName: saved.displayName, aaguid: saved.aaguid, model: saved.model },
      });
      await settle(ctx, domain, pairing, 'paired_entra', account.email);
      return {
        id: saved.id,
        methodId: saved.methodId,
        displayName: saved.displayName,
        aaguid: saved.aaguid,
        model: saved.model,
        isProvisionedByTessera: true,
        createdAt: saved.createdAt.toISOString(),
        lastUsedAt: null,
      };
    },

    /** Deletes the passkey in Entra (already gone there is fine) and here; the state follows. */
    async deletePasskey(ctx: RequestContext, domainKey: string, employeeKey: string, passkeyId: string): Promise<void> {
      const domain = await domainFor(domainKey, { passkeys: false });
      const employeeId = await employeeIdFor(employeeKey);
      const pairing = await repo.findPairing(db, domain.row.id, employeeId);
      const passkey = pairing && (await repo.findPasskeyById(db, pairing.id, passkeyId));
      if (!pairing || !passkey) throw new AppError('entra.passkey_not_found', 'Passkey was not found');
      try {
        await domain.connector
          .graph()
          .delete(`/users/${encodeURIComponent(pairing.entraUserId)}/authentication/fido2Methods/${encodeURIComponent(passkey.methodId)}`);
      } catch (err) {
        if (!(err instanceof GraphError && err.status === 404)) await graphCall('delete passkey', () => Promise.reject(err));
      }
      await repo.deletePasskeyById(db, passkey.id);
      const [account] = await eligibleAccounts(domain.row.id, employeeId);
      const label = account?.email ?? pairing.entraUserId;
      await audit.record(ctx, {
        action: 'entra.passkey_deleted',
        target: { type: 'employee', id: employeeId, label },
        details: { domainId: domain.row.id, methodId: passkey.methodId, displayName: passkey.displayName },
      });
      if (domain.settings.passkeys.enabled) await settle(ctx, domain, pairing, await stateOf(pairing.id, account?.hasTesseraCredential ?? false), label);
    },
  };
}
