import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AuditService } from '../audit/audit.service.js';
import type { Executor } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import { totpCodes, type OtpParams } from './vault-account.otp.js';
import type { RevealAnswer, RevealField } from './vault-account.schemas.js';
import { vaultAad, type DirectoryAccountSummary, type VaultAccountService, type VaultHolder } from './vault-account.service.js';

/** What the reveal needs of the WebAuthn service (src/authn) and of the directory (src/directory). */
export interface RevealDeps {
  audit: AuditService;
  clock: Clock;
  sealer: Sealer;
  vault: Pick<VaultAccountService, 'readable'>;
  countCredentials(employeeId: string): Promise<number>;
  startAssertion(input: { employeeId: string; bindTo: Record<string, string> }): Promise<{ ceremonyId: string; options: object }>;
  finishAssertion(
    ctx: RequestContext,
    input: { employeeId: string; ceremonyId: string; response: AuthenticationResponseJSON; expect: Record<string, string> },
  ): Promise<{ credentialId: string; userVerified: boolean }>;
  /** The state of the hardware key the credential is bound to, if it is bound to one. */
  keyStateOfCredential(credentialId: string): Promise<{ state: string; serial: string } | undefined>;
  directoryAccountsOf(employeeId: string): Promise<DirectoryAccountSummary[]>;
  currentPasswordsFor(
    employeeId: string,
    tx?: Executor,
  ): Promise<{ accountId: string; domain: string; username: string; upn: string | null; password: string }[]>;
}

interface Revealable {
  kind: 'personal' | 'shared' | 'directory';
  target: { type: string; id: string; label: string };
  /** The clear value of the field, opened only now. */
  open(): Promise<RevealAnswer>;
}

export type VaultRevealService = ReturnType<typeof createVaultRevealService>;

/**
 * Reading a secret of the vault in the portal (issue 14 item 7): only after a fresh WebAuthn
 * assertion with user verification (§6.2.3: PIN or biometric, the UV flag set) from one of the
 * employee's own credentials. The challenge is single-use, expires in 5 minutes and is bound to
 * the employee, the account and the field: it cannot be spent on another account, and a replayed
 * assertion meets a used challenge. A credential on a hardware key that is not Active does not
 * count. Every reveal and copy is audited (which field, never its value); so is every refusal.
 */
export function createVaultRevealService(deps: RevealDeps) {
  const { audit, clock, sealer } = deps;
  const empty = () => new AppError('vault.field_empty', 'This account has nothing stored in that field');

  async function resolve(employee: VaultHolder, accountId: string, field: RevealField): Promise<Revealable> {
    let account;
    try {
      account = await deps.vault.readable(employee, accountId);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'vault.account_not_found')) throw err;
    }
    if (account) {
      const a = account;
      const sealed = field === 'password' ? a.password : field === 'notes' ? a.notes : a.otpSecret;
      if (!sealed) throw empty();
      return {
        kind: a.kind,
        target: { type: 'vault_account', id: a.id, label: a.name },
        async open() {
          if (field === 'otp') {
            const codes = totpCodes(JSON.parse(sealer.open(sealed, vaultAad('otp_secret', a.id))) as OtpParams, clock.now().getTime());
            return {
              field,
              otp: {
                code: codes.code,
                validUntil: codes.validUntil.toISOString(),
                period: codes.period,
                next: { code: codes.next.code, validUntil: codes.next.validUntil.toISOString() },
              },
            };
          }
          return { field, value: sealer.open(sealed, vaultAad(field === 'password' ? 'password' : 'notes', a.id)) };
        },
      };
    }
    // The employee's directory account: its current password, the one Tessera rotated.
    const directory = (await deps.directoryAccountsOf(employee.id)).find((d) => d.id === accountId);
    if (!directory) throw new AppError('vault.account_not_found', 'Vault account was not found');
    if (field !== 'password' || !directory.hasManagedPassword) throw empty();
    return {
      kind: 'directory',
      target: { type: 'directory_account', id: directory.id, label: directory.upn ?? directory.username },
      async open() {
        const current = (await deps.currentPasswordsFor(employee.id)).find((p) => p.accountId === accountId);
        if (!current) throw empty();
        return { field, value: current.password };
      },
    };
  }

  /** Options for the passkey check, bound to this employee, account and field. */
  async function options(employee: VaultHolder, accountId: string, field: RevealField) {
    await resolve(employee, accountId, field);
    if ((await deps.countCredentials(employee.id)) === 0) {
      throw new AppError('vault.no_passkey', 'Register a passkey or security key in "Sign-in methods" first: revealing a secret needs one');
    }
    return deps.startAssertion({ employeeId: employee.id, bindTo: { accountId, field } });
  }

  async function reveal(
    ctx: RequestContext,
    employee: VaultHolder,
    accountId: string,
    input: { ceremonyId: string; response: AuthenticationResponseJSON; field: RevealField; purpose: 'reveal' | 'copy' },
  ): Promise<RevealAnswer> {
    const refuse = async (reason: string, err: AppError): Promise<never> => {
      await audit.record(ctx, {
        action: 'vault.reveal_refused',
        outcome: 'failure',
        target: { type: 'vault_account', id: accountId, label: null },
        details: { field: input.field, reason, code: err.code },
      });
      throw err;
    };
    let proof: { credentialId: string; userVerified: boolean };
    try {
      proof = await deps.finishAssertion(ctx, {
        employeeId: employee.id,
        ceremonyId: input.ceremonyId,
        response: input.response,
        expect: { accountId, field: input.field },
      });
    } catch (err) {
      if (err instanceof AppError) return refuse(err.message.slice(0, 200), err);
      throw err;
    }
    // requireUserVerification already refused an assertion without UV; this keeps it so whatever the options said.
    if (!proof.userVerified) {
      return refuse('no user verification', new AppError('vault.reveal_refused', 'Confirm with your PIN or fingerprint: a touch alone is not enough here'));
    }
    const key = await deps.keyStateOfCredential(proof.credentialId);
    if (key && key.state !== 'active') {
      return refuse(`key ${key.serial} is ${key.state}`, new AppError('vault.reveal_refused', `Security key ${key.serial} is ${key.state}: use another one`));
    }
    // Resolved again after the check: an assignment removed meanwhile revokes this reveal too.
    const item = await resolve(employee, accountId, input.field);
    const answer = await item.open();
    await audit.record(ctx, {
      action: input.purpose === 'copy' ? 'vault.account_copied' : 'vault.account_revealed',
      target: item.target,
      details: { field: input.field, kind: item.kind, credential: proof.credentialId },
    });
    return answer;
  }

  return { options, reveal };
}
