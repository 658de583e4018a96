import { decodeProtectedHeader, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { CredentialLimiter } from '../security/credential-limiter.js';
import { randomToken, sha256 } from '../security/tokens.js';
import type { AgentBus } from './agent-bus.js';
import { ASSERTION_CLOCK_SKEW_S, ENROLMENT_TOKEN_PREFIX, MAX_ASSERTION_LIFETIME_S } from './workstation.constants.js';
import * as repo from './workstation.repository.js';
import type { CreateEnrolmentTokenInput, EnrolmentTokenDto } from './workstation.schemas.js';
import type { z } from 'zod';
import type { enrollBody } from './workstation.schemas.js';

export type AgentAuthService = ReturnType<typeof createAgentAuthService>;
export type EnrollInput = z.infer<typeof enrollBody>;
/** The workstation an assertion proved to be, as the route guard hands it to agent routes. */
export type AgentWorkstation = repo.WorkstationRow;

const ASSERTION_TYPE = 'tessera-agent+jwt';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JTI = /^[A-Za-z0-9_.:-]{16,128}$/;

/** Thrown inside the enrolment's transaction so that the token use is rolled back. */
class DeniedMachine extends Error {
  constructor(readonly workstationId: string) {
    super('denied machine');
  }
}

const tokenState = (t: repo.EnrolmentTokenRow, now: Date): EnrolmentTokenDto['state'] =>
  t.revokedAt ? 'revoked' : t.uses >= t.maxUses ? 'used_up' : t.expiresAt <= now ? 'expired' : 'usable';

const toTokenDto = (t: repo.EnrolmentTokenRow, now: Date): EnrolmentTokenDto => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  maxUses: t.maxUses,
  uses: t.uses,
  expiresAt: t.expiresAt.toISOString(),
  autoApprove: t.autoApprove,
  departmentId: t.departmentId,
  profileId: t.profileId,
  createdBy: t.createdBy,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
  state: tokenState(t, now),
});

/**
 * How an agent becomes a known workstation (enrolment tokens, its own key) and how every later
 * request proves it is that workstation (docs/agent-protocol.md §2–3).
 */
