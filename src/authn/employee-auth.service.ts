import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { EmployeeLookup, EmployeeRow } from '../employees/employee.service.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { checkWithLockout } from '../security/lockout.js';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../security/passwords.js';
import type { Sealer } from '../security/sealing.js';
import { verifyTotp } from '../security/totp.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { SettingsValues } from '../settings/settings.schemas.js';
import * as repo from './employee-auth.repository.js';
import { credentialType } from './authn.schemas.js';
import type { WebAuthnService } from './webauthn.service.js';

export type SecondFactor = 'totp' | 'passkey';
export type { EmployeeRow };
/** What the factor and credential functions need to know of an employee. */
export type EmployeeIdentity = Pick<EmployeeRow, 'id' | 'email' | 'firstName' | 'lastName'>;

export const employeeTotpAad = (employeeId: string) => `employee_auth.totp_secret:${employeeId}`;
export const employeePendingTotpAad = (employeeId: string) => `employee_auth.totp_pending_secret:${employeeId}`;

/** Whether policy lets employees use e-mail + password (always with a second factor) at all. */
export const passwordsAllowed = (s: SettingsValues) => s.authenticators.allowPasswordSignIn;
export const totpAllowed = (s: SettingsValues) => passwordsAllowed(s) && s.authenticators.secondFactors.includes('totp');

const DISABLED_MESSAGE = 'This account is disabled. Contact your administrator.';
/** Wrong, unknown and locked all read the same (no account enumeration); the hint helps the locked-out. */
const INVALID_CREDENTIALS = 'The e-mail address or password is wrong. After repeated failures the account is locked for a while: wait and try again.';
const INVALID_TOTP = 'The authentication code is not valid. After repeated failures the account is locked for a while: wait and try again.';

export type EmployeeAuthService = ReturnType<typeof createEmployeeAuthService>;

/**
 * Employee sign-in: passkey (username-less or for an e-mail address), or password followed by a
 * second factor. Every attempt is audited as `employee.sign_in` with its method and, on failure,
 * the reason. A disabled or deactivated employee is refused by every method, but only once the
 * first factor was right: before that, nothing tells such an account from an unknown one.
 */
