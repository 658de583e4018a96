import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { credentialType, type CredentialKind } from '../authn/authn.schemas.js';
import type { EmployeeAuthService } from '../authn/employee-auth.service.js';
import type { EmployeeFactorService } from '../authn/employee-factors.service.js';
import type { WebAuthnService, WebAuthnSubject } from '../authn/webauthn.service.js';
import type { Db } from '../db/connection.js';
import { AppError } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';
import type { KeyActivationService } from '../vaults/activation.service.js';
import type { EmployeeRow, InvitationService } from './invitation.service.js';

export type EnrolmentService = ReturnType<typeof createEnrolmentService>;

/**
 * Enrolment by invitation link: the employee registers a passkey or security key (or, where
 * policy allows, a password with TOTP). The first success uses the invitation up and signs the
 * employee in; every step re-checks that the link is still open.
 */
export function createEnrolmentService(deps: {
  db: Db;
  invitations: InvitationService;
  webauthn: WebAuthnService;
  employeeAuth: EmployeeAuthService;
  employeeFactors: EmployeeFactorService;
  keyActivation: KeyActivationService;
}) {
  const { db, invitations, webauthn, employeeAuth, employeeFactors } = deps;

  const subjectOf = (e: EmployeeRow): WebAuthnSubject => ({ type: 'employee', id: e.id, name: e.email, displayName: `${e.firstName} ${e.lastName}`.trim() });
  const asEmployee = (ctx: RequestContext, e: EmployeeRow): RequestContext => ({ ...ctx, actor: { type: 'employee', id: e.id, label: e.email } });

  async function webauthnOptions(token: string, kind: CredentialKind) {
    const { invitation, employee } = await invitations.open(token);
    // An invitation sets up a first way in; a second-factor key needs a password, set up in the portal.
    if (kind === 'second_factor_key')
      throw new AppError('signin.method_not_allowed', 'A security key as a second factor is added in the portal, once you sign in with your password');
    return webauthn.startRegistration(subjectOf(employee), kind, { invitationId: invitation.id });
  }

  async function webauthnVerify(ctx: RequestContext, token: string, input: { ceremonyId: string; response: RegistrationResponseJSON; name?: string }) {
    const { invitation, employee } = await invitations.open(token);
    const actx = asEmployee(ctx, employee);
    const credential = await webauthn.finishRegistration(actx, {
      subject: subjectOf(employee),
      ceremonyId: input.ceremonyId,
      response: input.response,
      name: input.name,
      within: async (tx, challenge) => {
        if (challenge.data.invitationId !== invitation.id)
          throw new AppError('webauthn.challenge_invalid', 'This registration was started from another invitation: start again');
        await invitations.consume(actx, tx, invitation, employee);
      },
    });
    // "invitation+passkey" or "invitation+security_key": what the employee just set up, as they chose it.
    await employeeAuth.recordSignIn(actx, employee, `invitation+${credentialType(credential)}`);
    return { employee, credential };
  }

  async function totpOptions(token: string) {
    const { employee } = await invitations.open(token);
    return employeeFactors.beginTotp(employee);
  }

  async function setPassword(ctx: RequestContext, token: string, input: { password: string; totpCode: string }) {
    const { invitation, employee } = await invitations.open(token);
    const actx = asEmployee(ctx, employee);
    const prepared = await employeeFactors.preparePasswordAndTotp(employee, input.password, input.totpCode);
    await db.transaction(async (tx) => {
      await invitations.consume(actx, tx, invitation, employee);
      await employeeFactors.savePasswordAndTotp(actx, tx, employee, prepared);
    });
    await employeeAuth.recordSignIn(actx, employee, 'invitation+password+totp');
    return employee;
  }

  /**
   * Enrolment with a hardware key's activation code (issue 14 §3): the e-mail address and code
   * prove the employee; the registration asks for direct attestation, so that the key's AAGUID
   * can be checked against the reserved model.
   */
  async function keyOptions(ctx: RequestContext, email: string, code: string) {
    const { employee, key } = await deps.keyActivation.open(ctx, email, code);
    // The key's access profile decides whether user verification is asked for, and the PIN length.
    const profile = await deps.keyActivation.profileFor(key.id);
    const started = await webauthn.startRegistration(
      subjectOf(employee),
      'security_key',
      { hardwareKeyId: key.id },
      { attestation: 'direct', ...(profile.userVerificationRequired ? { userVerification: 'required' } : {}), minPinLength: profile.minPinLength !== null },
    );
    return { ...started, key: { serial: key.serial, model: key.model } };
  }

  /** Proves the code again, registers the credential, binds it to the key and makes the key Active, in one transaction. */
  async function keyVerify(ctx: RequestContext, input: { email: string; code: string; ceremonyId: string; response: RegistrationResponseJSON; name?: string }) {
    const { employee, key } = await deps.keyActivation.open(ctx, input.email, input.code);
    const actx = asEmployee(ctx, employee);
    const codeHash = key.activationCodeHash!;
    let check: Awaited<ReturnType<KeyActivationService['checkCredential']>> | undefined;
    try {
      const credential = await webauthn.finishRegistration(actx, {
        subject: subjectOf(employee),
        ceremonyId: input.ceremonyId,
        response: input.response,
        name: input.name ?? (key.model ? `${key.model} ${key.serial}` : key.serial),
        within: async (tx, challenge, attested) => {
          if (challenge.data.hardwareKeyId !== key.id)
            throw new AppError('webauthn.challenge_invalid', 'This registration was started for another key: start again');
          check = await deps.keyActivation.checkCredential(tx, key.id, codeHash, attested);
        },
        afterInsert: (tx, row) => deps.keyActivation.bind(actx, tx, key.id, row.id, check),
      });
      await employeeAuth.recordSignIn(actx, employee, 'activation_code+security_key');
      return { employee, credential };
    } catch (err) {
      if (err instanceof AppError && (err.code.startsWith('hardware_keys.') || err.code.startsWith('access_profiles.')))
        await deps.keyActivation.recordFailure(actx, key.id, err);
      throw err;
    }
  }

  return { open: invitations.open, webauthnOptions, webauthnVerify, totpOptions, setPassword, keyOptions, keyVerify };
}
