import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AuditService } from '../audit/audit.service.js';
import type { CredentialKind } from '../authn/authn.schemas.js';
import type { CredentialService } from '../authn/credential.service.js';
import type { WebAuthnService, WebAuthnSubject } from '../authn/webauthn.service.js';
import { AppError } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';
import type { AdminAuthService } from './admin-auth.service.js';
import type { AdminRow } from './admin.repository.js';
import type { AdminService } from './admin.service.js';

export type AdminPasskeyService = ReturnType<typeof createAdminPasskeyService>;

/**
 * Admins' passkeys for the console. Sign-in always requires user verification (PIN or
 * biometrics): possession of the key plus the verification are two factors, so a passkey
 * sign-in is complete on its own, also when settings require TOTP for admins.
 */
export function createAdminPasskeyService(deps: {
  audit: AuditService;
  webauthn: WebAuthnService;
  credentials: CredentialService;
  admins: AdminService;
  adminAuth: AdminAuthService;
}) {
  const { audit, webauthn, credentials, admins, adminAuth } = deps;
  const subjectOf = (a: AdminRow): WebAuthnSubject => ({ type: 'admin', id: a.id, name: a.email, displayName: a.name });
  const ownerOf = (a: AdminRow) => ({ type: 'admin' as const, id: a.id, label: a.email });

  async function signIn(ctx: RequestContext, ceremonyId: string, response: AuthenticationResponseJSON): Promise<AdminRow> {
    let admin: AdminRow | undefined;
    try {
      const { credential, userVerified } = await webauthn.finishAuthentication(ctx, { ceremonyId, purpose: 'sign_in', subjectType: 'admin', response });
      admin = await admins.findById(credential.subjectId);
      if (!admin) throw new AppError('webauthn.credential_unknown', 'This passkey or security key is not registered here');
      if (!userVerified)
        throw new AppError('webauthn.verification_failed', 'The authenticator did not verify you (PIN or biometrics): it is required for the console');
    } catch (err) {
      if (err instanceof AppError) {
        await audit.record(ctx, {
          action: 'admin.sign_in',
          outcome: 'failure',
          target: admin ? { type: 'admin', id: admin.id, label: admin.email } : { type: 'admin', id: null },
          details: { method: 'passkey', reason: err.code },
        });
      }
      throw err;
    }
    const signedIn = { ...ctx, actor: { type: 'admin' as const, id: admin.id, label: admin.email } };
    await adminAuth.recordSignIn(signedIn, admin, 'passkey');
    return admin;
  }

  return {
    signInOptions: () => webauthn.startAuthentication({ purpose: 'sign_in', subjectType: 'admin', userVerification: 'required' }),
    signIn,
    list: (admin: AdminRow) => credentials.list(ownerOf(admin)),
    registrationOptions: (admin: AdminRow, kind: CredentialKind) => webauthn.startRegistration(subjectOf(admin), kind),
    register: (ctx: RequestContext, admin: AdminRow, input: { ceremonyId: string; response: RegistrationResponseJSON; name?: string }) =>
      webauthn.finishRegistration(ctx, { subject: subjectOf(admin), ...input }),
    remove: (ctx: RequestContext, admin: AdminRow, id: string) => credentials.remove(ctx, ownerOf(admin), id),
  };
}