export function createEmployeeAuthService(deps: {
  db: Db;
  audit: AuditService;
  sealer: Sealer;
  clock: Clock;
  settings: SettingsService;
  webauthn: WebAuthnService;
  employees: EmployeeLookup;
  /**
   * The state of the hardware key a credential is bound to (src/vaults), and whether the key's
   * access profile requires user verification; undefined when it is bound to none. A credential
   * whose key is not Active never signs in, nor one without the UV flag when the profile requires it (issue 14).
   */
  keyStateOfCredential?: (
    credentialId: string,
  ) => Promise<{ state: string; serial: string; userVerificationRequired?: boolean; allowedAaguids?: string[]; accessProfile?: string } | undefined>;
  /**
   * The employee's effective SSO method (src/sso/app-access.ts): 'passwordless' accepts a passkey
   * or security key alone and refuses a password; 'password_2fa' accepts a password and a second
   * factor and refuses a passkey alone; 'any' (no method set) follows the server policy only.
   */
  signInMethodOf?: (employee: EmployeeRow) => Promise<'passwordless' | 'password_2fa' | 'any'>;
}) {
  const { db, audit, sealer, clock, settings, webauthn, employees } = deps;

  const target = (e: EmployeeRow) => ({ type: 'employee', id: e.id, label: e.email });
  const asEmployee = (ctx: RequestContext, e: EmployeeRow): RequestContext => ({ ...ctx, actor: { type: 'employee', id: e.id, label: e.email } });
  const isActive = (e: EmployeeRow) => e.status === 'active';

  const failure = (ctx: RequestContext, e: EmployeeRow | null, method: string, reason: string, extra: Record<string, unknown> = {}) =>
    audit.record(ctx, {
      action: 'employee.sign_in',
      outcome: 'failure',
      target: e ? target(e) : { type: 'employee', id: null },
      details: { method, reason, ...extra },
    });

  /**
   * Refuses a sign-in path the employee's SSO method does not accept. Only ever after the first
   * factor was right, so the answer may say which method and whose account it is (`details`): the
   * sign-in page then offers that employee only the path that works, and remembers it on this
   * device. Before that nothing tells a restricted account from an unknown one.
   */
  async function refuseByMethod(ctx: RequestContext, e: EmployeeRow, path: 'passkey' | 'password'): Promise<void> {
    const method = (await deps.signInMethodOf?.(e)) ?? 'any';
    const details = { ssoMethod: method, email: e.email };
    if (method === 'passwordless' && path === 'password') {
      await failure(ctx, e, 'password', 'sso method passwordless', { ssoMethod: method });
      throw new AppError('signin.method_not_allowed_for_employee', 'Your account signs in with a passkey or security key only, not with a password', {
        details,
      });
    }
    if (method === 'password_2fa' && path === 'passkey') {
      await failure(ctx, e, 'passkey', 'sso method password_2fa', { ssoMethod: method });
      throw new AppError(
        'signin.method_not_allowed_for_employee',
        'Your account signs in with your password and a second factor: a passkey alone is not accepted',
        { details },
      );
    }
  }

  async function refuseDisabled(ctx: RequestContext, e: EmployeeRow, method: string): Promise<never> {
    await failure(ctx, e, method, 'account disabled', { status: e.status });
    throw new AppError('signin.account_disabled', DISABLED_MESSAGE);
  }

  /**
   * One guess at an employee's password or code, inside the per-account lockout
   * (src/security/lockout.ts). A locked account is audited as such but answered like a wrong
   * guess, after the same work. Returns when the guess was right (its attempt still counted).
   */
  async function checkGuess(
    ctx: RequestContext,
    e: EmployeeRow,
    method: string,
    kind: 'password' | 'totp',
    check: { verify: () => Promise<boolean>; decoy: () => Promise<unknown> },
  ): Promise<void> {
    const policy = await settings.get();
    const result = await checkWithLockout({ store: repo.employeeLockoutStore(db, e.id), policy, clock, ...check });
    if (result.outcome === 'verified') return;
    if (result.outcome === 'locked') await failure(ctx, e, method, 'locked');
    else await failure(ctx, e, method, kind === 'totp' ? 'wrong totp code' : 'wrong password', { failures: result.failures });
    if (result.lockedUntil) {
      await audit.record(ctx, {
        action: 'employee.locked',
        outcome: 'failure',
        target: target(e),
        details: { until: result.lockedUntil.toISOString(), failures: Math.max(result.failures, policy.lockoutThreshold) },
      });
    }
    if (kind === 'totp') throw new AppError('signin.invalid_totp', INVALID_TOTP);
    throw new AppError('signin.invalid_credentials', INVALID_CREDENTIALS);
  }

  async function completeSignIn(ctx: RequestContext, e: EmployeeRow, method: string, opts: { resetFailures: boolean }) {
    if (opts.resetFailures) await repo.upsertEmployeeAuth(db, e.id, { failedAttempts: 0, lockedUntil: null });
    await audit.record(asEmployee(ctx, e), { action: 'employee.sign_in', target: target(e), details: { method } });
  }

  /** A failed passkey ceremony is audited with its error code, then answered as it is. */
  async function auditedPasskey<T>(ctx: RequestContext, method: string, employee: EmployeeRow | null, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof AppError) await failure(ctx, employee, method, err.code);
      throw err;
    }
  }

  /**
   * Refuses, audited, a credential bound to a hardware key that is not Active, or whose access
   * profile requires user verification when the assertion carries no UV flag.
   */
  async function refuseByKey(
    ctx: RequestContext,
    e: EmployeeRow,
    method: string,
    credential: { id: string; aaguid: string },
    userVerified: boolean,
  ): Promise<void> {
    const key = await deps.keyStateOfCredential?.(credential.id);
    if (!key) return;
    if (key.state !== 'active') {
      await failure(ctx, e, method, 'hardware key not active', { credential: credential.id, key: key.serial, keyState: key.state });
      throw new AppError(
        'signin.hardware_key_not_active',
        `This security key (${key.serial}) is ${key.state} and cannot be used to sign in. Contact your administrator.`,
      );
    }
    // A model the key's profile no longer allows (banned after activation) signs in no more than it activates.
    const allowed = key.allowedAaguids ?? [];
    if (allowed.length > 0 && !allowed.includes(credential.aaguid.toLowerCase())) {
      await failure(ctx, e, method, 'hardware key model not allowed by its access profile', {
        credential: credential.id,
        key: key.serial,
        aaguid: credential.aaguid,
        accessProfile: key.accessProfile ?? null,
      });
      throw new AppError(
        'signin.key_model_not_allowed',
        `The model of this security key (${key.serial}) is not allowed by its access profile any more and cannot be used to sign in. Contact your administrator.`,
      );
    }
    if (key.userVerificationRequired && !userVerified) {
      await failure(ctx, e, method, 'user verification required by the key access profile', {
        credential: credential.id,
        key: key.serial,
        accessProfile: key.accessProfile ?? null,
      });
      throw new AppError(
        'signin.user_verification_required',
        `This security key (${key.serial}) must verify you with its PIN or fingerprint, and it did not: sign in again and enter the key's PIN when asked.`,
      );
    }
  }

  /** The second factors an employee can use now: allowed by policy and set up. */
  async function secondFactorsOf(e: EmployeeRow, auth: repo.EmployeeAuthRow | undefined): Promise<SecondFactor[]> {
    const allowed = (await settings.get()).authenticators.secondFactors;
    const methods: SecondFactor[] = [];
    if (allowed.includes('totp') && auth?.totpSecret) methods.push('totp');
    if (allowed.includes('passkey') && (await webauthn.count('employee', e.id)) > 0) methods.push('passkey');
    return methods;
  }

  async function signInOptions(email?: string) {
    if (!email) return webauthn.startAuthentication({ purpose: 'sign_in', subjectType: 'employee' });
    const employee = await employees.findByEmail(email);
    return webauthn.startAuthentication({ purpose: 'sign_in', subjectType: 'employee', subjectId: employee?.id ?? null, decoyFor: email });
  }

  /** A username-less or e-mail-first passkey sign-in; says whether a passkey or a security key was used. */
  async function signInWithPasskey(
    ctx: RequestContext,
    ceremonyId: string,
    response: AuthenticationResponseJSON,
  ): Promise<{ employee: EmployeeRow; method: 'passkey' | 'security_key' }> {
    const { credential, userVerified } = await webauthn
      .finishAuthentication(ctx, { ceremonyId, purpose: 'sign_in', subjectType: 'employee', response })
      .catch(async (err: unknown) => {
        if (!(err instanceof AppError)) throw err;
        // A second-factor key offered without the password: its owner's trail shows the attempt.
        const owner = err.code === 'webauthn.second_factor_only' ? await webauthn.findByCredentialId(response.id) : undefined;
        const employee = owner ? await employees.findById(owner.subjectId) : undefined;
        await failure(ctx, employee ?? null, 'passkey', err.code, owner ? { credential: owner.id } : {});
        throw err;
      });
    const employee = await employees.findById(credential.subjectId);
    if (!employee) {
      await failure(ctx, null, 'passkey', 'webauthn.credential_unknown');
      throw new AppError('webauthn.credential_unknown', 'This passkey or security key is not registered here');
    }
    if (!isActive(employee)) return refuseDisabled(ctx, employee, 'passkey');
    await refuseByKey(ctx, employee, 'passkey', credential, userVerified);
    await refuseByMethod(ctx, employee, 'passkey');
    // A passkey cannot be guessed: it signs in during a password lockout, and leaves the count alone.
    // The audit names what was used (a passkey or a security key): the employee's "Recent sign-ins" shows it.
    const method = credentialType(credential);
    await completeSignIn(ctx, employee, method, { resetFailures: false });
    return { employee, method };
  }

  /** First factor. Unknown e-mail, no password, wrong password: one answer, the same work. */
  async function signInWithPassword(ctx: RequestContext, email: string, password: string): Promise<{ employee: EmployeeRow; methods: SecondFactor[] }> {
    if (!passwordsAllowed(await settings.get())) {
      await failure(ctx, null, 'password', 'method not allowed');
      throw new AppError('signin.method_not_allowed', 'Your organisation does not allow signing in with a password: use your passkey or security key');
    }
    const employee = await employees.findByEmail(email);
    const auth = employee ? await repo.findEmployeeAuth(db, employee.id) : undefined;
    if (!employee || !auth?.passwordHash) {
      await verifyPassword(DUMMY_PASSWORD_HASH, password);
      if (employee) await failure(ctx, employee, 'password', 'no password set');
      else
        await audit.record(ctx, {
          action: 'employee.sign_in',
          outcome: 'failure',
          target: { type: 'employee', id: null, label: email.slice(0, 254) },
          details: { method: 'password', reason: 'unknown account' },
        });
      throw new AppError('signin.invalid_credentials', INVALID_CREDENTIALS);
    }
    const passwordHash = auth.passwordHash;
    await checkGuess(ctx, employee, 'password', 'password', {
      verify: () => verifyPassword(passwordHash, password),
      decoy: () => verifyPassword(DUMMY_PASSWORD_HASH, password),
    });
    // A right password gives its attempt back, but the count is not reset yet: it also counts
    // wrong second-factor codes.
    await repo.employeeLockoutStore(db, employee.id).release();
    if (!isActive(employee)) return refuseDisabled(ctx, employee, 'password');
    await refuseByMethod(ctx, employee, 'password');
    const methods = await secondFactorsOf(employee, auth);
    if (methods.length === 0) {
      await failure(ctx, employee, 'password', 'no second factor');
      throw new AppError(
        'signin.method_not_allowed',
        'No second factor that your organisation allows is set up for this account: sign in with your passkey, or ask your administrator for a new invitation',
      );
    }
    return { employee, methods };
  }

  /** The second factor after a correct password. A code is accepted once (RFC 6238 §5.2). */
  async function signInWithTotp(ctx: RequestContext, employeeId: string, code: string): Promise<EmployeeRow> {
    const employee = await employees.findById(employeeId);
    const auth = employee ? await repo.findEmployeeAuth(db, employee.id) : undefined;
    if (!employee || !auth?.totpSecret) throw new AppError('signin.stage_invalid', 'No authentication code is expected now: sign in with your password first');
    if (!isActive(employee)) return refuseDisabled(ctx, employee, 'password+totp');
    if (!totpAllowed(await settings.get())) {
      await failure(ctx, employee, 'password+totp', 'method not allowed');
      throw new AppError('signin.method_not_allowed', 'Your organisation does not allow authenticator app codes');
    }
    const sealed = auth.totpSecret;
    // The step is claimed atomically: of two requests with the same code, one signs in.
    const verify = async () => {
      const result = verifyTotp({ secret: sealer.open(sealed, employeeTotpAad(employee.id)), code, nowMs: clock.now().getTime(), lastStep: auth.totpLastStep });
      return result.ok && (await repo.claimEmployeeTotpStep(db, employee.id, result.step));
    };
    await checkGuess(ctx, employee, 'password+totp', 'totp', { verify, decoy: async () => undefined });
    await completeSignIn(ctx, employee, 'password+totp', { resetFailures: true });
    return employee;
  }

  async function secondFactorOptions(employeeId: string) {
    if (!(await settings.get()).authenticators.secondFactors.includes('passkey')) {
      throw new AppError('signin.method_not_allowed', 'Your organisation does not allow a passkey as the second factor');
    }
    // A key enrolled as a second factor (U2F-era, often without PIN) is asked only for presence:
    // the password was the other factor. Otherwise the policy's user verification stands.
    // The ceremony asks for less than policy then, but a passkey or security key of the employee
    // answering it is still held to the policy's user verification (finishAuthentication).
    const hasSecondFactorKey = (await webauthn.list('employee', employeeId)).some((c) => c.isSecondFactorOnly);
    const policyUserVerification = (await settings.get()).authenticators.userVerification;
    return webauthn.startAuthentication({
      purpose: 'second_factor',
      subjectType: 'employee',
      subjectId: employeeId,
      ...(hasSecondFactorKey ? { userVerification: 'discouraged' as const, data: { standaloneUserVerification: policyUserVerification } } : {}),
    });
  }

  async function signInWithSecondFactorPasskey(
    ctx: RequestContext,
    employeeId: string,
    ceremonyId: string,
    response: AuthenticationResponseJSON,
  ): Promise<EmployeeRow> {
    const employee = await employees.findById(employeeId);
    if (!employee) throw new AppError('signin.stage_invalid', 'Sign in with your password first');
    // A passkey cannot be guessed, so a failed ceremony (it throws) gives its attempt back; but the
    // step is inside the lockout, so that a locked account cannot finish a password sign-in this way.
    let used: { credential: { id: string; aaguid: string }; userVerified: boolean } | undefined;
    const result = await auditedPasskey(ctx, 'password+passkey', employee, async () =>
      checkWithLockout({
        store: repo.employeeLockoutStore(db, employee.id),
        policy: await settings.get(),
        clock,
        decoy: async () => undefined,
        verify: async () => {
          used = await webauthn.finishAuthentication(ctx, { ceremonyId, purpose: 'second_factor', subjectType: 'employee', subjectId: employee.id, response });
          return true;
        },
      }),
    );
    if (result.outcome !== 'verified') {
      await failure(ctx, employee, 'password+passkey', 'locked');
      throw new AppError('signin.invalid_credentials', INVALID_CREDENTIALS);
    }
    if (!isActive(employee)) return refuseDisabled(ctx, employee, 'password+passkey');
    if (used) await refuseByKey(ctx, employee, 'password+passkey', used.credential, used.userVerified);
    await completeSignIn(ctx, employee, 'password+passkey', { resetFailures: true });
    return employee;
  }

  return {
    signInOptions,
    signInWithPasskey,
    signInWithPassword,
    signInWithTotp,
    secondFactorOptions,
    signInWithSecondFactorPasskey,
    /** A sign-in completed elsewhere (enrolment by invitation). */
    recordSignIn: (ctx: RequestContext, e: EmployeeRow, method: string) => completeSignIn(ctx, e, method, { resetFailures: true }),
    recordSignOut: (ctx: RequestContext, e: EmployeeRow) => audit.record(asEmployee(ctx, e), { action: 'employee.sign_out', target: target(e) }),
    /** The employee of a session: only an active one (a disabled employee's sessions end, and stay ended). */
    async findActiveEmployee(id: string): Promise<EmployeeRow | undefined> {
      const e = await employees.findById(id);
      return e && isActive(e) ? e : undefined;
    },
  };
}