export function createAgentAuthService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  bus: AgentBus;
  credentialLimiter: CredentialLimiter;
  /** The audience every assertion must name: PUBLIC_URL. */
  audience: string;
  departmentExists: (id: string) => Promise<boolean>;
  profileExists: (id: string) => Promise<boolean>;
  /** Why an assertion was refused, for the server log only (the agent gets one answer for all). */
  onRefused?: (reason: string, details: Record<string, unknown>) => void;
}) {
  const { db, audit, clock, bus, audience } = deps;
  // Imported keys by workstation and key; the row is still read on every request, so a removed
  // workstation or a replaced key stops working at once.
  const keys = new Map<string, CryptoKey>();
  /** Workstations whose assertion this node accepted: their later ones are checked before the address budget. */
  const proven = new Set<string>();

  async function createToken(ctx: RequestContext, input: CreateEnrolmentTokenInput): Promise<{ token: EnrolmentTokenDto; secret: string; serverUrl: string }> {
    if (input.departmentId && !(await deps.departmentExists(input.departmentId)))
      throw new AppError('workstations.department_not_found', 'Department was not found');
    if (input.profileId && !(await deps.profileExists(input.profileId)))
      throw new AppError('workstations.profile_not_found', 'Workstation profile was not found');
    const secret = ENROLMENT_TOKEN_PREFIX + randomToken();
    const now = clock.now();
    const row = await db.transaction(async (tx) => {
      const row = await repo.insertEnrolmentToken(tx, {
        name: input.name,
        prefix: secret.slice(0, 10),
        secretHash: sha256(secret),
        maxUses: input.maxUses,
        expiresAt: new Date(now.getTime() + input.validHours * 3600_000),
        autoApprove: input.autoApprove,
        departmentId: input.departmentId,
        profileId: input.profileId,
        createdBy: ctx.actor.label,
      });
      await audit.record(
        ctx,
        {
          action: 'workstation.enrolment_token_created',
          target: { type: 'workstation_enrolment_token', id: row.id, label: row.name },
          details: {
            maxUses: row.maxUses,
            expiresAt: row.expiresAt.toISOString(),
            autoApprove: row.autoApprove,
            departmentId: row.departmentId,
            profileId: row.profileId,
          },
        },
        tx,
      );
      return row;
    });
    return { token: toTokenDto(row, now), secret, serverUrl: audience };
  }

  async function revokeToken(ctx: RequestContext, id: string): Promise<void> {
    const current = await repo.findEnrolmentTokenById(db, id);
    if (!current) throw new AppError('workstations.token_not_found', 'Enrolment token was not found');
    await db.transaction(async (tx) => {
      if (!(await repo.revokeEnrolmentToken(tx, id, clock.now()))) return;
      await audit.record(ctx, { action: 'workstation.enrolment_token_revoked', target: { type: 'workstation_enrolment_token', id, label: current.name } }, tx);
    });
  }

  /** Registers a computer: a token use, its public key and facts. A known machine id gets the new key. */
  async function enroll(ctx: RequestContext, input: EnrollInput) {
    try {
      // Two first enrolments of one machine id at once (with two tokens: one token's row lock
      // orders its own) both find no workstation and both insert; the loser, rolled back, enrols
      // again and finds the winner's record, as it would have a moment later.
      return await enrollOnce(ctx, input).catch((err: unknown) => {
        if (isUniqueViolation(err, 'workstations_machine_id_key')) return enrollOnce(ctx, input);
        throw err;
      });
    } catch (err) {
      if (!(err instanceof DeniedMachine)) throw err;
      audit.recordAnonymousFailure(ctx, {
        action: 'workstation.enrolment_refused',
        details: { hostname: input.facts.hostname, deniedWorkstationId: err.workstationId },
      });
      throw new AppError('workstations.denied', 'An administrator denied this computer: it can enrol again only after it is removed in the console');
    }
  }

  async function enrollOnce(ctx: RequestContext, input: EnrollInput) {
    try {
      await importJWK({ ...input.publicKey }, 'ES256');
    } catch {
      throw new AppError('workstations.public_key_invalid', 'The public key is not a P-256 key');
    }
    const now = clock.now();
    const result = await db.transaction(async (tx) => {
      const token = await repo.consumeEnrolmentToken(tx, sha256(input.token), now);
      if (!token) return undefined;
      const f = input.facts;
      const existing = await repo.findWorkstationByMachineId(tx, f.machineId);
      // An admin's denial is not the computer's to undo: enrolling again (with any token, even one
      // that approves automatically) would turn it back into pending or approved. Thrown, so the
      // token use is rolled back; removing the workstation in the console lets it enrol afresh.
      if (existing?.status === 'denied') throw new DeniedMachine(existing.id);
      const status = token.autoApprove ? ('approved' as const) : ('pending' as const);
      const fields = {
        hostname: f.hostname,
        domain: f.domain,
        osName: f.osName,
        osVersion: f.osVersion,
        agentVersion: f.agentVersion,
        publicKey: { ...input.publicKey },
        status,
        enrolmentTokenId: token.id,
        enrolledAt: now,
        approvedAt: token.autoApprove ? now : null,
        approvedBy: token.autoApprove ? `enrolment token ${token.name}` : null,
        updatedAt: now,
      };
      const row = existing
        ? await repo.updateWorkstationById(tx, existing.id, {
            ...fields,
            departmentId: token.departmentId ?? existing.departmentId,
            profileId: token.profileId ?? existing.profileId,
          })
        : await repo.insertWorkstation(tx, {
            ...fields,
            name: f.hostname,
            machineId: f.machineId,
            departmentId: token.departmentId,
            profileId: token.profileId,
          });
      await audit.record(
        { ...ctx, actor: { type: 'workstation', id: row!.id, label: f.hostname } },
        {
          action: 'workstation.enrolled',
          target: { type: 'workstation', id: row!.id, label: f.hostname },
          details: { token: token.name, status, reenrolled: Boolean(existing), facts: f },
        },
        tx,
      );
      return { row: row!, reenrolled: Boolean(existing) };
    });
    if (!result) {
      audit.recordAnonymousFailure(ctx, { action: 'workstation.enrolment_refused', details: { hostname: input.facts.hostname } });
      throw new AppError('workstations.token_invalid', 'The enrolment token is not valid: it is unknown, used up, expired or revoked');
    }
    // A reinstalled computer's old channel holds the old key: close it.
    if (result.reenrolled) await bus.publish({ t: 'status', ids: [result.row.id] });
    return { workstationId: result.row.id, status: result.row.status, audience };
  }

  /**
   * The workstation a `Bearer` assertion proves, or undefined. Each refusal costs the address one
   * unit of its budget of failed credential checks (src/security/credential-limiter.ts), and once
   * that is spent refusals are answered 429.
   *
   * A workstation that has proved itself on this node is checked before the budget: a signature
   * cannot be guessed, and a whole office's computers share one address. Were a spent budget to
   * refuse their valid assertions too, a few removed or denied computers retrying every minute (or
   * anyone on the office network sending garbage) would refuse every agent there every unlock.
   * Any other kid spends its unit first, as any credential does, so that a stranger's assertions
   * naming made-up workstations stop costing a database lookup once the budget is spent.
   */
  async function authenticate(assertion: string, ip: string): Promise<AgentWorkstation | undefined> {
    if (proven.has(kidOf(assertion) ?? '')) {
      const found = await verify(assertion);
      if (!found) await deps.credentialLimiter.reserve(ip);
      return found;
    }
    const reservation = await deps.credentialLimiter.reserve(ip);
    const found = await verify(assertion);
    if (found) {
      await reservation.release();
      if (proven.size >= 50_000) proven.clear();
      proven.add(found.id);
    }
    return found;
  }

  const kidOf = (assertion: string): string | undefined => {
    try {
      const { kid } = decodeProtectedHeader(assertion);
      return typeof kid === 'string' ? kid : undefined;
    } catch {
      return undefined;
    }
  };

  async function verify(assertion: string): Promise<AgentWorkstation | undefined> {
    const refuse = (reason: string, details: Record<string, unknown> = {}) => {
      deps.onRefused?.(reason, details);
      return undefined;
    };
    if (assertion.length > 4096) return refuse('too long');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      return refuse('not a JWS');
    }
    if (header.alg !== 'ES256' || header.typ !== ASSERTION_TYPE || typeof header.kid !== 'string' || !UUID.test(header.kid))
      return refuse('header', { alg: header.alg, typ: header.typ });
    const workstation = await repo.findWorkstationById(db, header.kid);
    if (!workstation || workstation.status === 'denied') return refuse('unknown or denied workstation', { workstationId: header.kid });
    const cacheKey = `${workstation.id}:${workstation.publicKey.x}:${workstation.publicKey.y}`;
    let key = keys.get(cacheKey);
    if (!key) {
      key = (await importJWK(workstation.publicKey as JWK, 'ES256')) as CryptoKey;
      if (keys.size > 50_000) keys.clear();
      keys.set(cacheKey, key);
    }
    const now = clock.now();
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(assertion, key, {
        algorithms: ['ES256'],
        typ: ASSERTION_TYPE,
        audience,
        issuer: workstation.id,
        requiredClaims: ['iat', 'exp', 'jti'],
        clockTolerance: ASSERTION_CLOCK_SKEW_S,
        currentDate: now,
      }));
    } catch (err) {
      return refuse('signature or claims', { workstationId: workstation.id, error: (err as Error).message });
    }
    const { iat, exp, jti } = payload as { iat: number; exp: number; jti: unknown };
    if (exp - iat > MAX_ASSERTION_LIFETIME_S || exp <= iat) return refuse('lifetime', { workstationId: workstation.id, lifetime: exp - iat });
    if (iat > now.getTime() / 1000 + ASSERTION_CLOCK_SKEW_S) return refuse('issued in the future', { workstationId: workstation.id });
    if (typeof jti !== 'string' || !JTI.test(jti)) return refuse('jti', { workstationId: workstation.id });
    const expiresAt = new Date((exp + ASSERTION_CLOCK_SKEW_S) * 1000);
    if (!(await repo.claimAssertionId(db, `${workstation.id}:${jti}`, workstation.id, expiresAt))) return refuse('replayed', { workstationId: workstation.id });
    return workstation;
  }

  return {
    listTokens: async () => {
      const now = clock.now();
      return (await repo.findEnrolmentTokens(db)).map((t) => toTokenDto(t, now));
    },
    createToken,
    revokeToken,
    enroll,
    authenticate,
    /** Forgets used assertion ids once their assertions have expired. */
    purgeAssertionIds: () => repo.purgeAssertionIds(db, clock.now()),
  };
}
